"""Product pictures: the commands that add, replace, describe, reorder and remove them.

A picture arrives as a ``commerce.images.CleanImage`` (the caller runs ``clean_image`` on the
upload, so a bad file is refused before anything happens, with the reason on the field). Each
command is one ``transaction.atomic`` under the product's row lock, in a telemetry span, recording
its event on the product's stream.

Files and rows. Files go through the storage of ``ProductImage.original`` (``STORAGES["default"]``):

- The files are written *before* the transaction (slow storage never holds the product's lock),
  and the row after them: a row never points at a file that was not written.
- When the command itself fails (no such product, too many pictures), it deletes the files it
  wrote before raising.
- Files a command makes unused (a replaced or removed picture) are deleted ``on_commit``: a
  rolled-back command still finds them.
- A transaction rolled back *around* a command (the admin's save fails later, the process dies)
  leaves files no row names. ``manage.py product_images_prune`` deletes files under
  ``products/`` that no row names and that are older than its grace period (an hour by default,
  so a command still in flight keeps its files); run it daily.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F

from commerce import images, telemetry
from commerce.audit.events import record
from commerce.catalog import events, selectors
from commerce.catalog.errors import (
    InvalidImageOrder,
    ProductImageInvalid,
    ProductImageLimit,
    ProductNotFound,
)
from commerce.catalog.models import Product, ProductImage
from commerce.locks import Kind, lock_one

#: the widths of the copies the pages ask for (``srcset``): gallery thumbnails and narrow cards at
#: 160, cards at 320 (640 on dense screens), the product page at 640 (1024 on dense screens). Each
#: copy fits a square of that side, so a tall picture is no taller than that.
THUMBNAIL_WIDTHS = (160, 320, 640, 1024)
#: how many pictures a product may have
MAX_IMAGES = 12
#: where product pictures live in the storage: ``products/<product id>/<random>[-<width>w].<ext>``
UPLOAD_PREFIX = "products"
ALT_TEXT_MAX = ProductImage._meta.get_field("alt_text").max_length
# positions are moved out of the way (+ this) before they are renumbered, as the unique
# (product, position) constraint is checked row by row on MariaDB
_SHIFT = 100_000


def _storage():
    return ProductImage._meta.get_field("original").storage


@dataclass(frozen=True)
class StoredPicture:
    """The files of one picture, written: the original's name and size, and its thumbnails."""

    original: str
    width: int
    height: int
    thumbnails: list[dict]

    @property
    def names(self) -> list[str]:
        return [self.original, *(t["name"] for t in self.thumbnails)]


def delete_files(names: list[str]) -> None:
    """Delete stored picture files, logging what the storage refuses (``commerce.images.delete_files``)."""
    images.delete_files(_storage(), names, what="product picture")


def store_picture(*, product_id: int, picture: images.CleanImage) -> StoredPicture:
    """Write the picture and its thumbnails (``THUMBNAIL_WIDTHS``; none as wide as the original)."""
    storage = _storage()
    base = f"{UPLOAD_PREFIX}/{product_id}/{secrets.token_hex(8)}"
    written: list[str] = []
    try:
        original = storage.save(f"{base}.{picture.extension}", ContentFile(picture.content))
        written.append(original)
        # A copy as large as the original would be the original: the original serves instead.
        sides = [side for side in THUMBNAIL_WIDTHS if side < picture.width or side < picture.height]
        thumbnails: list[dict] = []
        for side, copy in zip(sides, images.thumbnails(picture, boxes=[(side, side) for side in sides]), strict=True):
            if copy.width >= picture.width or (thumbnails and copy.width <= thumbnails[-1]["width"]):
                continue
            name = storage.save(f"{base}-{side}w.{picture.extension}", ContentFile(copy.content))
            written.append(name)
            thumbnails.append({"name": name, "width": copy.width, "height": copy.height})
    except BaseException:
        delete_files(written)
        raise
    return StoredPicture(original=original, width=picture.width, height=picture.height, thumbnails=thumbnails)


def _clean_alt_text(alt_text: str) -> str:
    alt_text = " ".join((alt_text or "").split())  # one line: no control characters or runs of spaces
    if len(alt_text) > ALT_TEXT_MAX:
        raise ProductImageInvalid(
            "The picture is not valid.", fields={"alt_text": [f"At most {ALT_TEXT_MAX} characters."]}
        )
    return alt_text


def _lock_product(product_id: int) -> Product:
    product = lock_one(Kind.PRODUCT, Product.objects.filter(pk=product_id))
    if product is None:
        raise ProductNotFound("No such product.")
    return product


def _image_of(product_id: int, image_id: int) -> ProductImage:
    return selectors.product_image_get(product_id=product_id, image_id=image_id)


def _renumber(product_id: int, ordered_ids: list[int]) -> None:
    """Give the product's pictures positions 0, 1, ... in ``ordered_ids`` order (two statements
    and one update per moved row; the unique constraint never sees two rows at one position)."""
    current = dict(ProductImage.objects.filter(product_id=product_id).values_list("id", "position"))
    moved = [(image_id, index) for index, image_id in enumerate(ordered_ids) if current.get(image_id) != index]
    if not moved:
        return
    ProductImage.objects.filter(pk__in=[image_id for image_id, _ in moved]).update(position=F("position") + _SHIFT)
    for image_id, index in moved:
        ProductImage.objects.filter(pk=image_id).update(position=index)


def _ids(product: Product | int) -> int:
    return product.pk if isinstance(product, Product) else product


def product_image_add(*, product: Product | int, picture: images.CleanImage, alt_text: str = "") -> ProductImage:
    """Add a picture after the product's others (the first one added is the cover)."""
    product_id = _ids(product)
    alt_text = _clean_alt_text(alt_text)
    with telemetry.command_span("commerce.product_image.add", attributes={"product.id": product_id}):
        stored = store_picture(product_id=product_id, picture=picture)
        try:
            with transaction.atomic():
                current = _lock_product(product_id)
                count = ProductImage.objects.filter(product_id=product_id).count()
                if count >= MAX_IMAGES:
                    raise ProductImageLimit(f"A product has at most {MAX_IMAGES} pictures; remove one first.")
                image = ProductImage.objects.create(
                    product=current, position=count, alt_text=alt_text, original=stored.original,
                    width=stored.width, height=stored.height, thumbnails=stored.thumbnails,
                )
                record(events.ProductImageAdded(
                    product_id=product_id, image_id=image.pk, position=image.position, alt_text=alt_text,
                    name=stored.original, width=stored.width, height=stored.height,
                ))
        except BaseException:
            delete_files(stored.names)
            raise
        return image


def product_image_replace(
    *, product: Product | int, image_id: int, picture: images.CleanImage, alt_text: str | None = None
) -> ProductImage:
    """Put another picture in an image's place (same position); the old files go after commit."""
    product_id = _ids(product)
    alt_text = None if alt_text is None else _clean_alt_text(alt_text)
    with telemetry.command_span("commerce.product_image.replace", attributes={"product.id": product_id}):
        stored = store_picture(product_id=product_id, picture=picture)
        try:
            with transaction.atomic():
                _lock_product(product_id)
                image = _image_of(product_id, image_id)
                old_names, old_name = image.stored_names(), image.original.name
                image.original, image.width, image.height = stored.original, stored.width, stored.height
                image.thumbnails = stored.thumbnails
                changes = {}
                if alt_text is not None and alt_text != image.alt_text:
                    changes["alt_text"] = {"before": image.alt_text, "after": alt_text}
                    image.alt_text = alt_text
                image.save()
                record(events.ProductImageReplaced(
                    product_id=product_id, image_id=image.pk, old_name=old_name, name=stored.original,
                    width=stored.width, height=stored.height,
                ))
                if changes:
                    record(events.ProductImageUpdated(product_id=product_id, image_id=image.pk, changes=changes))
                transaction.on_commit(lambda: delete_files(old_names))
        except BaseException:
            delete_files(stored.names)
            raise
        return image


def product_image_update(*, product: Product | int, image_id: int, alt_text: str) -> ProductImage:
    """Change a picture's alt text."""
    product_id = _ids(product)
    alt_text = _clean_alt_text(alt_text)
    with telemetry.command_span("commerce.product_image.update", attributes={"product.id": product_id}), transaction.atomic():
        _lock_product(product_id)
        image = _image_of(product_id, image_id)
        if image.alt_text == alt_text:
            return image
        changes = {"alt_text": {"before": image.alt_text, "after": alt_text}}
        image.alt_text = alt_text
        image.save(update_fields=["alt_text", "updated_at"])
        record(events.ProductImageUpdated(product_id=product_id, image_id=image.pk, changes=changes))
        return image


def product_images_reorder(*, product: Product | int, image_ids: list[int]) -> list[ProductImage]:
    """Put the product's pictures in this order (each named once; the first is the cover)."""
    product_id = _ids(product)
    with telemetry.command_span("commerce.product_image.reorder", attributes={"product.id": product_id}), transaction.atomic():
        _lock_product(product_id)
        old_order = list(ProductImage.objects.filter(product_id=product_id).order_by("position", "id").values_list("id", flat=True))
        new_order = list(image_ids)
        if len(new_order) != len(set(new_order)) or set(new_order) != set(old_order):
            raise InvalidImageOrder(
                "Name each of the product's pictures exactly once.",
                fields={"image_ids": [f"Expected the ids {sorted(old_order)} in the new order."]},
            )
        if new_order != old_order:
            _renumber(product_id, new_order)
            record(events.ProductImagesReordered(product_id=product_id, old_order=old_order, new_order=new_order))
        return list(ProductImage.objects.filter(product_id=product_id).order_by("position", "id"))


def product_image_remove(*, product: Product | int, image_id: int) -> None:
    """Remove a picture; the others close up behind it; its files go after commit."""
    product_id = _ids(product)
    with telemetry.command_span("commerce.product_image.remove", attributes={"product.id": product_id}), transaction.atomic():
        _lock_product(product_id)
        image = _image_of(product_id, image_id)
        names = image.stored_names()
        image.delete()
        rest = list(ProductImage.objects.filter(product_id=product_id).order_by("position", "id").values_list("id", flat=True))
        _renumber(product_id, rest)
        record(events.ProductImageRemoved(product_id=product_id, image_id=image_id, name=names[0]))
        transaction.on_commit(lambda: delete_files(names))


def orphan_files(*, older_than_seconds: int = 3600) -> list[str]:
    """Files under ``products/`` that no picture row names and that are older than the grace period."""
    named: set[str] = set()
    for original, thumbnails in ProductImage.objects.values_list("original", "thumbnails").iterator():
        named.add(original)
        named.update(t["name"] for t in thumbnails or [])
    return images.orphan_files(_storage(), prefix=UPLOAD_PREFIX, named=named, older_than_seconds=older_than_seconds)
