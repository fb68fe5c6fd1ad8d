"""Product pictures in the REST API: shoppers read them with the products; Merchandisers upload,
describe, reorder and remove them."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from commerce.catalog.models import ProductImage
from tests.catalog.factories import add_picture, picture_bytes, picture_upload
from tests.factories import ProductFactory, events

pytestmark = pytest.mark.django_db


def _files_of(product) -> list[str]:
    try:
        return default_storage.listdir(f"products/{getattr(product, 'pk', product)}")[1]
    except FileNotFoundError:
        return []


def _upload_url(product):
    return f"/api/v1/products/{product.pk}/images/"


def test_products_carry_their_pictures_with_sizes_and_urls(api_client):
    product = ProductFactory()
    cover = add_picture(product, width=1200, height=900, alt_text="Front")
    add_picture(product, width=300, height=300, alt_text="Back")

    detail = api_client.get(f"/api/v1/products/{product.pk}/").json()
    listed = api_client.get("/api/v1/products/").json()["results"][0]

    assert detail["images"] == listed["images"]
    first, second = detail["images"]
    assert (first["id"], first["position"], first["alt_text"], first["width"], first["height"]) == (cover.pk, 0, "Front", 1200, 900)
    assert first["url"] == f"http://testserver{cover.url}"
    assert [(t["width"], t["height"]) for t in first["thumbnails"]] == [(160, 120), (320, 240), (640, 480), (1024, 768)]
    assert first["thumbnails"][0]["url"] == f"http://testserver{default_storage.url(cover.thumbnails[0]['name'])}"
    assert (second["position"], second["alt_text"], [t["width"] for t in second["thumbnails"]]) == (1, "Back", [160])


def test_a_merchandiser_uploads_a_picture(merchandiser):
    product = ProductFactory(is_active=False)  # staff dress a product before it goes on sale

    response = merchandiser.post(
        _upload_url(product), {"file": picture_upload("shot.webp", fmt="WEBP", width=700, height=700), "alt_text": "Top view"},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    image = ProductImage.objects.get(pk=body["id"])
    assert (body["alt_text"], body["width"], body["position"]) == ("Top view", 700, 0)
    assert image.original.name.endswith(".webp") and default_storage.exists(image.original.name)
    [event] = events("catalog.product.image_added", channel="api")
    assert event.payload["image_id"] == image.pk


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg"),
         "The file is not a picture the shop can read (JPEG, PNG or WebP)."),
        (SimpleUploadedFile("x.gif", picture_bytes(20, 20, fmt="GIF"), content_type="image/gif"),
         "GIF pictures are not taken; send a JPEG, PNG or WebP."),
        (SimpleUploadedFile("x.jpg", b"", content_type="image/jpeg"), None),
    ],
)
def test_a_bad_file_is_refused_on_the_field_and_nothing_is_stored(merchandiser, upload, message):
    product = ProductFactory()

    response = merchandiser.post(_upload_url(product), {"file": upload}, format="multipart")

    assert response.status_code == 400
    body = response.json()
    assert "file" in body["fields"]
    if message:
        assert (body["code"], body["fields"]["file"]) == ("image_invalid", [message])
    assert not ProductImage.objects.exists()
    assert _files_of(product) == []


@override_settings(IMAGE_MAX_BYTES=2048)
def test_a_picture_over_the_size_limit_is_refused(merchandiser):
    response = merchandiser.post(
        _upload_url(ProductFactory()), {"file": SimpleUploadedFile("big.png", picture_bytes(400, 400, fmt="PNG") + b"\0" * 4096)},
        format="multipart",
    )

    assert (response.status_code, response.json()["code"]) == (400, "image_invalid")
    assert "larger than 2 kB" in response.json()["fields"]["file"][0]


def test_json_instead_of_a_file_is_415_and_unknown_fields_are_refused(merchandiser):
    product = ProductFactory()

    assert merchandiser.post(_upload_url(product), {"file": "x"}, format="json").status_code == 415
    response = merchandiser.post(_upload_url(product), {"file": picture_upload(), "position": "3"}, format="multipart")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_field")


def test_shoppers_and_other_staff_cannot_upload(api_client, customer_client, support):
    product = ProductFactory()

    assert api_client.post(_upload_url(product), {"file": picture_upload()}, format="multipart").status_code == 401
    assert customer_client.post(_upload_url(product), {"file": picture_upload()}, format="multipart").status_code == 403
    assert support.post(_upload_url(product), {"file": picture_upload()}, format="multipart").status_code == 403
    assert not ProductImage.objects.exists()


def test_describe_reorder_and_remove(merchandiser):
    product = ProductFactory()
    a, b, c = (add_picture(product, width=200, height=200) for _ in range(3))
    base = _upload_url(product)

    described = merchandiser.patch(f"{base}{b.pk}/", {"alt_text": "Side"}, format="json")
    reordered = merchandiser.put(f"{base}order/", {"image_ids": [c.pk, b.pk, a.pk]}, format="json")
    removed = merchandiser.delete(f"{base}{b.pk}/")

    assert (described.status_code, described.json()["alt_text"]) == (200, "Side")
    unchanged = merchandiser.patch(f"{base}{c.pk}/", {}, format="json")
    assert (unchanged.status_code, unchanged.json()["id"]) == (200, c.pk)  # partial: nothing to change
    assert [row["id"] for row in reordered.json()] == [c.pk, b.pk, a.pk]
    assert removed.status_code == 204
    assert list(product.images.values_list("id", "position")) == [(c.pk, 0), (a.pk, 1)]


def test_wrong_ids_are_404_and_a_wrong_order_400(merchandiser):
    product, other = ProductFactory(), ProductFactory()
    mine = add_picture(product, width=200, height=200)
    theirs = add_picture(other, width=200, height=200)
    base = _upload_url(product)

    assert merchandiser.delete(f"{base}{theirs.pk}/").json()["code"] == "product_image_not_found"
    assert merchandiser.patch(f"/api/v1/products/987654/images/{mine.pk}/", {"alt_text": "x"}, format="json").status_code == 404
    assert merchandiser.post("/api/v1/products/987654/images/", {"file": picture_upload()}, format="multipart").status_code == 404
    wrong = merchandiser.put(f"{base}order/", {"image_ids": [theirs.pk]}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "invalid_image_order")
    assert ProductImage.objects.count() == 2 and _files_of(987654) == []
