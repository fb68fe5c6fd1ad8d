"""The merchandising console, used the way a Merchandiser uses it: every write goes through a service.

Promotions are edited on one screen (conditions, benefit, tiers, targets) and saved by
``promotion_create`` / ``promotion_update``; state changes only through actions; a refused save
comes back on the form with nothing written.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from commerce.audit.models import DomainEvent
from promotions import services
from promotions.models import Campaign, Coupon, CouponBatch, Promotion, Redemption, Segment
from tests.factories import ProductFactory, admin_form_data, category, events, messages_of
from tests.promotions.factories import CampaignFactory, PromotionFactory, SegmentFactory, redeem

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:promotions_promotion_changelist"
ADD = "admin:promotions_promotion_add"


def change_url(promotion) -> str:
    return reverse("admin:promotions_promotion_change", args=[promotion.pk])


def act(client, action: str, *promotions, **extra):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [p.pk for p in promotions], **extra})


def tier_rows(*tiers, initial: int = 0) -> dict:
    data = {"tiers-TOTAL_FORMS": str(len(tiers)), "tiers-INITIAL_FORMS": str(initial)}
    for i, (quantity, percent) in enumerate(tiers):
        data[f"tiers-{i}-min_quantity"] = str(quantity)
        data[f"tiers-{i}-percent"] = str(percent)
    return data


# --- one screen: create, edit, refuse -----------------------------------------------------------------
def test_promotion_add_form_creates_it_with_tiers_and_targets_through_promotion_create(client, admin_merchandiser):
    drinks = category("Drinks")
    water, juice = ProductFactory(), ProductFactory()
    regulars = SegmentFactory(name="Regulars")
    campaign = CampaignFactory(name="Summer")
    page = client.get(reverse(ADD))
    assert page.status_code == 200

    response = client.post(reverse(ADD), admin_form_data(
        page, name="Volume drinks", badge="Buy more, save more", campaign=str(campaign.pk),
        discount_class="product", priority="5", combines_with=["order", "shipping"],
        benefit_type="quantity_tiers", target_products=[str(water.pk), str(juice.pk)],
        target_categories=[str(drinks.pk)], segments=[str(regulars.pk)], usage_limit="100",
        **tier_rows((10, "10"), (5, "5")),
    ))

    assert response.status_code == 302, response.context and (
        response.context["adminform"].form.errors, response.context["inline_admin_formsets"][0].formset.errors)
    promotion = Promotion.objects.get(name="Volume drinks")
    assert promotion.status == Promotion.Status.DRAFT and promotion.campaign == campaign
    assert promotion.combines_with == ["order", "shipping"] and promotion.priority == 5 and promotion.usage_limit == 100
    assert set(promotion.target_products.all()) == {water, juice}
    assert list(promotion.target_categories.all()) == [drinks] and list(promotion.segments.all()) == [regulars]
    assert list(promotion.tiers.values_list("min_quantity", "percent")) == [(5, Decimal("5.00")), (10, Decimal("10.00"))]
    [created] = events("promotions.promotion.created")
    assert created.stream_id == str(promotion.pk) and created.channel == "admin" and created.actor == admin_merchandiser
    assert created.payload["fields"]["tiers"] == [[5, "5"], [10, "10"]]
    # One staff edit, one row: the service's event carries the values staff entered.
    assert created.payload["values"]["name"] == "Volume drinks"
    assert sorted(created.payload["values"]["target_products"]) == sorted([water.pk, juice.pk])
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"benefit_type": "percentage", "discount_class": "order"}, "percent"),  # no percentage given
        ({"benefit_type": "buy_x_get_y", "discount_class": "order", "buy_quantity": "2", "get_quantity": "1"},
         "discount_class"),  # buy X get Y is a product discount
        ({"benefit_type": "bundle_price", "discount_class": "product", "bundle_quantity": "1", "amount": "9.00"},
         "bundle_quantity"),
    ],
)
def test_benefit_parameters_that_do_not_fit_show_errors_on_the_form_and_save_nothing(client, admin_merchandiser, overrides, field):
    page = client.get(reverse(ADD))

    response = client.post(reverse(ADD), admin_form_data(page, name="Broken", **overrides))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert field in form.errors, form.errors
    # The top says which field to correct, by its label; the reason is on the field itself.
    [summary] = form.non_field_errors()
    assert summary.startswith("The promotion is not valid: correct ") and str(form.fields[field].label) in summary
    assert not Promotion.objects.exists()
    assert not DomainEvent.objects.filter(event_type__startswith="promotions.").exists()
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_quantity_tiers_without_tiers_are_refused_with_the_reason_on_the_form(client, admin_merchandiser):
    page = client.get(reverse(ADD))

    response = client.post(reverse(ADD), admin_form_data(page, name="Tiers", discount_class="product",
                                                          benefit_type="quantity_tiers"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    [tiers] = response.context["inline_admin_formsets"]
    assert tiers.formset.non_form_errors() == ["Add at least one tier."]  # on the tiers table, not at the top
    assert form.non_field_errors() == ["The promotion is not valid: correct Quantity tiers below."]
    assert not Promotion.objects.exists()


def test_promotion_edit_goes_through_promotion_update_with_changed_fields_and_tiers(client, admin_merchandiser):
    promotion = services.promotion_create(name="Tiers", discount_class="product", benefit_type="quantity_tiers",
                                          tiers=[(5, Decimal("5")), (10, Decimal("10"))])
    url = change_url(promotion)
    page = client.get(url)
    data = admin_form_data(page, priority="7", badge="Volume")
    data["tiers-1-DELETE"] = "on"  # drop the 10+ tier
    data["tiers-0-percent"] = "6"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    promotion.refresh_from_db()
    assert promotion.priority == 7 and promotion.badge == "Volume"
    assert list(promotion.tiers.values_list("min_quantity", "percent")) == [(5, Decimal("6.00"))]
    [updated] = events("promotions.promotion.updated")
    assert updated.channel == "admin" and updated.actor == admin_merchandiser
    assert set(updated.payload["changes"]) == {"priority", "badge", "tiers"}
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()  # the service's diff is the row


def test_the_state_of_a_promotion_is_read_only_on_its_page(client, admin_merchandiser):
    promotion = PromotionFactory(usage_limit=100, usage_count=12)

    page = client.get(change_url(promotion))

    form = page.context["adminform"].form
    assert not {"status", "usage_count", "discount_granted", "activated_at"} & set(form.fields)
    html = page.content.decode()
    assert "12 / 100" in html and "Simulate a cart" in html and "Deactivate" in html


def test_changelist_shows_benefit_validity_and_usage_at_a_glance_and_finds_a_coupon_code(client, admin_merchandiser):
    year = timezone.localdate().year + 1
    start = timezone.make_aware(datetime.datetime(year, 1, 1, 9, 0))
    tiered = PromotionFactory(name="Tiered", tiered=True, tiers=[(5, 5), (10, 12.5)], usage_limit=100, usage_count=12,
                              valid_from=start, valid_to=start + datetime.timedelta(days=30))
    bogof = PromotionFactory(name="Two for one", buy_x_get_y=True, buy_quantity=1)
    services.coupon_create(promotion=bogof, code="BOGOF")

    page = client.get(reverse(CHANGELIST))
    found = client.get(reverse(CHANGELIST), {"q": "bogof"})

    html = page.content.decode()
    assert "5+: 5 %, 10+: 12.5 %" in html and "buy 1 get 1 free" in html
    assert "12 / 100" in html and f"{year}-01-01 09:00 → {year}-01-31 09:00" in html
    assert list(found.context["cl"].result_list) == [bogof] and tiered not in found.context["cl"].result_list


# --- actions ------------------------------------------------------------------------------------------
def test_activate_action_activates_each_promotion_and_reports_the_ones_refused(client, admin_merchandiser):
    draft = PromotionFactory(draft=True, name="Draft one")
    later = PromotionFactory(draft=True, name="Later one", valid_from=timezone.now() + datetime.timedelta(days=3))
    over = PromotionFactory(name="Over", status=Promotion.Status.EXPIRED)

    response = act(client, "activate", draft, later, over)

    assert response.status_code == 302
    draft.refresh_from_db(), later.refresh_from_db(), over.refresh_from_db()
    assert draft.status == Promotion.Status.ACTIVE and later.status == Promotion.Status.SCHEDULED
    assert over.status == Promotion.Status.EXPIRED
    assert [e.stream_id for e in events("promotions.promotion.activated", channel="admin")] == [str(draft.pk), str(later.pk)]
    messages = messages_of(response)
    assert any("Over" in m and "cannot be activated" in m for m in messages)
    assert any(m.startswith("Activated: Draft one (active), Later one (activated, starts later)") for m in messages)


def test_deactivate_button_on_the_promotion_page_calls_the_service(client, admin_merchandiser):
    promotion = PromotionFactory()

    response = client.post(reverse("admin:promotions_promotion_transition", args=[promotion.pk, "deactivate"]))

    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.status == Promotion.Status.INACTIVE
    assert events("promotions.promotion.deactivated")[0].channel == "admin"
    assert client.get(reverse("admin:promotions_promotion_transition", args=[promotion.pk, "activate"])).status_code == 405


def test_delete_goes_through_promotion_delete(client, admin_merchandiser):
    never_used = PromotionFactory(name="Never used")

    response = act(client, "delete_selected", never_used, post="yes")

    assert response.status_code == 302
    assert not Promotion.objects.filter(pk=never_used.pk).exists()
    [deleted] = events("promotions.promotion.deleted")
    assert deleted.payload["archived"] is False
    assert deleted.stream_id == str(never_used.pk) and deleted.payload["values"]["name"] == "Never used"
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_bulk_delete_says_how_many_were_deleted_and_how_many_archived(client, admin_merchandiser):
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
    from django.contrib.messages import WARNING


    # given: two promotions never redeemed and one redeemed
    first, second, used = PromotionFactory(name="First"), PromotionFactory(name="Second"), PromotionFactory(name="Used")
    redeem(used, amount="1.00", order_total="10.00")

    confirm = act(client, "delete_selected", first, second, used)
    response = act(client, "delete_selected", first, second, used, post="yes")

    # then: the confirmation page first; then two deleted, one archived, and the message says so
    assert confirm.status_code == 200 and 'id="archive-note"' in confirm.content.decode()
    assert response.status_code == 302
    assert set(Promotion.objects.values_list("name", "status")) == {("Used", Promotion.Status.ARCHIVED)}
    [message] = get_messages(response.wsgi_request)
    assert (str(message), message.level) == ("Deleted 2, archived 1 (redeemed, kept for history)", WARNING)
    assert sorted(e.payload["archived"] for e in events("promotions.promotion.deleted")) == [False, False, True]
    logged = {(entry.object_repr, entry.action_flag) for entry in LogEntry.objects.exclude(action_flag=ADDITION)}
    assert logged == {("First", DELETION), ("Second", DELETION), ("Used", CHANGE)}


def test_bulk_delete_of_promotions_never_redeemed_or_already_archived(client, admin_merchandiser):
    from django.contrib.messages import SUCCESS

    never = [PromotionFactory(name="A"), PromotionFactory(name="B")]
    archived = PromotionFactory(name="Old", status=Promotion.Status.ARCHIVED)

    response = act(client, "delete_selected", *never, post="yes")
    [message] = get_messages(response.wsgi_request)
    assert (str(message), message.level) == ("Deleted 2", SUCCESS)

    client.get(reverse(CHANGELIST))  # the message above shown and gone

    response = act(client, "delete_selected", archived, post="yes")
    assert messages_of(response) == ["Left 1 already archived"]
    assert Promotion.objects.get().status == Promotion.Status.ARCHIVED
    # nothing happened to the archived one: no event, no audit row
    assert len(events("promotions.promotion.deleted", channel="admin")) == 2
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_a_redeemed_promotion_is_archived_not_deleted_from_its_delete_page(client, admin_merchandiser):

    promotion = PromotionFactory(name="Used")
    redeem(promotion, amount="1.00", order_total="10.00")
    url = reverse("admin:promotions_promotion_delete", args=[promotion.pk])

    confirm = client.get(url)
    response = client.post(url, {"post": "yes"})

    assert confirm.status_code == 200 and 'id="archive-note"' in confirm.content.decode()
    assert not confirm.context["protected"] and not confirm.context["perms_lacking"]
    assert response.status_code == 302 and response["Location"] == change_url(promotion)
    promotion.refresh_from_db()
    assert promotion.status == Promotion.Status.ARCHIVED
    assert events("promotions.promotion.deleted")[0].payload["archived"] is True
    assert messages_of(response) == ["“Used” has been redeemed: it is archived (kept for its history), not deleted."]
    archived_page = client.get(change_url(promotion))
    assert 'name="_save"' not in archived_page.content.decode()
    [tiers] = archived_page.context["inline_admin_formsets"]
    assert not (tiers.has_add_permission or tiers.has_change_permission or tiers.has_delete_permission)


def test_every_page_of_the_console_loads_for_a_merchandiser(client, admin_merchandiser):
    from tests.promotions.factories import CouponFactory, customer_in_segment

    campaign = CampaignFactory()
    promotion = PromotionFactory(campaign=campaign, tiered=True, tiers=[(3, 5)], targets=[ProductFactory()])
    redeem(promotion, amount="1.00", order_total="10.00")
    CouponFactory(promotion=promotion)
    services.coupon_generate(promotion=promotion, quantity=2)
    customer_in_segment(SegmentFactory())

    index = client.get(reverse("admin:index"))
    assert "promotions" in {app["app_label"] for app in index.context["app_list"]}
    for model in (Promotion, Coupon, CouponBatch, Campaign, Segment, Redemption):
        name = model._meta.model_name
        assert client.get(reverse(f"admin:promotions_{name}_changelist")).status_code == 200, name
        obj = model._default_manager.first()
        assert client.get(reverse(f"admin:promotions_{name}_change", args=[obj.pk])).status_code == 200, name
    for name in ("promotion", "coupon", "campaign", "segment"):
        assert client.get(reverse(f"admin:promotions_{name}_add")).status_code == 200, name
    batch = promotion.coupon_batches.get()
    assert client.get(reverse("admin:promotions_promotion_generate_coupons", args=[promotion.pk])).status_code == 200
    assert client.get(reverse("admin:promotions_couponbatch_distribute", args=[batch.pk])).status_code == 200
    assert client.get(reverse("admin:promotions_promotion_simulate")).status_code == 200


def test_the_promotion_list_costs_the_same_number_of_queries_for_two_rows_or_ten(client, admin_merchandiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(CHANGELIST)).status_code == 200
        return len(queries)

    def make(n):
        for _ in range(n):
            PromotionFactory(campaign=CampaignFactory(), tiered=True, tiers=[(2, 5), (4, 10)])

    make(2)
    two = count()
    make(8)
    assert count() == two


def test_products_for_the_sample_cart_are_found_by_autocomplete(client, admin_merchandiser):
    olive = ProductFactory(name="Olive oil")
    ProductFactory(name="Vinegar")

    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "promotions", "model_name": "promotion", "field_name": "target_products", "term": "olive",
    })

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(olive.pk)]
