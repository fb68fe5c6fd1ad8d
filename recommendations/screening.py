"""What shoppers write, checked: the shape of a text (``clean_text``) and a simple spam screen
(``screen_text``). Pure functions, for questions and answers here and for reviews alike.

``clean_text`` refuses what is never acceptable (nothing written, too long, HTML markup, control
characters); ``screen_text`` notices what a moderator should look at (links, repeated text, words
staff banned) and never refuses by itself: the moderation services decide what a flag means.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

LINK = "link"
REPEATED_TEXT = "repeated_text"
BANNED_WORD = "banned_word"

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^<>]*>")  # <b>, </p>, <!-- -->, <?php: markup, not "x < 5 > 3"
_LINK = re.compile(r"(https?://|ftp://|www\.|\b[\w-]+\.(com|net|org|info|biz|ru|cn|xyz|top|io|ly)\b)", re.IGNORECASE)
_RUN = re.compile(r"(.)\1{9,}")  # the same character ten times running: "!!!!!!!!!!", "aaaaaaaaaa"
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_text(value, *, field: str, max_length: int, min_length: int = 1) -> tuple[str, dict[str, list[str]]]:
    """The text stripped and normalised (NFC, Windows line ends made plain), and the errors, by field.

    Refused: anything not a string, empty after stripping, shorter than ``min_length`` or longer
    than ``max_length`` characters, holding HTML markup or control characters other than line ends
    and tabs.
    """
    if not isinstance(value, str):
        return "", {field: ["Text is required."]}
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        return "", {field: ["Write something."]}
    if len(text) > max_length:
        return "", {field: [f"At most {max_length} characters ({len(text)} given)."]}
    if len(text) < min_length:
        return "", {field: [f"At least {min_length} characters."]}
    if _TAG.search(text):
        return "", {field: ["Plain text only: HTML markup is not accepted."]}
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        return "", {field: ["Control characters are not accepted."]}
    return text, {}


def screen_text(text: str, *, banned_words: Iterable[str] = ()) -> list[str]:
    """What the spam screen notices in ``text``, in a fixed order: ``link``, ``repeated_text``, ``banned_word``.

    Repeated text: a character ten times running, a word making up more than half of a text of
    six words or more, or the same line written three times.
    """
    flags = []
    if _LINK.search(text):
        flags.append(LINK)
    words = [w.lower() for w in _WORD.findall(text)]
    lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
    repeated = bool(_RUN.search(text))
    if len(words) >= 6 and Counter(words).most_common(1)[0][1] * 2 > len(words):
        repeated = True
    if lines and Counter(lines).most_common(1)[0][1] >= 3:
        repeated = True
    if repeated:
        flags.append(REPEATED_TEXT)
    banned = {w.strip().lower() for w in banned_words if w and w.strip()}
    if banned and (banned & set(words) or any(" " in b and b in text.lower() for b in banned)):
        flags.append(BANNED_WORD)
    return flags
