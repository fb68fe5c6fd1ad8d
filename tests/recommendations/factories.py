"""Helpers the review tests share: delivered orders (verified buyers), reviews through the service, pictures."""

from __future__ import annotations

import io
import itertools
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from commerce.accounts.models import User
from orders.services.lifecycle import order_allocate, order_deliver, order_mark_ready, order_ship
from recommendations import rating_summary
from recommendations.models import AXES, ProductRatingSummary, Review, ReviewPhoto
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
    return order_deliver(order=order)


def verified_buyer(product):
    customer, address = customer_with_address()
    delivered_order(product, customer, address)
    return customer


def moderator(**kwargs):
    """A member of staff in Support (``accounts.moderate_reviews``)."""
    return StaffFactory(groups=["Support"], **kwargs)


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


_bulk = itertools.count(1)


def bulk_reviews(product, n: int) -> list[Review]:
    """``n`` approved reviews of ``product`` by new customers, inserted in bulk (query-count tests at a
    hundred reviews; the services would take seconds), every third with a photo row; the product's
    rating summary folds them in as the projection folds their events."""
    batch = next(_bulk)
    users = User.objects.bulk_create([User(username=f"bulk-{batch}-{i}", first_name=f"Shopper{i}", password="!")
                                      for i in range(n)])
    now = timezone.now()
    made = Review.objects.bulk_create([
        Review(customer=user, product=product, title=f"Bulk {batch}-{i}", text="Bulk review text.", status="approved",
               verified_purchase=i % 2 == 0, score=rating_summary.weighted_score(ratings(1 + i % 5)),
               submitted_at=now, photo_count=int(i % 3 == 0), **{f"rating_{a}": r for a, r in ratings(1 + i % 5).items()})
        for i, user in enumerate(users)
    ])
    if made[0].pk is None:  # a back end that returns no ids from a bulk insert (MariaDB)
        made = list(Review.objects.filter(title__startswith=f"Bulk {batch}-").order_by("id"))
    ReviewPhoto.objects.bulk_create([ReviewPhoto(review=r, image=f"reviews/bulk-{r.pk}.png", thumbnail=f"reviews/bulk-{r.pk}-t.png",
                                                 width=64, height=48, content_type="image/png")
                                     for r in made if r.photo_count])
    summary = ProductRatingSummary.objects.filter(product=product).first() or rating_summary._new(product.pk)
    for r in made:
        rating_summary.apply(summary, SimpleNamespace(occurred_at=now, payload={"after": {
            "verified": r.verified_purchase, "ratings": {a: getattr(r, f"rating_{a}") for a in AXES}}}))
    summary.save()
    return made


__all__ = ["bulk_reviews", "FIVE", "delivered_order", "moderator", "picture", "ratings", "review", "stocked_product", "verified_buyer"]
