import logging

from celery import shared_task
from django.db import OperationalError

from orders.services.lifecycle import orders_expire_unpaid
from orders.services.payments import payments_settle_pending

logger = logging.getLogger(__name__)


@shared_task(name="orders.expire_unpaid", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def orders_expire_unpaid_task() -> list[str]:
    """Beat: cancel unpaid orders past their hold time, releasing their stock."""
    numbers = orders_expire_unpaid()
    if numbers:
        logger.info("cancelled %d unpaid orders: %s", len(numbers), ", ".join(numbers))
    return numbers


@shared_task(name="orders.payments_settle_pending", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def payments_settle_pending_task() -> int:
    """Beat: settle payments whose gateway answer was lost, by asking the gateway."""
    return payments_settle_pending()
