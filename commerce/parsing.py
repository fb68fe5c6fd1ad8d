"""Numbers read from untrusted text (query strings, path segments, form fields, headers).

``str.isdigit()`` is true for "¹" and "٣", which ``int()`` either refuses (a 500) or reads as
another number than the client typed, and an id of 400 digits overflows the database driver.
Everything that reads digits from input goes through here: ASCII digits only, and ids within the
range of the database's id columns. Anything else is "not a number" (``None``), for the caller to
answer with a 4xx or an empty result.
"""

import re

#: the largest value of a ``BigAutoField`` / signed 64-bit integer column
MAX_ID = 2**63 - 1

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def is_ascii_digits(value) -> bool:
    """True for a non-empty string of the digits 0-9 only (no sign, space, or other script's digits)."""
    return isinstance(value, str) and _ASCII_DIGITS.fullmatch(value) is not None


def parse_id(value) -> int | None:
    """A positive database id from text, or None: ASCII digits, 1 to ``MAX_ID``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    # 19 digits is the most a 64-bit id has; checking length first keeps int() cheap.
    if not is_ascii_digits(value) or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def parse_id_list(raw: str, *, separator: str = ",") -> list[int]:
    """The valid ids in a separated list ("3,7,12"), sorted and without duplicates; others are skipped."""
    ids = (parse_id(part) for part in (raw or "").split(separator))
    return sorted({pk for pk in ids if pk is not None})


class IdConverter:
    """The ``<id:name>`` path converter: a database id, 1 to ``MAX_ID`` in ASCII digits. Anything
    else does not match the route (a 404), where Django's ``<id:...>`` passes a 400-digit number on
    to the database driver (an ``OverflowError``: a 500). Registered at start-up
    (``commerce.admin_apps``); every route naming an object by its id uses it, never ``int``
    (``tests/core/test_urls.py``)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"{value!r} is not a database id")
        return number

    def to_url(self, value) -> str:
        return str(int(value))
