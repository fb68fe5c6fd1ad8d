import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from commerce.celery import app


@pytest.mark.django_db
def test_beat_schedule_is_kept_in_the_database_where_staff_can_edit_it(monkeypatch):
    # The scheduler closes "old" connections, which on MariaDB would close the test's transaction.
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)
    scheduler = DatabaseScheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    task = PeriodicTask.objects.get(name="catalog-stock-reconcile-nightly")
    assert task.task == "catalog.stock_reconcile"
    assert (task.crontab.hour, task.crontab.minute) == ("3", "15")
    task.enabled = False  # staff switch it off in Admin ...
    task.save()
    scheduler2 = DatabaseScheduler(app=app, lazy=True)
    scheduler2.setup_schedule()
    assert PeriodicTask.objects.get(name="catalog-stock-reconcile-nightly").enabled is False  # ... and it stays off


def test_tasks_are_routed_to_queues_named_for_their_work():
    router = app.amqp.router
    assert router.route({}, "logistics.routes_plan")["queue"].name == "logistics"
    assert router.route({}, "recommendations.retrain")["queue"].name == "recommendations"
    assert router.route({}, "catalog.stock_reconcile")["queue"].name == "default"
    assert app.conf.task_acks_late is True
