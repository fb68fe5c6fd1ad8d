"""Benchmark instances as planning problems: CVRPLIB/TSPLIB (``.vrp``, ``.sol``) and Solomon VRPTW.

Costs are kept exactly as each format defines them, so that gaps are honest:

* CVRPLIB ``EUC_2D``: the distance is the nearest integer of the Euclidean distance (TSPLIB's
  ``nint``); the matrix holds those integers as "metres" and the vehicles cost 1 per unit
  (``cost_per_km=1000``), so a plan's ``cost`` is the instance's cost. ``EXPLICIT`` full or
  triangular matrices are read as given.
* Solomon: distances and travel times are the real Euclidean distance; they are held in
  thousandths (``SOLOMON_SCALE``) and a vehicle costs 1 per unit, so ``cost`` is the distance to
  three decimals, as the literature's best known solutions are quoted (827.3 for C101).

Every stop is mandatory (no penalty), as the instances define them.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from logistics.planning.model import Centre, Location, Problem, Stop, TimeWindow, Vehicle, euclidean_matrix

SOLOMON_SCALE = 1000


@dataclass(frozen=True)
class KnownSolution:
    cost: float
    routes: tuple[tuple[str, ...], ...] = ()


def read_vrp(path: str | Path, *, vehicles: int | None = None) -> Problem:
    """A CVRPLIB instance: one centre (its depot), ``vehicles`` vehicles of the instance's capacity.

    By default the fleet is CVRPLIB's: not limited (the ``-kN`` of a name is the fewest vehicles that can
    carry the demand, not a cap; the best known solutions are optimal for an unlimited fleet), given as
    HGS-CVRP sizes it: ``ceil(1.3 × demand / capacity) + 3`` vehicles, at least N. Capping it at N was a
    rule of our own that the reference figures do not have, and it slowed the search (measured on
    A-n64-k9 at 2 CPU s: +0.93 % capped, +0.43 % not)."""
    text = Path(path).read_text()
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if re.match(r"^[A-Z_]+\s*:", line):
            key, _, value = line.partition(":")
            header[key.strip().upper()] = value.strip()
            current = None
            continue
        if re.match(r"^[A-Z_]+_SECTION$", line.split()[0]):
            current = line.split()[0].upper()
            sections[current] = []
            continue
        if current:
            sections[current].append(line.split())
    size = int(header["DIMENSION"])
    capacity = int(header["CAPACITY"])
    kind = header.get("EDGE_WEIGHT_TYPE", "EUC_2D").upper()
    coords = [(float(row[1]), float(row[2])) for row in sections.get("NODE_COORD_SECTION", [])]
    if kind == "EUC_2D":
        distance = euclidean_matrix(coords, rounding="nint")
    elif kind == "EXPLICIT":
        distance = _explicit(sections["EDGE_WEIGHT_SECTION"], size, header.get("EDGE_WEIGHT_FORMAT", "FULL_MATRIX"))
    else:
        raise ValueError(f"edge weight type {kind} is not supported")
    demand = {int(row[0]): int(row[1]) for row in sections["DEMAND_SECTION"]}
    depots = [int(row[0]) for row in sections.get("DEPOT_SECTION", [["1"]]) if int(row[0]) > 0]
    depot = depots[0] - 1
    if not coords:
        coords = [(0.0, 0.0)] * size
    name = header.get("NAME", Path(path).stem)
    if vehicles is None:
        found = re.search(r"-k(\d+)", name) or re.search(r"trucks:\s*(\d+)", header.get("COMMENT", ""))
        fewest = int(found.group(1)) if found else 1
        vehicles = min(size - 1, max(fewest, math.ceil(1.3 * sum(demand.values()) / capacity) + 3))
    stops = tuple(
        Stop(id=str(node - 1), location=node - 1, demand=(demand[node],))
        for node in range(1, size + 1) if node - 1 != depot
    )
    return Problem(
        locations=tuple(Location(lat=y, lon=x) for x, y in coords),
        distance=distance, duration=distance.copy(),
        centres=(Centre(id="depot", location=depot),),
        vehicles=tuple(Vehicle(id=f"v{k + 1}", start_centre="depot", end_centre="depot", capacity=(capacity,),
                               cost_per_km=1000.0) for k in range(vehicles)),
        stops=stops, dimensions=("demand",), name=name,
    )


def _explicit(rows: list[list[str]], size: int, fmt: str) -> np.ndarray:
    values = [int(float(v)) for row in rows for v in row]
    matrix = np.zeros((size, size), dtype=np.int64)
    fmt = fmt.upper()
    if fmt == "FULL_MATRIX":
        return np.array(values[: size * size], dtype=np.int64).reshape(size, size)
    it = iter(values)
    for i in range(size):
        if fmt == "LOWER_ROW":
            columns = range(i)
        elif fmt == "LOWER_DIAG_ROW":
            columns = range(i + 1)
        elif fmt == "UPPER_ROW":
            columns = range(i + 1, size)
        else:
            raise ValueError(f"edge weight format {fmt} is not supported")
        for j in columns:
            matrix[i, j] = matrix[j, i] = next(it)
    return matrix


def read_sol(path: str | Path) -> KnownSolution:
    """A CVRPLIB solution file: ``Route #k: c c c`` lines (customers numbered from 1) and ``Cost N``."""
    routes, cost = [], None
    for line in Path(path).read_text().splitlines():
        if line.lower().startswith("route"):
            routes.append(tuple(line.split(":", 1)[1].split()))
        elif line.lower().startswith("cost"):
            cost = float(line.split()[1])
    if cost is None:
        raise ValueError(f"{path}: no Cost line")
    return KnownSolution(cost=cost, routes=tuple(routes))


def sol_routes(problem: Problem, solution: KnownSolution) -> list[tuple[str, list[str]]]:
    """A known solution's routes on the problem read by ``read_vrp``: customer k of a ``.sol`` is node k + 1 of
    the instance, whose depot is node 1, so it is stop ``"k"``."""
    return [(problem.vehicles[k].id, list(route)) for k, route in enumerate(solution.routes)]


def best_known(path: str | Path) -> float | None:
    """The best known cost of an instance: its ``.sol`` beside it, else ``cvrp_bks.csv`` in its folder."""
    path = Path(path)
    sol = path.with_suffix(".sol")
    if sol.exists():
        return read_sol(sol).cost
    table = path.parent / "cvrp_bks.csv"
    if table.exists():
        with table.open() as handle:
            for row in csv.DictReader(handle):
                if row.get("instance") == path.stem:
                    return float(row["bks_cost"])
    return None


def read_solomon(path: str | Path, *, customers: int | None = None) -> Problem:
    """A Solomon VRPTW instance (also Gehring–Homberger): the depot's window is the horizon; each customer
    has one window and a service time; ``customers`` keeps only the first ones (the 25 and 50 variants)."""
    lines = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    name = lines[0][0]
    at = next(i for i, row in enumerate(lines) if row and row[0].upper() == "NUMBER")
    fleet, capacity = int(lines[at + 1][0]), int(lines[at + 1][1])
    rows = [row for row in lines[at + 2:] if row[0].isdigit() and len(row) >= 7]
    if customers is not None:
        rows = rows[: customers + 1]
    coords = [(float(r[1]), float(r[2])) for r in rows]
    s = SOLOMON_SCALE
    distance = euclidean_matrix(coords, scale=s, rounding="floor")
    depot = rows[0]
    opens, closes = int(float(depot[4])) * s, int(float(depot[5])) * s
    stops = tuple(
        Stop(id=str(int(r[0])), location=i, demand=(int(float(r[3])),),
             windows=(TimeWindow(int(float(r[4])) * s, int(float(r[5])) * s),), service=int(float(r[6])) * s)
        for i, r in enumerate(rows) if i > 0
    )
    return Problem(
        locations=tuple(Location(lat=y, lon=x) for x, y in coords), distance=distance, duration=distance.copy(),
        centres=(Centre(id="depot", location=0, opens=opens, closes=closes),),
        vehicles=tuple(Vehicle(id=f"v{k + 1}", start_centre="depot", end_centre="depot", capacity=(capacity,),
                               shift=TimeWindow(opens, closes), cost_per_km=1000.0 / s) for k in range(fleet)),
        stops=stops, dimensions=("demand",), name=name,
    )


def read_instance(path: str | Path, *, vehicles: int | None = None, customers: int | None = None) -> tuple[Problem, float | None]:
    """The problem in ``path`` (CVRPLIB ``.vrp`` or Solomon, told apart by their content) and its best
    known cost when one is found beside it (``best_known``)."""
    path = Path(path)
    head = path.read_text()[:2000].upper()
    if "NODE_COORD_SECTION" in head or "DIMENSION" in head:
        return read_vrp(path, vehicles=vehicles), best_known(path)
    if "CUSTOMER" in head and "VEHICLE" in head:
        return read_solomon(path, customers=customers), None
    raise ValueError(f"{path}: neither a CVRPLIB (TSPLIB) nor a Solomon instance")


def gap(cost: float, best: float | None) -> float | None:
    """How far ``cost`` is above the best known, in percent."""
    return None if not best else (cost - best) / best * 100
