"""commerce.images: what an uploaded picture must be, and what is left of it after cleaning."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from commerce.errors import CoreError, ImageInvalid
from commerce.images import clean_image, thumbnail


def _picture(fmt="JPEG", size=(40, 30), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 40, 40) if mode == "RGB" else None).save(out, format=fmt, **save)
    return out.getvalue()


def _noise_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((120, 120), 60).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def _exif_with_gps_and_rotation() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPS IFD
    return _picture(size=(40, 20), exif=exif.tobytes())


def _exif_text_in_a_number_tag(fmt: str) -> bytes:
    """A picture to turn upright whose EXIF has text under a tag Pillow writes as a LONG (FreeOffsets,
    0x0120): what a damaged camera file holds. ``exif_transpose`` writes the tags back and failed."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010E] = "hello"  # ImageDescription (ASCII), renamed below in the bytes
    raw = exif.tobytes()
    assert b"\x01\x0e\x00\x02" in raw  # big-endian: tag 0x010E, type 2 (ASCII)
    return _picture(fmt, exif=raw.replace(b"\x01\x0e\x00\x02", b"\x01\x20\x00\x02"))


@pytest.mark.parametrize("fmt,content_type,ext", [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")])
def test_takes_jpeg_png_and_webp(fmt, content_type, ext):
    image = clean_image(SimpleUploadedFile("x.bin", _picture(fmt)))
    assert (image.format, image.content_type, image.extension, image.width, image.height) == (fmt, content_type, ext, 40, 30)
    assert Image.open(io.BytesIO(image.content)).format == fmt


def test_metadata_is_stripped_and_the_picture_turned_upright():
    image = clean_image(SimpleUploadedFile("holiday.jpg", _exif_with_gps_and_rotation()))
    assert (image.width, image.height) == (20, 40)  # turned by its orientation tag before the tag went
    reopened = Image.open(io.BytesIO(image.content))
    assert dict(reopened.getexif()) == {}
    assert b"SpyCam" not in image.content


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty"),
        (b"<script>alert(1)</script>", "not a picture"),
        (b"GIF89a" + b"\0" * 20, "not a picture"),
        (_picture("GIF"), "GIF pictures are not taken"),
        (_picture("BMP"), "BMP pictures are not taken"),
        (_noise_jpeg()[:1500], "damaged"),
        (_exif_text_in_a_number_tag("JPEG"), "damaged"),
        (_exif_text_in_a_number_tag("PNG"), "damaged"),
        (_exif_text_in_a_number_tag("WEBP"), "damaged"),
    ],
)
def test_refuses_what_is_not_a_whole_picture_it_takes(data, message):
    with pytest.raises(ImageInvalid) as refused:
        clean_image(SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg"))
    assert message in refused.value.message
    assert refused.value.code == CoreError.IMAGE_INVALID


def test_refuses_too_many_bytes_without_reading_them_all():
    with pytest.raises(ImageInvalid, match="larger than 1 kB"):
        clean_image(SimpleUploadedFile("big.png", _picture("PNG", size=(200, 200), mode="RGB") + b"\0" * 4096), max_bytes=1024)


def test_refuses_a_decompression_bomb_before_decoding_it():
    bomb = _picture("PNG", size=(5000, 5000), mode="1")  # a few kB on disk, 25 million pixels
    assert len(bomb) < 10_000
    with pytest.raises(ImageInvalid, match="too many pixels"):
        clean_image(SimpleUploadedFile("bomb.png", bomb), max_pixels=1_000_000)


def test_thumbnail_keeps_proportions_and_format_and_never_grows():
    image = clean_image(SimpleUploadedFile("x.png", _picture("PNG", size=(400, 200))))
    small = thumbnail(image, width=100)
    assert (small.format, small.width, small.height) == ("PNG", 100, 50)
    same = thumbnail(image, width=1000)
    assert (same.width, same.height) == (400, 200)


@pytest.mark.django_db
def test_a_review_photo_with_damaged_exif_is_400_image_invalid_and_nothing_is_stored(settings, tmp_path):
    from recommendations.models import ReviewPhoto
    from tests.factories import token_client
    from tests.recommendations.factories import review

    settings.MEDIA_ROOT = tmp_path
    made = review(approve=False)
    upload = SimpleUploadedFile("holiday.jpg", _exif_text_in_a_number_tag("JPEG"), content_type="image/jpeg")

    response = token_client(made.customer).post(f"/api/v1/reviews/{made.pk}/photos/", {"photo": upload}, format="multipart")

    assert (response.status_code, response.json()["code"]) == (400, "image_invalid")
    assert not ReviewPhoto.objects.exists()
