import logging

from celery import shared_task
from django.db import OperationalError

from recommendations.models import Purpose
from recommendations.review_requests import review_requests_send
from recommendations.services.training import training_run_execute, training_run_queue

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
@shared_task(name="recommendations.train", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def recommendations_train_task(run_id: int) -> dict:
    """Run one queued training (the ``recommendations`` queue). A failed training is recorded on the
    run, not raised: the active model keeps serving."""
    run = training_run_execute(run_id=run_id)
    return {"run_id": run.pk, "status": run.status, "error": run.error}


@shared_task(name="recommendations.retrain")
def recommendations_retrain_task() -> list[int]:
    """Beat (nightly): one training per purpose, each its own ``recommendations.train`` task."""
    return [training_run_queue(purpose=purpose, trigger="nightly").pk for purpose in Purpose.values]


@shared_task(name="recommendations.add_to_cart_attribute", autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=5)
def add_to_cart_attribute_task(*, customer_id: int | None, session_id: str, product_ids: list[int], at: str,
                               reference: str) -> int:
    """A request's adds to cart, attributed to the lists the products were last clicked in (default queue)."""
    import datetime

    from recommendations.serving.attribution import add_to_carts_attribute

    return add_to_carts_attribute(customer_id=customer_id, session_id=session_id, product_ids=product_ids,
                                  at=datetime.datetime.fromisoformat(at), reference=reference)


@shared_task(name="recommendations.stats_aggregate", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def stats_aggregate_task(day: str | None = None) -> dict:
    """Beat (nightly): rebuild the daily performance rows of the days a purchase can still reach (up to
    yesterday), or of one day (``day``, ISO) when given. Rerunning a day replaces its rows."""
    import datetime

    from recommendations.serving.stats import stats_days_to_refresh, stats_rebuild_day

    days = [datetime.date.fromisoformat(day)] if day else stats_days_to_refresh()
    return {d.isoformat(): stats_rebuild_day(day=d) for d in days}
