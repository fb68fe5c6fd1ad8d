"""Product pictures in the back office: a Merchandiser uploads, describes, reorders and removes them
on the product's page; every change goes through the picture services."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commerce.catalog.models import ProductImage
from tests.catalog.factories import add_picture, picture_upload
from tests.factories import ProductFactory, admin_form_data, events

pytestmark = pytest.mark.django_db

PREFIX = "images"  # the inline's formset prefix (the related name)


def _url(product):
    return reverse("admin:catalog_product_change", args=[product.pk])


def test_merchandiser_uploads_two_pictures_with_alt_text(client, admin_merchandiser):
    product = ProductFactory()
    page = client.get(_url(product))
    assert 'enctype="multipart/form-data"' in page.content.decode()
    data = admin_form_data(page)
    data.update({
        f"{PREFIX}-TOTAL_FORMS": "2",
        f"{PREFIX}-0-upload": picture_upload("front.jpg", width=800, height=600),
        f"{PREFIX}-0-alt_text": "The mug from the front",
        f"{PREFIX}-1-upload": picture_upload("side.png", fmt="PNG", width=300, height=300),
        f"{PREFIX}-1-alt_text": "The mug from the side",
    })

    response = client.post(_url(product), data)

    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    images = list(product.images.all())
    assert [(i.position, i.alt_text, i.width) for i in images] == [
        (0, "The mug from the front", 800), (1, "The mug from the side", 300)
    ]
    added = events("catalog.product.image_added", channel="admin")
    assert [e.payload["image_id"] for e in added] == [i.pk for i in images]
    assert all(e.actor_id == admin_merchandiser.pk for e in added)
    page = client.get(_url(product))
    html = page.content.decode()
    assert images[0].rendition(160)["url"] in html  # the preview


def test_a_bad_upload_shows_the_reason_on_the_field_and_saves_nothing(client, admin_merchandiser):
    product = ProductFactory(name="Before")
    page = client.get(_url(product))
    data = admin_form_data(page, name="After")
    data.update({
        f"{PREFIX}-0-upload": SimpleUploadedFile("evil.jpg", b"<script>alert(1)</script>", content_type="image/jpeg"),
        f"{PREFIX}-0-alt_text": "Nope",
    })

    response = client.post(_url(product), data)

    assert response.status_code == 200
    [formset] = [f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is ProductImage]
    assert formset.forms[0].errors["upload"] == ["The file is not a picture the shop can read (JPEG, PNG or WebP)."]
    product.refresh_from_db()
    assert product.name == "Before" and not product.images.exists()


def test_a_new_row_with_alt_text_but_no_file_asks_for_the_file(client, admin_merchandiser):
    product = ProductFactory()
    data = admin_form_data(client.get(_url(product)))
    data[f"{PREFIX}-0-alt_text"] = "Forgot the file"

    response = client.post(_url(product), data)

    assert response.status_code == 200
    [formset] = [f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is ProductImage]
    assert formset.forms[0].errors["upload"] == ["Choose a picture to add."]


def test_merchandiser_reorders_describes_replaces_and_removes(client, admin_merchandiser, django_capture_on_commit_callbacks):
    product = ProductFactory()
    a, b, c = (add_picture(product, width=200, height=200, alt_text=name) for name in ("A", "B", "C"))
    old_c_files = c.stored_names()
    page = client.get(_url(product))
    data = admin_form_data(page)
    rows = {data[f"{PREFIX}-{i}-id"]: i for i in range(3)}
    ia, ib, ic = rows[str(a.pk)], rows[str(b.pk)], rows[str(c.pk)]
    data.update({
        f"{PREFIX}-{ia}-order": "5",                   # A last
        f"{PREFIX}-{ib}-alt_text": "B, described",     # B's alt text
        f"{PREFIX}-{ic}-order": "0",                   # C first, with a new file
        f"{PREFIX}-{ic}-upload": picture_upload("new.jpg", width=640, height=480),
    })

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(product), data)

    assert response.status_code == 302
    assert list(product.images.values_list("id", "alt_text", "width")) == [(c.pk, "C", 640), (b.pk, "B, described", 200), (a.pk, "A", 200)]
    assert [e.payload["new_order"] for e in events("catalog.product.images_reordered", channel="admin")] == [[c.pk, b.pk, a.pk]]
    assert len(events("catalog.product.image_replaced", channel="admin")) == 1
    assert not any(default_storage.exists(name) for name in old_c_files)

    data = admin_form_data(client.get(_url(product)))
    row = next(i for i in range(3) if data[f"{PREFIX}-{i}-id"] == str(b.pk))
    data[f"{PREFIX}-{row}-DELETE"] = "on"
    response = client.post(_url(product), data)

    assert response.status_code == 302
    assert list(product.images.values_list("id", "position")) == [(c.pk, 0), (a.pk, 1)]
    assert [e.payload["image_id"] for e in events("catalog.product.image_removed", channel="admin")] == [b.pk]


def test_a_support_agent_sees_the_pictures_but_cannot_upload(client, admin_support):
    product = ProductFactory()
    image = add_picture(product, width=200, height=200)

    page = client.get(_url(product))

    html = page.content.decode()
    assert page.status_code == 200
    assert image.rendition(160)["url"] in html
    assert 'name="images-0-upload"' not in html
