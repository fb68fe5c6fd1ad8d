"""Strict readers of the environment for ``commerce.settings``: a value that is not understood stops the start.

django-environ reads ``DJANGO_SECURE_SSL_REDIRECT=flase`` as ``False`` and ``DJANGO_ENV=Production``
as just another string; settings built on that fail open. These readers accept only the documented
spellings and raise ``ImproperlyConfigured`` naming the variable, the value and what is accepted.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
_UNSET = object()


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def _refuse(name: str, value: str, accepted: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} is not understood; accepted: {accepted}.")


def choice(name: str, *, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices``, spelled exactly (lower case); unset or empty means ``default``."""
    value = _raw(name)
    if not value:
        return default
    if value not in choices:
        raise _refuse(name, value, ", ".join(choices))
    return value


def boolean(name: str, *, default: bool) -> bool:
    value = _raw(name)
    if not value:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _refuse(name, value, "true/false, 1/0, yes/no, on/off")


def integer(name: str, *, default: int, minimum: int | None = None) -> int:
    value = _raw(name)
    if not value:
        return default
    # ASCII digits only: int() would take "¹" lookalikes and "1_000".
    digits = value[1:] if value[:1] == "-" else value
    if not (digits.isascii() and digits.isdigit()):
        raise _refuse(name, value, "a whole number")
    number = int(value)
    if minimum is not None and number < minimum:
        raise _refuse(name, value, f"a whole number of at least {minimum}")
    return number


def required(name: str, *, why: str, forbidden: tuple[str, ...] = ()) -> str:
    """A non-empty value that must be set (``why`` says for what) and may not be a known default."""
    value = _raw(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set {why}.")
    if value in forbidden:
        raise ImproperlyConfigured(f"{name} is the development default; set a secret of your own {why}.")
    return value


def host_list(name: str, *, default: list[str] | object = _UNSET, allow_wildcard: bool = True) -> list[str]:
    """Comma-separated host names; empty entries are refused, and ``*`` where it is not allowed."""
    value = _raw(name)
    if not value:
        if default is _UNSET:
            raise ImproperlyConfigured(f"{name} must be set: the comma-separated host names this site answers to.")
        return list(default)
    hosts = [part.strip() for part in value.split(",")]
    if any(not host for host in hosts):
        raise _refuse(name, value, "comma-separated host names, none empty")
    if not allow_wildcard and "*" in hosts:
        raise _refuse(name, value, "host names (a `*` wildcard turns off Host header checks in production)")
    return hosts


def decimal(name: str, *, default: str) -> str:
    """A non-negative decimal amount written with ASCII digits (``4.90``), kept as its string."""
    value = _raw(name)
    if not value:
        return default
    whole, _, fraction = value.partition(".")
    if not (whole.isascii() and whole.isdigit() and (not fraction or (fraction.isascii() and fraction.isdigit()))):
        raise _refuse(name, value, "a non-negative amount such as 4.90")
    return value


RATE_PERIODS = ("s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day")


def rate(name: str, *, default: str) -> str:
    """A throttle rate as DRF reads it, ``<requests>/<period>`` (``120/minute``)."""
    value = _raw(name)
    if not value:
        return default
    count, _, period = value.partition("/")
    if not (count.isascii() and count.isdigit() and period in RATE_PERIODS):
        raise _refuse(name, value, f"<number>/<period>, the period one of {', '.join(RATE_PERIODS)}")
    return value


def url(name: str, *, schemes: tuple[str, ...], default: str = "") -> str:
    """A URL whose scheme is one of ``schemes`` (``redis://host:6379/0``); unset or empty means ``default``."""
    value = _raw(name)
    if not value:
        return default
    scheme, separator, _ = value.partition("://")
    if not separator or scheme not in schemes:
        raise _refuse(name, value, "a URL starting with " + " or ".join(f"{s}://" for s in schemes))
    return value


def site_url(name: str, *, default: str, https_only: bool = False) -> str:
    """The shop's public address, for absolute links (in mails): ``https://shop.example.com``, with
    no path, query or fragment; returned without a trailing slash. ``https_only``: ``http://`` refused."""
    value = _raw(name)
    if not value:
        if https_only:
            raise ImproperlyConfigured(f"{name} must be set: the shop's public address (https://...), used in links in mails.")
        return default
    schemes = ("https",) if https_only else ("http", "https")
    scheme, separator, rest = value.partition("://")
    host = rest.rstrip("/")
    if (
        not separator or scheme not in schemes or not host or not host.isascii()
        or any(c in host for c in "/?#@ \\") or host.startswith(":") or host.endswith(":")
    ):
        raise _refuse(name, value, " or ".join(f"{s}://<host>[:port]" for s in schemes) + " (no path)")
    hostname, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise _refuse(name, value, "a port between 1 and 65535")
    return f"{scheme}://{host}"


EMAIL_SCHEMES = {"smtp": (25, False, False), "smtp+tls": (587, True, False), "smtp+ssl": (465, False, True)}


def email_url(name: str) -> dict | None:
    """Mail delivery as one URL: ``smtp://user:password@host:port`` (plain), ``smtp+tls://...``
    (STARTTLS, port 587 by default), ``smtp+ssl://...`` (TLS from the start, 465), or
    ``console://`` (mails printed to standard output). Returns Django's EMAIL_* settings, or None
    when unset. The user name and password are percent-decoded (``%40`` for ``@``)."""
    from urllib.parse import unquote, urlsplit

    value = _raw(name)
    if not value:
        return None
    accepted = "smtp://, smtp+tls:// or smtp+ssl://[user:password@]host[:port], or console://"
    scheme, separator, _ = value.partition("://")
    if scheme == "console" and value in ("console://", "console:///"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if not separator or scheme not in EMAIL_SCHEMES:
        raise _refuse(name, "<hidden>" if "@" in value else value, accepted)
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _refuse(name, "<hidden>", accepted) from None
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _refuse(name, "<hidden>", accepted)
    default_port, use_tls, use_ssl = EMAIL_SCHEMES[scheme]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
