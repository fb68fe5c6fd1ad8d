"""Celery tasks of the logistics app (the ``logistics`` queue): thin, each calls one service.

Nightly planning (``logistics.plan_tomorrow``, beat): one ``PlanningRun`` per active centre, each
planned by its own ``logistics.plan_centre`` task (so more workers plan more centres at once), the
runs gathered by a chord whose callback, ``logistics.plan_night_summary``, records the night's summary.
"""

import datetime
import logging

from celery import chord, shared_task
from django.db import OperationalError
from django.utils import timezone

from logistics.models import DistributionCentre
from logistics.services.deliveries import deliveries_sweep
from logistics.services.planning import night_record, planning_run_execute, planning_run_request

logger = logging.getLogger(__name__)


@shared_task(name="logistics.deliveries_sweep", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliveries_sweep_task() -> dict:
    """Beat: deliveries for orders ready to ship that have none (a reaction lost or not yet run)."""
    counts = deliveries_sweep()
    if counts["created"]:
        logger.info("made %d deliveries from orders ready to ship", counts["created"])
    return counts


@shared_task(name="logistics.plan_centre", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def logistics_plan_centre_task(run_id: int) -> dict:
    """Plan one centre's day (a queued ``PlanningRun``). A failed plan is recorded on the run, not
    raised, so the nightly chord still gathers every centre."""
    run = planning_run_execute(run_id=run_id)
    return {"run_id": run.pk, "status": run.status, "routes": run.routes, "unassigned": len(run.unassigned)}


@shared_task(name="logistics.plan_night_summary")
def logistics_plan_night_summary_task(results: list, batch: str, date: str) -> dict:
    """The chord's callback: the night's summary, once every centre's task has finished."""
    return night_record(batch=batch, date=datetime.date.fromisoformat(date), run_ids=[r["run_id"] for r in results])


@shared_task(name="logistics.plan_tomorrow")
def logistics_plan_tomorrow_task(time_limit: float | None = None) -> dict:
    """Beat: plan tomorrow for every active centre, one task per centre, gathered by a chord."""
    date = timezone.localdate() + datetime.timedelta(days=1)
    batch = f"night-{date.isoformat()}-{timezone.now():%H%M%S}"
    runs = [planning_run_request(centre=centre, date=date, time_limit=time_limit, batch=batch)
            for centre in DistributionCentre.objects.filter(is_active=True, opening_hours__weekday=date.weekday()).distinct()]
    if runs:
        chord(logistics_plan_centre_task.s(run.pk) for run in runs)(
            logistics_plan_night_summary_task.s(batch=batch, date=date.isoformat()))
    return {"batch": batch, "date": date.isoformat(), "run_ids": [run.pk for run in runs]}
