"""Helpers the review tests share: delivered orders (verified buyers), reviews through the service, pictures."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from orders.services.lifecycle import order_allocate, order_deliver, order_mark_ready, order_ship
from recommendations.services import review_moderation, reviews
from tests.factories import StaffFactory, customer_with_address
from tests.orders.factories import paid_order, stocked_product

FIVE = {"overall": 5, "quality": 5, "price": 4, "utility": 5, "delivery": 5}


def ratings(overall=4, **others) -> dict:
    return {"overall": overall, "quality": 4, "price": 3, "utility": 4, "delivery": 5, **others}


def delivered_order(product, customer=None, address=None):
    """A card order of ``product`` taken all the way to delivered (its customer is a verified buyer)."""
    if customer is None:
        customer, address = customer_with_address()
    order = paid_order([(product, 1)], customer=customer, address=address)
    order_allocate(order=order)
    order_mark_ready(order=order)
    order_ship(order=order, carrier="DHL", tracking_number="T-1")
    order_deliver(order=order)
    return order


def verified_buyer(product):
    customer, address = customer_with_address()
    delivered_order(product, customer, address)
    return customer


def moderator():
    return StaffFactory(groups=["Support"])


def review(product=None, customer=None, *, approve=True, title="Good beans", text="Rich and smooth, arrived quickly.", **rating):
    product = product or stocked_product()
    customer = customer or customer_with_address()[0]
    made = reviews.review_submit(customer=customer, product_id=product.pk, title=title, text=text, ratings=ratings(**rating))
    if approve and made.status != "approved":
        made = review_moderation.review_approve(review_id=made.pk, moderator=moderator())
    return made


def picture(fmt="PNG", size=(64, 48), name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


__all__ = ["FIVE", "delivered_order", "moderator", "picture", "ratings", "review", "stocked_product", "verified_buyer"]
