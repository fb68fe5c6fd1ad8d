"""Review queries (the spec's GetProductReviews, GetReviewById, GetCustomerReviews,
GetVerifiedReviews, SearchReviews, GetReviewStatistics, GetRatingDistribution) and the moderation
figures.

Shoppers see approved reviews only; the author sees their own in any state; moderators
(``accounts.moderate_reviews``) see every review. Lists select the author and prefetch the
photos, so a page costs the same number of queries at any size; statistics read the rating
summary (the read model), never aggregate reviews.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from commerce.accounts import access
from commerce.audit.models import DomainEvent
from commerce.parsing import parse_id
from orders.selectors import received_order_lines
from recommendations.errors import ReviewInvalid, ReviewNotFound
from recommendations.models import AXES, ProductRatingSummary, Review, ReviewPhoto
from recommendations.rating_summary import empty_distribution
from recommendations.review_search import search_filter, search_words

RS = Review.Status
#: sort name -> ordering (ties broken newest first, then by id, so pages never overlap)
SORTS = {
    "newest": ("-created_at", "-id"),
    "helpful": ("-helpful_count", "-created_at", "-id"),
    "highest": ("-rating_overall", "-created_at", "-id"),
    "lowest": ("rating_overall", "-created_at", "-id"),
}
SEARCH_MAX = 100


def can_moderate(user) -> bool:
    return access.has_permission(user, "moderate_reviews")


def _photos() -> Prefetch:
    return Prefetch("photos", queryset=ReviewPhoto.objects.order_by("id"))


def _with_rows(qs: QuerySet[Review], *, products: bool = True) -> QuerySet[Review]:
    """Authors, products (unless the list is of one product the caller has) and photos in one query
    each. Prefetched, not joined: with a join MariaDB may start from the user table and sort a
    product's whole list for one page."""
    return qs.prefetch_related("customer", *(["product"] if products else []), _photos())


def review_rows(reviews) -> list[Review]:
    """Authors and photos of reviews read with ``rows=False`` (a page, the newest for the page's markup),
    in one query each for all of them together."""
    reviews = list({id(review): review for review in reviews}.values())
    prefetch_related_objects(reviews, "customer", _photos())
    return reviews


def review_list(
    *, product_id: int | None = None, sort: str = "newest", verified: bool | None = None, stars: int | None = None,
    with_photos: bool | None = None, query: str = "", statistics: RatingStatistics | None = None, rows: bool = True,
) -> QuerySet[Review]:
    """Approved reviews, of one product or all: sorted (``SORTS``), filtered by verified purchase,
    overall stars, having photos and a text search in title and text (``review_search``: each word of
    ``query`` begins a word of either; a query without words searches nothing). ``rows=False`` leaves authors
    and photos to the caller (``review_rows``, to read them once for several lists of a page).

    A product's list with no filter, or only the verified or the stars filter, carries its size from
    the rating summary (``statistics``, read when not given: one primary-key query), so paginating
    it never counts the product's reviews."""
    errors = {}
    if sort not in SORTS:
        errors["sort"] = ["One of: " + ", ".join(SORTS) + "."]
    if stars is not None and stars not in (1, 2, 3, 4, 5):
        errors["stars"] = ["1 to 5."]
    query = (query or "").strip()
    if len(query) > SEARCH_MAX or "\x00" in query:
        errors["q"] = [f"At most {SEARCH_MAX} characters of text."]
    if errors:
        raise ReviewInvalid(f"The filter is not valid: {next(iter(errors.values()))[0]}", fields=errors)
    qs = Review.objects.filter(status=RS.APPROVED)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if verified is not None:
        qs = qs.filter(verified_purchase=verified)
    if stars is not None:
        qs = qs.filter(rating_overall=stars)
    if with_photos is not None:
        qs = qs.filter(photo_count__gt=0) if with_photos else qs.filter(photo_count=0)
    words = search_words(query)
    if words:
        qs = search_filter(qs, words)
    qs = qs.order_by(*SORTS[sort])
    if rows:
        qs = _with_rows(qs, products=product_id is None)
    if product_id is not None and not words and with_photos is None and (verified is None or stars is None):
        stats = statistics if statistics is not None and statistics.product_id == product_id else \
            rating_statistics(product_id=product_id)
        qs = qs.with_count(_known_count(stats, verified=verified, stars=stars))
    return qs


def _known_count(stats: RatingStatistics, *, verified: bool | None, stars: int | None) -> int:
    """The size of a product's approved list filtered by verified purchase or by stars (not both), from its summary."""
    if stars is not None:
        return stats.distribution["overall"][stars - 1]
    if verified is None:
        return stats.review_count
    return stats.verified_count if verified else stats.review_count - stats.verified_count


def review_get(*, review_id: int, requester=None) -> Review:
    """A review by id: an approved one for anyone, any other for its author and moderators."""
    review_id = parse_id(review_id)
    review = _with_rows(Review.objects.filter(pk=review_id)).first() if review_id else None
    if review is None or (review.status != RS.APPROVED and not _may_see_unpublished(requester, review)):
        raise ReviewNotFound("No such review.")
    return review


def _may_see_unpublished(user, review: Review) -> bool:
    return user is not None and user.is_authenticated and (user.pk == review.customer_id or can_moderate(user))


def customer_reviews(*, customer_id: int) -> QuerySet[Review]:
    """A customer's reviews in every state, newest first (their own page; moderators)."""
    return _with_rows(Review.objects.filter(customer_id=customer_id).order_by("-created_at", "-id"))


def customer_review_of(*, customer, product_id: int) -> Review | None:
    """The customer's review of the product in any state, with its photos."""
    if customer is None or not customer.is_authenticated:
        return None
    return _with_rows(Review.objects.filter(customer=customer, product_id=product_id)).first()


@dataclass(frozen=True)
class ShopperStanding:
    """What the product page's reviews section shows one shopper alone: their review of the product (any
    state; the row alone, its author the shopper), their votes (review id -> helpful) and their reports
    on the reviews shown."""

    mine: Review | None
    votes: dict[int, bool]
    reported: frozenset[int]


NO_STANDING = ShopperStanding(mine=None, votes={}, reported=frozenset())


def shopper_standing(*, customer, product_id: int, review_ids) -> ShopperStanding:
    """The shopper's review of the product, and their votes and reports on these reviews, in one query:
    their review by its unique key, or a shown review they voted on or reported (each joined by its
    unique key), so the cost is one query at any page size. None for a guest."""
    if customer is None or not customer.is_authenticated:
        return NO_STANDING
    review_ids = list(review_ids)
    rows = Review.objects.annotate(
        my_vote=FilteredRelation("votes", condition=Q(votes__customer_id=customer.pk)),
        my_flag=FilteredRelation("flags", condition=Q(flags__customer_id=customer.pk)),
    ).annotate(vote_helpful=F("my_vote__helpful"), flag_id=F("my_flag__id"))
    mine_q = Q(customer_id=customer.pk, product_id=product_id)
    if review_ids:
        mine_q |= Q(pk__in=review_ids) & (Q(vote_helpful__isnull=False) | Q(flag_id__isnull=False))
    mine, votes, reported = None, {}, set()
    for row in rows.filter(mine_q).order_by():
        if row.customer_id == customer.pk and row.product_id == product_id:
            row.customer = customer
            mine = row
        if row.vote_helpful is not None:
            votes[row.pk] = row.vote_helpful
        if row.flag_id is not None:
            reported.add(row.pk)
    return ShopperStanding(mine=mine, votes=votes, reported=frozenset(reported))


def moderation_queue(*, min_flags: int = 0, older_than_days: int | None = None, status: str = RS.PENDING) -> QuerySet[Review]:
    qs = Review.objects.filter(status=status, flag_count__gte=min_flags)
    if older_than_days is not None:
        qs = qs.filter(submitted_at__lte=timezone.now() - datetime.timedelta(days=older_than_days))
    return _with_rows(qs.order_by("-flag_count", "submitted_at", "id"))


# --- statistics: the read model ----------------------------------------------------------------------
@dataclass(frozen=True)
class RatingStatistics:
    product_id: int
    review_count: int
    verified_count: int
    verified_share: float | None
    averages: dict  # axis -> Decimal | None
    average_score: object  # Decimal | None
    distribution: dict  # axis -> [n1..n5]

    def bars(self, axis: str = "overall") -> list[tuple[int, int, int]]:
        """(stars, count, percent of the reviews) from 5 stars down: the page's distribution bars."""
        counts = self.distribution[axis]
        return [(stars, counts[stars - 1], round(100 * counts[stars - 1] / self.review_count) if self.review_count else 0)
                for stars in (5, 4, 3, 2, 1)]


def rating_statistics(*, product_id: int) -> RatingStatistics:
    """The product's approved ratings from its summary row (one query; zeros without reviews)."""
    summary = ProductRatingSummary.objects.filter(product_id=product_id).first()
    if summary is None:
        return RatingStatistics(product_id, 0, 0, None, dict.fromkeys(AXES), None, empty_distribution())
    return RatingStatistics(
        product_id=product_id, review_count=summary.review_count, verified_count=summary.verified_count,
        verified_share=summary.verified_share, averages={axis: getattr(summary, f"average_{axis}") for axis in AXES},
        average_score=summary.average_score, distribution=summary.distribution or empty_distribution(),
    )


def rating_summaries(*, product_ids) -> dict[int, ProductRatingSummary]:
    """Summaries of several products in one query (product lists)."""
    return {s.product_id: s for s in ProductRatingSummary.objects.filter(product_id__in=list(product_ids))}


# --- the moderators' figures ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ModerationFigures:
    delivered_orders: int
    delivered_orders_reviewed: int
    products_with_approved_review: int
    pending: int
    flagged: int
    median_hours_to_moderate: float | None

    @property
    def reviewed_share(self) -> float | None:
        return round(self.delivered_orders_reviewed / self.delivered_orders, 4) if self.delivered_orders else None


def moderation_figures(*, since_days: int = 90) -> ModerationFigures:
    """The share of delivered orders that got a review (of any product of the order, by its customer),
    products with at least one approved review, and the median time from submission to the first
    moderation decision (over the last ``since_days``, from the audit table). A fixed number of queries."""
    reviewed = Review.objects.filter(customer_id=OuterRef("customer_id"), product_id=OuterRef("product_id"))
    lines = received_order_lines().annotate(has_review=Exists(reviewed))
    orders = lines.aggregate(total=Count("order_id", distinct=True),
                             reviewed=Count("order_id", distinct=True, filter=Q(has_review=True)))
    products = ProductRatingSummary.objects.filter(review_count__gt=0).count()
    counts = Review.objects.aggregate(pending=Count("id", filter=Q(status=RS.PENDING)),
                                      flagged=Count("id", filter=Q(status=RS.PENDING, flag_count__gt=0)))
    return ModerationFigures(
        delivered_orders=orders["total"], delivered_orders_reviewed=orders["reviewed"], products_with_approved_review=products,
        pending=counts["pending"], flagged=counts["flagged"], median_hours_to_moderate=_median_hours_to_moderate(since_days),
    )


def _median_hours_to_moderate(since_days: int) -> float | None:
    """From each submission (created, updated) to the moderator's decision that followed it."""
    since = timezone.now() - datetime.timedelta(days=since_days)
    rows = (DomainEvent.objects.filter(stream_type="review", occurred_at__gte=since, event_type__in=(
        "recommendations.review.created", "recommendations.review.updated",
        "recommendations.review.approved", "recommendations.review.rejected"))
        .order_by("id").values_list("stream_id", "event_type", "occurred_at", "payload"))
    submitted: dict[str, datetime.datetime] = {}
    waits = []
    for stream_id, event_type, at, payload in rows.iterator(chunk_size=2000):
        if event_type.endswith((".created", ".updated")):
            if payload.get("status") == RS.PENDING:
                submitted[stream_id] = at
            else:
                submitted.pop(stream_id, None)
        elif stream_id in submitted:
            waits.append((at - submitted.pop(stream_id)).total_seconds() / 3600)
    return round(statistics.median(waits), 1) if waits else None
