"""Celery tasks of the logistics app (the ``logistics`` queue): thin, each calls one service."""

import logging

from celery import shared_task
from django.db import OperationalError

from logistics.services.deliveries import deliveries_sweep

logger = logging.getLogger(__name__)


@shared_task(name="logistics.deliveries_sweep", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliveries_sweep_task() -> dict:
    """Beat: deliveries for orders ready to ship that have none (a reaction lost or not yet run)."""
    counts = deliveries_sweep()
    if counts["created"]:
        logger.info("made %d deliveries from orders ready to ship", counts["created"])
    return counts
