"""``manage.py stock_reconcile``: does the stock ledger sum to every batch's counters?

Prints each drift and exits non-zero when there is any, so that cron, CI or an operator notices.
The nightly Celery beat task runs the same check (``catalog.stock_reconcile``).
"""

from django.core.management.base import BaseCommand, CommandError

from commerce.catalog.models import StockBatch
from commerce.catalog.selectors import stock_reconcile


class Command(BaseCommand):
    help = "Check that the stock movement ledger sums to every batch's on-hand and reserved counters."

    def handle(self, *args, **options):
        drifts = stock_reconcile()
        if not drifts:
            count = StockBatch.objects.count()
            self.stdout.write(self.style.SUCCESS(f"ledger matches all {count} batches"))
            return
        for drift in drifts:
            self.stdout.write(
                f"drift: batch {drift.batch_number} {drift.counter}: counter says {drift.recorded}, "
                f"ledger sums to {drift.ledger} ({drift.recorded - drift.ledger:+d})"
            )
        batches = len({d.batch_number for d in drifts})
        raise CommandError(f"{len(drifts)} counter(s) in {batches} batch(es) disagree with the stock ledger.")
