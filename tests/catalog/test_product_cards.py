"""The product card port: extras of several providers, in order, and a failing one left out."""

import pytest
from django.utils.html import format_html

from commerce.catalog import product_cards


@pytest.fixture
def providers():
    with product_cards.providers.isolated():
        yield


class _Product:
    def __init__(self, pk):
        self.pk = pk


def test_extras_come_in_order_for_every_card_and_a_failing_provider_is_left_out(providers):
    calls = []

    def second(*, product_ids):
        calls.append(list(product_ids))
        return {1: format_html("<i>{}</i>", "b"), 99: format_html("stray")}

    def first(*, product_ids):
        return {1: format_html("<i>{}</i>", "a"), 2: format_html("<i>{}</i>", "<x>")}

    def broken(*, product_ids):
        raise RuntimeError("down")

    product_cards.register("second", second, order=20)
    product_cards.register("first", first, order=10)
    product_cards.register("broken", broken, order=15)
    products = [_Product(1), _Product(2), _Product(3), _Product(1)]

    product_cards.annotate(products)

    assert product_cards.registered() == ["first", "broken", "second"]
    assert calls == [[1, 2, 3]]  # one call for the page, each product once
    assert [str(x) for x in products[0].card_extras] == ["<i>a</i>", "<i>b</i>"]
    assert [str(x) for x in products[1].card_extras] == ["<i>&lt;x&gt;</i>"]
    assert products[2].card_extras == []
    assert product_cards.extras_for([]) == {}
