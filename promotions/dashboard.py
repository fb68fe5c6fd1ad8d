"""The promotions app's panels on the back office's home page (``commerce.dashboard``): active
promotions with their performance, and campaign spend against budget, for the merchandisers.
Registered by ``PromotionsConfig.ready``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from commerce import dashboard
from commerce.dashboard import Chart, Figure, Panel, Series, Table
from commerce.money import default_currency
from commerce.money_format import money_text
from promotions.selectors.dashboard import live_promotions, running_campaigns

PERMISSIONS = ["accounts.manage_promotions"]
#: the period of the promotions' performance
PERFORMANCE_DAYS = 30


def promotions_panel(*, now: datetime.datetime) -> Panel:
    """Promotions live now, the five that granted most over the last 30 days with their orders,
    discount and revenue. Two queries."""
    since = dashboard.local_day_start(timezone.localdate(now) - datetime.timedelta(days=PERFORMANCE_DAYS - 1))
    live = live_promotions(now=now, since=since)
    top = live[:5]
    currency = default_currency()
    granted = sum((p.discount for p in live), Decimal(0))
    return Panel(
        figures=(
            Figure("Active promotions", dashboard.count_text(len(live)),
                   link=reverse("admin:promotions_promotion_changelist") + "?status=live"),
            Figure(f"Discount granted, {PERFORMANCE_DAYS} days", money_text(granted, currency)),
        ),
        table=Table(
            columns=("Promotion", "Offer", "Ends", "Orders", "Discount", "Revenue"),
            rows=tuple(
                (p.name, p.badge, date_format(timezone.localtime(p.ends_at), "j M") if p.ends_at else "open-ended",
                 dashboard.count_text(p.orders), money_text(p.discount, currency), money_text(p.revenue, currency))
                for p in top
            ),
            links=tuple(reverse("admin:promotions_promotion_change", args=[p.promotion_id]) for p in top),
            caption=f"Performance over the last {PERFORMANCE_DAYS} days, most discount granted first"
            + (f" (top 5 of {len(live)})" if len(live) > 5 else ""),
            empty="No promotion is running.",
        ),
        chart=Chart(
            kind="bar", title="Promotion performance", unit=currency,
            labels=tuple(p.name for p in top),
            series=(Series("Revenue", dashboard.chart_values(p.revenue for p in top)),
                    Series("Discount", dashboard.chart_values(p.discount for p in top))),
        ) if top else None,
    )


def campaigns_panel(*, now: datetime.datetime) -> Panel:
    """Running campaigns: spend against budget. One query."""
    campaigns = running_campaigns(now=now)
    currency = default_currency()
    spent = sum((c.spent_amount for c in campaigns if c.currency == currency), Decimal(0))
    budgets = [c.budget_amount for c in campaigns if c.currency == currency and c.budget_amount is not None]
    near_limit = [c for c in campaigns if c.budget_amount and c.spent_amount >= c.budget_amount * Decimal("0.9")]
    return Panel(
        figures=(
            Figure("Running campaigns", dashboard.count_text(len(campaigns)),
                   link=reverse("admin:promotions_campaign_changelist") + "?status__exact=active"),
            Figure("Campaign spend", money_text(spent, currency)),
            Figure("Of budgets", money_text(sum(budgets, Decimal(0)), currency) if budgets else "no budget"),
            Figure("Near their budget", dashboard.count_text(len(near_limit)), tone="warn" if near_limit else "good"),
        ),
        table=Table(
            columns=("Campaign", "Spent", "Budget", "Left", "Ends"),
            rows=tuple(
                (c.name, money_text(c.spent_amount, c.currency),
                 money_text(c.budget_amount, c.currency) if c.budget_amount is not None else "none",
                 money_text(c.budget_amount - c.spent_amount, c.currency) if c.budget_amount is not None else "-",
                 date_format(timezone.localtime(c.ends_at), "j M") if c.ends_at else "open-ended")
                for c in campaigns
            ),
            links=tuple(reverse("admin:promotions_campaign_change", args=[c.pk]) for c in campaigns),
            caption="Spend is the discount the campaign's promotions granted",
            empty="No campaign is running.",
        ),
        chart=Chart(
            kind="hbar", title="Campaign spend", unit=currency,
            labels=tuple(c.name for c in campaigns),
            series=(Series("Spent", dashboard.chart_values(c.spent_amount for c in campaigns)),
                    Series("Budget", dashboard.chart_values(c.budget_amount or 0 for c in campaigns))),
        ) if campaigns else None,
    )


def register() -> None:
    dashboard.register("promotions.active", promotions_panel, title="Active promotions", order=60,
                       permissions=PERMISSIONS, cache_seconds=dashboard.CACHE_SECONDS)
    dashboard.register("promotions.campaigns", campaigns_panel, title="Campaign spend", order=70, permissions=PERMISSIONS)
