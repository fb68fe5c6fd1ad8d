"""``manage.py deliveries_sweep``: make the deliveries of orders ready to ship that have none."""

from django.core.management.base import BaseCommand

from logistics.services.deliveries import deliveries_sweep


class Command(BaseCommand):
    help = "Make a delivery for every order ready to ship that has none (idempotent: one delivery per order)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many orders (oldest first).")

    def handle(self, *args, limit, **options):
        counts = deliveries_sweep(limit=max(1, min(limit, 10_000)))
        self.stdout.write(self.style.SUCCESS(
            f"Deliveries: {counts['created']} made, {counts['existing']} there already, {counts['skipped']} skipped; "
            f"{counts['placed']} pending ones placed in a zone."
        ))
