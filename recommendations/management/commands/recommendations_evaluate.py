"""Offline measurement of the recommender (README "Recommendations: measured offline").

    manage.py recommendations_evaluate --movielens /work/shared/data/movielens-100k/u.data
    manage.py recommendations_evaluate --live [--purpose similar]

Reads a MovieLens ``u.data`` file (each rating one interaction) or the shop's own interactions
(``selectors.interactions``: orders, carts, views, ratings, weighted and decayed), holds out a share
of each customer's products with a seed, trains every candidate of the purpose
(``RECOMMENDATIONS_TRAINING``) and popularity on the rest, and prints precision@k, ndcg@k and
coverage as a table. Nothing is written.
"""

from __future__ import annotations

import os
import warnings

from django.core.management.base import BaseCommand, CommandError

from recommendations import engine
from recommendations.engine import evaluate
from recommendations.models import Purpose
from recommendations.selectors.interactions import interaction_matrix
from recommendations.services.training import candidates_for, training_config


class Command(BaseCommand):
    help = "Evaluate the recommender's candidates beside popularity on a per-customer hold-out."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--movielens", metavar="PATH", help="a MovieLens u.data file")
        source.add_argument("--live", action="store_true", help="the shop's own interactions")
        parser.add_argument("--purpose", choices=Purpose.values, default=Purpose.FOR_YOU)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--fraction", type=float, default=None, help="share of each customer's products held out")
        parser.add_argument("--k", type=int, default=None)
        parser.add_argument("--algorithm", action="append", choices=list(engine.ALGORITHMS),
                            help="only these (repeat); default: the purpose's candidates and popularity")

    def handle(self, *args, **options):
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        holdout = training_config()["holdout"]
        seed = holdout["seed"] if options["seed"] is None else options["seed"]
        fraction = holdout["fraction"] if options["fraction"] is None else options["fraction"]
        k = holdout["k"] if options["k"] is None else options["k"]
        if not 0 < fraction < 1 or k < 1:
            raise CommandError("--fraction must be between 0 and 1 and --k at least 1.")
        if options["movielens"]:
            try:
                with open(options["movielens"], encoding="utf-8") as lines:
                    data = evaluate.read_movielens(lines)
            except (OSError, ValueError) as error:
                raise CommandError(f"{options['movielens']}: {error}") from error
            source = f"MovieLens file {options['movielens']}"
        else:
            data = interaction_matrix()
            source = "the shop's interactions"
        if data.nnz == 0:
            raise CommandError("No interactions to evaluate.")
        candidates = candidates_for(options["purpose"])
        similar = options["purpose"] == Purpose.SIMILAR
        names = options["algorithm"] or [*candidates, *([] if similar else ["popularity"])]  # popularity knows no likeness
        split = evaluate.holdout_split(data, fraction=fraction, seed=seed, min_items=holdout["min_items"])
        if split.test.nnz == 0:
            raise CommandError(f"No customer has {holdout['min_items']} products or more: nothing to hold out.")
        self.stdout.write(f"{source}: {len(data.user_ids)} customers, {len(data.item_ids)} products, "
                          f"{data.nnz} interactions; {fraction:.0%} of each customer's held out (seed {seed}), "
                          f"{options['purpose']}\n")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = evaluate.compare(
                split, [(name, lambda train, name=name: engine.fit(name, train, candidates.get(name, {}))) for name in names],
                k=k, similar=similar)
        self.stdout.write(evaluate.table(results, k=k))
