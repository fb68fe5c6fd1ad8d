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

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from recommendations.models import ReviewPhoto

logger = logging.getLogger(__name__)
UPLOAD_PREFIX = "reviews"  # recommendations.models.reviews._photo_path: reviews/<review id>/<file>


def _storage():
    return ReviewPhoto._meta.get_field("image").storage


def delete_files(names: list[str]) -> None:
    """Delete stored files, logging (not raising) what the storage refuses: a leftover file is the
    prune command's, never a reason to fail a change that has committed."""
    storage = _storage()
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 (any storage backend's error)
            logger.warning("Could not delete review photo file %s", name, exc_info=True)


def delete_files_after_commit(photo: ReviewPhoto) -> None:
    names = [photo.image.name, photo.thumbnail.name]
    transaction.on_commit(lambda: delete_files(names))


def orphan_files(*, older_than_seconds: int = 3600) -> list[str]:
    """Files under ``reviews/`` that no photo row names and that are older than the grace period."""
    storage = _storage()
    named: set[str] = set()
    for image, thumb in ReviewPhoto.objects.values_list("image", "thumbnail").iterator(chunk_size=5000):
        named.update((image, thumb))
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    try:
        review_dirs, _files = storage.listdir(UPLOAD_PREFIX)
    except FileNotFoundError:
        return []
    found = []
    for directory in review_dirs:
        _sub, files = storage.listdir(f"{UPLOAD_PREFIX}/{directory}")
        for file_name in files:
            name = f"{UPLOAD_PREFIX}/{directory}/{file_name}"
            if name not in named and storage.get_modified_time(name) < cutoff:
                found.append(name)
    return sorted(found)
