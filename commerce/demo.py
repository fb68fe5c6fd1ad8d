"""What the demo-data commands (``seed_demo`` and the ``seed_demo_*`` it runs) may do where.

Under production settings they refuse to run unless ``--allow-production`` is given, and even then
no account gets the documented demo password: the run makes one random password, used for the
accounts it creates and printed once.
"""

import secrets
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hashers_by_algorithm
from django.core.management.base import CommandError
from django.core.signals import setting_changed

DEMO_PASSWORD = "demo-pass-123"  # noqa: S105 - public on purpose: documented in the README, development only


def add_allow_production_argument(parser) -> None:
    parser.add_argument(
        "--allow-production",
        action="store_true",
        help="Load demo data even under production settings (DJANGO_ENV=production); accounts then get a random password.",
    )


def refuse_in_production(command: str, *, allow_production: bool) -> None:
    """Stop ``command`` under production settings unless it was explicitly forced."""
    if settings.PRODUCTION and not allow_production:
        raise CommandError(
            f"{command} loads demo data (demo staff, a superuser, customers and orders) and is refused under "
            "production settings (DJANGO_ENV=production). Pass --allow-production to load it anyway; "
            "the accounts it creates then get a random password, printed once."
        )


def demo_password() -> str:
    """The password for the accounts a run creates: the documented one in development, random in production."""
    return secrets.token_urlsafe(18) if settings.PRODUCTION else DEMO_PASSWORD


class QuickDemoHasher(PBKDF2PasswordHasher):
    """PBKDF2 with few iterations, used only while seeding development data (dozens of accounts in a second).

    The hash keeps the standard ``pbkdf2_sha256`` format, so the configured PBKDF2 hasher verifies
    it, and Django re-hashes it with the preferred hasher's full work factor at the account's first
    log-in (``must_update``).
    """

    iterations = 1_000


@contextmanager
def quick_demo_hashing():
    """Hash the passwords set inside the block with ``QuickDemoHasher``: development only.

    Under production settings, or when PBKDF2 is not among ``PASSWORD_HASHERS`` (nothing could
    verify the quick hash), this changes nothing. The hashers' caches are reset through Django's
    ``setting_changed`` signal on the way in and out.
    """
    if settings.PRODUCTION or QuickDemoHasher.algorithm not in get_hashers_by_algorithm():
        yield
        return
    configured = settings.PASSWORD_HASHERS
    quick = [f"{QuickDemoHasher.__module__}.{QuickDemoHasher.__qualname__}", *configured]
    settings.PASSWORD_HASHERS = quick
    setting_changed.send(sender=QuickDemoHasher, setting="PASSWORD_HASHERS", value=quick, enter=True)
    try:
        yield
    finally:
        settings.PASSWORD_HASHERS = configured
        setting_changed.send(sender=QuickDemoHasher, setting="PASSWORD_HASHERS", value=configured, enter=False)

