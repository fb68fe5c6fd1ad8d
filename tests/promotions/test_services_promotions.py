"""Promotion commands: create (with the benefit's parameters checked), update, activate,
deactivate, delete; each records its event and refuses what does not fit."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from promotions import services
from promotions.errors import InvalidTransition, PromotionInvalid, PromotionNotFound
from promotions.models import Coupon, Promotion, PromotionTier
from tests.factories import ProductFactory, category, events, last_event_id
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _events(event_type):
    return list(DomainEvent.objects.filter(event_type=event_type).order_by("id"))


VALID = {
    "percentage": {"discount_class": "order", "percent": Decimal("12.5")},
    "fixed_amount": {"discount_class": "order", "amount": Decimal("5.00")},
    "buy_x_get_y": {"discount_class": "product", "buy_quantity": 2, "get_quantity": 1, "get_percent": Decimal("100")},
    "quantity_tiers": {"discount_class": "product", "tiers": [(5, Decimal("5")), (10, Decimal("10"))]},
    "free_shipping": {"discount_class": "shipping", "min_subtotal": Decimal("30.00")},
    "bundle_price": {"discount_class": "product", "bundle_quantity": 3, "amount": Decimal("10.00")},
}


@pytest.mark.parametrize("benefit", list(VALID))
def test_promotion_create_accepts_each_benefit_with_fitting_parameters_in_draft(benefit):
    fields = dict(VALID[benefit])
    if benefit == "bundle_price":
        fields["target_products"] = [ProductFactory()]

    promotion = services.promotion_create(name=f"  {benefit}  ", benefit_type=benefit, **fields)

    assert promotion.status == Promotion.Status.DRAFT
    assert promotion.name == benefit and promotion.benefit_type == benefit
    [created] = _events("promotions.promotion.created")
    assert created.stream_type == "promotion" and created.stream_id == str(promotion.pk)
    assert created.payload["benefit_type"] == benefit
    if benefit == "quantity_tiers":
        assert list(promotion.tiers.values_list("min_quantity", "percent")) == [(5, Decimal("5")), (10, Decimal("10"))]
        assert created.payload["fields"]["tiers"] == [[5, "5"], [10, "10"]]
    if benefit == "percentage":
        assert promotion.percent == Decimal("12.50") and created.payload["fields"]["percent"] == "12.50"


def test_promotion_create_takes_strings_from_forms_and_sets_targets_by_instance_or_id():
    product, other = ProductFactory(), ProductFactory()
    cat = category("Drinks")
    segment = SegmentFactory()
    campaign = CampaignFactory()

    promotion = services.promotion_create(
        name="Drinks", discount_class="product", benefit_type="percentage", percent="15", min_subtotal="20.00",
        usage_limit="100", combines_with=["order", "order"], target_products=[product, other.pk],
        target_categories=[cat.pk], segments=[segment], campaign=campaign.pk, valid_from=NOW,
        valid_to=NOW + datetime.timedelta(days=7),
    )

    assert promotion.percent == Decimal("15") and promotion.min_subtotal == Decimal("20.00")
    assert promotion.usage_limit == 100 and promotion.combines_with == ["order"]
    assert set(promotion.target_products.values_list("pk", flat=True)) == {product.pk, other.pk}
    assert list(promotion.target_categories.all()) == [cat]
    assert list(promotion.segments.all()) == [segment]
    assert promotion.campaign == campaign


INVALID = [
    ("percentage", {"discount_class": "order"}, "percent"),
    ("percentage", {"discount_class": "order", "percent": Decimal("0")}, "percent"),
    ("percentage", {"discount_class": "order", "percent": Decimal("100.01")}, "percent"),
    ("percentage", {"discount_class": "order", "percent": "ten"}, "percent"),
    ("percentage", {"discount_class": "order", "percent": Decimal("10.005")}, "percent"),
    ("fixed_amount", {"discount_class": "order", "amount": Decimal("0")}, "amount"),
    ("fixed_amount", {"discount_class": "order"}, "amount"),
    ("buy_x_get_y", {"discount_class": "product", "buy_quantity": 0, "get_quantity": 1}, "buy_quantity"),
    ("buy_x_get_y", {"discount_class": "product", "buy_quantity": 2, "get_quantity": 0}, "get_quantity"),
    ("buy_x_get_y", {"discount_class": "product", "buy_quantity": 2, "get_quantity": 1, "get_percent": 0}, "get_percent"),
    ("buy_x_get_y", {"discount_class": "order", "buy_quantity": 2, "get_quantity": 1}, "discount_class"),
    ("quantity_tiers", {"discount_class": "product"}, "tiers"),
    ("quantity_tiers", {"discount_class": "product", "tiers": [(5, 10), (5, 20)]}, "tiers"),
    ("quantity_tiers", {"discount_class": "product", "tiers": [(0, 10)]}, "tiers"),
    ("quantity_tiers", {"discount_class": "product", "tiers": [(2, 0)]}, "tiers"),
    ("quantity_tiers", {"discount_class": "product", "tiers": [(2, 101)]}, "tiers"),
    ("quantity_tiers", {"discount_class": "order", "tiers": [(2, 10)]}, "discount_class"),
    ("free_shipping", {"discount_class": "order"}, "discount_class"),
    ("bundle_price", {"discount_class": "product", "bundle_quantity": 1, "amount": Decimal("5")}, "bundle_quantity"),
    ("bundle_price", {"discount_class": "product", "bundle_quantity": 2, "amount": Decimal("0")}, "amount"),
    ("bundle_price", {"discount_class": "product", "bundle_quantity": 2, "amount": Decimal("5")}, "target_products"),
    ("bundle_price", {"discount_class": "order", "bundle_quantity": 2, "amount": Decimal("5")}, "discount_class"),
    ("percentage", {"discount_class": "order", "percent": 10, "combines_with": ["order", "loyalty"]}, "combines_with"),
    ("percentage", {"discount_class": "everything", "percent": 10}, "discount_class"),
    ("cashback", {"discount_class": "order", "percent": 10}, "benefit_type"),
    ("percentage", {"discount_class": "order", "percent": 10, "valid_from": NOW, "valid_to": NOW}, "valid_to"),
    ("percentage", {"discount_class": "order", "percent": 10, "usage_limit": 0}, "usage_limit"),
    ("percentage", {"discount_class": "order", "percent": 10, "min_subtotal": Decimal("-1")}, "min_subtotal"),
    ("percentage", {"discount_class": "order", "percent": 10, "tiers": [(2, 5)]}, "tiers"),
    ("percentage", {"discount_class": "order", "percent": 10, "target_products": [999999]}, "target_products"),
    ("percentage", {"discount_class": "order", "percent": 10, "currency": "XXX"}, "currency"),
]


@pytest.mark.parametrize(("benefit", "fields", "field"), INVALID)
def test_promotion_create_refuses_parameters_that_do_not_fit_the_benefit(benefit, fields, field):
    with pytest.raises(PromotionInvalid) as refused:
        services.promotion_create(name="Broken", benefit_type=benefit, **fields)

    assert refused.value.code == "promotion_invalid" and refused.value.status_code == 400
    assert field in refused.value.fields, refused.value.fields
    assert Promotion.objects.count() == 0 and not _events("promotions.promotion.created")


def test_promotion_create_refuses_a_name_missing_and_reports_every_field():
    with pytest.raises(PromotionInvalid) as refused:
        services.promotion_create(name=" ", discount_class="order", benefit_type="fixed_amount")
    assert set(refused.value.fields) == {"name", "amount"}


def test_promotion_create_refuses_a_campaign_in_another_currency():
    campaign = CampaignFactory(currency="USD")
    with pytest.raises(PromotionInvalid) as refused:
        services.promotion_create(name="X", discount_class="order", benefit_type="percentage", percent=5, campaign=campaign)
    assert "currency" in refused.value.fields


def test_promotion_create_refuses_unknown_fields_as_a_programming_error():
    with pytest.raises(TypeError):
        services.promotion_create(name="X", discount_class="order", benefit_type="percentage", percent=5, usage_count=3)


def test_promotion_update_changes_fields_and_records_what_changed():
    promotion = services.promotion_create(name="Old", discount_class="order", benefit_type="percentage", percent=10)
    product = ProductFactory()

    services.promotion_update(promotion=promotion.pk, data={"name": "New", "percent": "20", "target_products": [product]})

    promotion.refresh_from_db()
    assert promotion.name == "New" and promotion.percent == Decimal("20")
    assert list(promotion.target_products.all()) == [product]
    [updated] = _events("promotions.promotion.updated")
    assert updated.payload["changes"]["name"] == ["Old", "New"]
    assert updated.payload["changes"]["percent"] == ["10.00", "20.00"]
    assert updated.payload["changes"]["target_products"] == [[], [product.pk]]


def test_promotion_update_without_changes_records_nothing():
    promotion = services.promotion_create(name="Same", discount_class="order", benefit_type="percentage", percent=10)
    services.promotion_update(promotion=promotion, data={"name": "Same", "percent": Decimal("10")})
    assert not _events("promotions.promotion.updated")


def test_promotion_update_validates_the_result_and_changes_nothing_when_invalid():
    promotion = services.promotion_create(name="T", discount_class="product", benefit_type="quantity_tiers",
                                          tiers=[(3, 5)])
    with pytest.raises(PromotionInvalid):
        services.promotion_update(promotion=promotion, data={}, tiers=[(3, 5), (3, 10)])
    with pytest.raises(PromotionInvalid):
        services.promotion_update(promotion=promotion, data={"discount_class": "order"})
    assert list(PromotionTier.objects.filter(promotion=promotion).values_list("min_quantity", flat=True)) == [3]


def test_promotion_update_replaces_tiers_in_ascending_order_and_switching_benefit_drops_them():
    promotion = services.promotion_create(name="T", discount_class="product", benefit_type="quantity_tiers",
                                          tiers=[(3, 5)])
    services.promotion_update(promotion=promotion, data={}, tiers=[(6, 15), (2, 5)])
    assert list(promotion.tiers.values_list("min_quantity", "percent")) == [(2, Decimal("5")), (6, Decimal("15"))]

    services.promotion_update(promotion=promotion, data={"benefit_type": "percentage", "percent": 10})
    assert promotion.tiers.count() == 0


def test_promotion_update_of_a_live_promotion_moves_it_to_scheduled_when_its_start_moves_ahead():
    promotion = PromotionFactory()
    services.promotion_update(promotion=promotion, data={"valid_from": NOW + datetime.timedelta(days=2)})
    promotion.refresh_from_db()
    assert promotion.status == Promotion.Status.SCHEDULED
    [updated] = _events("promotions.promotion.updated")
    assert updated.payload["changes"]["status"] == ["active", "scheduled"]


def test_promotion_update_refuses_an_archived_promotion():
    promotion = PromotionFactory(status=Promotion.Status.ARCHIVED)
    with pytest.raises(InvalidTransition):
        services.promotion_update(promotion=promotion, data={"name": "Back"})


def test_promotion_update_unknown_promotion_is_not_found():
    with pytest.raises(PromotionNotFound):
        services.promotion_update(promotion=424242, data={})


def test_promotion_activate_makes_it_active_now_or_scheduled_by_its_start():
    now_one = services.promotion_create(name="Now", discount_class="order", benefit_type="percentage", percent=5)
    later = services.promotion_create(name="Later", discount_class="order", benefit_type="percentage", percent=5,
                                      valid_from=NOW + datetime.timedelta(days=1))

    services.promotion_activate(promotion=now_one)
    services.promotion_activate(promotion=later.pk)

    now_one.refresh_from_db()
    later.refresh_from_db()
    assert (now_one.status, later.status) == ("active", "scheduled")
    assert now_one.activated_at is not None
    payloads = [(e.stream_id, e.payload["status"], e.payload["previous_status"]) for e in _events("promotions.promotion.activated")]
    assert payloads == [(str(now_one.pk), "active", "draft"), (str(later.pk), "scheduled", "draft")]


def test_promotion_activate_is_a_no_op_when_already_live():
    promotion = PromotionFactory()
    set_up = last_event_id()
    services.promotion_activate(promotion=promotion)
    assert not events("promotions.promotion.activated", after=set_up)


@pytest.mark.parametrize("status", ["expired", "archived"])
def test_promotion_activate_refuses_expired_and_archived(status):
    promotion = PromotionFactory(status=status)
    with pytest.raises(InvalidTransition) as refused:
        services.promotion_activate(promotion=promotion)
    assert refused.value.code == "invalid_transition" and refused.value.status_code == 409
    promotion.refresh_from_db()
    assert promotion.status == status


def test_promotion_activate_refuses_a_window_already_past():
    promotion = PromotionFactory(draft=True, valid_from=NOW - datetime.timedelta(days=3),
                                 valid_to=NOW - datetime.timedelta(days=1))
    with pytest.raises(InvalidTransition):
        services.promotion_activate(promotion=promotion)


def test_promotion_activate_checks_the_parameters_again():
    promotion = PromotionFactory(draft=True, bundle=True, targets=[ProductFactory()])
    promotion.target_products.clear()  # a bundle without target products, which the services would refuse to write
    with pytest.raises(PromotionInvalid) as refused:
        services.promotion_activate(promotion=promotion)
    assert "target_products" in refused.value.fields


def test_promotion_deactivate_stops_a_live_promotion_and_records_it():
    promotion = PromotionFactory()
    services.promotion_deactivate(promotion=promotion)
    promotion.refresh_from_db()
    assert promotion.status == "inactive" and promotion.deactivated_at is not None
    [event] = _events("promotions.promotion.deactivated")
    assert event.payload["previous_status"] == "active"
    # and it can be activated again
    services.promotion_activate(promotion=promotion)
    promotion.refresh_from_db()
    assert promotion.status == "active"


def test_promotion_deactivate_refuses_an_expired_promotion():
    with pytest.raises(InvalidTransition):
        services.promotion_deactivate(promotion=PromotionFactory(status="expired"))


def test_promotion_delete_removes_a_promotion_never_redeemed():
    promotion = PromotionFactory()
    CouponFactory(promotion=promotion)
    services.promotion_delete(promotion=promotion)
    assert not Promotion.objects.filter(pk=promotion.pk).exists()
    assert Coupon.objects.count() == 0
    [event] = _events("promotions.promotion.deleted")
    assert event.payload["archived"] is False


def test_promotion_delete_archives_a_redeemed_promotion_and_invalidates_its_coupons():
    from orders.services import cart as cart_services
    from orders.services.checkout import order_create_from_cart
    from tests.orders.factories import customer_with_address, filled_cart, stocked_product

    promotion = PromotionFactory(requires_coupon=True)
    CouponFactory(code="USEDONE", promotion=promotion, max_uses=None)
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="10.00"), 1)])
    cart_services.cart_apply_coupon(cart=cart, code="USEDONE")
    order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")

    services.promotion_delete(promotion=promotion)

    promotion.refresh_from_db()
    assert promotion.status == "archived"
    assert Coupon.objects.get(code="USEDONE").status == "invalidated"
    [event] = _events("promotions.promotion.deleted")
    assert event.payload["archived"] is True
