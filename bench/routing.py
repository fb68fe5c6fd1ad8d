"""Benchmark: the route planner (``logistics.planning``) alone, no Django, no database.

What it measures (see bench/README.md and the README's "Route planning"):
1. ``cvrplib``: every instance of the CVRPLIB A set (``--cvrplib-dir``) with each back end of
   ``--backends`` at ``--time-limit`` seconds (5): cost, gap to the optimal cost (the ``.sol`` file /
   ``cvrp_bks.csv``), time; then the mean gap per back end, next to the nearest-neighbour dispatch;
2. ``day``: a synthetic day (``--day-stops`` 1,000 stops, 5 centres, ``--day-vehicles`` 40 vehicles,
   two-hour windows) planned with ``--day-backends`` within ``--day-time-limit`` seconds: cost, stops
   unassigned and why, against the nearest-neighbour dispatch of the same day;
   ``cvrplib-cpu``: the same set with the PyVRP search stopped after ``--cpu-budget`` (4.5) CPU seconds
   rather than wall seconds (what the search makes of the CPU an idle machine gives in 5 s);
3. ``growth``: the same kind of day from ``--sizes`` (100..2,000) stops (the fleet grows with it),
   planned at ``--growth-time-limit`` seconds per 1,000 stops: wall time and peak memory.

    .venv/bin/python bench/routing.py                                   # everything (about 25 minutes)
    .venv/bin/python bench/routing.py --parts cvrplib --time-limit 1 --instances A-n32-k5,A-n80-k10
    .venv/bin/python bench/routing.py --parts day,growth --day-time-limit 30 --sizes 100,500

Run one at a time: each solve uses a whole core, and the figures are wall-clock.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from _common import ROOT, loadavg, log

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from logistics.planning import evaluate_plan, nearest_neighbour, plan_routes  # noqa: E402
from logistics.planning.readers import gap, read_instance  # noqa: E402
from logistics.planning.synthetic import synthetic_day  # noqa: E402

DATA = Path("/work/shared/data/cvrplib-A")


def cvrplib(args) -> dict:
    files = sorted(Path(args.cvrplib_dir).glob("*.vrp"))
    if args.instances:
        wanted = set(args.instances.split(","))
        files = [f for f in files if f.stem in wanted]
    backends = args.backends.split(",")
    gaps: dict[str, list[float]] = {b: [] for b in [*backends, "nearest"]}
    rows = []
    print(f"\nCVRPLIB A: {len(files)} instances, {args.time_limit:g} s each (load {loadavg()})")
    print(f"{'instance':<12}{'optimal':>9}" + "".join(f"{b + ' cost':>14}{'gap':>8}{'s':>6}{'cpu':>5}" for b in [*backends, "nearest"]))
    for path in files:
        problem, best = read_instance(path)
        line = f"{path.stem:<12}{best:>9g}"
        row = {"instance": path.stem, "optimal": best}
        for backend in [*backends, "nearest"]:
            plan = plan_routes(problem, backend=backend, time_limit=args.time_limit, seed=args.seed)
            g = gap(plan.cost, best) if not plan.unassigned else float("nan")
            gaps[backend].append(g)
            row[backend] = {"cost": plan.cost, "gap": g, "time": plan.wall_time, "cpu": plan.solver_cpu_seconds,
                            "unassigned": len(plan.unassigned)}
            line += f"{plan.cost:>14g}{g:>+7.2f}%{plan.wall_time:>6.1f}{plan.solver_cpu_seconds:>5.1f}"
        print(line, flush=True)
        rows.append(row)
    means = {}
    for backend, values in gaps.items():
        served_all = [g for g in values if math.isfinite(g)]
        means[backend] = statistics.fmean(served_all) if served_all else float("nan")
        short = len(values) - len(served_all)
        note = f" ({short} instances with stops left out, not counted)" if short else ""
        print(f"mean gap {backend}: {means[backend]:+.3f}% over {len(served_all)} instances{note}")
    return {"rows": rows, "mean_gap": means, "load": loadavg()}


def cvrplib_cpu(args) -> dict:
    """The A set with the default back end's search given ``--cpu-budget`` CPU seconds per instance: the same
    ``build`` and search as ``plan_routes`` (in this process, stopped on CPU time rather than wall time),
    the routes costed by the planner's evaluator. On a loaded machine a wall-clock limit buys an unknown
    share of a core; this says what the search does with the CPU that 5 s of wall time give on an idle one."""
    import pyvrp

    from logistics.planning import pyvrp_backend

    files = sorted(Path(args.cvrplib_dir).glob("*.vrp"))
    if args.instances:
        files = [f for f in files if f.stem in set(args.instances.split(","))]
    print(f"\nCVRPLIB A, {args.cpu_budget:g} CPU s per instance (pyvrp search, load {loadavg()})")
    print(f"{'instance':<12}{'optimal':>9}{'pyvrp cost':>12}{'gap':>8}{'cpu s':>7}")
    rows, gaps = [], []
    for path in files:
        problem, best = read_instance(path)
        began = time.process_time()
        data, client_stop, type_vehicles = pyvrp_backend.build(problem)
        result = pyvrp_backend._search(data, lambda _cost, began=began: time.process_time() - began >= args.cpu_budget, seed=args.seed,
                                       callbacks=pyvrp.IteratedLocalSearchCallbacks(), initial=None)
        routes = pyvrp_backend.read(result.best, list(problem.stops), client_stop, type_vehicles)
        plan = evaluate_plan(problem, routes)
        g = gap(plan.cost, best) if not plan.unassigned and all(r.feasible for r in plan.routes) else float("nan")
        gaps.append(g)
        print(f"{path.stem:<12}{best:>9g}{plan.cost:>12g}{g:>+7.2f}%{time.process_time() - began:>7.1f}", flush=True)
        rows.append({"instance": path.stem, "optimal": best, "cost": plan.cost, "gap": g})
    served = [g for g in gaps if math.isfinite(g)]
    mean = statistics.fmean(served) if served else float("nan")
    print(f"mean gap pyvrp at {args.cpu_budget:g} CPU s: {mean:+.3f}% over {len(served)} instances, "
          f"{sum(1 for g in served if g <= 1e-9)} optimal")
    return {"rows": rows, "mean_gap": mean, "cpu_budget": args.cpu_budget, "load": loadavg()}


def day(args) -> dict:
    problem = synthetic_day(args.day_stops, vehicles=args.day_vehicles, seed=args.seed)
    baseline = evaluate_plan(problem, nearest_neighbour(problem))
    out = {"nearest": _plan_figures(baseline, problem)}
    print(f"\nSynthetic day: {len(problem.stops)} stops, {len(problem.centres)} centres, {len(problem.vehicles)} vehicles, "
          f"two-hour windows (load {loadavg()})")
    print(f"{'planner':<26}{'limit s':>8}{'wall s':>8}{'cpu s':>7}{'cost':>10}{'per stop':>9}{'served':>7}{'left out':>9}"
          f"{'fits':>6}{'km':>8}{'routes':>7}{'vs NN':>8}")
    _print_day_row("nearest neighbour", "-", baseline, baseline)
    for backend in args.day_backends.split(","):
        plan = plan_routes(problem, backend=backend, time_limit=args.day_time_limit, seed=args.seed)
        _print_day_row(f"{plan.solver} ({plan.status})", f"{args.day_time_limit:g}", plan, baseline)
        out[backend] = _plan_figures(plan, problem)
    print("vs NN: cost per delivered stop below the nearest-neighbour dispatch's (which leaves stops out with the same fleet);"
          " 'fits': stops left out although some vehicle could serve them")
    return out


def _plan_figures(plan, problem) -> dict:
    return {"cost": plan.cost, "served": plan.served, "cpu": plan.solver_cpu_seconds, "unassigned": dict(Counter(u.reason for u in plan.unassigned)),
            "distance_km": plan.distance / 1000, "routes": len(plan.routes), "wall_time": plan.wall_time,
            "status": plan.status, "cost_per_stop": plan.cost / max(1, plan.served)}


def _print_day_row(label, limit, plan, baseline) -> None:
    per_stop = plan.cost / max(1, plan.served)
    base = baseline.cost / max(1, baseline.served)
    fits = sum(1 for u in plan.unassigned if u.reason == "penalty")
    print(f"{label:<26}{limit:>8}{plan.wall_time:>8.1f}{plan.solver_cpu_seconds:>7.1f}{plan.cost:>10.0f}{per_stop:>9.2f}{plan.served:>7}"
          f"{len(plan.unassigned):>9}{fits:>6}{plan.distance / 1000:>8.0f}{len(plan.routes):>7}"
          f"{(1 - per_stop / base) * 100:>7.1f}%", flush=True)


def growth(args) -> dict:
    print(f"\nGrowth: the day from {args.sizes} stops, {args.growth_time_limit:g} s per 1,000 stops (load {loadavg()})")
    print(f"{'stops':>6}{'vehicles':>9}{'limit s':>8}{'wall s':>8}{'cpu s':>7}{'status':>13}{'left out':>9}{'cost':>10}"
          f"{'peak MB planner':>16}{'peak MB solver':>15}")
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        vehicles = max(5, round(args.day_vehicles * size / 1000))
        problem = synthetic_day(size, vehicles=vehicles, seed=args.seed)
        limit = max(2.0, args.growth_time_limit * size / 1000)
        plan = plan_routes(problem, backend=args.growth_backend, time_limit=limit, seed=args.seed)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{size:>6}{vehicles:>9}{limit:>8.0f}{plan.wall_time:>8.1f}{plan.solver_cpu_seconds:>7.1f}{plan.status:>13}{len(plan.unassigned):>9}"
              f"{plan.cost:>10.0f}{own:>16.0f}{plan.peak_memory_kb / 1024:>15.0f}", flush=True)
        rows.append({"stops": size, "vehicles": vehicles, "limit": limit, "wall_time": plan.wall_time,
                     "status": plan.status, "unassigned": len(plan.unassigned), "cost": plan.cost,
                     "peak_mb_planner": own, "peak_mb_solver": plan.peak_memory_kb / 1024})
    print("peak MB planner: this process so far (matrices, the model); solver: the child process that searched")
    return {"rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="cvrplib,day,growth")
    parser.add_argument("--cvrplib-dir", default=str(DATA))
    parser.add_argument("--instances", default="", help="comma-separated instance names (default: all)")
    parser.add_argument("--backends", default="pyvrp,ortools")
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--cpu-budget", type=float, default=4.5, help="cvrplib-cpu: CPU seconds per instance")
    parser.add_argument("--day-stops", type=int, default=1000)
    parser.add_argument("--day-vehicles", type=int, default=40)
    parser.add_argument("--day-backends", default="pyvrp,ortools")
    parser.add_argument("--day-time-limit", type=float, default=120.0)
    parser.add_argument("--sizes", default="100,250,500,1000,2000")
    parser.add_argument("--growth-backend", default="pyvrp")
    parser.add_argument("--growth-time-limit", type=float, default=60.0, help="seconds per 1,000 stops")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="", help="also write the figures to this file")
    args = parser.parse_args()
    began = time.monotonic()
    results = {}
    parts = {"cvrplib": cvrplib, "cvrplib-cpu": cvrplib_cpu, "day": day, "growth": growth}
    for part in args.parts.split(","):
        if part not in parts:
            raise SystemExit(f"unknown part {part!r}: choose from {', '.join(parts)}")
        results[part] = parts[part](args)
    log(f"done in {time.monotonic() - began:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
