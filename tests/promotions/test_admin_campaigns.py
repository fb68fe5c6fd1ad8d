"""Campaigns (budget spent and ROI at a glance, launch and end) and segments (members, refresh)
in the console, each change through its service."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commerce.audit.models import DomainEvent
from promotions import selectors
from promotions.models import Campaign, Segment, SegmentMembership
from tests.factories import CustomerFactory, admin_form_data, events, messages_of
from tests.promotions.factories import (
    CampaignFactory,
    PromotionFactory,
    SegmentFactory,
    customer_in_segment,
    next_order_id,
    redeem,
)

pytestmark = pytest.mark.django_db


def campaign_with_redemptions(name: str, budget="100.00") -> Campaign:
    campaign = CampaignFactory(name=name, budget_amount=Decimal(budget), spent_amount=Decimal("14.00"))
    first, second = PromotionFactory(campaign=campaign), PromotionFactory(campaign=campaign)
    redeem(first, amount="5.00", order_total="90.00", order_id=next_order_id() + 1000)
    both = next_order_id() + 2000
    redeem(first, amount="2.00", order_total="40.00", order_id=both)
    redeem(second, amount="7.00", order_total="40.00", order_id=both)  # the same order: its revenue counts once
    redeem(second, amount="9.00", order_total="60.00", cancelled=True)  # given back: not counted
    return campaign


# --- campaigns ----------------------------------------------------------------------------------------
def test_campaign_list_shows_budget_spent_and_roi_as_the_selector_computes_them(client, admin_merchandiser):
    campaign = campaign_with_redemptions("Summer")

    page = client.get(reverse("admin:promotions_campaign_changelist"))

    assert page.status_code == 200
    figures = selectors.campaign_roi(campaign=campaign)
    assert figures["revenue"] == Decimal("130.00") and figures["discount"] == Decimal("14.00")
    [row] = page.context["cl"].result_list
    assert {k: row.roi_figures[k] for k in ("orders", "revenue", "discount", "roi")} == {
        k: figures[k] for k in ("orders", "revenue", "discount", "roi")
    }
    html = page.content.decode()
    assert "100.00 EUR" in html and "14.00 EUR" in html and "14.0 %" in html  # budget, spent, share
    assert "130.00 EUR" in html and "8.29" in html  # revenue, ROI = (130 - 14) / 14


def test_roi_of_many_campaigns_agrees_with_the_selector_for_each():
    campaigns = [campaign_with_redemptions(f"C{i}") for i in range(3)] + [CampaignFactory(name="Nothing yet")]

    figures = selectors.campaign_roi_many(campaigns=campaigns)

    for campaign in campaigns:
        assert figures[campaign.pk] == selectors.campaign_roi(campaign=campaign)
    assert figures[campaigns[0].pk]["revenue"] == Decimal("130.00") and figures[campaigns[0].pk]["orders"] == 2
    assert figures[campaigns[-1].pk]["roi"] is None


def test_roi_of_many_campaigns_costs_two_queries_whatever_their_number(django_assert_num_queries):
    one = [campaign_with_redemptions("Alone")]
    many = one + [campaign_with_redemptions(f"M{i}") for i in range(4)]

    for campaigns in (one, many):
        with django_assert_num_queries(2):
            figures = selectors.campaign_roi_many(campaigns=campaigns)
        assert set(figures) == {c.pk for c in campaigns}
    with django_assert_num_queries(0):
        assert selectors.campaign_roi_many(campaigns=[]) == {}


def test_campaign_list_costs_the_same_number_of_queries_for_one_campaign_or_five(client, admin_merchandiser):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:promotions_campaign_changelist")).status_code == 200
        return len(queries)

    campaign_with_redemptions("First")
    one = count()
    for i in range(4):
        campaign_with_redemptions(f"More {i}")
    assert count() == one


def test_campaign_add_form_goes_through_campaign_create_in_draft(client, admin_merchandiser):
    url = reverse("admin:promotions_campaign_add")
    page = client.get(url)
    year = timezone.localdate().year + 1

    response = client.post(url, admin_form_data(
        page, name="Black Friday", starts_at_0=f"{year}-11-27", starts_at_1="00:00:00", ends_at_0=f"{year}-11-30",
        ends_at_1="23:59:00", budget_amount="500.00", currency="EUR",
    ))

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    campaign = Campaign.objects.get(name="Black Friday")
    assert campaign.status == Campaign.Status.DRAFT and campaign.budget_amount == Decimal("500.00")
    [created] = events("promotions.campaign.created")
    assert created.channel == "admin" and created.actor == admin_merchandiser
    assert created.stream_id == str(campaign.pk) and created.payload["values"]["name"] == "Black Friday"
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_a_budget_below_what_is_spent_is_refused_on_the_form(client, admin_merchandiser):
    campaign = CampaignFactory(budget_amount=Decimal("100.00"), spent_amount=Decimal("60.00"))
    url = reverse("admin:promotions_campaign_change", args=[campaign.pk])
    page = client.get(url)

    response = client.post(url, admin_form_data(page, budget_amount="50.00", name="Renamed"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["budget_amount"] == ["Already 60.00 spent; the budget cannot be lower."]
    campaign.refresh_from_db()
    assert campaign.budget_amount == Decimal("100.00") and campaign.name != "Renamed"
    assert not events("promotions.campaign.updated") and not events("admin.promotions.campaign.changed")


def test_launch_and_end_actions_move_campaigns_through_their_services(client, admin_merchandiser):
    now = timezone.now()
    draft = CampaignFactory(name="Now", status=Campaign.Status.DRAFT, launched_at=None,
                            starts_at=now - datetime.timedelta(hours=1))
    later = CampaignFactory(name="Later", status=Campaign.Status.DRAFT, launched_at=None,
                            starts_at=now + datetime.timedelta(days=2))
    changelist = reverse("admin:promotions_campaign_changelist")

    launched = client.post(changelist, {"action": "launch", "_selected_action": [draft.pk, later.pk]})
    draft.refresh_from_db(), later.refresh_from_db()
    assert draft.status == Campaign.Status.ACTIVE and later.status == Campaign.Status.SCHEDULED
    assert "Launched: Now (active), Later (launched, not started yet)." in messages_of(launched)

    ended = client.post(changelist, {"action": "end", "_selected_action": [draft.pk]})

    draft.refresh_from_db()
    assert draft.status == Campaign.Status.ENDED and draft.ended_at is not None
    assert "Ended: Now." in messages_of(ended)
    assert [e.channel for e in events("promotions.campaign.launched")] == ["admin", "admin"]
    assert events("promotions.campaign.ended")[0].stream_id == str(draft.pk)
    again = client.post(changelist, {"action": "launch", "_selected_action": [draft.pk]})
    assert "Now: The campaign has ended; it cannot be launched again." in messages_of(again)


def test_campaign_page_shows_state_read_only_with_its_promotions_and_performance(client, admin_merchandiser):
    campaign = campaign_with_redemptions("Autumn")

    page = client.get(reverse("admin:promotions_campaign_change", args=[campaign.pk]))

    assert page.status_code == 200
    assert not {"status", "spent_amount", "launched_at"} & set(page.context["adminform"].form.fields)
    html = page.content.decode()
    assert "2 order(s), revenue 130.00 EUR, discount granted 14.00 EUR, ROI 8.29" in html
    assert "promotions of this campaign" in html.lower()


# --- segments -----------------------------------------------------------------------------------------
def test_a_hand_picked_segment_is_created_with_its_members_through_the_services(client, admin_merchandiser):
    ada, bob = CustomerFactory(username="ada"), CustomerFactory(username="bob", email="bob@example.com")
    url = reverse("admin:promotions_segment_add")
    page = client.get(url)

    response = client.post(url, admin_form_data(page, name="Friends", code="friends", kind="manual",
                                                 members="ada\nBOB@example.com\n"))

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    segment = Segment.objects.get(code="friends")
    assert set(SegmentMembership.objects.filter(segment=segment).values_list("customer_id", flat=True)) == {ada.pk, bob.pk}
    assert segment.member_count == 2
    assert events("promotions.segment.created")[0].channel == "admin"
    assert events("promotions.segment.members_set")[0].payload["member_count"] == 2


def test_manual_members_are_replaced_from_the_segment_page(client, admin_merchandiser):
    segment = SegmentFactory(name="Testers")
    keep, drop = customer_in_segment(segment, username="keep"), customer_in_segment(segment, username="drop")
    new = CustomerFactory(username="new")
    url = reverse("admin:promotions_segment_change", args=[segment.pk])
    page = client.get(url)
    assert page.context["adminform"].form.initial["members"] == "drop\nkeep"

    response = client.post(url, admin_form_data(page, members="keep\nnew"))

    assert response.status_code == 302
    assert set(segment.memberships.values_list("customer_id", flat=True)) == {keep.pk, new.pk}
    assert drop.pk not in set(segment.memberships.values_list("customer_id", flat=True))
    [members_set] = events("promotions.segment.members_set", channel="admin")
    assert members_set.payload["added"] == 1 and members_set.payload["removed"] == 1


def test_members_of_a_computed_segment_cannot_be_listed_by_hand(client, admin_merchandiser):
    CustomerFactory(username="ada")
    url = reverse("admin:promotions_segment_add")
    page = client.get(url)

    response = client.post(url, admin_form_data(page, name="Big", code="big", kind="lifetime_value",
                                                 min_lifetime_value="500", members="ada"))

    assert response.status_code == 200 and "members" in response.context["adminform"].form.errors
    assert not Segment.objects.exists()


def test_refresh_action_recomputes_member_counts(client, admin_merchandiser):
    group = Group.objects.create(name="Club")
    for _ in range(3):
        CustomerFactory(groups=["Customers", "Club"])
    club = SegmentFactory(name="Club members", kind=Segment.Kind.GROUP, group=group)
    manual = SegmentFactory(name="Manual")
    customer_in_segment(manual)
    manual.refresh_from_db()
    counted_at = manual.refreshed_at  # segment_members_set counted its one member

    response = client.post(reverse("admin:promotions_segment_changelist"),
                           {"action": "refresh", "_selected_action": [club.pk, manual.pk]})

    club.refresh_from_db(), manual.refresh_from_db()
    assert club.member_count == 3 and club.refreshed_at is not None and manual.member_count == 1
    assert manual.refreshed_at > counted_at
    assert "Refreshed: Club members (3 members), Manual (1 member)." in messages_of(response)
    # a refresh that finds the same members is not a change of state: only the club's is recorded
    assert {e.stream_id for e in events("promotions.segment.refreshed")} == {str(club.pk)}
    page = client.get(reverse("admin:promotions_segment_change", args=[club.pk]))
    assert "group" in page.context["adminform"].form.fields and "members" not in page.context["adminform"].form.fields
