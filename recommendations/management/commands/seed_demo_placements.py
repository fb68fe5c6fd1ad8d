"""``manage.py seed_demo_placements``: what the recommendation shelves show in the demo shop.

What it makes (once the demo shop's products, customers and orders exist):

* product views of demo customers, each mostly within one or two categories (their taste), and of
  anonymous visitors in the last hours on a handful of products (so "Trending now" has something);
* the "frequently bought together" read model, counted from the demo orders;
* a merchandiser's rules: a product pinned first on the home page's "Trending now", another
  excluded from "Similar products".

``seed_demo`` runs it after the demo reviews and before the recommender's training (the views count
in it). Idempotent: when the home page's pin exists it changes nothing and says so.
"""

from __future__ import annotations

import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from commerce.accounts import access
from commerce.audit.journey import JourneyAction, Step, journey_record_many
from commerce.catalog.selectors import product_queryset
from commerce.demo import add_allow_production_argument, refuse_in_production
from recommendations.models import Placement, PlacementRule
from recommendations.services.serving import placement_rule_set
from recommendations.serving.bought_together import bought_together_rebuild

VIEWERS = 60
VIEWS_EACH = (4, 12)
VISITORS = 12


class Command(BaseCommand):
    help = "Demo product views, the bought-together read model and placement rules (idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        add_allow_production_argument(parser)

    def handle(self, *args, seed, allow_production, **options):
        refuse_in_production("seed_demo_placements", allow_production=allow_production)
        started = time.monotonic()
        home = Placement.objects.filter(key="home_trending").first()
        if home is None or PlacementRule.objects.filter(placement=home).exists():
            self.stdout.write(self.style.SUCCESS("Demo placement rules already present: nothing changed."))
            return
        rng = random.Random(seed)
        products = list(product_queryset().filter(available__gt=0).order_by("pk").values_list("pk", "category_id"))
        if len(products) < 10:
            self.stdout.write("Too few products in stock: no demo views or placement rules.")
            return
        by_category: dict[int, list[int]] = {}
        for pk, category_id in products:
            by_category.setdefault(category_id, []).append(pk)
        categories = sorted(by_category)
        customers = list(get_user_model().objects.filter(groups__name=access.CUSTOMERS, is_active=True)
                         .order_by("username").values_list("pk", flat=True)[:VIEWERS])
        views = 0
        for customer_id in customers:  # one INSERT per shopper
            taste = rng.sample(categories, min(2, len(categories)))
            pool = [pk for category_id in taste for pk in by_category[category_id]]
            steps = [Step(JourneyAction.PRODUCT_VIEW, product_id=rng.choice(pool)) for _ in range(rng.randint(*VIEWS_EACH))]
            journey_record_many(steps=steps, session_id=f"demo-{customer_id}", customer_id=customer_id)
            views += len(steps)
        hot = rng.sample([pk for pk, _c in products], 5)
        for visitor in range(VISITORS):
            steps = [Step(JourneyAction.PRODUCT_VIEW, product_id=rng.choice(hot)) for _ in range(rng.randint(2, 5))]
            journey_record_many(steps=steps, session_id=f"demo-visitor-{visitor}")
            views += len(steps)
        pairs = bought_together_rebuild()
        pinned = rng.choice([pk for pk, _c in products if pk not in hot])
        placement_rule_set(placement_id=home.pk, product_id=pinned, kind=PlacementRule.Kind.PIN, position=1)
        similar = Placement.objects.get(key="product_similar")
        excluded = rng.choice([pk for pk, _c in products if pk != pinned])
        placement_rule_set(placement_id=similar.pk, product_id=excluded, kind=PlacementRule.Kind.EXCLUDE)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo recommendations in {elapsed:.1f} s: {views} product views, {pairs} product pairs bought together, "
            f"product {pinned} pinned first on the home page's trending shelf, product {excluded} never shown as similar."))
