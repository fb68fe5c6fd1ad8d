"""``manage.py rebuild_order_summaries``: drop the order read model and replay it from the audit table."""

import time

from django.core.management.base import BaseCommand

from orders import read_model


class Command(BaseCommand):
    help = "Rebuild the order summaries (the order read model) from the order events in the audit table."

    def handle(self, *args, **options):
        started = time.monotonic()
        count = read_model.rebuild()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {count} order summaries from the audit table in {elapsed:.1f} s."))
