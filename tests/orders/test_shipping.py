"""Delivery promises: shipping methods priced through the pricing pipeline, their delivery windows,
chosen on the cart and checkout pages and through the API, kept on the order and read by logistics."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent
from orders import selectors
from orders.errors import PaymentDeclined, ShippingMethodInvalid
from orders.models import Order, ShippingMethod
from orders.services.checkout import checkout_place_and_pay, order_create_from_cart
from orders.services.lifecycle import order_allocate, order_mark_ready, order_ship
from orders.shipping.estimates import DeliveryRule, delivery_window
from orders.shipping.selectors import promised_delivery
from orders.shipping.services import cart_choose_shipping_method, shipping_holiday_save, shipping_method_save
from tests.factories import UserFactory
from tests.orders.factories import DECLINED_CARD, checkout_form_data, customer_with_address, filled_cart, stocked_product
from tests.promotions.factories import PromotionFactory

MON = datetime.date(2026, 12, 7)  # a Monday
STANDARD = DeliveryRule(cutoff=datetime.time(14), processing_days=1, transit_days_min=2, transit_days_max=3)


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour))


# --- the date arithmetic (pure) ---------------------------------------------------------------------------
def test_before_the_cutoff_processing_starts_the_same_day():
    window = delivery_window(STANDARD, placed_at=at(MON, 10))
    assert window.ships_on == MON + datetime.timedelta(days=1)  # Tuesday, after one processing day
    assert (window.earliest, window.latest) == (MON + datetime.timedelta(days=3), MON + datetime.timedelta(days=4))  # Thu, Fri


def test_after_the_cutoff_it_starts_the_next_working_day_and_skips_the_weekend():
    window = delivery_window(STANDARD, placed_at=at(MON + datetime.timedelta(days=3), 15))  # Thursday 15:00
    assert window.ships_on == MON + datetime.timedelta(days=7)  # starts Friday, ships Monday
    assert window.earliest == MON + datetime.timedelta(days=9)  # Wednesday
    assert window.latest == MON + datetime.timedelta(days=10)  # Thursday


def test_holidays_are_skipped_and_saturday_delivery_counts_saturdays():
    express = DeliveryRule(cutoff=datetime.time(16), processing_days=0, transit_days_min=1, transit_days_max=1,
                           saturday_delivery=True)
    friday = MON + datetime.timedelta(days=4)
    assert delivery_window(express, placed_at=at(friday, 9)).earliest == friday + datetime.timedelta(days=1)  # Saturday
    assert delivery_window(express, placed_at=at(MON, 9), holidays={MON + datetime.timedelta(days=1)}).earliest == \
        MON + datetime.timedelta(days=2)
    christmas = datetime.date(2026, 12, 25)  # a Friday
    window = delivery_window(STANDARD, placed_at=at(christmas - datetime.timedelta(days=1), 15), holidays={christmas})
    assert window.ships_on == datetime.date(2026, 12, 29)  # starts Monday 28th, ships Tuesday


@given(day=st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2028, 12, 31)), hour=st.integers(0, 23),
       processing=st.integers(0, 5), low=st.integers(0, 6), extra=st.integers(0, 4), saturday=st.booleans())
def test_a_window_never_starts_before_the_order_nor_lands_on_a_sunday_or_holiday(day, hour, processing, low, extra, saturday):
    holidays = {datetime.date(day.year, 12, 25), datetime.date(day.year, 1, 1)}
    rule = DeliveryRule(cutoff=datetime.time(14), processing_days=processing, transit_days_min=low,
                        transit_days_max=low + extra, saturday_delivery=saturday)
    window = delivery_window(rule, placed_at=at(day, hour), holidays=holidays)
    assert day <= window.ships_on <= window.earliest <= window.latest
    assert window.ships_on.weekday() < 5 and window.ships_on not in holidays
    for date in (window.earliest, window.latest):
        assert date.weekday() != 6 and date not in holidays
        assert saturday or date.weekday() < 5 or date == window.ships_on


# --- methods in the pricing --------------------------------------------------------------------------------
def _methods():
    standard = shipping_method_save(code="standard", name="Standard", price_amount=Decimal("4.90"), currency="EUR",
                                    free_over_amount=Decimal("50.00"), is_default=True, position=1)
    express = shipping_method_save(code="express", name="Express", price_amount=Decimal("12.90"), currency="EUR",
                                   processing_days=0, transit_days_min=1, transit_days_max=1, position=2)
    return standard, express


@pytest.mark.django_db
def test_the_cart_is_priced_with_its_method_and_free_from_its_threshold():
    _methods()
    customer, _ = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="10.00"), 2)])
    pricing = selectors.cart_summary(cart=cart)
    assert pricing.shipping_option.code == "standard" and pricing.shipping.amount == Decimal("4.90")
    assert pricing.free_shipping_missing.amount == Decimal("30.00")
    cart = cart_choose_shipping_method(cart=cart, code="express")
    pricing = selectors.cart_summary(cart=cart)
    assert pricing.shipping.amount == Decimal("12.90") and pricing.free_shipping_missing is None  # never free
    assert pricing.total.amount == Decimal("32.90")
    assert DomainEvent.objects.filter(event_type="orders.cart.shipping_method_chosen").count() == 1


@pytest.mark.django_db
def test_a_free_shipping_promotion_takes_the_methods_price_off():
    _methods()
    PromotionFactory(free_shipping=True)
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="10.00"), 2)])
    cart_choose_shipping_method(cart=cart, code="express")
    order = order_create_from_cart(customer=customer, address_id=address.pk, payment_method="cod")
    assert (order.shipping_amount, order.shipping_discount_amount, order.total_amount) == \
        (Decimal("12.90"), Decimal("12.90"), Decimal("20.00"))


@pytest.mark.django_db
def test_the_order_keeps_the_method_and_the_window_promised_and_logistics_can_read_it():
    _methods()
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(price="10.00"), 1)])
    order = order_create_from_cart(customer=customer, address_id=address.pk, payment_method="cod", shipping_method="express")
    assert order.shipping_method_code == "express" and order.shipping_amount == Decimal("12.90")
    assert order.delivery_earliest is not None and order.delivery_earliest == order.delivery_latest
    created = DomainEvent.objects.get(event_type="orders.order.created")
    assert created.payload["shipping_method"] == "express"
    assert created.payload["delivery_promise"]["earliest"] == order.delivery_earliest.isoformat()
    # a later change of the method does not move what was promised
    shipping_method_save(method=ShippingMethod.objects.get(code="express"), transit_days_min=5, transit_days_max=6)
    promised = promised_delivery(order_ids=[order.pk, 0])
    assert list(promised) == [order.pk] and promised[order.pk].earliest == order.delivery_earliest


@pytest.mark.django_db
def test_an_unknown_or_inactive_method_is_refused_and_changes_nothing():
    _, express = _methods()
    shipping_method_save(method=express, is_active=False)
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(), 1)])
    for code in ("express", "nope", ""):
        with pytest.raises(ShippingMethodInvalid):
            cart_choose_shipping_method(cart=cart, code=code)
    with pytest.raises(ShippingMethodInvalid):
        checkout_place_and_pay(customer=customer, address_id=address.pk, payment_method="cod", shipping_method="express")
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_declined_checkout_puts_the_items_back_with_the_chosen_method_while_it_is_offered():
    # given: a cart on express, checked out with a declined card
    _, express = _methods()
    customer, address = customer_with_address()
    cart_choose_shipping_method(cart=filled_cart(customer, [(stocked_product(price="10.00"), 2)]), code="express")

    def decline(key):
        with pytest.raises(PaymentDeclined):
            checkout_place_and_pay(customer=customer, address_id=address.pk, payment_method="card", card=DECLINED_CARD,
                                   idempotency_key=key)

    decline("declined-1")

    # then: the cart the items went back to is still on express, at express's price (the shopper saw 32.90)
    pricing = selectors.cart_summary(cart=selectors.cart_find(customer=customer))
    assert pricing.shipping_option.code == "express" and pricing.total.amount == Decimal("32.90")

    # and: a method withdrawn meanwhile is not restored; the default prices the cart, the void goes through
    shipping_method_save(method=express, is_active=False)
    decline("declined-2")
    pricing = selectors.cart_summary(cart=selectors.cart_find(customer=customer))
    assert pricing.shipping_option.code == "standard" and pricing.total.amount == Decimal("24.90")


@pytest.mark.django_db
def test_only_one_default_and_transit_range_checked():
    standard, express = _methods()
    shipping_method_save(method=express, is_default=True)
    assert list(ShippingMethod.objects.filter(is_default=True)) == [express]
    with pytest.raises(ShippingMethodInvalid):
        shipping_method_save(method=standard, transit_days_min=4, transit_days_max=2)


@pytest.mark.django_db
def test_a_holiday_moves_the_estimate():
    standard, _ = _methods()
    customer, _ = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(), 1)])
    before = selectors.cart_summary(cart=cart).shipping_option.window
    shipping_holiday_save(date=before.ships_on, name="Closed")
    after = selectors.cart_summary(cart=cart).shipping_option.window
    assert after.ships_on > before.ships_on


# --- the pages ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_cart_page_offers_the_methods_with_estimates_and_the_free_shipping_hint(shopper):
    _methods()
    filled_cart(shopper.customer, [(stocked_product(price="10.00"), 2)])
    html = shopper.get(reverse("orders:cart")).content.decode()
    assert 'id="shipping-choice"' in html and "Standard" in html and "Express" in html
    assert html.count("delivery-estimate") >= 2 and "Arrives" in html
    assert re.search(r'id="free-shipping-hint">Add <strong>30.00 EUR</strong> more for free shipping', html)

    response = shopper.post(reverse("orders:cart_shipping"), {"shipping_method": "express", "next": reverse("orders:checkout")})
    assert response.url == reverse("orders:checkout")
    checkout = shopper.get(reverse("orders:checkout")).content.decode()
    assert "32.90 EUR" in checkout and 'id="checkout-delivery"' in checkout
    bad = shopper.post(reverse("orders:cart_shipping"), {"shipping_method": "teleport"})
    assert bad.status_code == 302 and selectors.cart_summary(cart=selectors.cart_find(customer=shopper.customer)).shipping_option.code == "express"


@pytest.mark.django_db
def test_checkout_page_places_the_order_with_the_chosen_method_and_the_order_page_shows_it(shopper, django_capture_on_commit_callbacks):
    _methods()
    filled_cart(shopper.customer, [(stocked_product(price="10.00"), 2)])
    shopper.post(reverse("orders:cart_shipping"), {"shipping_method": "express"})
    with django_capture_on_commit_callbacks(execute=True):
        shopper.post(reverse("orders:checkout"), checkout_form_data(shopper))
    order = Order.objects.get()
    assert order.shipping_method_code == "express" and order.total_amount == Decimal("32.90")
    with django_capture_on_commit_callbacks(execute=True):
        order_allocate(order=order)
        order_mark_ready(order=order)
        order_ship(order=order, carrier="Colissimo", tracking_number="6A123")
    page = shopper.get(order.get_absolute_url()).content.decode()
    assert 'id="delivery-promise"' in page and "Express" in page
    assert re.search(r'<a href="https://www.laposte.fr/[^"]*6A123"[^>]*id="tracking-link">6A123</a>', page)
    from commerce.mail.models import Mail

    confirmation = Mail.objects.get(key=f"orders.order.confirmed:{order.number}")
    assert "Delivery: Express, expected" in confirmation.body_text


@pytest.mark.django_db
def test_without_methods_the_flat_rate_still_applies(shopper):
    filled_cart(shopper.customer, [(stocked_product(price="10.00"), 2)])
    pricing = selectors.cart_summary(cart=selectors.cart_find(customer=shopper.customer))
    assert pricing.shipping_option is None and pricing.shipping.amount == Decimal("4.90")
    assert pricing.free_shipping_missing.amount == Decimal("30.00")
    assert 'id="shipping-choice"' not in shopper.get(reverse("orders:cart")).content.decode()


# --- the API -----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_api_lists_methods_sets_the_carts_and_checks_out_with_one():
    _methods()
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(price="10.00"), 2)])
    api = APIClient()
    listed = api.get("/api/v1/shipping-methods/").json()
    assert [m["code"] for m in listed] == ["standard", "express"]
    assert listed[0]["price"] == {"amount": "4.90", "currency": "EUR"} and listed[0]["window"]["earliest"]
    api.force_authenticate(customer)
    cart = api.get("/api/v1/cart/").json()
    assert cart["shipping_method"]["code"] == "standard" and cart["free_shipping_missing"]["amount"] == "30.00"
    changed = api.put("/api/v1/cart/shipping-method/", {"shipping_method": "express"}, format="json")
    assert changed.status_code == 200 and changed.json()["shipping"]["amount"] == "12.90"
    bad = api.put("/api/v1/cart/shipping-method/", {"shipping_method": "nope"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "shipping_method_invalid"
    placed = api.post("/api/v1/checkout/", {"address_id": address.pk, "payment_method": "cod", "shipping_method": "standard",
                                            "expected_total": "24.90"}, format="json")
    assert placed.status_code == 201, placed.json()
    body = placed.json()
    assert body["shipping_method"] == "standard" and body["delivery_earliest"] and body["tracking_url"] is None


# --- the admin ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_admin_saves_a_method_through_the_service(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:orders_shippingmethod_add"), {
        "name": "Pickup", "code": "pickup", "description": "", "is_active": "on", "position": "4",
        "price_amount": "0.00", "currency": "EUR", "free_over_amount": "", "cutoff_time": "12:00:00",
        "processing_days": "1", "transit_days_min": "0", "transit_days_max": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ShippingMethod.objects.get(code="pickup").price_amount == Decimal("0.00")
    assert DomainEvent.objects.filter(event_type="orders.shipping_method.saved", payload__code="pickup").count() == 1
    assert client.get(reverse("admin:orders_shippingmethod_changelist")).status_code == 200


# --- logistics plans on the promised day -------------------------------------------------------------------
@pytest.mark.django_db
def test_logistics_schedules_the_delivery_on_the_day_promised():
    from django.utils import timezone

    from commerce.accounts.services import address_create
    from logistics import services as logistics_services
    from orders.services.payments import order_pay
    from tests.logistics.factories import centre

    centre()  # open every day
    shipping_method_save(code="economy", name="Economy", price_amount=Decimal("2.90"), currency="EUR", processing_days=2,
                         transit_days_min=3, transit_days_max=5, is_default=True)
    customer, _ = customer_with_address()
    address = address_create(customer=customer, recipient="Camille", street="5 Rue Garibaldi", city="Lyon", zip_code="69003",
                             country="FR", latitude=Decimal("45.76"), longitude=Decimal("4.86"))
    filled_cart(customer, [(stocked_product(quantity=5), 1)])
    order = order_create_from_cart(customer=customer, address_id=address.pk, payment_method="cod")
    order_pay(order=order.pk, customer=customer)
    order_allocate(order=order)
    order_mark_ready(order=order)
    [facts] = selectors.order_shipping_facts(order_ids=[order.pk])
    assert facts.delivery_earliest == order.delivery_earliest > timezone.localdate() + datetime.timedelta(days=1)

    delivery, _ = logistics_services.delivery_create_from_order(order_id=order.pk)

    assert delivery.date == order.delivery_earliest  # not tomorrow: the day the shopper was promised
    assert facts.plan_after(timezone.localdate()) == order.delivery_earliest - datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_cart_page_reads_the_methods_once_whatever_their_number(shopper):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _methods()
    filled_cart(shopper.customer, [(stocked_product(price="10.00"), 2)])
    shopper.get(reverse("orders:cart"))  # warm the session
    with CaptureQueriesContext(connection) as two:
        shopper.get(reverse("orders:cart"))
    shipping_method_save(code="economy", name="Economy", price_amount=Decimal("2.90"), currency="EUR")
    shipping_holiday_save(date=MON, name="Closed")
    with CaptureQueriesContext(connection) as three:
        html = shopper.get(reverse("orders:cart")).content.decode()
    assert "Economy" in html
    assert len(three) == len(two)
    assert sum("orders_shippingmethod" in q["sql"] for q in three.captured_queries) == 1
