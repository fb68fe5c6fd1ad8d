"""The Celery app. Queues are named for their work: ``default``, ``recommendations``, ``logistics``.

Tasks take primary keys, call one service and retry what is transient (see ``commerce.tasks``).
"""

import fnmatch
import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
# One BLAS thread per process, set before numpy loads: the recommender's training and serving run
# ~5x faster so on a shared machine (implicit parallelises on its own). An environment value wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

app = Celery("commerce")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "recommendations", "logistics")]
app.autodiscover_tasks()


@signals.worker_process_init.connect
def _instrument_worker(**_kwargs):
    from commerce import telemetry

    telemetry.instrument_celery()


@signals.task_prerun.connect
def _task_context(task=None, **_kwargs):
    from commerce import context

    context.set_channel(context.Channel.TASK)


@signals.task_postrun.connect
def _task_context_end(**_kwargs):
    from commerce import context

    context.clear()


class QueueTimeLimits:
    """Task annotation: each task gets the time limits of the queue its name routes to.

    ``CELERY_QUEUE_TIME_LIMITS`` holds the hard limit per queue; the soft limit comes 10 % earlier.
    A task that sets its own ``time_limit`` keeps it (it must stay within its queue's limit, which
    the visibility timeout was sized for; tests/core/test_celery_config.py checks that).
    """

    def annotate(self, task):
        from django.conf import settings

        if task.time_limit is not None:
            return None
        hard = settings.CELERY_QUEUE_TIME_LIMITS[queue_of(task.name)]
        return {"time_limit": hard, "soft_time_limit": hard - max(1, hard // 10)}


def queue_of(task_name: str) -> str:
    """The queue a task name routes to (``CELERY_TASK_ROUTES`` globs), else the default queue."""
    from django.conf import settings

    for pattern, route in settings.CELERY_TASK_ROUTES.items():
        if fnmatch.fnmatchcase(task_name, pattern):
            return route["queue"]
    return settings.CELERY_TASK_DEFAULT_QUEUE
