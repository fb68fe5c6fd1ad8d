"""The Celery app. Queues are named for their work: ``default``, ``recommendations``, ``logistics``.

Tasks take primary keys, call one service and retry what is transient (see ``commerce.tasks``).
"""

import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")

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
