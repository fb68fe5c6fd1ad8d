"""Picture commands racing on one product, on MariaDB: the product's row lock serialises them, so
positions stay 0..n-1 without gaps or a unique-constraint clash, the limit holds, and a refused
command leaves no file behind."""

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from commerce.catalog import product_images
from commerce.catalog.errors import InvalidImageOrder, ProductImageLimit, ProductImageNotFound
from commerce.catalog.models import ProductImage
from commerce.images import clean_image
from tests.catalog.factories import add_picture, picture_bytes
from tests.factories import ProductFactory
from tests.integration.concurrency import run_in_threads

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _stored_files(product_id: int) -> set[str]:
    try:
        return {f"products/{product_id}/{name}" for name in default_storage.listdir(f"products/{product_id}")[1]}
    except FileNotFoundError:
        return set()


def test_concurrent_uploads_keep_the_limit_and_the_positions(monkeypatch):
    assert connection.vendor == "mysql"
    monkeypatch.setattr(product_images, "MAX_IMAGES", 4)
    product = ProductFactory()
    picture = clean_image(picture_bytes(400, 300))

    outcomes = run_in_threads([
        lambda: product_images.product_image_add(product=product.pk, picture=picture).pk for _ in range(6)
    ])

    assert sorted(kind for kind, _ in outcomes) == ["error"] * 2 + ["ok"] * 4
    assert all(isinstance(value, ProductImageLimit) for kind, value in outcomes if kind == "error")
    images = list(ProductImage.objects.filter(product=product))
    assert [image.position for image in images] == [0, 1, 2, 3]
    assert _stored_files(product.pk) == {name for image in images for name in image.stored_names()}


def test_concurrent_removes_and_reorders_leave_positions_without_gaps():
    assert connection.vendor == "mysql"
    product = ProductFactory()
    images = [add_picture(product, width=200, height=200) for _ in range(6)]
    ids = [image.pk for image in images]

    def remove(image_id):
        return lambda: product_images.product_image_remove(product=product.pk, image_id=image_id)

    def reorder():
        current = list(ProductImage.objects.filter(product=product).values_list("id", flat=True))
        return product_images.product_images_reorder(product=product.pk, image_ids=current[::-1])

    outcomes = run_in_threads([remove(ids[0]), remove(ids[2]), remove(ids[4]), reorder, reorder, reorder])

    for kind, value in outcomes:  # a reorder that read the pictures before a remove is refused, nothing else
        assert kind == "ok" or isinstance(value, (InvalidImageOrder, ProductImageNotFound)), value
    left = list(ProductImage.objects.filter(product=product).values_list("id", "position"))
    assert sorted(image_id for image_id, _ in left) == [ids[1], ids[3], ids[5]]
    assert [position for _, position in left] == [0, 1, 2]
