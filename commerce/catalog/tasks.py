import logging

from celery import shared_task

from commerce.catalog.selectors import stock_reconcile

logger = logging.getLogger(__name__)


@shared_task(name="catalog.stock_reconcile", autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def stock_reconcile_task() -> int:
    """Nightly: check the stock ledger against every batch's counters; log each drift."""
    drifts = stock_reconcile()
    for drift in drifts:
        logger.error(
            "stock drift batch=%s counter=%s recorded=%s ledger=%s", drift.batch_number, drift.counter, drift.recorded, drift.ledger
        )
    return len(drifts)
