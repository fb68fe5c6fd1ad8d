"""``manage.py seed_demo_experiments``: an A/B test running in the demo shop, with two weeks of tracked
lists and their daily rows, so the performance page and the test's results have figures.

What it makes (once the demo products and customers exist):

* "Home: personalised against trending" on ``home_for_you``, started 14 days ago through the
  services: the control serves the placement as it is, the treatment serves what is trending;
* for each of those days, lists served to demo customers in their own variant (the real hash, so
  the shop serves each customer the variant the demo gave them), seen, clicked, added to cart and
  bought at rates that differ by variant, and lists of the other placements outside the test;
* the daily rows of those days (``stats_rebuild_day``, the nightly task's service).

The lists, clicks and conversions are tracking rows written in bulk, as the serving and attribution
code writes them. Idempotent: when the demo test exists it changes nothing and says so.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from commerce.accounts import access
from commerce.catalog.selectors import product_queryset
from commerce.demo import add_allow_production_argument, refuse_in_production
from recommendations.models import (
    Experiment,
    ExperimentAssignment,
    RecommendationClick,
    RecommendationConversion,
    RecommendationList,
)
from recommendations.services.experiments import experiment_create, experiment_start, experiment_variant_save
from recommendations.serving import experiments
from recommendations.serving.stats import stats_rebuild_day

NAME = "Home: personalised against trending"
DAYS = 14
SHOPPERS = 80
#: per variant key: the chance a list seen is clicked, and a click's chance to be added to cart and bought
RATES = {"control": (0.11, 0.35, 0.45), "trending": (0.07, 0.30, 0.40)}
#: lists outside the test: placement, intent, chance of a click
OTHERS = (("product_similar", "similar", 0.09), ("product_bought_together", "bought_together", 0.12),
          ("cart_bought_together", "bought_together", 0.06))


class Command(BaseCommand):
    help = "A running demo A/B test with two weeks of tracked lists and daily rows (idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        add_allow_production_argument(parser)

    def handle(self, *args, seed, allow_production, **options):
        refuse_in_production("seed_demo_experiments", allow_production=allow_production)
        if Experiment.objects.filter(name=NAME).exists():
            self.stdout.write(self.style.SUCCESS("Demo A/B test already present: nothing changed."))
            return
        started = time.monotonic()
        rng = random.Random(seed)
        products = list(product_queryset().filter(available__gt=0).order_by("pk").values_list("pk", "price_amount",
                                                                                              "price_currency")[:200])
        customers = list(get_user_model().objects.filter(groups__name=access.CUSTOMERS, is_active=True)
                         .order_by("username").values_list("pk", flat=True)[:SHOPPERS])
        if len(products) < 8 or not customers:
            self.stdout.write("Too few products or customers: no demo A/B test.")
            return
        now = timezone.now()
        first_day = timezone.localdate(now) - datetime.timedelta(days=DAYS)
        test = experiment_create(name=NAME, placement="home_for_you", minimum_effect="0.20")
        experiment_variant_save(experiment_id=test.pk, key="control", name="Personalised (as it is)", is_control=True)
        experiment_variant_save(experiment_id=test.pk, key="trending", name="Trending instead", intent="trending")
        test = experiment_start(experiment_id=test.pk, now=now - datetime.timedelta(days=DAYS))
        spec = experiments.ExperimentSpec(id=test.pk, placement=test.placement, salt=test.salt, variants=tuple(
            experiments.VariantSpec(id=v.pk, key=v.key, is_control=v.is_control, weight=v.weight, intent=v.intent)
            for v in test.variants.order_by("pk")))
        variants = {c: experiments.choose(spec, f"c{c}") for c in customers}
        ExperimentAssignment.objects.bulk_create([
            ExperimentAssignment(experiment_id=test.pk, variant_id=v.id, subject=f"c{c}", customer_id=c,
                                 assigned_at=now - datetime.timedelta(days=DAYS)) for c, v in variants.items()],
            ignore_conflicts=True)
        lists, clicks, conversions = [], [], []

        def serve(day_start, customer_id, placement, intent, variant_id, click_rate, cart_rate, buy_rate):
            at = day_start + datetime.timedelta(minutes=rng.randint(8 * 60, 22 * 60))
            shown = [p for p, _price, _cur in rng.sample(products, 8)]
            row = RecommendationList(id=uuid.uuid4(), placement=placement, intent=intent, customer_id=customer_id,
                                     product_ids=shown, variant_id=variant_id, channel="web", created_at=at, impressed_at=at)
            lists.append(row)
            if rng.random() >= click_rate:
                return
            position = rng.randrange(len(shown))
            clicked_at = at + datetime.timedelta(seconds=rng.randint(5, 600))
            click = RecommendationClick(recommendation_list_id=row.id, product_id=shown[position], position=position + 1,
                                        customer_id=customer_id, clicked_at=clicked_at)
            clicks.append(click)
            if rng.random() < cart_rate:
                conversions.append(RecommendationConversion(
                    reference=f"demo-cart:{row.id}", kind="add_to_cart", recommendation_list_id=row.id,
                    product_id=shown[position], customer_id=customer_id, occurred_at=clicked_at + datetime.timedelta(minutes=2)))
                if rng.random() < buy_rate:
                    _pk, price, currency = next(p for p in products if p[0] == shown[position])
                    quantity = rng.choice((1, 1, 1, 2))
                    conversions.append(RecommendationConversion(
                        reference=f"demo-order:{row.id}", kind="purchase", recommendation_list_id=row.id,
                        product_id=shown[position], quantity=quantity, revenue_amount=Decimal(price) * quantity,
                        revenue_currency=currency, customer_id=customer_id,
                        occurred_at=clicked_at + datetime.timedelta(hours=rng.randint(1, 30))))

        for offset in range(DAYS + 1):
            day = first_day + datetime.timedelta(days=offset)
            day_start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
            for customer_id, variant in variants.items():
                if rng.random() > 0.45:
                    continue  # not in the shop that day
                for _ in range(rng.randint(1, 3)):
                    serve(day_start, customer_id, "home_for_you", variant.intent or "for_you", variant.id,
                          *RATES[variant.key])
                placement, intent, rate = rng.choice(OTHERS)
                serve(day_start, customer_id, placement, intent, 0, rate, 0.3, 0.4)
        RecommendationList.objects.bulk_create(lists, batch_size=1000)
        RecommendationClick.objects.bulk_create(clicks, batch_size=1000)
        RecommendationConversion.objects.bulk_create(conversions, batch_size=1000)
        for offset in range(DAYS):
            stats_rebuild_day(day=first_day + datetime.timedelta(days=offset))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo A/B test in {elapsed:.1f} s: \"{NAME}\" running on home_for_you for {DAYS} days, {len(variants)} "
            f"customers split, {len(lists)} lists, {len(clicks)} clicks, {len(conversions)} adds to cart and purchases."))
