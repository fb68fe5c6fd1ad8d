"""The back office's home page figures: panels other apps put on the admin index.

The admin lives in the core, and the core never imports a subdomain app, so an app with figures
for staff registers a panel here in its ``AppConfig.ready``::

    dashboard.register("orders.queue", queue_panel, title="Orders to handle", order=20,
                       permissions=["accounts.view_all_orders"])

A provider is ``provider(*, now) -> Panel``: it reads through its own app's selectors in a fixed
small number of queries (whatever the shop's size) and describes what to show with the value types
below; the core draws them (numbers as text and tables, a chart as an enhancement of its table).

Who sees a panel is decided here, with ``commerce.accounts.access``: a staff member holding any of
the panel's ``permissions`` (superusers see every panel). A panel's figures are the shop's, the
same for everyone allowed to see it, so an expensive one may be cached for ``cache_seconds``.
A provider that raises is a bug in that app: it is logged and its panel shown as unavailable, so
one app's failure never takes the admin home down.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from commerce.accounts import access

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Figure:
    """One headline number, already formatted (``"€1,234.50"``, ``"12"``)."""

    label: str
    value: str
    link: str = ""  # where the staff member acts on it (an admin list, filtered)
    tone: str = ""  # "", "good", "warn" or "bad": colours the figure


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    empty: str = "Nothing to show."
    links: tuple[str, ...] = ()  # per row, the first cell's link ("" for none)

    def linked_rows(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(self.links[i] if i < len(self.links) else "", row) for i, row in enumerate(self.rows)]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A chart drawn over the panel's table: ``kind`` is ``"bar"``, ``"line"`` or ``"hbar"``."""

    kind: str
    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""  # "EUR", "units": the value axis

    def data(self) -> dict:
        return {
            "kind": self.kind, "title": self.title, "labels": list(self.labels), "unit": self.unit,
            "series": [{"name": s.name, "values": list(s.values)} for s in self.series],
        }


@dataclass(frozen=True)
class Panel:
    figures: tuple[Figure, ...] = ()
    table: Table | None = None
    chart: Chart | None = None
    note: str = ""


PanelProvider = Callable[..., Panel]


@dataclass(frozen=True)
class Registered:
    name: str
    title: str
    order: int
    permissions: tuple[str, ...]
    provider: PanelProvider
    cache_seconds: int


@dataclass(frozen=True)
class Shown:
    """A panel as the page draws it: ``panel`` is None when its provider failed."""

    name: str
    title: str
    panel: Panel | None
    chart_id: str = field(default="")


#: how long a panel that reads many rows keeps its figures (seconds): "today" may lag by this much
CACHE_SECONDS = 60

_panels: dict[str, Registered] = {}


def register(
    name: str, provider: PanelProvider, *, title: str, permissions: Iterable[str], order: int = 100,
    cache_seconds: int = 0,
) -> PanelProvider:
    """Add (or replace, by name) a panel. ``permissions``: any of them shows it (``app.codename``)."""
    perms = tuple(permissions)
    if not perms:
        raise ValueError(f"dashboard panel {name!r} needs the permissions that may see it")
    _panels[name] = Registered(name, title, order, perms, provider, max(0, int(cache_seconds)))
    return provider


def unregister(name: str) -> None:
    _panels.pop(name, None)


def registered() -> list[Registered]:
    """The panels, in page order (``order``, then name)."""
    return sorted(_panels.values(), key=lambda r: (r.order, r.name))


def may_see(user, entry: Registered) -> bool:
    if user is None or not user.is_active or not user.is_staff:
        return False
    return user.is_superuser or any(access.has_permission(user, perm) for perm in entry.permissions)


def panels_for(user, *, now: datetime.datetime | None = None) -> list[Shown]:
    """The panels ``user`` may see, computed (or read from the cache), in page order."""
    now = now or timezone.now()
    shown = []
    for entry in registered():
        if may_see(user, entry):
            shown.append(Shown(entry.name, entry.title, _compute(entry, now), chart_id=f"chart-{entry.name.replace('.', '-')}"))
    return shown


def _cache_key(entry: Registered, now: datetime.datetime) -> str:
    # The local day is in the key: "today" changes at midnight even inside the cache's lifetime.
    return f"dashboard:{entry.name}:{timezone.localdate(now).isoformat()}"


def _compute(entry: Registered, now: datetime.datetime) -> Panel | None:
    key = _cache_key(entry, now)
    if entry.cache_seconds:
        hit = cache.get(key)
        if isinstance(hit, Panel):
            return hit
    try:
        panel = entry.provider(now=now)
    except Exception:
        logger.exception("dashboard panel %r failed; shown as unavailable", entry.name)
        return None
    if entry.cache_seconds:
        cache.set(key, panel, entry.cache_seconds)
    return panel


# --- helpers the providers share ---------------------------------------------------------------------
def local_day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the shop's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def count_text(value: int) -> str:
    return f"{value:,}"


def chart_values(values: Sequence) -> tuple[float, ...]:
    """Numbers for a chart (floats are fine there: the table beside it shows the exact amounts)."""
    return tuple(float(v) for v in values)
