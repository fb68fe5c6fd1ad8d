"""The rating read model: ``ProductRatingSummary`` rows projected from ``recommendations.rating.updated``.

Each such event says what one review counted in its product's approved ratings before and after a
command (``before``/``after``: ratings per axis, score, verified, or None). The projection takes the
``before`` out and puts the ``after`` in, synchronously, in the transaction that records the event,
and reads nothing but event payloads: replaying the audit table (``rebuild``,
``manage.py rebuild_rating_summaries``) yields the same rows. Averages are derived from the
distribution (exact integers), so no rounding drifts with the order of the events.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import connections, router, transaction

from commerce.audit.models import DomainEvent
from commerce.locks import Kind, lock
from recommendations.models import AXES, ProductRatingSummary

EVENT_TYPE = "recommendations.rating.updated"
_CENT = Decimal("0.01")


def _weights() -> dict[str, Decimal]:
    from django.conf import settings

    return {axis: Decimal(str(settings.REVIEW_RATING_WEIGHTS[axis])) for axis in AXES}


def weighted_score(ratings: dict[str, int]) -> Decimal:
    """The spec's ``calculateWeightedScore``: Σ weight × stars / Σ weight, to two places (half up)."""
    weights = _weights()
    total = sum(weights.values())
    return (sum(weights[axis] * ratings[axis] for axis in AXES) / total).quantize(_CENT, rounding=ROUND_HALF_UP)


def empty_distribution() -> dict[str, list[int]]:
    return {axis: [0, 0, 0, 0, 0] for axis in AXES}


def _average(counts: list[int]) -> Decimal | None:
    n = sum(counts)
    if not n:
        return None
    return (Decimal(sum(stars * c for stars, c in enumerate(counts, start=1))) / n).quantize(_CENT, rounding=ROUND_HALF_UP)


def _derive(summary: ProductRatingSummary) -> None:
    for axis in AXES:
        setattr(summary, f"average_{axis}", _average(summary.distribution[axis]))
    if summary.review_count:
        averages = {axis: Decimal(sum(s * c for s, c in enumerate(summary.distribution[axis], start=1))) / summary.review_count
                    for axis in AXES}
        weights = _weights()
        score = sum(weights[a] * averages[a] for a in AXES) / sum(weights.values())
        summary.average_score = score.quantize(_CENT, rounding=ROUND_HALF_UP)
    else:
        summary.average_score = None


def apply(summary: ProductRatingSummary, event: DomainEvent) -> ProductRatingSummary:
    """Fold one rating event into its product's summary (pure: no queries)."""
    distribution = {axis: list(summary.distribution.get(axis) or [0] * 5) for axis in AXES}
    for part, sign in ((event.payload.get("before"), -1), (event.payload.get("after"), 1)):
        if not part:
            continue
        summary.review_count += sign
        summary.verified_count += sign if part["verified"] else 0
        for axis in AXES:
            distribution[axis][int(part["ratings"][axis]) - 1] += sign
    summary.distribution = distribution
    _derive(summary)
    summary.updated_at = event.occurred_at
    return summary


def _new(product_id: int) -> ProductRatingSummary:
    return ProductRatingSummary(product_id=product_id, review_count=0, verified_count=0, distribution=empty_distribution())


def hold(product_ids: list[int]) -> list[ProductRatingSummary]:
    """Lock the products' summary rows, inserting those that do not exist yet.

    A command takes this before it records a rating event: writers of one product's ratings then
    queue on its row, so the ``product_rating`` stream's versions are never raced for, and the
    projection finds the row held. Concurrent first ratings must not deadlock: an INSERT IGNORE that
    meets a duplicate takes a shared lock, and two such transactions upgrading to FOR UPDATE deadlock
    on MariaDB; an upsert takes the row's exclusive lock at once (the column it "updates",
    ``updated_at``, is set again by every event applied).
    """
    using = router.db_for_write(ProductRatingSummary)
    target = {"unique_fields": ["product"]} if connections[using].features.supports_update_conflicts_with_target else {}
    ProductRatingSummary.objects.bulk_create([_new(i) for i in product_ids], update_conflicts=True, update_fields=["updated_at"],
                                             **target)
    return lock(Kind.RATING_SUMMARY, ProductRatingSummary.objects.filter(product_id__in=product_ids))


def project(rows: list[DomainEvent]) -> None:
    """The ``events_stored`` receiver: update the summaries of the products these rows rate."""
    rating_rows = [r for r in rows if r.event_type == EVENT_TYPE]
    if not rating_rows:
        return
    summaries = {s.product_id: s for s in hold(sorted({int(r.stream_id) for r in rating_rows}))}
    for row in rating_rows:
        apply(summaries[int(row.stream_id)], row)
    for summary in summaries.values():
        summary.save()


def rebuild() -> int:
    """Drop and replay every summary from the audit table; returns how many products."""
    with transaction.atomic():
        ProductRatingSummary.objects.all().delete()
        summaries: dict[int, ProductRatingSummary] = {}
        events = DomainEvent.objects.filter(event_type=EVENT_TYPE).order_by("id").iterator(chunk_size=2000)
        for event in events:
            product_id = int(event.stream_id)
            summary = summaries.get(product_id) or _new(product_id)
            summaries[product_id] = apply(summary, event)
        ProductRatingSummary.objects.bulk_create(summaries.values(), batch_size=500)
        return len(summaries)
