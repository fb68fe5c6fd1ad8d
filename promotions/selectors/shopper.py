"""Shopper-facing lists: promotions for a customer, for a product, and the badges of product cards."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import replace

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from commerce.catalog.models import Category, Product
from commerce.money import Money
from promotions import engine
from promotions.models import (
    Coupon,
    Promotion,
)
from promotions.selectors.lookups import _live_q
from promotions.selectors.rules import _with_counters, engine_rules, from_minor, to_minor
from promotions.selectors.segments import customer_segment_ids, customer_segments


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


# --- shelf prices -------------------------------------------------------------------------------------
def unconditional(rule: engine.Rule, now: datetime.datetime, segment_ids: frozenset[int] = frozenset()) -> bool:
    """Does the rule lower the price of one unit for this shopper, now: an automatic product discount open
    to every shopper (or to one of ``segment_ids``, the customer's segments), in its window, without a
    minimum, whose benefit works on a single unit."""
    if rule.requires_coupon or rule.discount_class != engine.PRODUCT:
        return False
    if rule.segment_ids and not (rule.segment_ids & segment_ids):
        return False
    if (rule.valid_from is not None and rule.valid_from > now) or (rule.valid_to is not None and now >= rule.valid_to):
        return False
    if rule.min_subtotal is not None or (rule.min_quantity or 0) > 1:
        return False
    if rule.benefit in (engine.PERCENTAGE, engine.FIXED_AMOUNT):
        return True
    return rule.benefit == engine.QUANTITY_TIERS and bool(rule.tiers) and min(t.min_quantity for t in rule.tiers) <= 1


def product_prices(*, products: Sequence[Product], customer=None, now: datetime.datetime | None = None) -> dict[int, Money]:
    """What one unit of each product costs the shopper under the live promotions that need no condition
    (``unconditional``): the engine prices a one-unit cart per product with those rules, as the cart
    would (combination, priority, exclusivity, usage and budget left). A logged-in ``customer`` also
    gets the automatic promotions of their segments, and their own per-customer usage counts, as in
    their cart; a guest (None) gets what every shopper gets.

    The ``commerce.catalog.prices`` provider. Read from the compiled rules (cached): no query while
    no such promotion is live; else one for the counters of limited ones and one for the paths of
    categories (targeted and the products'), each only when needed, whatever the number of products;
    for a customer, while a live promotion is for segments, at most four for their segments and one for
    their use of per-customer limited ones. A product it does not lower is left out.
    """
    now = now or timezone.now()
    if not products:
        return {}
    compiled = engine_rules()
    customer_id = customer.pk if customer is not None else None
    possible = [r for r in compiled.rules if unconditional(r, now, r.segment_ids)]  # as if in every segment
    asked = set().union(*(r.segment_ids for r in possible)) if customer_id is not None else set()
    segment_ids = customer_segment_ids(
        customer_id=customer_id, segments={pk: v for pk, v in compiled.segments.items() if pk in asked},
    ) if asked else frozenset()
    candidates = tuple(r for r in possible if unconditional(r, now, segment_ids))
    if not candidates:
        return {}
    by_currency: dict[str, list[engine.Rule]] = {}
    out: dict[int, Money] = {}
    target_categories = frozenset().union(*(r.category_ids for r in candidates))
    # one query for the paths of the targeted categories and the products' own (cached product rows may lack it)
    paths = dict(
        Category.objects.filter(pk__in=target_categories | {p.category_id for p in products}).values_list("pk", "path")
    ) if target_categories else {}
    target_paths = [(pk, paths[pk]) for pk in target_categories if pk in paths]
    for product in products:
        currency = product.price_currency
        if currency not in by_currency:
            by_currency[currency] = _with_counters(
                replace(compiled, rules=candidates), customer_id=customer_id, currency=currency)
        rules = by_currency[currency]
        if not rules:
            continue
        path = paths.get(product.category_id, "")
        categories = frozenset({product.category_id, *(pk for pk, target in target_paths if path.startswith(target))} - {None})
        unit = to_minor(product.price_amount, currency)
        cart = engine.Cart(
            lines=(engine.Line(index=0, product_id=product.pk, quantity=1, unit_price=unit, category_ids=categories,
                               manufacturer_id=product.manufacturer_id),),
            currency=currency, now=now, customer_id=customer_id, segment_ids=segment_ids,
        )
        off = sum(a.line_amounts.get(0, 0) for a in engine.evaluate(cart, rules).applied)
        if off > 0:
            out[product.pk] = from_minor(max(0, unit - off), currency)
    return out
