"""The tests' clock. Dates in tests are relative to today; this moves "today" to prove they are.

``TEST_TODAY=2031-02-01 pytest ...`` runs the tests as if today were that day: Django's
``timezone.now`` (and so ``timezone.localdate``, ``auto_now`` fields, hold times, card expiry
checks, promotion windows: everything the shop dates) moves by whole days; the time of day stays
real. The shop reads the clock only through ``django.utils.timezone`` (never ``date.today``), so
moving it moves every date the shop sees. ``time.time`` is not moved: only webhook signatures and
throttles use it, both relative to the same clock.

``frozen_clock`` (a fixture in ``tests/conftest.py``) pins the clock to one moment for a test
whose outcome depends on the date, e.g. a January.
"""

from __future__ import annotations

import datetime
import os

from django.utils import timezone

_real_now = timezone.now


def shifted_now_factory(today: datetime.date):
    """A ``timezone.now`` that runs on from ``today`` at the real time of day."""
    delta = datetime.timedelta(days=(today - _real_now().date()).days)

    def now() -> datetime.datetime:
        return _real_now() + delta

    return now


def install_from_environment() -> datetime.date | None:
    """Move the clock of the whole test run to ``TEST_TODAY`` (YYYY-MM-DD), if set."""
    value = os.environ.get("TEST_TODAY", "").strip()
    if not value:
        return None
    try:
        today = datetime.date.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"TEST_TODAY must be a date, YYYY-MM-DD; got {value!r}") from None
    timezone.now = shifted_now_factory(today)
    return today
