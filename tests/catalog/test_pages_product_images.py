"""Product pictures on the shop pages: responsive, lazy, sized, described; the tile only without one."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.catalog.factories import add_picture
from tests.factories import ProductFactory, category

pytestmark = pytest.mark.django_db

LIST_URL = reverse("catalog:product_list")


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "a":
            self.links.append(dict(attrs))


def parsed(response) -> _Images:
    parser = _Images()
    parser.feed(response.content.decode())
    return parser


def test_a_card_shows_the_cover_picture_responsive_and_lazy(client):
    product = ProductFactory(name="Red mug")
    cover = add_picture(product, width=1200, height=900, alt_text="A red mug")
    add_picture(product, width=400, height=400)
    ProductFactory(name="Plain jar")

    response = client.get(LIST_URL)

    [img] = parsed(response).images
    assert img["srcset"] == cover.srcset()
    assert [part.rsplit(" ", 1)[1] for part in img["srcset"].split(", ")] == ["160w", "320w", "640w", "1024w"]
    assert img["src"] == cover.rendition(320)["url"]
    assert (img["width"], img["height"]) == ("320", "240")
    assert img["alt"] == "A red mug"
    assert (img["loading"], img["decoding"]) == ("lazy", "async")
    assert "240px" in img["sizes"]
    html = response.content.decode()
    assert html.count('class="placeholder"') == 1  # the letter tile only for the jar


def test_search_results_show_pictures_too(client):
    product = ProductFactory(name="Blue teapot")
    add_picture(product, width=800, height=800, alt_text="Teapot")

    response = client.get(LIST_URL, {"q": "teapot"})

    assert [img["alt"] for img in parsed(response).images] == ["Teapot"]


def test_the_product_page_has_a_gallery_that_works_without_javascript(client):
    product = ProductFactory(name="Desk lamp")
    first = add_picture(product, width=1600, height=1200, alt_text="")
    second = add_picture(product, width=900, height=1200, alt_text='Lamp <script>alert("x")</script> switched on')

    response = client.get(product.get_absolute_url())

    page = parsed(response)
    slides = [img for img in page.images if "64px" not in img["sizes"]]
    thumbs = [img for img in page.images if img["sizes"] == "64px"]
    assert [img["srcset"] for img in slides] == [first.srcset(), second.srcset()]
    assert [img["alt"] for img in slides] == ["Desk lamp", 'Lamp <script>alert("x")</script> switched on']  # no alt text: the name
    assert (slides[0]["loading"], slides[0].get("fetchpriority")) == ("eager", "high")  # the first is what the shopper sees first
    assert slides[1]["loading"] == "lazy"
    assert (slides[1]["width"], slides[1]["height"]) == ("768", "1024")  # the narrowest copy at least 640 wide, in proportion
    assert [img["alt"] for img in thumbs] == ["", ""] and all(img["loading"] == "lazy" for img in thumbs)
    hrefs = [link["href"] for link in page.links]
    assert "#picture-1" in hrefs and "#picture-2" in hrefs
    assert first.url in hrefs  # a picture opens at full size
    html = response.content.decode()
    assert 'id="picture-2"' in html and "<script>alert" not in html
    assert 'class="placeholder"' not in html


def test_a_product_without_pictures_keeps_the_letter_tile(client):
    product = ProductFactory(name="Zither")

    html = client.get(product.get_absolute_url()).content.decode()

    assert '<span class="placeholder" aria-hidden="true">Z</span>' in html
    assert "<img" not in html.split("<main")[1]


def test_the_list_costs_the_same_queries_with_pictures_on_every_card(client, django_assert_max_num_queries):
    food = category("Food")
    for i in range(24):
        product = ProductFactory(name=f"Item {i:02d}", category=food)
        add_picture(product, width=200, height=150)
        add_picture(product, width=200, height=150)

    with CaptureQueriesContext(connection) as small:
        response = client.get(LIST_URL, {"per_page": "12"})
    assert len(parsed(response).images) == 12
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST_URL, {"per_page": "24"})
    assert len(parsed(response).images) == 24
    pictures = [q for q in small.captured_queries if "catalog_productimage" in q["sql"]]
    assert len(pictures) == 1  # one prefetch for the page
