"""Review photo files: deleted after the change that let go of them commits (removal, withdrawal, a
cascade), kept when it rolls back; the prune command deletes the files no row names."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from commerce.catalog.models import Product
from recommendations.models import ReviewPhoto
from recommendations.services import reviews as services
from tests.factories import ProductFactory
from tests.recommendations.factories import picture, review

pytestmark = pytest.mark.django_db


def _files(photo) -> list[str]:
    return [photo.image.name, photo.thumbnail.name]


def _exists(names) -> list[bool]:
    storage = ReviewPhoto._meta.get_field("image").storage
    return [storage.exists(name) for name in names]


def _photo(made):
    return services.review_photo_add(review_id=made.pk, customer=made.customer, upload=picture())


def test_removing_a_photo_or_withdrawing_the_review_deletes_the_files_after_commit(django_capture_on_commit_callbacks):
    made = review()
    removed, kept = _photo(made), _photo(made)
    with django_capture_on_commit_callbacks() as pending:
        services.review_photo_remove(photo_id=removed.pk, customer=made.customer)
        assert _exists(_files(removed)) == [True, True]  # not before the commit
    for callback in pending:
        callback()
    assert _exists(_files(removed)) == [False, False] and _exists(_files(kept)) == [True, True]

    with django_capture_on_commit_callbacks(execute=True):
        services.review_delete(review_id=made.pk, customer=made.customer)
    assert _exists(_files(kept)) == [False, False]


def test_a_cascade_deletes_the_files_and_a_rollback_keeps_them(django_capture_on_commit_callbacks):
    made = review(ProductFactory())  # a product never sold or stocked, which staff may delete
    photo = _photo(made)
    product = Product.objects.filter(pk=made.product_id)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        product.get().delete()
        raise RuntimeError("rolled back")
    assert _exists(_files(photo)) == [True, True] and ReviewPhoto.objects.filter(pk=photo.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        product.get().delete()  # the product goes, and its reviews with their photos
    assert _exists(_files(photo)) == [False, False]


def test_prune_deletes_files_no_row_names_once_past_the_grace_period():
    made = review()
    named = _photo(made)
    with pytest.raises(RuntimeError), transaction.atomic():  # the files are written, the row is rolled back
        _photo(made)
        raise RuntimeError("killed mid-command")
    storage = ReviewPhoto._meta.get_field("image").storage
    left = sorted(set(storage.listdir(f"reviews/{made.pk}")[1]) - {n.rsplit("/", 1)[1] for n in _files(named)})
    assert len(left) == 2  # the picture and its thumbnail, named by no row

    out = io.StringIO()
    call_command("review_photos_prune", stdout=out)  # too young: kept
    assert "0 unused file(s)" in out.getvalue()
    call_command("review_photos_prune", "--older-than", "0", "--dry-run", stdout=out)
    assert all(f"would delete reviews/{made.pk}/{name}" in out.getvalue() for name in left)
    assert _exists([f"reviews/{made.pk}/{name}" for name in left]) == [True, True]

    call_command("review_photos_prune", "--older-than", "0", stdout=out)
    assert _exists([f"reviews/{made.pk}/{name}" for name in left]) == [False, False]
    assert _exists(_files(named)) == [True, True]
