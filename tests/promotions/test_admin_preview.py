"""The promotion editor's preview: the promotion as entered in words, checked as saving checks it,
nothing saved; a refusal on its field."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commerce.audit.models import DomainEvent
from promotions import services
from promotions.models import Promotion
from tests.factories import admin_form_data, category
from tests.promotions.factories import SegmentFactory

pytestmark = pytest.mark.django_db

ADD = "admin:promotions_promotion_add"


def test_preview_shows_the_new_promotion_in_words_and_saves_nothing(client, admin_merchandiser):
    cheese, regulars = category("Cheese"), SegmentFactory(name="Regulars")
    page = client.get(reverse(ADD))
    assert 'name="_preview"' in page.content.decode()
    events_before = DomainEvent.objects.count()

    response = client.post(reverse(ADD), {**admin_form_data(
        page, name="Cheese week", discount_class="product", benefit_type="percentage", percent="15",
        target_categories=[str(cheese.pk)], segments=[str(regulars.pk)]), "_preview": "Preview in words"})

    assert response.status_code == 200
    assert response.context["preview"][:2] == ["15 % off Cheese (category).", "For customers in Regulars."]
    html = response.content.decode()
    assert 'id="promotion-preview"' in html and "<p>15 % off Cheese (category).</p>" in html
    assert 'value="Cheese week"' in html  # the form comes back as entered
    assert "errornote" not in html
    assert not Promotion.objects.exists() and DomainEvent.objects.count() == events_before


def test_preview_puts_the_services_refusal_on_its_field(client, admin_merchandiser):
    page = client.get(reverse(ADD))

    response = client.post(reverse(ADD), {**admin_form_data(
        page, name="Two for one", discount_class="order", benefit_type="buy_x_get_y", buy_quantity="1",
        get_quantity="1"), "_preview": "1"})

    assert response.status_code == 200 and response.context["preview"] == []
    form = response.context["adminform"].form
    assert form.errors["discount_class"] == ["A buy x get y promotion is a product discount."]
    html = response.content.decode()
    assert "errornote" in html and 'id="promotion-preview"' not in html
    assert not Promotion.objects.exists()


def test_preview_of_a_form_error_shows_the_error_not_the_words(client, admin_merchandiser):
    page = client.get(reverse(ADD))

    response = client.post(reverse(ADD), {**admin_form_data(
        page, name="", discount_class="order", benefit_type="percentage", percent="10"), "_preview": "1"})

    assert response.status_code == 200 and response.context["preview"] == []
    assert "name" in response.context["adminform"].form.errors


def test_preview_of_a_saved_promotion_shows_the_change_before_it_is_saved(client, admin_merchandiser):
    promotion = services.promotion_create(name="Tiers", discount_class="product", benefit_type="quantity_tiers",
                                          tiers=[(5, Decimal(5))])
    url = reverse("admin:promotions_promotion_change", args=[promotion.pk])
    page = client.get(url)

    response = client.post(url, {**admin_form_data(page, benefit_type="fixed_amount", amount="3.00"), "_preview": "1"})

    assert response.context["preview"][0] == "3.00 EUR off every product, once per cart."
    promotion.refresh_from_db()
    assert promotion.benefit_type == "quantity_tiers" and promotion.tiers.count() == 1  # unchanged


def test_preview_of_unchanged_tiers_says_the_saved_tiers(client, admin_merchandiser):
    promotion = services.promotion_create(name="Tiers", discount_class="product", benefit_type="quantity_tiers",
                                          tiers=[(5, Decimal(5)), (10, Decimal(10))])
    url = reverse("admin:promotions_promotion_change", args=[promotion.pk])

    response = client.post(url, {**admin_form_data(client.get(url)), "_preview": "1"})

    assert response.context["preview"][0] == "Volume discount on every product: 5 % from 5 units, 10 % from 10 units."
