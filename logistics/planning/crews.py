"""Drivers for vehicles, and for the routes planned on them: optimal assignments, not a greedy pass.

Two questions, both a maximum-weight bipartite matching (``scipy.optimize.linear_sum_assignment``):

1. ``pair`` (before solving): which driver on shift takes which vehicle. A driver may take a vehicle
   when their licence covers it and their shift overlaps the centre's opening hours. The matching
   first staffs as many vehicles as possible, then gives the longest usable shifts to the vehicles that
   carry the most (so the planner gets the most capacity-hours), and, all else equal, keeps drivers
   with a higher licence than needed free. Each pair becomes one of the planner's vehicles with the
   driver's shift as its working time, so every route planned fits its driver's shift.
2. ``staff`` (after solving, when the plan is written): which driver drives which planned route, now
   that its hours are known. A driver may drive a route when their licence covers the vehicle and
   their shift covers the route from departure to return. The driver the plan assumed is kept when
   still free; another one who fits takes over when not (taken by a dispatcher meanwhile); a route
   nobody fits keeps no driver, with the reason.

Drivers come from the centre's own staff (their home centre): the caller passes only those.
Pure (no Django): tested and run like the rest of ``logistics.planning``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.optimize import linear_sum_assignment

from logistics.planning.model import TimeWindow


@dataclass(frozen=True)
class Crew:
    """A driver on shift: ``licence`` as a rank (higher covers lower), ``shift`` in seconds from midnight;
    not ``free`` when already driving another route that day (counted for the reasons, never matched)."""

    id: str
    licence: int
    shift: TimeWindow
    free: bool = True


@dataclass(frozen=True)
class Seat:
    """A vehicle to staff: the licence rank it needs, how much it carries (any positive measure, compared
    between seats), and the licence's name for the reasons."""

    id: str
    licence: int
    size: float
    licence_name: str = ""


@dataclass(frozen=True)
class Trip:
    """A planned route: its vehicle's licence rank, departure and return (seconds from midnight), and the
    driver the plan assumed."""

    id: str
    licence: int
    start: int
    end: int
    preferred: str | None = None
    licence_name: str = ""


class NoDriver(StrEnum):
    NO_LICENCE = "no_licence"  # nobody on shift holds a licence for the vehicle
    NO_TIME = "no_time"  # those who hold one are not on shift when it is needed
    TAKEN = "taken"  # those who could are driving other vehicles or routes


def _text(reason: NoDriver, licence_name: str, hours: str) -> str:
    licence = f" ({licence_name})" if licence_name else ""
    return {
        NoDriver.NO_LICENCE: f"no driver on shift holds a licence for it{licence}",
        NoDriver.NO_TIME: f"no driver with the licence{licence} is on shift {hours}",
        NoDriver.TAKEN: "every driver who could take it drives another vehicle",
    }[reason]


@dataclass(frozen=True)
class Unstaffed:
    id: str
    reason: NoDriver
    text: str


@dataclass(frozen=True)
class Assignment:
    pairs: dict[str, str]  # seat or trip id -> crew id
    unstaffed: tuple[Unstaffed, ...]


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _match(able: np.ndarray, value: np.ndarray) -> dict[int, int]:
    """Rows to columns: as many pairs as ``able`` allows, then the most ``value`` (each value in [0, 1))."""
    if not able.size or not able.any():
        return {}
    big = float(min(able.shape) + 1)  # one more pair is worth more than any sum of values
    weight = np.where(able, big + value, 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return {int(r): int(c) for r, c in zip(rows, cols, strict=True) if able[r, c]}


def pair(seats: list[Seat], crews: list[Crew], *, opens: int, closes: int) -> Assignment:
    """Each vehicle a driver (as many as possible; the biggest vehicles the longest shifts); the others with
    their reason."""
    shape = (len(seats), len(crews))
    holds = fits = able = np.zeros(shape, dtype=bool)
    value = np.zeros(shape)
    if seats and crews:
        span = max(1, closes - opens)
        usable = np.array([max(0, min(c.shift.end, closes) - max(c.shift.start, opens)) / span for c in crews])
        licence = np.array([c.licence for c in crews])
        need = np.array([s.licence for s in seats])
        biggest = max(s.size for s in seats) or 1.0
        size = np.array([s.size / biggest for s in seats])
        holds = licence[None, :] >= need[:, None]
        fits = holds & (usable[None, :] > 0)
        able = fits & np.array([c.free for c in crews])[None, :]
        surplus = np.clip(licence[None, :] - need[:, None], 0, 10)
        value = 0.9 * size[:, None] * usable[None, :] + 0.09 * (1 - surplus / 10)
    matched = _match(able, value)
    pairs = {seats[s].id: crews[c].id for s, c in matched.items()}
    unstaffed = []
    for s, seat in enumerate(seats):
        if seat.id in pairs:
            continue
        reason = (NoDriver.NO_LICENCE if not holds[s].any() else NoDriver.NO_TIME if not fits[s].any() else NoDriver.TAKEN)
        unstaffed.append(Unstaffed(seat.id, reason, _text(reason, seat.licence_name, f"from {_clock(opens)} to {_clock(closes)}")))
    return Assignment(pairs, tuple(unstaffed))


def staff(trips: list[Trip], crews: list[Crew]) -> Assignment:
    """Each planned route a driver whose licence covers its vehicle and whose shift covers it, the one the
    plan assumed when still free; the routes nobody fits with their reason."""
    if trips and crews:
        licence = np.array([c.licence for c in crews])
        starts = np.array([c.shift.start for c in crews])
        ends = np.array([c.shift.end for c in crews])
        holds = licence[None, :] >= np.array([t.licence for t in trips])[:, None]
        covers = (starts[None, :] <= np.array([t.start for t in trips])[:, None]) & \
                 (np.array([t.end for t in trips])[:, None] <= ends[None, :])
        fits = holds & covers
        able = fits & np.array([c.free for c in crews])[None, :]
        preferred = np.array([[t.preferred == c.id for c in crews] for t in trips])
        surplus = np.clip(licence[None, :] - np.array([t.licence for t in trips])[:, None], 0, 10)
        value = 0.9 * preferred + 0.09 * (1 - surplus / 10)
    else:
        holds = fits = able = np.zeros((len(trips), len(crews)), dtype=bool)
        value = np.zeros(able.shape)
    matched = _match(able, value)
    pairs = {trips[t].id: crews[c].id for t, c in matched.items()}
    unstaffed = []
    for t, trip in enumerate(trips):
        if trip.id in pairs:
            continue
        reason = (NoDriver.NO_LICENCE if not holds[t].any() else NoDriver.NO_TIME if not fits[t].any() else NoDriver.TAKEN)
        unstaffed.append(Unstaffed(trip.id, reason, _text(reason, trip.licence_name,
                                                          f"from {_clock(trip.start)} to {_clock(trip.end)}")))
    return Assignment(pairs, tuple(unstaffed))
