"""The simulation page (a sample cart priced by the checkout's pipeline: what applies and why not
the others), who may use the console, and the read-only redemptions."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from promotions import services
from promotions.models import Promotion, Redemption
from tests.factories import NO_PASSWORD, CustomerFactory, ProductFactory, StaffFactory, UserFactory
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory

pytestmark = pytest.mark.django_db


SIMULATE = "admin:promotions_promotion_simulate"


@pytest.fixture
def shop():
    product = ProductFactory(name="Olive oil", price_amount=Decimal("20.00"))
    ten_off = PromotionFactory(name="Ten off everything", percent=Decimal("10"))
    big = PromotionFactory(name="Big spender", fixed=True, amount=Decimal("50.00"), min_subtotal=Decimal("500.00"))
    coupon_only = PromotionFactory(name="Coupon only", requires_coupon=True, percent=Decimal("5"))
    CouponFactory(code="WELCOME5", promotion=coupon_only, max_uses=None)
    draft = PromotionFactory(name="Not launched", draft=True)
    return {"product": product, "ten_off": ten_off, "big": big, "coupon_only": coupon_only, "draft": draft}


def simulate(client, product, quantity, **params):
    return client.get(reverse(SIMULATE), {"product_0": product.pk, "quantity_0": quantity, **params})


def test_simulate_prices_the_cart_and_says_why_the_other_live_promotions_did_not_apply(client, admin_merchandiser, shop):
    response = simulate(client, shop["product"], 2)

    assert response.status_code == 200, response.context and response.context["form"].errors
    result, report = response.context["result"], response.context["report"]
    assert str(result.subtotal) == "40.00 EUR"
    assert [(a["discount"].name, str(a["discount"].amount)) for a in report["applied"]] == [
        ("Ten off everything", "4.00 EUR")
    ]
    assert str(result.total) == str(result.subtotal - result.discount_total + result.shipping)
    reasons = {row["hint"].name: row["hint"] for row in report["not_applied"]}
    assert set(reasons) == {"Big spender", "Coupon only"}  # the draft is not live: not priced at all
    assert reasons["Big spender"].reason == "minimum_not_reached" and reasons["Big spender"].hint
    assert reasons["Coupon only"].reason == "coupon_required"
    assert report["lines"][0]["discounts"] == [{"name": "Ten off everything", "amount": result.applied[0].amount}]
    html = response.content.decode()
    assert 'id="simulate-not-applied"' in html and "minimum_not_reached" in html and "coupon_required" in html
    assert reverse("admin:promotions_promotion_change", args=[shop["big"].pk]) in html
    assert "Not launched" not in html


def test_a_coupon_code_unlocks_its_promotion_and_an_unknown_one_is_reported(client, admin_merchandiser, shop):
    response = simulate(client, shop["product"], 2, coupon_codes="welcome5, nope")

    report, result = response.context["report"], response.context["result"]
    assert {a["discount"].name for a in report["applied"]} == {"Ten off everything", "Coupon only"}
    verdicts = {c.code: c for c in result.coupons}
    assert verdicts["WELCOME5"].accepted and not verdicts["NOPE"].accepted
    assert verdicts["NOPE"].reason == "coupon_unknown"
    assert "Coupon only" not in {row["hint"].name for row in report["not_applied"]}


def test_simulate_opened_from_a_promotion_gives_its_verdict(client, admin_merchandiser, shop):
    big = simulate(client, shop["product"], 1, promotion=shop["big"].pk)
    draft = simulate(client, shop["product"], 1, promotion=shop["draft"].pk)
    start = client.get(reverse(SIMULATE), {"promotion": shop["big"].pk})

    assert big.context["report"]["verdict"].startswith("“Big spender” does not apply:")
    assert "is draft: only live promotions" in draft.context["report"]["verdict"]
    assert start.status_code == 200 and start.context["result"] is None
    assert f"{reverse(SIMULATE)}?promotion={shop['big'].pk}" in client.get(
        reverse("admin:promotions_promotion_change", args=[shop["big"].pk])).content.decode()
    assert f'href="{reverse(SIMULATE)}"' in client.get(reverse("admin:promotions_promotion_changelist")).content.decode()


def test_simulate_for_a_customer_at_another_moment(client, admin_merchandiser, shop):
    later = PromotionFactory(name="Next week", valid_from=timezone.now() + timezone.timedelta(days=7))
    customer = CustomerFactory(username="ada")
    moment = timezone.localtime() + timezone.timedelta(days=8)

    now = simulate(client, shop["product"], 1, customer="ada")
    then = simulate(client, shop["product"], 1, customer=customer.email, at_0=moment.strftime("%Y-%m-%d"),
                    at_1=moment.strftime("%H:%M:%S"))

    assert now.context["form"].cleaned_data["customer"] == customer
    assert {r["hint"].name: r["hint"].reason for r in now.context["report"]["not_applied"]}["Next week"] == "not_yet_valid"
    assert "Next week" in {a["discount"].name for a in then.context["report"]["applied"]}
    assert later.status == Promotion.Status.ACTIVE


def test_a_sample_cart_needs_a_product_and_a_known_customer(client, admin_merchandiser, shop):
    empty = client.get(reverse(SIMULATE), {"product_0": "", "quantity_0": "3", "customer": "nobody"})

    assert empty.status_code == 200 and empty.context["result"] is None
    errors = empty.context["form"].errors
    assert "product_0" in errors and "customer" in errors


# --- who may use the console --------------------------------------------------------------------------
def test_staff_without_manage_promotions_are_refused_the_console(client, shop):
    dispatcher = StaffFactory(groups=["Dispatchers"], password=NO_PASSWORD)
    client.force_login(dispatcher)
    batch = services.coupon_generate(promotion=shop["coupon_only"], quantity=2)

    assert client.get(reverse(SIMULATE)).status_code == 403
    assert client.get(reverse("admin:promotions_promotion_changelist")).status_code == 403
    assert client.get(reverse("admin:promotions_promotion_generate_coupons", args=[shop["big"].pk])).status_code == 403
    assert client.get(reverse("admin:promotions_couponbatch_csv", args=[batch.pk])).status_code == 403
    assert client.post(reverse("admin:promotions_promotion_transition", args=[shop["big"].pk, "deactivate"])).status_code == 403
    shop["big"].refresh_from_db()
    assert shop["big"].status == Promotion.Status.ACTIVE
    assert "promotions" not in {app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]}


def test_a_viewer_with_model_permissions_only_browses_but_cannot_act(client, shop):
    viewer = StaffFactory(password=NO_PASSWORD)
    viewer.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="promotions", codename__in=["view_promotion", "view_couponbatch"]))
    client.force_login(viewer)
    batch = services.coupon_generate(promotion=shop["coupon_only"], quantity=2)

    changelist = client.get(reverse("admin:promotions_promotion_changelist"))
    acted = client.post(reverse("admin:promotions_promotion_changelist"),
                        {"action": "deactivate", "_selected_action": [shop["ten_off"].pk]})

    assert changelist.status_code == 200
    assert changelist.context["action_form"] is None  # no action is offered to a viewer
    assert acted.status_code == 200
    shop["ten_off"].refresh_from_db()
    assert shop["ten_off"].status == Promotion.Status.ACTIVE
    assert client.get(reverse(SIMULATE)).status_code == 403
    assert client.get(reverse("admin:promotions_couponbatch_csv", args=[batch.pk])).status_code == 403
    assert client.get(reverse("admin:promotions_promotion_add")).status_code == 403
    assert "simulate_url" not in changelist.context


def test_a_superuser_may_simulate(client, shop):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, password=NO_PASSWORD))

    response = simulate(client, shop["product"], 1)

    assert response.status_code == 200 and response.context["report"]["applied"]


# --- redemptions: read-only ---------------------------------------------------------------------------
def test_redemptions_are_browsed_and_filtered_never_edited(client, admin_merchandiser):
    campaign = CampaignFactory(name="Spring")
    promotion = PromotionFactory(campaign=campaign)
    kept, cancelled = (
        Redemption.objects.create(
            promotion=promotion, campaign=campaign, customer=CustomerFactory(), order_id=order_id,
            order_number=f"N{order_id}", currency="EUR", amount=Decimal("3.00"), order_subtotal=Decimal("30.00"),
            order_total=Decimal("27.00"), placed_at=timezone.now(), cancelled_at=cancelled_at,
        )
        for order_id, cancelled_at in ((1, None), (2, timezone.now()))
    )
    changelist = reverse("admin:promotions_redemption_changelist")

    only_cancelled = client.get(changelist, {"cancelled": "yes"})
    by_campaign = client.get(changelist, {"campaign__id__exact": campaign.pk, "cancelled": "no"})
    page = client.get(reverse("admin:promotions_redemption_change", args=[kept.pk]))

    assert list(only_cancelled.context["cl"].result_list) == [cancelled]
    assert list(by_campaign.context["cl"].result_list) == [kept]
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:promotions_redemption_add")).status_code == 403
    assert client.post(reverse("admin:promotions_redemption_delete", args=[kept.pk]), {"post": "yes"}).status_code == 403
    assert Redemption.objects.count() == 2
