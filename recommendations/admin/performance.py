"""The lists' performance in the back office: the daily rows (read-only, rebuilt by the nightly task or
the "rebuild" action) and, above them, the click-through, add-to-cart and conversion rates per
placement, intent and model version over the period, and per day, as tables with charts the vendored
Chart.js draws over the same figures (``static/js/admin-dashboard.js``, as on the admin home).
The attributed adds to cart and purchases are browsed read-only."""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.utils import timezone

from commerce.admin_services import ReadOnlyAdminMixin, SafeChangeListMixin
from commerce.dashboard import Chart, Series, Table, chart_values
from commerce.money_format import money_text
from recommendations.models import RecommendationConversion, RecommendationDayStat
from recommendations.serving.performance import PerformanceRow, daily, group, period_stats
from recommendations.serving.stats import stats_rebuild_day

PERIODS = (7, 30, 90)


def _percent(rate) -> str:
    return "–" if rate is None else f"{rate * 100:.2f} %"


def _revenue(row) -> str:
    return ", ".join(money_text(m.amount, m.currency) for m in row.revenue_money) or "–"


def _panel(chart_id: str, title: str, labelled: list[tuple[str, PerformanceRow]], *, kind: str = "bar") -> dict:
    """A table of the rows and a chart of their click-through, add-to-cart and conversion rates (per cent)."""
    labels = tuple(label for label, _row in labelled)
    rows = [row for _label, row in labelled]
    chart = Chart(kind, title, labels, (
        Series("Click-through (%)", chart_values([(r.ctr or 0) * 100 for r in rows])),
        Series("Add to cart (%)", chart_values([(r.add_to_cart_rate or 0) * 100 for r in rows])),
        Series("Conversion (%)", chart_values([(r.conversion_rate or 0) * 100 for r in rows])),
    ), unit="%") if rows else None
    table = Table(("", "Lists", "Seen", "Clicks", "CTR", "Adds to cart", "Purchases", "Conversion", "Revenue"),
                  tuple((label, f"{r.lists:,}", f"{r.impressions:,}", f"{r.clicks:,}", _percent(r.ctr),
                         f"{r.add_to_carts:,}", f"{r.purchases:,}", _percent(r.conversion_rate), _revenue(r))
                        for label, r in labelled), caption=title, empty="No list was served in the period.")
    return {"id": chart_id, "title": title, "chart": chart, "table": table}


def performance_panels(*, days: int, today: datetime.date | None = None) -> list[dict]:
    """The page's panels over the last ``days`` days (today included): one read of the stored days and
    today's three queries."""
    today = today or timezone.localdate()
    stats = period_stats(first_day=today - datetime.timedelta(days=days - 1), last_day=today, today=today)
    return [
        _panel("rec-perf-placement", "Per placement", [(r.placement, r) for r in group(stats, ("placement",))]),
        _panel("rec-perf-intent", "Per intent", [(r.intent, r) for r in group(stats, ("intent",))]),
        _panel("rec-perf-model", "Per model version",
               [(f"v{r.model_version}" if r.model_version else "no model", r) for r in group(stats, ("model_version",))]),
        _panel("rec-perf-day", "Per day", [(d.isoformat(), r) for d, r in daily(stats)], kind="line"),
    ]


@admin.register(RecommendationDayStat)
class RecommendationDayStatAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/recommendations/recommendationdaystat/change_list.html"
    list_display = ("day", "placement", "intent", "model_version", "variant_id", "lists", "impressions", "clicks",
                    "add_to_carts", "purchases", "revenue", "computed_at")
    list_filter = ("placement", "intent", "model_version")
    date_hierarchy = "day"
    actions = ["rebuild_days"]

    @admin.display(description="revenue", ordering="revenue_amount")
    def revenue(self, stat):
        return money_text(stat.revenue_amount, stat.currency)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("recommendations.view_recommendationdaystat"):
            actions.pop("rebuild_days", None)
        return actions

    @admin.action(description="Rebuild the selected days from the tracking tables now")
    def rebuild_days(self, request, queryset):
        days = sorted(set(queryset.values_list("day", flat=True)))
        for day in days:
            stats_rebuild_day(day=day)
        self.message_user(request, f"{len(days)} day(s) rebuilt.", level=messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        try:
            days = int(request.GET.get("period", 30))
        except ValueError:
            days = 30
        days = days if days in PERIODS else 30
        request.GET = request.GET.copy()
        request.GET.pop("period", None)  # not a field the change list filters on
        panels = performance_panels(days=days)
        context = {"performance_panels": panels, "periods": PERIODS, "period": days,
                   "performance_charts": [{"id": p["id"], "data": p["chart"].data()} for p in panels if p["chart"]],
                   **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)


@admin.register(RecommendationConversion)
class RecommendationConversionAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "product_id", "quantity", "revenue", "recommendation_list_id", "order_id",
                    "customer_id")
    list_filter = ("kind",)
    date_hierarchy = "occurred_at"
    search_fields = ("=recommendation_list__id", "=order_id")
    show_full_result_count = False  # a high-volume table

    @admin.display(description="revenue", ordering="revenue_amount")
    def revenue(self, conversion):
        return money_text(conversion.revenue_amount, conversion.revenue_currency) if conversion.revenue_currency else "–"
