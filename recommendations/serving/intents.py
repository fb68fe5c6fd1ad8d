"""Candidate lists per intent, ranked, before the business rules: ``[(product id, score), ...]``.

Each function costs a fixed, small number of queries whatever the catalog's size, and is cached by
the caller (``serving.serve``). Scores are comparable within one list only.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from commerce.audit.journey import JourneyAction
from commerce.audit.models import JourneyStep
from commerce.catalog.models import Category, Product
from orders.selectors import product_purchase_counts
from recommendations.models import ProductPair

Ranked = list[tuple[int, float]]

POPULAR_DAYS = 30
CONTENT_CANDIDATES = 300  # the most a cold product's content similarity compares it with
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
STOP = frozenset("and the for with from this that your our are you not but all can has its".split())


def normalised(ranked: Ranked) -> Ranked:
    top = max((s for _p, s in ranked), default=0.0)
    return [(p, s / top) for p, s in ranked] if top > 0 else ranked


def popular(*, category_id: int | None = None, limit: int = 60, now: datetime.datetime | None = None) -> Ranked:
    """Most bought in the last 30 days (an order counts five views), then most viewed; in a category
    (and its subcategories) when given. Two grouped queries (three with a category)."""
    since = (now or timezone.now()) - datetime.timedelta(days=POPULAR_DAYS)
    scores: Counter[int] = Counter()
    for product_id, orders in product_purchase_counts(since=since, limit=limit * 4):
        scores[product_id] += 5.0 * orders
    views = (JourneyStep.objects.filter(action=JourneyAction.PRODUCT_VIEW, occurred_at__gte=since, product_id__isnull=False)
             .values("product_id").annotate(n=Count("id")).order_by("-n", "product_id").values_list("product_id", "n"))
    for product_id, n in views[: limit * 4]:
        scores[product_id] += float(n)
    if category_id is not None:
        category = Category.objects.filter(pk=category_id).only("path").first()
        if category is None:
            return []
        allowed = set(Product.objects.filter(category__path__startswith=category.path, is_active=True)
                      .values_list("id", flat=True)[:5000])
        scores = Counter({p: s for p, s in scores.items() if p in allowed})
        if len(scores) < limit:  # a quiet category: its newest products after what sold
            for product_id in sorted(allowed - set(scores), reverse=True)[: limit - len(scores)]:
                scores[product_id] = 0.01
    return normalised(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


def trending(*, limit: int = 60, now: datetime.datetime | None = None) -> Ranked:
    """Recent velocity: views and adds to cart (three views' worth) in the last ``RECOMMENDATIONS_TRENDING_HOURS``
    against the same span's average over the week before; a product needs two recent steps. Two
    grouped queries on the journey's action and time index."""
    now = now or timezone.now()
    window = datetime.timedelta(hours=settings.RECOMMENDATIONS_TRENDING_HOURS)
    baseline_span = datetime.timedelta(days=7)
    actions = [JourneyAction.PRODUCT_VIEW, JourneyAction.ADD_TO_CART]

    def counts(start, end) -> Counter[int]:
        rows = (JourneyStep.objects.filter(action__in=actions, occurred_at__gte=start, occurred_at__lt=end,
                                           product_id__isnull=False)
                .values("product_id", "action").annotate(n=Count("id")).order_by().values_list("product_id", "action", "n"))
        found: Counter[int] = Counter()
        for product_id, action, n in rows:
            found[product_id] += n * (3 if action == JourneyAction.ADD_TO_CART else 1)
        return found

    recent = counts(now - window, now)
    before = counts(now - window - baseline_span, now - window)
    spans = baseline_span / window
    scores = []
    for product_id, n in recent.items():
        if n < 2:
            continue
        expected = before.get(product_id, 0) / spans
        scores.append((product_id, (n - expected) * n / (expected + 1.0)))
    scores = [(p, s) for p, s in scores if s > 0]
    return normalised(sorted(scores, key=lambda kv: (-kv[1], kv[0]))[:limit])


def bought_together(*, product_ids: list[int], limit: int = 30) -> Ranked:
    """The products most often bought with these (the pairs read model): confidence summed over the
    given products, weighted by lift. One query."""
    if not product_ids:
        return []
    scores: Counter[int] = Counter()
    given = set(product_ids)
    rows = ProductPair.objects.filter(product_id__in=list(given)).values_list("other_id", "confidence", "lift")
    for other_id, confidence, lift in rows:
        if other_id not in given:
            scores[other_id] += confidence * min(lift, 10.0) ** 0.5
    return normalised(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


def _words(*texts: str) -> set[str]:
    return {w for text in texts for w in WORD.findall(text.lower()) if w not in STOP}


def similar_by_content(*, product_id: int, limit: int = 30) -> Ranked:
    """For a product the model does not know (new, or no model yet): products of the same category or
    manufacturer, ranked by category (2), manufacturer (1) and the overlap of their names and
    descriptions' words (Jaccard, up to 2). Two queries."""
    product = Product.objects.filter(pk=product_id).values("category_id", "manufacturer_id", "name", "description").first()
    if product is None:
        return []
    mine = _words(product["name"], product["description"][:2000])
    rows = (Product.objects.filter(Q(category_id=product["category_id"]) | Q(manufacturer_id=product["manufacturer_id"]),
                                   is_active=True).exclude(pk=product_id)
            .order_by("-id").values_list("id", "category_id", "manufacturer_id", "name", "description")[:CONTENT_CANDIDATES])
    scores = []
    for other_id, category_id, manufacturer_id, name, description in rows:
        theirs = _words(name, description[:2000])
        overlap = len(mine & theirs) / len(mine | theirs) if mine and theirs else 0.0
        score = 2.0 * (category_id == product["category_id"]) + 1.0 * (manufacturer_id == product["manufacturer_id"]) + 2.0 * overlap
        scores.append((other_id, score))
    return normalised(sorted(scores, key=lambda kv: (-kv[1], kv[0]))[:limit])


def blend(*lists: tuple[Ranked, float], limit: int = 60) -> Ranked:
    """Weighted sum of several normalised lists."""
    scores: Counter[int] = Counter()
    for ranked, weight in lists:
        for product_id, score in ranked:
            scores[product_id] += weight * score
    return normalised(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
