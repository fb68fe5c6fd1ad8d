"""The files of review photos: deleted once the change that let go of them has committed, and the
leftovers pruned (``manage.py review_photos_prune``).

A photo row is deleted when its customer removes it, withdraws the review, or the review goes with
its product or its customer (a cascade): each case sends ``post_delete``, and the receiver
(``recommendations.receivers``) deletes the photo's files with ``transaction.on_commit``, so a
rolled-back change keeps them. Files are written before their row inside the command's transaction,
so a rollback (or a process killed mid-command) can leave files no row names: the prune command
deletes those older than a grace period, as ``product_images_prune`` does for the catalog.
"""

from __future__ import annotations

from django.db import transaction

from commerce import images
from recommendations.models import ReviewPhoto

UPLOAD_PREFIX = "reviews"  # recommendations.models.reviews._photo_path: reviews/<review id>/<file>


def _storage():
    return ReviewPhoto._meta.get_field("image").storage


def delete_files(names: list[str]) -> None:
    """Delete stored photo files, logging what the storage refuses (``commerce.images.delete_files``)."""
    images.delete_files(_storage(), names, what="review photo")


def delete_files_after_commit(photo: ReviewPhoto) -> None:
    names = [photo.image.name, photo.thumbnail.name]
    transaction.on_commit(lambda: delete_files(names))


def orphan_files(*, older_than_seconds: int = 3600) -> list[str]:
    """Files under ``reviews/`` that no photo row names and that are older than the grace period."""
    named: set[str] = set()
    for image, thumb in ReviewPhoto.objects.values_list("image", "thumbnail").iterator(chunk_size=5000):
        named.update((image, thumb))
    return images.orphan_files(_storage(), prefix=UPLOAD_PREFIX, named=named, older_than_seconds=older_than_seconds)
