"""``manage.py seed_demo_reviews``: demo reviews of what the demo customers received, through the services.

The customers of delivered demo orders (``orders.selectors.received_order_lines``) review most of
what they received: some with stars only (published at once: verified buyers), most with a title and
text, of which the support team approves most, leaves some waiting in the moderation queue and
rejects one; the shop replies under a few. A few customers who never bought review popular
products too (not verified), others vote them helpful or not, and the abuse screen gets two banned
words. ``seed_demo`` runs it after the demo orders. Deterministic (``random.Random(seed)``);
idempotent: when any review exists it changes nothing and says so.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from commerce import locks
from commerce.accounts import access
from commerce.catalog.selectors import product_queryset
from commerce.demo import add_allow_production_argument, refuse_in_production
from orders.selectors import received_order_lines
from recommendations.models import AXES, Review
from recommendations.services import review_moderation, reviews

DEFAULT_SEED = 2024
TEXTS = [
    ("Just as described", "Arrived well packed and two days early. Does exactly what it should."),
    ("Good value", "Not the cheapest, but the quality makes up for it. I would buy it again."),
    ("Happy with it", "My family liked it a lot; we have ordered it twice now."),
    ("Decent, not great", "It is fine for everyday use, though I expected a little more for the price."),
    ("Disappointing", "The packaging was damaged and the product did not last as long as I hoped."),
    ("Excellent quality", "Really impressed by the finish. Delivery was quick and the courier was friendly."),
    ("Would recommend", "Easy to use, sturdy, and the instructions were clear."),
]
REPLIES = ["Thank you for taking the time to review it!", "We are sorry to hear that; our support team will contact you.",
           "Glad you like it. Enjoy!"]


class Command(BaseCommand):
    help = "Write demo reviews of the demo customers' delivered orders through the services (idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same reviews).")
        add_allow_production_argument(parser)

    def handle(self, *args, seed, allow_production, **options):
        refuse_in_production("seed_demo_reviews", allow_production=allow_production)
        started = time.monotonic()
        if Review.objects.exists():
            self.stdout.write(self.style.SUCCESS("Demo reviews already present: nothing changed."))
            return
        rng = random.Random(seed)
        users = get_user_model().objects
        moderator = (users.filter(groups__name=access.SUPPORT, is_active=True).order_by("username").first()
                     or users.filter(is_superuser=True, is_active=True).order_by("username").first())
        on_sale = set(product_queryset().values_list("pk", flat=True))  # a withdrawn product takes no reviews
        # A guest's delivered order is nobody's to review until claimed: its lines have no customer.
        lines = sorted({(row["customer_id"], row["product_id"]) for row in received_order_lines()
                        if row["product_id"] in on_sale and row["customer_id"] is not None})
        if moderator is None or not lines:
            self.stdout.write("No delivered demo orders or no support staff: no demo reviews written.")
            return
        customers = {u.pk: u for u in users.filter(pk__in={c for c, _ in lines})}
        shoppers = list(users.filter(groups__name=access.CUSTOMERS, is_active=True).order_by("username")[:40])
        tally: Counter = Counter()
        with locks.batch():  # all the demo reviews or none; run alone, so its commands are checked one by one
            for word in ("scam", "fake"):
                review_moderation.banned_word_add(word=word, staff=moderator)
            made = []
            for customer_id, product_id in lines:
                if rng.random() < 0.3:
                    continue
                made.append(self._review(rng, customers[customer_id], product_id, moderator, tally))
            popular = [product for product, _count in Counter(p for _, p in lines).most_common(5)]
            buyers = {(c, p) for c, p in lines}
            for shopper in shoppers[:8]:
                product_id = rng.choice(popular)
                if (shopper.pk, product_id) not in buyers:
                    made.append(self._review(rng, shopper, product_id, moderator, tally, text_only=True))
            self._votes(rng, [r for r in made if r.status == Review.Status.APPROVED], shoppers, tally)
        elapsed = time.monotonic() - started
        detail = ", ".join(f"{n} {what}" for what, n in sorted(tally.items()))
        self.stdout.write(self.style.SUCCESS(f"Demo reviews written in {elapsed:.1f} s: {len(made)} reviews ({detail})."))

    @staticmethod
    def _ratings(rng) -> dict[str, int]:
        overall = rng.choices((5, 4, 3, 2, 1), weights=(45, 30, 12, 8, 5))[0]
        return {axis: overall if axis == "overall" else max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))) for axis in AXES}

    def _review(self, rng, customer, product_id: int, moderator, tally: Counter, *, text_only: bool = False) -> Review:
        ratings = self._ratings(rng)
        if not text_only and rng.random() < 0.25:
            tally["star-only"] += 1
            return reviews.review_submit(customer=customer, product_id=product_id, ratings=ratings)
        title, text = TEXTS[(ratings["overall"] * 3 + rng.randrange(len(TEXTS))) % len(TEXTS)]
        review = reviews.review_submit(customer=customer, product_id=product_id, title=title, text=text, ratings=ratings)
        fate = rng.random()
        if fate < 0.15 or not tally["pending"]:  # the queue always has something to show
            tally["pending"] += 1
            return review
        if not tally["rejected"]:
            tally["rejected"] += 1
            return review_moderation.review_reject(review_id=review.pk, moderator=moderator, reason="Mentions another shop.")
        review = review_moderation.review_approve(review_id=review.pk, moderator=moderator)
        tally["approved"] += 1
        if rng.random() < 0.3:
            tally["replied"] += 1
            review = review_moderation.review_reply(review_id=review.pk, staff=moderator, text=rng.choice(REPLIES))
        return review

    @staticmethod
    def _votes(rng, published: list[Review], shoppers: list, tally: Counter) -> None:
        for review in published:
            for voter in rng.sample(shoppers, min(len(shoppers), rng.randint(0, 4))):
                if voter.pk != review.customer_id:
                    reviews.review_vote(review_id=review.pk, customer=voter, helpful=rng.random() < 0.8)
                    tally["votes"] += 1
