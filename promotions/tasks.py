"""Promotions' Celery tasks: thin wrappers that call one service (names prefixed ``promotions.``,
routed to the ``default`` queue)."""

import logging

from celery import shared_task
from django.db import OperationalError

from promotions.errors import SegmentNotFound
from promotions.services.schedule import promotions_sync_schedule
from promotions.services.segments import segment_refresh, segments_refresh_all

logger = logging.getLogger(__name__)


@shared_task(name="promotions.sync_schedule", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def promotions_sync_schedule_task() -> dict:
    """Beat, every minute: start scheduled promotions and campaigns, expire and end the past ones."""
    changed = promotions_sync_schedule()
    if any(changed.values()):
        logger.info("promotions schedule: %s", changed)
    return changed


@shared_task(name="promotions.segments_refresh", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def segments_refresh_task() -> dict:
    """Beat, nightly: recompute every segment (dynamic ones from purchase history)."""
    return segments_refresh_all()


@shared_task(name="promotions.segment_refresh", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def segment_refresh_task(segment_id: int) -> int:
    """Recompute one segment (queued on commit when a dynamic segment is created or its rule changes)."""
    try:
        return segment_refresh(segment=segment_id)
    except SegmentNotFound:
        return 0
