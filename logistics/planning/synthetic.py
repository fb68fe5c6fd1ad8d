"""A generated delivery day: centres around a city, a fleet per centre, stops with two-hour windows.

Used by the bench (the 1,000-stop day and the growth from 100 to 2,000 stops), by the tests (small
days) and by demo data. Deterministic for a ``seed``. Every stop fits some vehicle and can be
reached in one of its windows, so a good plan leaves nothing out.
"""

from __future__ import annotations

import numpy as np

from logistics.planning.model import Centre, Location, Problem, Stop, TimeWindow, Vehicle, haversine_matrices

HOUR = 3600
CITY = (52.37, 4.90)  # a city centre; only the shape of the day matters


def synthetic_day(stops: int = 1000, *, centres: int = 5, vehicles: int = 40, seed: int = 0,
                  radius_km: float = 12.0, two_windows: float = 0.2, penalty: float = 500.0) -> Problem:
    rng = np.random.default_rng(seed)
    lat0, lon0 = CITY
    km_lat, km_lon = 1 / 111.0, 1 / (111.0 * np.cos(np.radians(lat0)))
    angles = np.linspace(0, 2 * np.pi, centres, endpoint=False)
    centre_xy = np.c_[np.cos(angles), np.sin(angles)] * radius_km * 0.6
    # Stops: around a centre each (as customers cluster in towns), with some spread over the whole area.
    home = rng.integers(0, centres, size=stops)
    spread = rng.normal(0, radius_km * 0.35, size=(stops, 2))
    stop_xy = centre_xy[home] + spread
    xy = np.r_[centre_xy, stop_xy]
    locations = tuple(Location(lat=lat0 + y * km_lat, lon=lon0 + x * km_lon) for x, y in xy)
    distance, duration = haversine_matrices(locations, road_factor=1.3, speed_kmh=30)

    centre_list = tuple(Centre(id=f"C{c + 1}", location=c, opens=6 * HOUR, closes=22 * HOUR) for c in range(centres))
    fleet = []
    for k in range(vehicles):
        c = k % centres
        big = k % 4 == 0  # a truck among vans
        fleet.append(Vehicle(
            id=f"V{k + 1:03d}", start_centre=centre_list[c].id, end_centre=centre_list[c].id,
            capacity=(1_500_000, 12_000_000, 250) if big else (800_000, 6_000_000, 150),
            shift=TimeWindow(7 * HOUR, 20 * HOUR + HOUR // 2) if k % 2 else TimeWindow(7 * HOUR + HOUR // 2, 21 * HOUR),
            fixed_cost=80.0 if big else 50.0, cost_per_km=0.9 if big else 0.5, cost_per_hour=28.0 if big else 24.0,
        ))
    stop_list = []
    for i in range(stops):
        first = int(rng.integers(8, 17)) * HOUR  # two-hour windows from 8-10 to 16-18
        windows = [TimeWindow(first, first + 2 * HOUR)]
        if rng.random() < two_windows:
            second = first + int(rng.integers(3, 5)) * HOUR
            if second + 2 * HOUR <= 20 * HOUR:
                windows.append(TimeWindow(second, second + 2 * HOUR))
        parcels = int(rng.integers(1, 4))
        stop_list.append(Stop(
            id=f"S{i + 1:04d}", location=centres + i,
            demand=(int(rng.integers(500, 30_000)) * parcels, int(rng.integers(2_000, 60_000)) * parcels, parcels),
            windows=tuple(windows), service=int(rng.integers(3, 7)) * 60, penalty=penalty,
        ))
    return Problem(locations=locations, distance=distance, duration=duration, centres=centre_list,
                   vehicles=tuple(fleet), stops=tuple(stop_list), dimensions=("weight_g", "volume_cm3", "parcels"),
                   name=f"synthetic day {stops} stops seed {seed}")
