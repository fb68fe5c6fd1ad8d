"""``manage.py rebuild_rating_summaries``: drop the rating read model and replay it from the audit table."""

import time

from django.core.management.base import BaseCommand

from recommendations import rating_summary


class Command(BaseCommand):
    help = "Rebuild the product rating summaries (the rating read model) from the rating events in the audit table."

    def handle(self, *args, **options):
        started = time.monotonic()
        count = rating_summary.rebuild()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {count} product rating summaries from the audit table in {elapsed:.1f} s."))
