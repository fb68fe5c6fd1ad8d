"""Manufacturers' official content at the service layer."""

import pytest

from recommendations import services
from recommendations.models import OfficialContent
from recommendations.selectors import content as content_selectors
from tests.factories import ManufacturerFactory, ProductFactory, events

pytestmark = pytest.mark.django_db


def test_content_on_the_makers_page_and_on_a_product():
    maker = ManufacturerFactory()
    item = ProductFactory(manufacturer=maker)
    page = services.official_content_create(manufacturer_id=maker.pk, title="Warranty", body="Two years.", kind="warranty")
    on_product = services.official_content_create(manufacturer_id=maker.pk, product_id=item.pk, title="Care",
                                                  body="Wash by hand.", kind="care")
    hidden = services.official_content_create(manufacturer_id=maker.pk, title="Draft", body="Soon.", is_published=False)
    assert list(content_selectors.manufacturer_content(manufacturer_id=maker.pk)) == [page]
    assert list(content_selectors.product_content(product_id=item.pk)) == [on_product]
    assert hidden not in content_selectors.content_list(manufacturer_id=maker.pk).filter(is_published=True)
    [created, *_] = events("recommendations.content.created")
    assert created.payload["values"]["title"] == "Warranty"


def test_content_update_records_changes_and_delete_records_the_title():
    maker = ManufacturerFactory()
    content = services.official_content_create(manufacturer_id=maker.pk, title="Warranty", body="Two years.")
    services.official_content_update(content_id=content.pk, data={"title": "Warranty", "body": "Three years."})
    [updated] = events("recommendations.content.updated")
    assert updated.payload["changes"] == {"body": {"before": "Two years.", "after": "Three years."}}
    services.official_content_update(content_id=content.pk, data={"body": "Three years."})  # unchanged: no event
    assert len(events("recommendations.content.updated")) == 1
    services.official_content_delete(content_id=content.pk)
    assert not OfficialContent.objects.exists()
    assert events("recommendations.content.deleted")[0].payload["title"] == "Warranty"


def test_content_refuses_another_makers_product_and_bad_text():
    maker, other = ManufacturerFactory(), ManufacturerFactory()
    item = ProductFactory(manufacturer=other)
    with pytest.raises(Exception) as foreign:
        services.official_content_create(manufacturer_id=maker.pk, product_id=item.pk, title="Care", body="Hand wash.")
    assert foreign.value.code == "content_invalid" and foreign.value.fields["product_id"] == ["A product of this manufacturer."]
    with pytest.raises(Exception) as html:
        services.official_content_create(manufacturer_id=maker.pk, title="<i>x</i>", body="y" * 20_001, kind="nope")
    assert set(html.value.fields) == {"title", "body", "kind"}
    with pytest.raises(Exception) as unknown:
        services.official_content_create(manufacturer_id=10**9, title="x", body="y")
    assert unknown.value.code == "manufacturer_not_found"
    assert not OfficialContent.objects.exists()
