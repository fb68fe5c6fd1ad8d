"""Shopper-facing lists: promotions for a customer, for a product, and the badges of product cards."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from commerce.catalog.models import Category, Product
from promotions import engine
from promotions.models import (
    Coupon,
    Promotion,
)
from promotions.selectors.lookups import _live_q
from promotions.selectors.rules import engine_rules
from promotions.selectors.segments import customer_segments


# --- shopper-facing lists ---------------------------------------------------------------------------
def promotions_for_customer(*, customer, now: datetime.datetime | None = None) -> list[Promotion]:
    """Live promotions a customer can get: automatic ones open to everyone or to one of their
    segments, plus those they hold an assigned, usable coupon for."""
    now = now or timezone.now()
    segment_ids = [s.pk for s in customer_segments(customer=customer)]
    usable_coupon = Coupon.objects.filter(
        promotion=OuterRef("pk"), assigned_to=customer, status=Coupon.Status.ACTIVE,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).filter(
        Q(max_uses__isnull=True) | Q(used_count__lt=F("max_uses"))
    )
    has_segments = Promotion.segments.through.objects.filter(promotion_id=OuterRef("pk"))
    in_segment = Promotion.segments.through.objects.filter(promotion_id=OuterRef("pk"), segment_id__in=segment_ids)
    qs = (
        Promotion.objects.filter(_live_q(now))
        .annotate(has_coupon=Exists(usable_coupon), restricted=Exists(has_segments), for_me=Exists(in_segment))
        .filter(Q(has_coupon=True) | (Q(requires_coupon=False) & (Q(restricted=False) | Q(for_me=True))))
        .select_related("campaign").order_by("-priority", "id")
    )
    return list(qs)


def _automatic_live(now) -> QuerySet[Promotion]:
    """Live promotions anyone gets without a code or a segment: the ones a catalog page may show."""
    return (
        Promotion.objects.filter(_live_q(now), requires_coupon=False)
        .exclude(Exists(Promotion.segments.through.objects.filter(promotion_id=OuterRef("pk"))))
    )


def _product_matches(rule_targets: tuple, product_id: int, category_path: str, manufacturer_id: int, paths: dict) -> bool:
    products, categories, manufacturers = rule_targets
    if not (products or categories or manufacturers):
        return True
    return (
        product_id in products
        or manufacturer_id in manufacturers
        or any(category_path.startswith(paths[c]) for c in categories if c in paths)
    )


def _targets_of(promotions: list[Promotion]) -> tuple[dict[int, tuple], dict[int, str]]:
    ids = [p.pk for p in promotions]
    targets = {pk: (set(), set(), set()) for pk in ids}
    for index, (name, column) in enumerate(
        (("target_products", "product_id"), ("target_categories", "category_id"), ("target_manufacturers", "manufacturer_id"))
    ):
        for pk, target in getattr(Promotion, name).through.objects.filter(promotion_id__in=ids).values_list("promotion_id", column):
            targets[pk][index].add(target)
    category_ids = set().union(*(t[1] for t in targets.values())) if targets else set()
    paths = dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "path")) if category_ids else {}
    return targets, paths


def promotions_for_product(*, product: Product, now: datetime.datetime | None = None) -> list[Promotion]:
    """Automatic live promotions that target this product (by product, category subtree or
    manufacturer), plus untargeted product discounts (which apply to every product)."""
    return _for_products([product.pk], now or timezone.now()).get(product.pk, [])


def _for_products(product_ids: Sequence[int], now) -> dict[int, list[Promotion]]:
    promotions = list(_automatic_live(now).order_by("-priority", "id"))
    if not promotions or not product_ids:
        return {}
    targets, paths = _targets_of(promotions)
    products = Product.objects.filter(pk__in=product_ids).values_list("pk", "category__path", "manufacturer_id")
    out: dict[int, list[Promotion]] = {}
    for pk, category_path, manufacturer_id in products:
        for p in promotions:
            t = targets[p.pk]
            untargeted = not any(t)
            if untargeted and p.discount_class != "product":
                continue
            if _product_matches(t, pk, category_path or "", manufacturer_id, paths):
                out.setdefault(pk, []).append(p)
    return out


def product_badges(*, product_ids: Iterable[int], now: datetime.datetime | None = None) -> dict[int, list[str]]:
    """Badges of the automatic live promotions on each product, for a catalog page.

    Read from the compiled rules (``engine_rules``, cached): no query while no automatic promotion
    is live, else two (the products' categories and makers, the category paths) for any number.
    """
    now = now or timezone.now()
    ids = list(product_ids)
    compiled = engine_rules()
    rules = sorted(
        (
            r for r in compiled.rules
            if not r.requires_coupon and not r.segment_ids
            and (r.valid_from is None or r.valid_from <= now) and (r.valid_to is None or now < r.valid_to)
            and (r.product_ids or r.category_ids or r.manufacturer_ids or r.discount_class == engine.PRODUCT)
        ),
        key=lambda r: (-r.priority, r.id),
    )
    if not rules or not ids:
        return {}
    products = list(Product.objects.filter(pk__in=ids).values_list("pk", "category_id", "manufacturer_id"))
    target_categories = set().union(*(r.category_ids for r in rules))
    paths = dict(
        Category.objects.filter(pk__in=target_categories | {c for _, c, _ in products if c}).values_list("pk", "path")
    ) if target_categories else {}
    out: dict[int, list[str]] = {}
    for pk, category_id, manufacturer_id in products:
        path = paths.get(category_id, "")
        for rule in rules:
            if _product_matches((rule.product_ids, rule.category_ids, rule.manufacturer_ids), pk, path, manufacturer_id, paths):
                label = compiled.badges[rule.id]
                if label not in out.setdefault(pk, []):
                    out[pk].append(label)
    return out
