"""RunEachMixin: the one "run a service per selected row" admin helper (promotions' console and OrderAdmin)."""

import pytest
from django.contrib import messages
from django.db import connection

from commerce.admin_services import RunEachMixin
from commerce.errors import Conflict


class _Admin(RunEachMixin):
    def __init__(self):
        self.logged, self.shown = [], []

    def log_change(self, request, obj, message):
        self.logged.append((obj, message))

    def message_user(self, request, text, level):
        self.shown.append((level, text))


class _OrderLikeAdmin(_Admin):
    def row_label(self, obj) -> str:
        return f"Order {obj}"


def _refuse_b(obj):
    if obj == "B2":
        raise Conflict("It cannot be done now.")
    assert connection.in_atomic_block  # each row in its own transaction
    return obj.lower()


@pytest.mark.django_db
def test_run_each_runs_every_row_reports_a_refusal_on_its_own_and_the_successes_together():
    admin = _Admin()

    done = admin.run_each(None, ["A1", "B2", "C3"], done="Confirmed", call=_refuse_b, describe=lambda obj, result: result)

    assert done == [("A1", "a1"), ("C3", "c3")]
    assert admin.logged == [("A1", "Confirmed (admin)."), ("C3", "Confirmed (admin).")]
    assert admin.shown == [(messages.ERROR, "B2: It cannot be done now."), (messages.SUCCESS, "Confirmed: a1, c3.")]


@pytest.mark.django_db
def test_a_refusal_that_does_not_name_its_row_gets_the_row_label():
    admin = _OrderLikeAdmin()

    admin.run_each(None, ["B2"], done="Confirmed", call=_refuse_b)

    assert admin.shown == [(messages.ERROR, "Order B2: It cannot be done now.")]
