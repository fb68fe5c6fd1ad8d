"""Product pictures through the services: files in the configured storage, rows, positions, events."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.management import call_command
from django.db import transaction
from PIL import Image

from commerce.catalog import product_images
from commerce.catalog.errors import (
    InvalidImageOrder,
    ProductImageInvalid,
    ProductImageLimit,
    ProductImageNotFound,
    ProductNotFound,
)
from commerce.catalog.models import ProductImage
from commerce.images import clean_image
from tests.catalog.factories import add_picture, picture_bytes
from tests.factories import ProductFactory, events

pytestmark = pytest.mark.django_db


def _files() -> set[str]:
    found = set()
    try:
        dirs, _ = default_storage.listdir("products")
    except FileNotFoundError:
        return found
    for directory in dirs:
        found.update(f"products/{directory}/{name}" for name in default_storage.listdir(f"products/{directory}")[1])
    return found


def test_add_stores_the_original_and_thumbnails_in_the_configured_storage():
    product = ProductFactory()

    image = add_picture(product, alt_text="  Red   mug\non a table ", width=1200, height=900)

    assert isinstance(default_storage._wrapped, InMemoryStorage)  # the tests' STORAGES, not var/media
    assert (image.position, image.alt_text, image.width, image.height) == (0, "Red mug on a table", 1200, 900)
    assert [(t["width"], t["height"]) for t in image.thumbnails] == [(160, 120), (320, 240), (640, 480), (1024, 768)]
    assert _files() == set(image.stored_names())
    with default_storage.open(image.thumbnails[0]["name"]) as stored:
        assert Image.open(io.BytesIO(stored.read())).size == (160, 120)
    assert image.srcset().split(", ")[0] == f"{default_storage.url(image.thumbnails[0]['name'])} 160w"
    [event] = events("catalog.product.image_added")
    assert (event.stream_type, event.stream_id, event.product_id) == ("product", str(product.pk), product.pk)
    assert event.payload["image_id"] == image.pk and event.payload["width"] == 1200


def test_a_small_picture_gets_no_thumbnail_as_wide_as_itself():
    image = add_picture(ProductFactory(), width=500, height=250)

    assert [t["width"] for t in image.thumbnails] == [160, 320]
    assert [r["width"] for r in image.renditions()] == [160, 320, 500]  # the original serves at 500


def test_pictures_are_appended_in_order_and_the_first_is_the_cover():
    product = ProductFactory()
    first, second, third = (add_picture(product, width=200, height=200) for _ in range(3))

    assert [i.position for i in (first, second, third)] == [0, 1, 2]
    assert product.cover_image == first


def test_reorder_renumbers_and_records_old_and_new_order():
    product = ProductFactory()
    a, b, c = (add_picture(product, width=200, height=200) for _ in range(3))

    ordered = product_images.product_images_reorder(product=product, image_ids=[c.pk, a.pk, b.pk])

    assert [(i.pk, i.position) for i in ordered] == [(c.pk, 0), (a.pk, 1), (b.pk, 2)]
    [event] = events("catalog.product.images_reordered")
    assert event.payload["old_order"] == [a.pk, b.pk, c.pk] and event.payload["new_order"] == [c.pk, a.pk, b.pk]


@pytest.mark.parametrize("order", ["none", "missing", "twice", "foreign"])
def test_reorder_must_name_each_picture_once(order):
    product = ProductFactory()
    a, b = (add_picture(product, width=200, height=200) for _ in range(2))
    other = add_picture(ProductFactory(), width=200, height=200)
    ids = {"none": [], "missing": [a.pk], "twice": [a.pk, a.pk, b.pk], "foreign": [a.pk, other.pk]}[order]

    with pytest.raises(InvalidImageOrder):
        product_images.product_images_reorder(product=product, image_ids=ids)

    assert list(product.images.values_list("id", "position")) == [(a.pk, 0), (b.pk, 1)]
    assert events("catalog.product.images_reordered") == []


def test_remove_closes_the_gap_and_deletes_the_files_after_commit(django_capture_on_commit_callbacks):
    product = ProductFactory()
    a, b, c = (add_picture(product, width=400, height=300) for _ in range(3))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        product_images.product_image_remove(product=product, image_id=b.pk)
    assert set(b.stored_names()) <= _files()  # still there until the commit
    for callback in callbacks:
        callback()

    assert list(product.images.values_list("id", "position")) == [(a.pk, 0), (c.pk, 1)]
    assert not set(b.stored_names()) & _files()
    assert events("catalog.product.image_removed")[0].payload["image_id"] == b.pk


def test_replace_keeps_the_place_and_swaps_the_files(django_capture_on_commit_callbacks):
    product = ProductFactory()
    add_picture(product, width=200, height=200)
    image = add_picture(product, width=400, height=300, alt_text="Old")
    old_names = image.stored_names()

    with django_capture_on_commit_callbacks(execute=True):
        replaced = product_images.product_image_replace(
            product=product, image_id=image.pk, picture=clean_image(picture_bytes(300, 600, fmt="PNG")), alt_text="New"
        )

    replaced.refresh_from_db()
    assert (replaced.position, replaced.width, replaced.height, replaced.alt_text) == (1, 300, 600, "New")
    assert replaced.original.name.endswith(".png")
    assert not set(old_names) & _files() and set(replaced.stored_names()) <= _files()
    assert events("catalog.product.image_replaced")[0].payload["old_name"] == old_names[0]
    assert events("catalog.product.image_updated")[0].payload["changes"] == {"alt_text": {"before": "Old", "after": "New"}}


def test_update_changes_the_alt_text_once():
    product = ProductFactory()
    image = add_picture(product, width=200, height=200)

    product_images.product_image_update(product=product, image_id=image.pk, alt_text="Front view")
    product_images.product_image_update(product=product, image_id=image.pk, alt_text="Front view")

    image.refresh_from_db()
    assert image.alt_text == "Front view"
    assert len(events("catalog.product.image_updated")) == 1


def test_too_long_alt_text_is_refused_before_any_file_is_written():
    with pytest.raises(ProductImageInvalid) as refused:
        add_picture(ProductFactory(), alt_text="x" * 251, width=200, height=200)

    assert "alt_text" in refused.value.fields
    assert _files() == set() and not ProductImage.objects.exists()


def test_a_refused_add_leaves_no_file_and_no_row(monkeypatch):
    product = ProductFactory()
    monkeypatch.setattr(product_images, "MAX_IMAGES", 1)
    kept = add_picture(product, width=200, height=200)

    with pytest.raises(ProductImageLimit):
        add_picture(product, width=200, height=200)
    with pytest.raises(ProductNotFound):
        product_images.product_image_add(product=987654, picture=clean_image(picture_bytes(200, 200)))

    assert _files() == set(kept.stored_names())
    assert list(ProductImage.objects.all()) == [kept]


def test_an_image_of_another_product_is_not_found():
    image = add_picture(ProductFactory(), width=200, height=200)

    with pytest.raises(ProductImageNotFound):
        product_images.product_image_remove(product=ProductFactory(), image_id=image.pk)


def test_a_transaction_rolled_back_around_the_add_leaves_only_files_the_prune_command_removes():
    product = ProductFactory()
    kept = add_picture(product, width=200, height=200)
    with pytest.raises(RuntimeError), transaction.atomic():
        add_picture(product, width=400, height=300)
        raise RuntimeError("the admin's save failed later")
    orphans = _files() - set(kept.stored_names())
    assert orphans and ProductImage.objects.count() == 1  # no row points at nothing; files are left

    call_command("product_images_prune", stdout=io.StringIO())  # within the grace period: kept
    assert _files() - set(kept.stored_names()) == orphans

    default_storage.save("products/elsewhere/stray.txt", ContentFile(b"x"))
    out = io.StringIO()
    call_command("product_images_prune", "--older-than", "0", stdout=out)
    assert _files() == set(kept.stored_names())
    assert f"{len(orphans) + 1} unused" in out.getvalue()
