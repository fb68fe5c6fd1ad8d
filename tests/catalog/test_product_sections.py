"""The product page's sections port and its one JSON-LD Product (commerce.catalog.product_sections)."""

import json
import re

import pytest
from django.utils.html import format_html

from commerce.catalog import product_sections
from commerce.catalog.product_sections import ProductSection
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def isolated_sections():
    with product_sections.providers.isolated():
        yield


def _product_ld(response) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_page_has_one_product_object_with_its_offer(client, isolated_sections):
    product = ProductFactory(name="Comté 18 months", price_amount="12.50")
    data = _product_ld(client.get(product.get_absolute_url()))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert data["name"] == "Comté 18 months" and data["sku"] == product.code
    assert data["offers"] == {
        "@type": "Offer", "price": "12.50", "priceCurrency": product.price_currency,
        "availability": "https://schema.org/OutOfStock", "url": f"http://testserver{product.get_absolute_url()}",
    }
    assert "aggregateRating" not in data


def test_sections_render_in_order_and_add_to_the_product_object(client, isolated_sections):
    product_sections.register("second", lambda *, request, product: ProductSection(html=format_html("<p>{}</p>", "two")), order=20)
    product_sections.register(
        "first",
        lambda *, request, product: ProductSection(html=format_html("<p>{}</p>", "one"), structured_data={"aggregateRating": {"@type": "AggregateRating", "ratingValue": "4.5"}}),
        order=10,
    )
    product_sections.register("nothing", lambda *, request, product: None)
    body = client.get(ProductFactory().get_absolute_url()).content.decode()
    assert body.index("<p>one</p>") < body.index("<p>two</p>")
    assert _product_ld(client.get(ProductFactory().get_absolute_url()))["aggregateRating"]["ratingValue"] == "4.5"


def test_a_failing_section_is_left_out_not_a_500(client, isolated_sections, caplog):
    def broken(*, request, product):
        raise RuntimeError("bug in an app")

    product_sections.register("broken", broken)
    product_sections.register("fine", lambda *, request, product: ProductSection(html=format_html("<p>{}</p>", "fine")))
    response = client.get(ProductFactory().get_absolute_url())
    assert response.status_code == 200 and "<p>fine</p>" in response.content.decode()
    assert "product section 'broken' failed" in caplog.text


def test_text_cannot_close_the_script(client, isolated_sections):
    product = ProductFactory(name="</script><script>alert(1)</script> & more", description="<b>bold</b>")
    body = client.get(product.get_absolute_url()).content.decode()
    script = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)[0]
    assert "<" not in script and ">" not in script
    assert json.loads(script)["name"] == "</script><script>alert(1)</script> & more"
