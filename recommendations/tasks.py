import logging

from celery import shared_task
from django.db import OperationalError

from recommendations.review_requests import review_requests_send

logger = logging.getLogger(__name__)


@shared_task(name="recommendations.review_requests_send", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def review_requests_send_task() -> list[str]:
    """Beat (hourly): ask the customers of orders delivered ``REVIEW_REQUEST_DELAY_DAYS`` ago to review them."""
    numbers = review_requests_send()
    if numbers:
        logger.info("review requests queued for %d orders", len(numbers))
    return numbers


@shared_task(name="recommendations.bought_together_rebuild", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def bought_together_rebuild_task() -> int:
    """Beat (nightly): recount the co-purchases and replace the "frequently bought together" read model."""
    from recommendations.serving.bought_together import bought_together_rebuild

    return bought_together_rebuild()
