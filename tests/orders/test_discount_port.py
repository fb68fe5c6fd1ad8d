"""The discount port: orders declares it, the promotions app wires its provider in one place."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from orders import discounts
from orders.discounts import DiscountProvider, NoDiscounts, discount_provider, register_discount_provider
from promotions.provider import PromotionDiscounts


def test_the_promotions_app_wires_its_provider_at_start_up():
    provider = discount_provider()

    assert type(provider) is PromotionDiscounts and isinstance(provider, DiscountProvider)


def test_the_setting_overrides_the_wired_provider(settings):
    settings.ORDERS_DISCOUNT_PROVIDER = "orders.discounts.NoDiscounts"

    assert type(discount_provider()) is NoDiscounts


def test_without_a_wired_provider_nothing_is_discounted(monkeypatch):
    monkeypatch.setattr(discounts, "_registered", None)

    assert type(discount_provider()) is NoDiscounts


def test_an_object_that_does_not_implement_the_port_is_refused(monkeypatch):
    monkeypatch.setattr(discounts, "_registered", None)

    class PriceOnly:
        def price(self, snapshot):
            return discounts.DiscountResult()

    with pytest.raises(ImproperlyConfigured, match="does not implement"):
        register_discount_provider(PriceOnly())
    assert discounts._registered is None


def test_a_second_provider_of_another_kind_is_refused(monkeypatch):
    monkeypatch.setattr(discounts, "_registered", PromotionDiscounts())

    with pytest.raises(ImproperlyConfigured, match="registered already"):
        register_discount_provider(NoDiscounts())
    register_discount_provider(PromotionDiscounts())  # the same kind again (a second ready()) is harmless
    assert type(discounts._registered) is PromotionDiscounts
