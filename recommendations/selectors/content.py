"""Queries on manufacturers' official content (the spec's ``GetManufacturerInfoQuery``)."""

from __future__ import annotations

from django.db.models import QuerySet

from commerce.catalog.models import Manufacturer
from recommendations.errors import ContentNotFound, ManufacturerNotFound
from recommendations.models import OfficialContent


def manufacturer_get(*, slug: str | None = None, pk: int | None = None) -> Manufacturer:
    found = Manufacturer.objects.filter(slug=slug).first() if slug is not None else Manufacturer.objects.filter(pk=pk).first()
    if found is None:
        raise ManufacturerNotFound("No such manufacturer.")
    return found


def manufacturer_content(*, manufacturer_id: int) -> QuerySet[OfficialContent]:
    """The published blocks of the manufacturer's own page (not those of its products), in order."""
    return OfficialContent.objects.filter(manufacturer_id=manufacturer_id, product__isnull=True, is_published=True).order_by(
        "position", "id")


def product_content(*, product_id: int) -> QuerySet[OfficialContent]:
    """The published blocks on a product's page, in order."""
    return OfficialContent.objects.filter(product_id=product_id, is_published=True).order_by("position", "id")


def content_list(*, manufacturer_id: int | None = None, product_id: int | None = None) -> QuerySet[OfficialContent]:
    """Every block (published or not), for staff."""
    rows = OfficialContent.objects.order_by("manufacturer_id", "product_id", "position", "id")
    if manufacturer_id is not None:
        rows = rows.filter(manufacturer_id=manufacturer_id)
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    return rows


def content_get(*, content_id: int, include_unpublished: bool = False) -> OfficialContent:
    rows = OfficialContent.objects.all() if include_unpublished else OfficialContent.objects.filter(is_published=True)
    found = rows.filter(pk=content_id).first()
    if found is None:
        raise ContentNotFound("No such content.")
    return found
