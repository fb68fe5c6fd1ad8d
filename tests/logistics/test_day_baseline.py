"""The whole-day baseline: a plan's cost beside the day's deliveries handed out to the vehicles
nearest-first, kept on the run and its event, projected into a per-day KPI fact, and shown in REST and
in the admin."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from commerce.audit.models import DomainEvent
from logistics import services
from logistics.dispatch.reoptimise import day_reoptimise
from logistics.kpi_models import DayPlanFact
from logistics.kpis import projection, queries
from logistics.models import PlanningRun, Route
from logistics.services.planning import day_plan
from tests.logistics import factories as f

pytestmark = pytest.mark.django_db
LIMIT = 1.0
# Stops on the centre's meridian, north and south of it (degrees of latitude from the centre): nearest
# first goes +0.010, then -0.011 (0.021 away, +0.032 is 0.022), then +0.032 and back: 0.106 in all,
# where going out one way and back the other drives 2 × (0.032 + 0.011) = 0.086.
OFFSETS = ("0.010", "-0.011", "0.032")


def _zigzag_day():
    centre = f.centre()
    date = f.tomorrow()
    f.vehicle(centre)
    f.driver(centre, date=date)
    deliveries = []
    for offset in OFFSETS:
        order = f.ready_order(latitude=f.LYON[0] + Decimal(offset), longitude=f.LYON[1])
        deliveries.append(services.delivery_create_from_order(order_id=order.pk)[0])
    return centre, date, deliveries


def _period(date):
    return queries.Period(date_from=date, date_to=date)


def test_a_plan_keeps_the_whole_day_dispatched_nearest_first():
    centre, date, _ = _zigzag_day()

    run = day_plan(centre=centre, date=date, time_limit=LIMIT)

    assert run.status == PlanningRun.Status.DONE, run.error
    assert run.stops == 3 and run.nearest_stops == 3
    # the same road factor on both sides: the distances stand in the ratio of the tours' degrees
    assert abs(run.nearest_distance_km / run.distance_km - Decimal("0.106") / Decimal("0.086")) < Decimal("0.01")
    assert run.nearest_cost_amount > run.cost_amount and run.nearest_saving.amount == run.nearest_cost_amount - run.cost_amount
    event = DomainEvent.objects.get(event_type="logistics.plan.created")
    assert (event.payload["nearest_cost_amount"], event.payload["nearest_distance_km"], event.payload["nearest_stops"],
            event.payload["nearest_routes"]) == (str(run.nearest_cost_amount), str(run.nearest_distance_km), 3, 1)
    fact = DayPlanFact.objects.get(centre_id=centre.pk, date=date)
    assert (fact.run_id, fact.routes, fact.stops, fact.cost_amount, fact.nearest_cost_amount, fact.nearest_stops) == (
        run.pk, 1, 3, run.cost_amount, run.nearest_cost_amount, 3)


def test_the_days_latest_plan_is_its_fact_and_a_rebuild_gives_the_same_rows():
    centre, date, _ = _zigzag_day()
    day_plan(centre=centre, date=date, time_limit=LIMIT)
    versions = dict(Route.objects.filter(centre=centre, date=date).exclude(state=Route.State.CANCELLED).values_list("pk", "version"))

    again = day_reoptimise(centre=centre, date=date, versions=versions, time_limit=0.5)

    assert again.status == PlanningRun.Status.DONE and again.nearest_stops == 3
    event = DomainEvent.objects.get(event_type="logistics.plan.reoptimised")
    assert event.payload["nearest_cost_amount"] == str(again.nearest_cost_amount) and event.payload["stops"] == 3
    assert list(DayPlanFact.objects.values_list("run_id", "routes", "stops")) == [(again.pk, 1, 3)]
    before = list(DayPlanFact.objects.values_list("centre_id", "date", "run_id", "cost_amount", "nearest_cost_amount"))
    assert projection.rebuild()["days"] == 1
    assert list(DayPlanFact.objects.values_list("centre_id", "date", "run_id", "cost_amount", "nearest_cost_amount")) == before


def test_the_cost_analysis_puts_each_planned_day_beside_its_nearest_first_dispatch(django_assert_max_num_queries):
    centre, date, _ = _zigzag_day()
    run = day_plan(centre=centre, date=date, time_limit=LIMIT)

    with django_assert_max_num_queries(4):  # routes listed and summed, days listed and summed
        analysis = queries.logistics_cost_analysis(_period(date))

    [day] = analysis["days"]
    assert (day["run_id"], day["centre_id"], day["stops"], day["nearest_neighbour_stops"]) == (run.pk, centre.pk, 3, 3)
    assert day["cost"] == run.cost_amount and day["nearest_neighbour_cost"] == run.nearest_cost_amount
    assert day["saving"] == run.nearest_cost_amount - run.cost_amount > 0
    assert day["saving_rate"] == (day["saving"] / day["nearest_neighbour_cost"]).quantize(Decimal("0.0001"))
    [total] = analysis["day_totals"]
    assert (total["days"], total["saving"], total["currency"]) == (1, day["saving"], "EUR")
    assert queries.logistics_cost_analysis(_period(date + datetime.timedelta(days=1)))["days"] == []


def test_rest_and_the_admin_show_the_day_baseline(dispatcher, admin_dispatcher, client):
    centre, date, _ = _zigzag_day()
    run = day_plan(centre=centre, date=date, time_limit=LIMIT)

    answer = dispatcher.get(f"/api/v1/logistics/planning-runs/{run.pk}/").json()
    assert answer["nearest_neighbour_cost"] == {"amount": str(run.nearest_cost_amount), "currency": "EUR"}
    assert answer["saving"] == {"amount": str(run.nearest_cost_amount - run.cost_amount), "currency": "EUR"}
    assert answer["nearest_neighbour_stops"] == 3 and Decimal(answer["nearest_neighbour_km"]) == run.nearest_distance_km
    days = dispatcher.get("/api/v1/logistics/kpis/cost-analysis/", {"date_from": date.isoformat(),
                                                                    "date_to": date.isoformat()}).json()["days"]
    assert [(d["run_id"], d["saving"]) for d in days] == [(run.pk, str(run.nearest_cost_amount - run.cost_amount))]

    home = client.get(reverse("admin:index")).content.decode()
    assert "Saved vs nearest-neighbour dispatch of the day (1 planned day(s))" in home
    run_page = client.get(reverse("admin:logistics_planningrun_change", args=[run.pk])).content.decode()
    assert "Against nearest-neighbour dispatch" in run_page and f"{run.nearest_stops} stop(s) served" in run_page
