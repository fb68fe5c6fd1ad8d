"""``manage.py solve_vrp <file>``: solve a benchmark instance with the planner that plans real routes.

Reads CVRPLIB/TSPLIB (``.vrp``) or Solomon VRPTW files, solves with ``--backend`` (``pyvrp``,
``ortools`` or ``nearest``) through ``plan_routes`` within ``--time-limit`` seconds, and prints the
cost (exactly as the instance defines it), the gap to the best known solution (``--bks``, else the
``.sol`` beside the file, else ``cvrp_bks.csv`` in its folder), the time and the unassigned stops.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from logistics.planning import BACKENDS, plan_routes
from logistics.planning.readers import gap, read_instance


class Command(BaseCommand):
    help = "Solve a CVRPLIB (.vrp) or Solomon VRPTW instance and print cost, gap to the best known, time and unassigned stops."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--backend", choices=sorted(BACKENDS), default=None,
                            help="the solver back end (default: the planner's default for the problem)")
        parser.add_argument("--time-limit", type=float, default=5.0, help="seconds (default 5)")
        parser.add_argument("--bks", type=float, default=None, help="the best known cost, to print the gap")
        parser.add_argument("--vehicles", type=int, default=None, help="CVRPLIB: the fleet size (default: k of the name)")
        parser.add_argument("--customers", type=int, default=None, help="Solomon: keep only the first N customers")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--routes", action="store_true", help="also print every route")

    def handle(self, *args, file, backend, time_limit, bks, vehicles, customers, seed, routes, **options):
        if time_limit <= 0:
            raise CommandError("--time-limit must be positive")
        try:
            problem, known = read_instance(file, vehicles=vehicles, customers=customers)
        except (OSError, ValueError, KeyError, IndexError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        known = bks if bks is not None else known
        plan = plan_routes(problem, backend=backend, time_limit=time_limit, seed=seed)
        out = self.stdout
        out.write(f"instance     {problem.name} ({len(problem.stops)} stops, {len(problem.vehicles)} vehicles)")
        out.write(f"back end     {plan.solver} ({plan.status})")
        out.write(f"cost         {plan.cost:.3f}".rstrip("0").rstrip("."))
        if known is not None:
            out.write(f"best known   {known:g}")
            out.write(f"gap          {gap(plan.cost, known):+.2f}%")
        out.write(f"time         {plan.wall_time:.2f} s (limit {time_limit:g} s)")
        out.write(f"routes       {len(plan.routes)}")
        out.write(f"unassigned   {len(plan.unassigned)}")
        for item in plan.unassigned:
            out.write(f"  stop {item.stop}: {item.text}")
        for note in plan.notes:
            out.write(f"note         {note}")
        if routes:
            for route in plan.routes:
                out.write(f"  {route.vehicle}: {' '.join(route.stops)}  (distance {route.distance})")
