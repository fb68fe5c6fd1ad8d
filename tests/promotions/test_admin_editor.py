"""The promotion editor as a merchandiser uses it: only the chosen benefit's fields count, the saved
promotion says what it does in words, each refusal sits on its field, and no input is a 500."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from promotions import services
from promotions.models import Promotion
from promotions.wording import Terms, sentences
from tests.factories import ProductFactory, admin_form_data, category, events
from tests.promotions.factories import SegmentFactory

pytestmark = pytest.mark.django_db

ADD = "admin:promotions_promotion_add"


def change_url(promotion) -> str:
    return reverse("admin:promotions_promotion_change", args=[promotion.pk])


# --- the words -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "terms, first",
    [
        (Terms(benefit_type="percentage", discount_class="product", percent=Decimal("10.00"),
               categories=["Cheese"], products=["Gouda 500 g"]), "10 % off Cheese (category) and Gouda 500 g."),
        (Terms(benefit_type="percentage", discount_class="order", percent=Decimal("12.50")), "12.5 % off the order."),
        (Terms(benefit_type="fixed_amount", discount_class="shipping", amount=Decimal("2.00")), "2.00 EUR off shipping."),
        (Terms(benefit_type="buy_x_get_y", discount_class="product", buy_quantity=2, get_quantity=1,
               products=["Tea"]), "Buy 2 of Tea, get 1 of them free."),
        (Terms(benefit_type="buy_x_get_y", discount_class="product", buy_quantity=1, get_quantity=1,
               get_percent=Decimal(50), get_products=["Cup"]), "Buy 1 of every product, get 1 of Cup at 50 % off."),
        (Terms(benefit_type="quantity_tiers", discount_class="product", tiers=[(10, Decimal(10)), (5, Decimal(5))]),
         "Volume discount on every product: 5 % from 5 units, 10 % from 10 units."),
        (Terms(benefit_type="bundle_price", discount_class="product", bundle_quantity=3, amount=Decimal("9.99"),
               products=["A", "B", "C", "D", "E", "F"]), "Any 3 of A, B, C, D and 2 more for 9.99 EUR."),
        (Terms(benefit_type="free_shipping", discount_class="shipping"), "Free shipping."),
    ],
)
def test_sentences_say_the_benefit_first(terms, first):
    assert sentences(terms)[0] == first


def test_sentences_say_who_when_how_it_combines_and_its_limits():
    start = timezone.make_aware(datetime.datetime(2027, 12, 1, 9, 0))
    terms = Terms(benefit_type="percentage", discount_class="product", percent=Decimal(10), segments=["Regulars"],
                  min_subtotal=Decimal("20.00"), min_quantity=2, valid_from=start,
                  valid_to=start + datetime.timedelta(days=23), requires_coupon=True, combines_with=["order", "shipping"],
                  usage_limit=100, usage_limit_per_customer=1)

    assert sentences(terms)[1:] == [
        "For customers in Regulars.",
        "On carts from 20.00 EUR and with at least 2 qualifying units.",
        "From 2027-12-01 09:00 until 2027-12-24 09:00.",
        "Needs a coupon.",
        "Combines with order discounts and shipping discounts.",
        "At most 100 orders in all, 1 per customer.",
    ]
    assert sentences(Terms(benefit_type="free_shipping", discount_class="shipping", exclusive=True))[1:] == [
        "Applies alone: never with another promotion."]


# --- the page ------------------------------------------------------------------------------------------
def test_the_promotion_page_says_what_it_does_in_words(client, admin_merchandiser):
    cheese = category("Cheese")
    promotion = services.promotion_create(name="Cheese week", discount_class="product", benefit_type="percentage",
                                          percent=Decimal(15), target_categories=[cheese],
                                          segments=[SegmentFactory(name="Regulars")])

    html = client.get(change_url(promotion)).content.decode()

    assert "<p>15 % off Cheese (category).</p>" in html and "<p>For customers in Regulars.</p>" in html
    assert 'name="benefit_type" value="percentage"' in html  # radios: the stylesheet shows the checked one's fields
    assert "css/admin-promotion.css" in html


def test_fields_of_another_benefit_left_in_the_hidden_rows_are_not_saved(client, admin_merchandiser):
    gift = ProductFactory()
    page = client.get(reverse(ADD))

    response = client.post(reverse(ADD), admin_form_data(
        page, name="Two for one", discount_class="product", benefit_type="buy_x_get_y", buy_quantity="1",
        get_quantity="1", percent="30", amount="5.00", bundle_quantity="3", get_products=[str(gift.pk)],
    ))

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    promotion = Promotion.objects.get(name="Two for one")
    assert promotion.percent is None and promotion.amount is None and promotion.bundle_quantity is None
    assert list(promotion.get_products.all()) == [gift]


def test_changing_the_benefit_type_empties_the_old_types_fields(client, admin_merchandiser):
    promotion = services.promotion_create(name="Ten off", discount_class="order", benefit_type="percentage",
                                          percent=Decimal(10))
    page = client.get(change_url(promotion))

    response = client.post(change_url(promotion), admin_form_data(page, benefit_type="fixed_amount", amount="5.00"))

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    promotion.refresh_from_db()
    assert promotion.benefit_type == "fixed_amount" and promotion.amount == Decimal("5.00") and promotion.percent is None
    [updated] = events("promotions.promotion.updated")
    assert set(updated.payload["changes"]) == {"benefit_type", "amount", "percent"}


def test_tier_rows_left_when_the_type_is_not_tiers_are_dropped_not_refused(client, admin_merchandiser):
    page = client.get(reverse(ADD))
    data = admin_form_data(page, name="Plain", discount_class="order", benefit_type="percentage", percent="5")
    data.update({"tiers-TOTAL_FORMS": "1", "tiers-0-min_quantity": "5", "tiers-0-percent": "5"})

    response = client.post(reverse(ADD), data)

    assert response.status_code == 302
    assert not Promotion.objects.get(name="Plain").tiers.exists()


HOSTILE = ["1e999", "٣", "x" * 300, "9" * 400]


@pytest.mark.parametrize("field", ["percent", "get_percent", "priority", "min_subtotal", "valid_from_0", "campaign",
                                   "benefit_type", "target_products", "target_categories", "segments",
                                   "tiers-0-percent", "tiers-0-min_quantity"])
def test_no_input_on_the_promotion_form_is_a_server_error(client, admin_merchandiser, field):
    page = client.get(reverse(ADD))
    base = admin_form_data(page, name="Fuzz", discount_class="product", benefit_type="quantity_tiers",
                           **{"tiers-TOTAL_FORMS": "1", "tiers-0-min_quantity": "5", "tiers-0-percent": "5"})
    for value in HOSTILE:
        response = client.post(reverse(ADD), {**base, field: value})

        assert response.status_code in (200, 302), (field, value)
        if response.status_code == 200:
            assert not Promotion.objects.exists()
        Promotion.objects.all().delete()
