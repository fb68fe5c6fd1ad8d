"""The planning model: what goes into the planner (``Problem``) and what comes out (``Plan``).

Units, everywhere in ``logistics.planning``:

* distances in metres, durations and times in seconds (times counted from midnight of the planning
  day), both integers;
* demand and capacity as integers in the problem's ``dimensions`` (for deliveries: grams, cubic
  centimetres, parcels), one value per dimension, in the same order;
* costs in the currency's major unit as floats (``fixed_cost`` per route used, ``cost_per_km``,
  ``cost_per_hour`` of route duration, waiting included); ``penalty`` of a stop in the same unit.
  The caller turns them into ``Money`` (the planner has no currency).

Everything is a frozen dataclass; the matrices are read-only numpy arrays indexed by location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

DAY = 24 * 3600


@dataclass(frozen=True)
class TimeWindow:
    """``start`` to ``end`` inclusive, in seconds from midnight: service may begin in it."""

    start: int
    end: int

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"time window ends before it starts: {self.start}..{self.end}")


@dataclass(frozen=True)
class Location:
    """A place the matrices know: latitude and longitude in degrees (or plane x, y for benchmark instances)."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Centre:
    """A distribution centre: where vehicles start and end. Vehicles leave it after ``opens`` and must be
    back before ``closes``."""

    id: str
    location: int
    opens: int = 0
    closes: int = DAY


@dataclass(frozen=True)
class Stop:
    """A delivery: ``demand`` per dimension, service may start in any of ``windows`` (none: any time),
    ``service`` seconds on site. Leaving it out costs ``penalty``; ``None`` makes it mandatory (it is
    still reported unassigned, never dropped silently, when no vehicle can serve it). ``centre``: only
    vehicles starting at that centre may serve it."""

    id: str
    location: int
    demand: tuple[int, ...]
    windows: tuple[TimeWindow, ...] = ()
    service: int = 0
    penalty: float | None = None
    centre: str | None = None


@dataclass(frozen=True)
class Vehicle:
    """A vehicle with its driver's shift: it may leave ``start_centre`` from ``shift.start`` and must be back
    at ``end_centre`` by ``shift.end``."""

    id: str
    start_centre: str
    end_centre: str
    capacity: tuple[int, ...]
    shift: TimeWindow = TimeWindow(0, DAY)
    fixed_cost: float = 0.0
    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0


@dataclass(frozen=True)
class LockedRoute:
    """A route kept as it is when re-planning (already started): its vehicle and stops are not re-planned."""

    vehicle: str
    stops: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Problem:
    """One planning problem. ``distance[i, j]`` (metres) and ``duration[i, j]`` (seconds) between locations
    ``i`` and ``j``; build them with ``haversine_matrices`` when only coordinates are known."""

    locations: tuple[Location, ...]
    distance: np.ndarray
    duration: np.ndarray
    centres: tuple[Centre, ...]
    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    dimensions: tuple[str, ...] = ("weight", "volume", "parcels")
    locked: tuple[LockedRoute, ...] = ()
    name: str = ""

    def __post_init__(self):
        size = len(self.locations)
        for label, matrix in (("distance", self.distance), ("duration", self.duration)):
            if matrix.shape != (size, size):
                raise ValueError(f"{label} matrix is {matrix.shape}, expected {(size, size)}")
        if (self.distance < 0).any() or (self.duration < 0).any():
            raise ValueError("distances and durations may not be negative")
        dims = len(self.dimensions)
        centres = {centre.id for centre in self.centres}
        if len(centres) != len(self.centres):
            raise ValueError("centre ids must be unique")
        for stop in self.stops:
            if len(stop.demand) != dims:
                raise ValueError(f"stop {stop.id}: demand has {len(stop.demand)} values for {dims} dimensions")
            if min(stop.demand, default=0) < 0 or stop.service < 0 or (stop.penalty is not None and stop.penalty < 0):
                raise ValueError(f"stop {stop.id}: demand, service time and penalty may not be negative")
            if stop.centre is not None and stop.centre not in centres:
                raise ValueError(f"stop {stop.id}: unknown centre {stop.centre}")
            if not 0 <= stop.location < size:
                raise ValueError(f"stop {stop.id}: no location {stop.location}")
        for vehicle in self.vehicles:
            if len(vehicle.capacity) != dims:
                raise ValueError(f"vehicle {vehicle.id}: capacity has {len(vehicle.capacity)} values for {dims} dimensions")
            if vehicle.start_centre not in centres or vehicle.end_centre not in centres:
                raise ValueError(f"vehicle {vehicle.id}: unknown centre")
        if len({stop.id for stop in self.stops}) != len(self.stops):
            raise ValueError("stop ids must be unique")
        if len({vehicle.id for vehicle in self.vehicles}) != len(self.vehicles):
            raise ValueError("vehicle ids must be unique")

    def centre(self, centre_id: str) -> Centre:
        return next(centre for centre in self.centres if centre.id == centre_id)

    def stop_index(self) -> dict[str, Stop]:
        return {stop.id: stop for stop in self.stops}

    def vehicle_index(self) -> dict[str, Vehicle]:
        return {vehicle.id: vehicle for vehicle in self.vehicles}

    def replace(self, **changes) -> Problem:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return Problem(**values)


EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius (IUGG)


def great_circle_metres(lat_a, lon_a, lat_b, lon_b) -> np.ndarray:
    """The haversine great-circle distance in metres between points given in degrees; numpy broadcasting,
    so two points give a scalar array and ``lat[:, None], lon[:, None], lat[None, :], lon[None, :]`` a
    matrix. The one haversine of the project: ``geography`` (points, the offline distance matrix) uses it."""
    lat_a, lon_a, lat_b, lon_b = (np.radians(np.asarray(v, dtype=float)) for v in (lat_a, lon_a, lat_b, lon_b))
    h = np.sin((lat_b - lat_a) / 2) ** 2 + np.cos(lat_a) * np.cos(lat_b) * np.sin((lon_b - lon_a) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def haversine_matrices(locations: tuple[Location, ...] | list[Location], *, road_factor: float = 1.3,
                       speed_kmh: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    """Distance (metres: great-circle distance times ``road_factor``) and duration (seconds at
    ``speed_kmh``) between every two locations, rounded to whole units."""
    lat = np.array([loc.lat for loc in locations], dtype=float)
    lon = np.array([loc.lon for loc in locations], dtype=float)
    metres = great_circle_metres(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * road_factor
    distance = np.rint(metres).astype(np.int64)
    duration = np.rint(metres / (speed_kmh / 3.6)).astype(np.int64)
    return distance, duration


def euclidean_matrix(points: list[tuple[float, float]], *, scale: float = 1.0, rounding: str = "nint") -> np.ndarray:
    """Plane distances between ``points`` times ``scale``: ``nint`` rounds to nearest (TSPLIB EUC_2D),
    ``floor`` truncates."""
    xy = np.array(points, dtype=float)
    raw = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) * scale
    if rounding == "nint":
        return np.floor(raw + 0.5).astype(np.int64)
    return np.floor(raw).astype(np.int64)


# --- the plan ---------------------------------------------------------------------------------------
class UnassignedReason(StrEnum):
    CAPACITY = "capacity"  # its demand exceeds the capacity of every vehicle that may serve it
    NO_VEHICLE = "no_vehicle"  # no vehicle may serve it (its centre has none)
    UNREACHABLE = "unreachable"  # no window reachable within the shifts and opening hours
    PENALTY = "penalty"  # left out at its penalty: capacity or time ran out


REASON_TEXT = {
    UnassignedReason.CAPACITY: "its demand exceeds the capacity of every vehicle that may serve it",
    UnassignedReason.NO_VEHICLE: "no vehicle may serve it",
    UnassignedReason.UNREACHABLE: "none of its time windows can be reached within the shifts and opening hours",
    UnassignedReason.PENALTY: "left out at its penalty: the fleet's capacity or time ran out",
}


class PlanStatus(StrEnum):
    SOLVED = "solved"  # the back end searched until its time limit (or finished) and answered
    INTERRUPTED = "interrupted"  # the back end was stopped at the deadline: its best solution so far
    FALLBACK = "fallback"  # no answer from the back end in time: the nearest-neighbour dispatch
    EVALUATED = "evaluated"  # routes given by hand, evaluated without solving


@dataclass(frozen=True)
class Visit:
    """One stop of a route: ``arrival`` at the place, service ``start`` (after waiting for its window),
    ``departure``, the ``load`` left in the vehicle after it, ``lateness`` past its windows (0 in a
    feasible plan)."""

    stop: str
    arrival: int
    start: int
    departure: int
    load: tuple[int, ...]
    lateness: int = 0


@dataclass(frozen=True)
class Route:
    vehicle: str
    visits: tuple[Visit, ...]
    start_time: int  # leaves the start centre
    end_time: int  # back at the end centre
    distance: int
    duration: int
    cost: float
    initial_load: tuple[int, ...]
    lateness: int = 0  # total over stops, plus coming back after the shift or the centre's closing
    excess_load: tuple[int, ...] = ()  # per dimension, over capacity
    locked: bool = False

    @property
    def stops(self) -> tuple[str, ...]:
        return tuple(visit.stop for visit in self.visits)

    @property
    def feasible(self) -> bool:
        return self.lateness == 0 and not any(self.excess_load)


@dataclass(frozen=True)
class Unassigned:
    stop: str
    reason: UnassignedReason

    @property
    def text(self) -> str:
        return REASON_TEXT[self.reason]


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    solver: str
    status: PlanStatus
    wall_time: float
    penalty: float = 0.0  # sum of the penalties of stops left out (mandatory stops: not counted)
    notes: tuple[str, ...] = field(default=())
    peak_memory_kb: int = 0  # the solver child's peak resident memory (0: no child)
    solver_cpu_seconds: float = 0.0  # CPU the solver child used: below the wall time on a busy machine

    @property
    def distance(self) -> int:
        return sum(route.distance for route in self.routes)

    @property
    def duration(self) -> int:
        return sum(route.duration for route in self.routes)

    @property
    def cost(self) -> float:
        """What the routes cost (fixed, distance and time), penalties not included."""
        return sum(route.cost for route in self.routes)

    @property
    def objective(self) -> float:
        return self.cost + self.penalty

    @property
    def served(self) -> int:
        return sum(len(route.visits) for route in self.routes)

    def route_of(self, vehicle: str) -> Route | None:
        return next((route for route in self.routes if route.vehicle == vehicle), None)

    def summary(self) -> str:
        return (f"{self.solver} {self.status}: cost {self.cost:.2f}, {len(self.routes)} routes, {self.served} stops, "
                f"{len(self.unassigned)} unassigned, {self.distance / 1000:.1f} km, {self.wall_time:.2f} s")

