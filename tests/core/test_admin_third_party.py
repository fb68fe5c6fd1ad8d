"""The admins of models the project does not own (django-celery-beat, auth's groups, DRF's tokens):
their change forms answer garbage with the form and its errors, and beat's forms check what celery reads."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from rest_framework.authtoken.models import Token, TokenProxy

from tests.core.admin_garbage import server_errors
from tests.factories import UserFactory, admin_form_data

pytestmark = pytest.mark.django_db

OWN_APPS = {"accounts", "audit", "catalog", "mail", "orders", "promotions", "recommendations", "logistics"}


def _crontab():
    return CrontabSchedule.objects.create(minute="15", hour="3")


#: one row of each third-party model with an admin, to open its change form
ROWS = {
    CrontabSchedule: _crontab,
    IntervalSchedule: lambda: IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES),
    SolarSchedule: lambda: SolarSchedule.objects.create(event="sunrise", latitude=52, longitude=13),
    ClockedSchedule: lambda: ClockedSchedule.objects.create(clocked_time=timezone.now() + datetime.timedelta(days=1)),
    PeriodicTask: lambda: PeriodicTask.objects.create(name="probe", task="catalog.stock_reconcile", crontab=_crontab()),
    Group: lambda: Group.objects.create(name="Probe group"),
    TokenProxy: lambda: TokenProxy.objects.get(pk=Token.objects.create(user=UserFactory()).pk),
}


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_third_party_admin_has_a_row_in_this_probe():
    third_party = {model for model in admin.site._registry if model._meta.app_label not in OWN_APPS}
    assert third_party == set(ROWS)


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model._meta.label)
def test_third_party_change_forms_answer_garbage_without_a_server_error(model, staff_client):
    row = ROWS[model]()
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{row.pk}/change/"
    page = staff_client.get(url)
    assert page.status_code == 200
    assert server_errors(staff_client, url, page) == {}


def test_a_cron_field_celery_cannot_read_is_a_form_error_and_nothing_is_saved(staff_client):
    response = staff_client.post("/admin/django_celery_beat/crontabschedule/add/", {
        "minute": "-1", "hour": "25", "day_of_month": "*", "month_of_year": "*", "day_of_week": "*", "timezone": "UTC"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"minute", "hour"}
    assert "negative numbers" in errors["minute"][0]
    assert not CrontabSchedule.objects.exists()


def test_a_readable_cron_schedule_is_saved(staff_client):
    page = staff_client.get("/admin/django_celery_beat/crontabschedule/add/")
    data = admin_form_data(page, minute="*/15", hour="3", day_of_week="mon-fri", timezone="UTC")

    response = staff_client.post("/admin/django_celery_beat/crontabschedule/add/", data)

    assert response.status_code == 302
    assert CrontabSchedule.objects.get().day_of_week == "mon-fri"


def test_a_stored_schedule_celery_cannot_read_still_opens_its_pages(staff_client):
    schedule = CrontabSchedule.objects.create(minute="-1")  # written before the form checked it
    task = PeriodicTask.objects.create(name="old", task="catalog.stock_reconcile", crontab=schedule)

    crontab_page = staff_client.get(f"/admin/django_celery_beat/crontabschedule/{schedule.pk}/change/")
    task_page = staff_client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")

    assert crontab_page.status_code == task_page.status_code == 200
    assert "not a schedule celery can read" in crontab_page.content.decode()


@pytest.mark.parametrize(("task", "error"), [("x" * 3000, "at most 200"), ("no.such.task", "No task of that name"),
                                             ("", "Need name of task")])
def test_a_periodic_task_needs_a_task_celery_knows(staff_client, task, error):
    schedule = _crontab()
    page = staff_client.get("/admin/django_celery_beat/periodictask/add/")
    data = admin_form_data(page, name="nightly", task=task, crontab=str(schedule.pk))

    response = staff_client.post("/admin/django_celery_beat/periodictask/add/", data)

    assert response.status_code == 200
    assert error in " ".join(response.context["adminform"].form.errors.get("task", []))
    assert not PeriodicTask.objects.exists()


def test_a_periodic_task_of_a_registered_task_is_saved(staff_client):
    schedule = _crontab()
    page = staff_client.get("/admin/django_celery_beat/periodictask/add/")
    data = admin_form_data(page, name="nightly", task="catalog.stock_reconcile", crontab=str(schedule.pk))

    response = staff_client.post("/admin/django_celery_beat/periodictask/add/", data)

    assert response.status_code == 302
    assert PeriodicTask.objects.get(name="nightly").task == "catalog.stock_reconcile"
