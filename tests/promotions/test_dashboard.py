"""The promotions app's panels on the admin home: active promotions with their performance, and
campaign spend against budget; each in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.money_format import money_text
from promotions import dashboard as panels
from promotions.models import Campaign, Promotion
from tests.promotions.factories import CampaignFactory, PromotionFactory, redeem

pytestmark = pytest.mark.django_db


def figures(panel) -> dict[str, str]:
    return {f.label: f.value for f in panel.figures}


def test_active_promotions_with_what_they_granted_most_first():
    small = PromotionFactory(name="Small")
    big = PromotionFactory(name="Big", badge="-20%")
    PromotionFactory(name="Draft", draft=True)
    PromotionFactory(name="Later", valid_from=timezone.now() + datetime.timedelta(days=3))
    PromotionFactory(name="Off", status=Promotion.Status.INACTIVE)
    redeem(small, amount="1.00", order_total="9.00")
    redeem(big, amount="5.00", order_total="45.00")
    redeem(big, amount="3.00", order_total="27.00")
    redeem(big, amount="9.00", order_total="81.00", cancelled=True)  # given back

    panel = panels.promotions_panel(now=timezone.now())

    assert figures(panel) == {"Active promotions": "2", "Discount granted, 30 days": money_text(Decimal("9.00"), "EUR")}
    assert [row[:2] for row in panel.table.rows] == [("Big", "-20%"), ("Small", "10% off")]
    assert panel.table.rows[0][3:] == ("2", money_text(Decimal("8.00"), "EUR"), money_text(Decimal("72.00"), "EUR"))
    assert panel.chart.series[0].values == (72.0, 9.0)  # revenue
    assert panel.chart.series[1].values == (8.0, 1.0)  # discount


def test_campaign_spend_against_budget():
    CampaignFactory(name="Spring", budget_amount=Decimal("100.00"), spent_amount=Decimal("95.00"))
    CampaignFactory(name="Loyalty", spent_amount=Decimal("12.50"))  # no budget
    CampaignFactory(name="Old", status=Campaign.Status.ENDED, spent_amount=Decimal("40.00"))
    CampaignFactory(name="Soon", status=Campaign.Status.SCHEDULED, starts_at=timezone.now() + datetime.timedelta(days=2))

    panel = panels.campaigns_panel(now=timezone.now())

    assert figures(panel) == {
        "Running campaigns": "2", "Campaign spend": money_text(Decimal("107.50"), "EUR"),
        "Of budgets": money_text(Decimal("100.00"), "EUR"), "Near their budget": "1",
    }
    assert [row[0] for row in panel.table.rows] == ["Spring", "Loyalty"]
    assert panel.table.rows[0][3] == money_text(Decimal("5.00"), "EUR")
    assert panel.chart.series[0].values == (95.0, 12.5)


def test_the_panels_link_to_their_lists(client, admin_merchandiser):
    PromotionFactory()
    CampaignFactory()
    for panel in (panels.promotions_panel(now=timezone.now()), panels.campaigns_panel(now=timezone.now())):
        response = client.get(panel.figures[0].link)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(("provider", "queries"), [(panels.promotions_panel, 2), (panels.campaigns_panel, 1)])
def test_each_promotions_panel_costs_a_fixed_number_of_queries(django_assert_num_queries, provider, queries):
    campaign = CampaignFactory(budget_amount=Decimal("50.00"))
    for n in range(4):
        promotion = PromotionFactory(campaign=campaign if n % 2 else None)
        redeem(promotion, amount="1.00", order_total="10.00")
        CampaignFactory()

    with django_assert_num_queries(queries):
        provider(now=timezone.now())
