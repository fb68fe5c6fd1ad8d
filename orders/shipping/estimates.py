"""When an order arrives: pure date arithmetic, no Django, no database.

An order placed before the method's cut-off time on a working day starts processing that day;
after the cut-off, or on a weekend or holiday, on the next working day. It ships after its
processing days (working days: Monday to Friday, holidays excepted), then travels its transit
days (delivery days: working days, and Saturdays for a method that delivers on Saturdays). The
promise is a window: earliest with the shortest transit, latest with the longest.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

SATURDAY = 5


@dataclass(frozen=True)
class DeliveryRule:
    cutoff: datetime.time
    processing_days: int
    transit_days_min: int
    transit_days_max: int
    saturday_delivery: bool = False


@dataclass(frozen=True)
class DeliveryWindow:
    ships_on: datetime.date
    earliest: datetime.date
    latest: datetime.date


def _working(day: datetime.date, holidays: Collection[datetime.date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def _delivering(day: datetime.date, holidays: Collection[datetime.date], saturday: bool) -> bool:
    return (day.weekday() < SATURDAY or (saturday and day.weekday() == SATURDAY)) and day not in holidays


def _after(day: datetime.date, count: int, accepts) -> datetime.date:
    """The ``count``-th day after ``day`` that ``accepts``; ``day`` itself for 0."""
    for _ in range(count):
        day += datetime.timedelta(days=1)
        while not accepts(day):
            day += datetime.timedelta(days=1)
    return day


def delivery_window(rule: DeliveryRule, *, placed_at: datetime.datetime, holidays: Collection[datetime.date] = ()) -> DeliveryWindow:
    """The window of an order placed at ``placed_at`` (the shop's local time, naive or aware)."""
    start = placed_at.date()
    if not _working(start, holidays) or placed_at.time() >= rule.cutoff:
        start = _after(start, 1, lambda d: _working(d, holidays))
    ships = _after(start, rule.processing_days, lambda d: _working(d, holidays))
    deliver = lambda d: _delivering(d, holidays, rule.saturday_delivery)  # noqa: E731
    earliest = _after(ships, max(rule.transit_days_min, 0), deliver)
    latest = _after(ships, max(rule.transit_days_max, rule.transit_days_min, 0), deliver)
    return DeliveryWindow(ships_on=ships, earliest=earliest, latest=latest)
