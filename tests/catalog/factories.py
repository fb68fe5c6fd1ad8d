"""Pictures for the catalog's tests: real image bytes made with Pillow, and uploads of them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from commerce.catalog import product_images
from commerce.images import clean_image


def picture_bytes(width: int = 1200, height: int = 900, fmt: str = "JPEG", colour=(200, 60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format=fmt)
    return out.getvalue()


def picture_upload(name: str = "photo.jpg", **kwargs) -> SimpleUploadedFile:
    fmt = kwargs.get("fmt", "JPEG")
    return SimpleUploadedFile(name, picture_bytes(**kwargs), content_type=f"image/{fmt.lower()}")


def add_picture(product, *, alt_text: str = "", **kwargs):
    """A picture added to ``product`` through the service."""
    return product_images.product_image_add(product=product, picture=clean_image(picture_bytes(**kwargs)), alt_text=alt_text)
