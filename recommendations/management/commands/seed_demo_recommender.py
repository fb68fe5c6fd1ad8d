"""``manage.py seed_demo_recommender``: train and activate the demo shop's recommender models.

``seed_demo`` runs it last, once the demo orders and reviews exist: one training per purpose
(``services.training.train_now``: the candidates weighed on a hold-out of the demo's interactions,
the best kept and activated), outside any transaction, in a second or two. Idempotent: a purpose
with an active version is left as it is. Called inside a transaction (a test's rolled-back
seeding), it trains nothing and says so.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from commerce.demo import add_allow_production_argument, refuse_in_production
from recommendations.models import Purpose
from recommendations.selectors.engine import active_version
from recommendations.services.training import in_transaction, train_now


class Command(BaseCommand):
    help = "Train and activate the demo shop's recommender models (one per purpose)."

    def add_arguments(self, parser):
        add_allow_production_argument(parser)

    def handle(self, *args, allow_production=False, **options):
        refuse_in_production("seed_demo_recommender", allow_production=allow_production)
        if in_transaction():  # a caller's rolled-back example (locks.batch): a training never holds a transaction
            self.stdout.write("Recommender: not trained inside a transaction; run manage.py seed_demo_recommender after it.")
            return
        for purpose in Purpose:
            if active_version(purpose=purpose) is not None:
                self.stdout.write(f"Recommender ({purpose.label}): a version is active already, left as it is.")
                continue
            started = time.monotonic()
            run = train_now(purpose=purpose, trigger="demo")
            if run.status != run.Status.DONE:
                self.stdout.write(f"Recommender ({purpose.label}): not trained: {run.error}")
                continue
            version = run.versions.get()
            self.stdout.write(f"Recommender ({purpose.label}): {version.algorithm} trained on {version.interactions} "
                              f"interactions of {version.users} customers and {version.items} products, activated "
                              f"as version {version.pk} ({time.monotonic() - started:.1f} s).")
