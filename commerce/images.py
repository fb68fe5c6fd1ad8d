"""Uploaded pictures: the one place an image from outside is checked, cleaned and thumbnailed.

Product pictures (catalog) and review photos (recommendations) both come through here, so every
surface refuses the same things the same way:

- ``clean_image(upload)`` reads at most ``IMAGE_MAX_BYTES`` (+1 to tell "too large"), asks Pillow
  what it is from the bytes (never the file name or the client's content type), refuses anything
  but JPEG, PNG and WebP, refuses more than ``IMAGE_MAX_PIXELS`` before decoding (a decompression
  bomb is a small file), decodes it fully (a truncated or corrupt file is refused here, not when a
  thumbnail is made later), turns it upright by its EXIF orientation and encodes it again without
  any metadata (EXIF with GPS position and camera serial, XMP, comments are gone).
- ``thumbnail(image, width=...)`` makes a smaller copy of a cleaned image, same format, no
  metadata, never larger than the original; ``thumbnails(image, boxes=[...])`` makes several from
  one decoding.

Both return ``CleanImage`` (bytes, format, size, content type, extension); storing it is the
caller's (``ContentFile(image.content, name=...)`` into a ``FileField``/``ImageField`` or
``default_storage``), so the storage backend stays a setting.

Stored pictures are written before their rows, inside the command's transaction, so a rollback can
leave files no row names. ``delete_files`` deletes files without failing a command that has
committed; ``orphan_files`` finds the leftovers under ``<prefix>/<owner>/`` and ``PruneCommand`` is
the ``manage.py <pictures>_prune`` command over them (``product_images_prune``, ``review_photos_prune``).
"""

from __future__ import annotations

import datetime
import io
import logging
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from PIL import Image, ImageOps

from commerce.errors import ImageInvalid

#: what the shop takes, by Pillow's format name: content type and file extension
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
#: encoder settings per format: good enough to look at, small enough to serve
_SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85, "method": 4},
}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str  # Pillow's name: JPEG, PNG, WEBP
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def _read_bounded(upload, max_bytes: int) -> bytes:
    """The upload's bytes, refusing more than ``max_bytes`` without reading the rest."""
    if hasattr(upload, "seek"):
        try:
            upload.seek(0)
        except (OSError, ValueError):
            pass
    if hasattr(upload, "chunks"):
        parts, total = [], 0
        for chunk in upload.chunks():
            total += len(chunk)
            if total > max_bytes:
                raise ImageInvalid(f"The picture is larger than {max_bytes // 1024} kB.")
            parts.append(chunk)
        return b"".join(parts)
    data = upload.read(max_bytes + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > max_bytes:
        raise ImageInvalid(f"The picture is larger than {max_bytes // 1024} kB.")
    return data


def _encode(image: Image.Image, image_format: str) -> bytes:
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image_format in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    # No exif=, icc_profile= or pnginfo=: Pillow writes no metadata it is not given.
    image.save(out, format=image_format, **_SAVE_OPTIONS[image_format])
    return out.getvalue()


# A hostile file reaches Pillow's parsers, which raise whatever the damage leads them
# to, not only OSError and ValueError: an EXIF entry whose tag says LONG and whose value is text
# made ``exif_transpose`` (which writes the tags back) raise ``struct.error``, a 500 on every upload
# (review photos, proofs of delivery, product pictures). Any error while the upload is read,
# decoded or turned upright is the file's fault: ``ImageInvalid``.


def clean_image(upload, *, max_bytes: int | None = None, max_pixels: int | None = None) -> CleanImage:
    """The upload as a clean picture, or ``ImageInvalid`` saying why not (nothing is stored here)."""
    max_bytes = max_bytes or settings.IMAGE_MAX_BYTES
    max_pixels = max_pixels or settings.IMAGE_MAX_PIXELS
    data = _read_bounded(upload, max_bytes)
    if not data:
        raise ImageInvalid("The file is empty.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            image_format = probe.format
            width, height = probe.size
        except Exception:  # noqa: BLE001 (Pillow's parsers raise what they meet: see above)
            raise ImageInvalid("The file is not a picture the shop can read (JPEG, PNG or WebP).") from None
        if image_format not in FORMATS:
            raise ImageInvalid(f"{image_format or 'This'} pictures are not taken; send a JPEG, PNG or WebP.")
        if width < 1 or height < 1 or width * height > max_pixels:
            raise ImageInvalid(f"The picture has too many pixels ({width}×{height}); at most {max_pixels:,} are taken.")
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
            image = ImageOps.exif_transpose(image)
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)  # an animation keeps its first frame
        except Exception:  # noqa: BLE001 (see above)
            raise ImageInvalid("The picture is damaged or incomplete.") from None
    content = _encode(image, image_format)
    return CleanImage(content=content, format=image_format, width=image.width, height=image.height)


def thumbnail(image: CleanImage, *, width: int, height: int | None = None) -> CleanImage:
    """A copy at most ``width`` wide (and ``height`` high, when given), keeping the proportions."""
    return thumbnails(image, boxes=[(width, height or image.height)])[0]


def thumbnails(image: CleanImage, *, boxes: list[tuple[int, int]]) -> list[CleanImage]:
    """Copies fitting each ``(width, height)`` box, keeping the proportions, from one decoding of
    the picture (a set of sizes costs one decode, not one each)."""
    with Image.open(io.BytesIO(image.content)) as source:
        source.load()
        decoded = source.copy()
    # Largest first, each resampled from the smallest copy made so far that is still larger than
    # it must be (a 160 copy from the 320 one costs a quarter of one from the original).
    def scale(box):
        return min(box[0] / decoded.width, box[1] / decoded.height, 1)

    made: dict[int, CleanImage] = {}
    copies = [decoded]
    for index in sorted(range(len(boxes)), key=lambda i: scale(boxes[i]), reverse=True):
        target = scale(boxes[index])
        source = min((c for c in copies if c.width / decoded.width >= target), key=lambda c: c.width)
        copy = source.copy()
        copy.thumbnail(boxes[index], Image.Resampling.LANCZOS)
        made[index] = CleanImage(content=_encode(copy, image.format), format=image.format, width=copy.width, height=copy.height)
        copies.append(copy)
    return [made[i] for i in range(len(boxes))]


# --- stored files: deleting them, and the leftovers of rolled-back commands --------------------------
logger = logging.getLogger(__name__)


def delete_files(storage, names: Iterable[str], *, what: str) -> None:
    """Delete stored files, logging (not raising) what the storage refuses: a leftover file is the
    prune command's, never a reason to fail a command that has committed. ``what`` names them in the
    log ("product picture")."""
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 (any storage backend's error)
            logger.warning("Could not delete %s file %s", what, name, exc_info=True)


def orphan_files(storage, *, prefix: str, named: set[str], older_than_seconds: int) -> list[str]:
    """Files under ``<prefix>/<owner>/`` that are not in ``named`` (the names the rows hold) and are
    older than the grace period (a command in flight may not have committed its row yet), sorted."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    try:
        owners, _files = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    found = []
    for owner in owners:
        _sub, files = storage.listdir(f"{prefix}/{owner}")
        for file_name in files:
            name = f"{prefix}/{owner}/{file_name}"
            if name not in named and storage.get_modified_time(name) < cutoff:
                found.append(name)
    return sorted(found)


class PruneCommand(BaseCommand):
    """``manage.py <pictures>_prune``: delete the files ``find(older_than_seconds=...)`` returns with
    ``delete(names)``, keeping those younger than ``--older-than``; ``--dry-run`` only lists. A
    subclass sets ``help``, ``prefix`` (for the summary), ``find`` and ``delete``."""

    prefix: str
    find: Callable[..., list[str]]
    delete: Callable[[list[str]], None]

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=3600, help="Keep files younger than this many seconds (3600).")
        parser.add_argument("--dry-run", action="store_true", help="List the files without deleting them.")

    def handle(self, *args, older_than: int, dry_run: bool, **options):
        names = type(self).find(older_than_seconds=max(older_than, 0))
        for name in names:
            self.stdout.write(f"{'would delete' if dry_run else 'deleting'} {name}")
        if not dry_run:
            type(self).delete(names)
        verb = "found" if dry_run else "deleted"
        self.stdout.write(self.style.SUCCESS(f"{len(names)} unused file(s) under {self.prefix}/ {verb}."))
