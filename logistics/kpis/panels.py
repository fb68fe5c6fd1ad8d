"""The logistics KPIs on the admin home (``commerce.dashboard``): the last 30 days, for dispatchers.

Each panel reads one or two KPI queries (the read models, a few aggregate queries) and shows its
figures as text and a table, with a chart the vendored Chart.js draws over the same numbers.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from commerce import dashboard
from commerce.dashboard import Chart, Figure, Panel, Series, Table, chart_values
from commerce.money_format import money_text
from logistics.kpi_models import DayPlanFact, StopFact
from logistics.kpis.queries import (
    Period,
    capacity_utilization,
    customer_satisfaction,
    day_plans,
    delivery_performance,
    logistics_cost_analysis,
    route_efficiency,
)
from logistics.selectors import DISPATCH

DAYS = 30
#: routes listed one by one under the routes panel (the figures count them all)
ROUTES_SHOWN = 20


def _period(now: datetime.datetime) -> Period:
    """The last 30 days, up to today or the latest day worked (the demo works its next open day on a Sunday)."""
    today = timezone.localdate(now)
    latest = StopFact.objects.order_by("-date").values_list("date", flat=True).first()
    end = max(today, latest) if latest else today
    return Period(date_from=end - datetime.timedelta(days=DAYS - 1), date_to=end)


def _percent(rate) -> str:
    return "–" if rate is None else f"{rate * 100:.1f} %"


def _number(value, unit="") -> str:
    return "–" if value is None else f"{value}{unit}"


def performance_panel(*, now) -> Panel:
    kpi = delivery_performance(_period(now))
    on_time = kpi["on_time_rate"]
    days = kpi["days"]
    return Panel(
        figures=(Figure("Attempts", f"{kpi['attempts']:,}"),
                 Figure("On time", _percent(on_time), tone="" if on_time is None else "good" if on_time >= 0.9 else "warn"),
                 Figure("Failed", _percent(kpi["failed_rate"]),
                        tone="" if kpi["failed_rate"] is None else "bad" if kpi["failed_rate"] > 0.1 else ""),
                 Figure("Average lateness", _number(kpi["average_lateness_minutes"], " min"))),
        chart=Chart("line", "On-time rate by day", tuple(d["date"].strftime("%d %b") for d in days),
                    (Series("On time (%)", chart_values([(d["on_time_rate"] or 0) * 100 for d in days])),), unit="%")
        if days else None,
        table=Table(("Day", "Attempts", "Failed", "On time", "Average lateness (min)"),
                    tuple((d["date"].isoformat(), str(d["attempts"]), str(d["failed"]), _percent(d["on_time_rate"]),
                           _number(d["average_lateness_minutes"])) for d in days),
                    caption=f"Delivery attempts of the last {DAYS} days", empty="No stop was closed in these days."),
    )


def failures_panel(*, now) -> Panel:
    kpi = delivery_performance(_period(now))
    reasons = [r for r in kpi["failed_by_reason"]]
    return Panel(
        chart=Chart("hbar", "Failed deliveries by reason", tuple(r["label"] for r in reasons),
                    (Series("Failed", chart_values([r["count"] for r in reasons])),), unit="deliveries")
        if kpi["failed"] else None,
        table=Table(("Reason", "Failed", "Share of attempts"),
                    tuple((r["label"], str(r["count"]), _percent(r["rate"])) for r in reasons),
                    caption=f"Why deliveries failed, last {DAYS} days"),
    )


def routes_panel(*, now) -> Panel:
    period = _period(now)
    efficiency, cost = route_efficiency(period), logistics_cost_analysis(period)
    capacity, satisfaction = capacity_utilization(period), customer_satisfaction(period)
    currencies = cost["currencies"]
    main = currencies[0] if currencies else None
    figures = [
        Figure("km per stop (planned / driven)",
               f"{_number(efficiency['planned_km_per_stop'])} / {_number(efficiency['driven_km_per_stop'])}"),
        Figure("Load used", _percent(capacity["average_load_utilization"])),
        Figure("Shift used", _percent(capacity["average_hours_utilization"])),
        Figure("Delivery stars", _number(satisfaction["average_stars"], " / 5")),
    ]
    if main:
        figures += [Figure("Cost per delivery", money_text(main["cost_per_delivery"], main["currency"])
                           if main["cost_per_delivery"] is not None else "–"),
                    Figure("Saved vs nearest-neighbour (per route)", money_text(main["saving"], main["currency"]),
                           tone="good" if main["saving"] > 0 else "warn")]
    # the planned days reach past today (tomorrow is planned tonight): up to the latest planned day
    planned = DayPlanFact.objects.order_by("-date").values_list("date", flat=True).first()
    _, day_totals = day_plans(Period(date_from=period.date_from, date_to=max(period.date_to, planned or period.date_to)))
    day = day_totals[0] if day_totals else None
    if day:
        figures.append(Figure(f"Saved vs nearest-neighbour dispatch of the day ({day['days']} planned day(s))",
                              f"{money_text(day['saving'], day['currency'])} ({_percent(day['saving_rate'])})",
                              tone="good" if day["saving"] > 0 else "warn"))
    return Panel(
        figures=tuple(figures),
        chart=Chart("bar", "Route cost against nearest-neighbour dispatch", tuple(c["currency"] for c in currencies),
                    (Series("Planned routes", chart_values([c["cost"] for c in currencies])),
                     Series("Nearest-neighbour", chart_values([c["nearest_neighbour_cost"] for c in currencies]))),
                    unit=main["currency"]) if main else None,
        table=Table(("Route", "Day", "Vehicle", "Stops", "Cost", "Nearest-neighbour", "Saving", "Saved"),
                    tuple((str(r["route_id"]), r["date"].isoformat(), r["vehicle"] or "–", str(r["stops"]),
                           money_text(r["cost"], r["currency"]), money_text(r["nearest_neighbour_cost"], r["currency"]),
                           money_text(r["saving"], r["currency"]), _percent(r["saving_rate"]))
                          for r in cost["routes"][:ROUTES_SHOWN]),
                    caption=f"Each completed route against nearest-neighbour dispatch of its stops, the latest {ROUTES_SHOWN} "
                            f"of the last {DAYS} days", empty="No route was completed in these days."),
    )


def register_all() -> None:
    for name, provider, title, order in (("logistics.performance", performance_panel, "Deliveries: on time and failed", 80),
                                         ("logistics.failures", failures_panel, "Failed deliveries by reason", 81),
                                         ("logistics.routes", routes_panel, "Routes: efficiency, load and cost", 82)):
        dashboard.register(name, provider, title=title, permissions=[DISPATCH], order=order, cache_seconds=dashboard.CACHE_SECONDS)
