"""Official content commands: create, change and delete a manufacturer's content blocks.

A block is on the manufacturer's page (no product) or on one of its products' pages; the product
must be the manufacturer's. Each command runs in one transaction inside a ``commerce.content.*``
span and records its event (a change records what changed, field by field).
"""

from __future__ import annotations

from django.db import transaction

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog.models import Manufacturer, Product
from recommendations import events
from recommendations.errors import ContentInvalid, ContentNotFound, ManufacturerNotFound
from recommendations.models import OfficialContent
from recommendations.models.content import CONTENT_BODY_MAX_LENGTH, CONTENT_TITLE_MAX_LENGTH
from recommendations.screening import clean_text

CONTENT_FIELDS = ("manufacturer_id", "product_id", "kind", "title", "body", "position", "is_published")


def _checked(data: dict, current: OfficialContent | None) -> dict:
    """The fields of ``data`` (a subset of ``CONTENT_FIELDS``) checked and cleaned; raises with every error."""
    unknown = set(data) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown content fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)
    for field, limit in (("title", CONTENT_TITLE_MAX_LENGTH), ("body", CONTENT_BODY_MAX_LENGTH)):
        if field in data:
            cleaned[field], problems = clean_text(data[field], field=field, max_length=limit)
            errors.update(problems)
    if "kind" in data and data["kind"] not in OfficialContent.Kind.values:
        errors["kind"] = [f"One of: {', '.join(OfficialContent.Kind.values)}."]
    if "position" in data and (not isinstance(data["position"], int) or not 0 <= data["position"] <= 32767):
        errors["position"] = ["Between 0 and 32767."]
    if "is_published" in data and not isinstance(data["is_published"], bool):
        errors["is_published"] = ["true or false."]
    manufacturer_id = cleaned.get("manufacturer_id", current.manufacturer_id if current else None)
    if "manufacturer_id" in data and not Manufacturer.objects.filter(pk=manufacturer_id).exists():
        raise ManufacturerNotFound("No such manufacturer.", extra={"manufacturer_id": manufacturer_id})
    product_id = cleaned.get("product_id", current.product_id if current else None)
    if product_id is not None and ("product_id" in data or "manufacturer_id" in data):
        maker = Product.objects.filter(pk=product_id).values_list("manufacturer_id", flat=True).first()
        if maker is None:
            errors["product_id"] = ["No such product."]
        elif maker != manufacturer_id:
            errors["product_id"] = ["A product of this manufacturer."]
    if errors:
        raise ContentInvalid(f"The content is not valid: {next(iter(errors.values()))[0]}", fields=errors)
    return cleaned


def official_content_create(*, manufacturer_id: int, title: str, body: str, product_id: int | None = None,
                            kind: str = OfficialContent.Kind.OVERVIEW, position: int = 0, is_published: bool = True,
                            editor=None) -> OfficialContent:
    with telemetry.command_span("commerce.content.create", manufacturer__id=manufacturer_id) as span, transaction.atomic():
        data = _checked({"manufacturer_id": manufacturer_id, "product_id": product_id, "kind": kind, "title": title,
                         "body": body, "position": position, "is_published": is_published}, None)
        content = OfficialContent.objects.create(**data, updated_by=editor if getattr(editor, "is_authenticated", False) else None)
        span.set_attribute("content.id", content.pk)
        record(events.OfficialContentCreated(content_id=content.pk, manufacturer_id=content.manufacturer_id,
                                             product_id=content.product_id, values={k: data[k] for k in CONTENT_FIELDS}))
        return content


def _content(content_id) -> OfficialContent:
    content = OfficialContent.objects.filter(pk=content_id).first()
    if content is None:
        raise ContentNotFound("No such content.")
    return content


def official_content_update(*, content_id: int, data: dict, editor=None) -> OfficialContent:
    """Change some fields (``CONTENT_FIELDS``); nothing changed records nothing. Last write wins."""
    with telemetry.command_span("commerce.content.update", content__id=content_id), transaction.atomic():
        content = _content(content_id)
        cleaned = _checked(data, content)
        changes = {}
        for field, value in cleaned.items():
            if getattr(content, field) != value:
                changes[field] = {"before": getattr(content, field), "after": value}
                setattr(content, field, value)
        if not changes:
            return content
        content.updated_by = editor if getattr(editor, "is_authenticated", False) else None
        content.save()
        record(events.OfficialContentUpdated(content_id=content.pk, manufacturer_id=content.manufacturer_id,
                                             product_id=content.product_id, changes=changes))
        return content


def official_content_delete(*, content_id: int) -> None:
    with telemetry.command_span("commerce.content.delete", content__id=content_id), transaction.atomic():
        content = _content(content_id)
        record(events.OfficialContentDeleted(content_id=content.pk, manufacturer_id=content.manufacturer_id,
                                             product_id=content.product_id, title=content.title))
        content.delete()
