"""The integer costs both back ends optimise, from the model's float costs: one scale per problem.

Both solvers want integers. A cost unit of the model (a euro, say) is ``scale`` solver units, chosen
per problem so that the smallest non-zero rate per metre or per second is ``TARGET_RATE`` solver
units: rounding the rates then errs by at most 0.5%, and costs stay small enough for PyVRP, whose
penalties for excess load and lateness are bounded per unit (a scale a thousand times larger left
it preferring overloaded routes). Distances, durations and demands are integers already (metres,
seconds, grams...) and are used as they are. A plan's cost is always recomputed exactly by
``evaluate``; the rounding touches only what is searched.
"""

from __future__ import annotations

import numpy as np

from logistics.planning.evaluate import departure_window
from logistics.planning.model import DAY, Problem, Stop, Vehicle

TARGET_RATE = 100


def cost_scale(problem: Problem) -> float:
    rates = [r for v in problem.vehicles for r in (v.cost_per_km / 1000, v.cost_per_hour / 3600) if r > 0]
    return TARGET_RATE / min(rates) if rates else float(TARGET_RATE)


def per_metre(vehicle: Vehicle, scale: float) -> int:
    return round(vehicle.cost_per_km / 1000 * scale)


def per_second(vehicle: Vehicle, scale: float) -> int:
    return round(vehicle.cost_per_hour / 3600 * scale)


def fixed(vehicle: Vehicle, scale: float) -> int:
    return round(vehicle.fixed_cost * scale)


def horizon(problem: Problem) -> int:
    """A time no route can go past: the latest end of any shift, opening hours or window."""
    ends = [DAY]
    ends += [v.shift.end for v in problem.vehicles]
    ends += [c.closes for c in problem.centres]
    ends += [w.end for s in problem.stops for w in s.windows]
    return max(ends)


def mandatory_penalty(problem: Problem, scale: float) -> int:
    """What leaving out a mandatory stop costs the search: more than any route could cost."""
    longest = int(problem.distance.max()) if problem.distance.size else 0
    worst = 0
    for vehicle in problem.vehicles:
        worst = max(worst, fixed(vehicle, scale) + 2 * longest * per_metre(vehicle, scale)
                    + horizon(problem) * per_second(vehicle, scale))
    return max(10 * worst, TARGET_RATE)


def penalty(stop: Stop, mandatory: int, scale: float) -> int:
    return mandatory if stop.penalty is None else max(1, round(stop.penalty * scale))


def time_matters(problem: Problem, duration: np.ndarray) -> bool:
    """Whether any time rule could bind or time costs anything: windows, a rate per hour, or a shift
    shorter than the longest route imaginable (every stop, each left by its longest arc). ``duration``:
    the matrix between the locations the back end uses. When not (plain CVRP), the back ends leave time
    out of the search: the same optimum, found faster."""
    if any(stop.windows for stop in problem.stops) or any(v.cost_per_hour > 0 for v in problem.vehicles):
        return True
    longest = int(duration.max(axis=1).sum()) + sum(stop.service for stop in problem.stops)
    return any(latest - earliest < longest for earliest, latest in (departure_window(problem, v) for v in problem.vehicles))
