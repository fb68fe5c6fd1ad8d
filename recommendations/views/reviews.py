"""The review pages: the product page's reviews section (a ``commerce.catalog.product_sections``
provider), writing or editing one's review, helpful votes and flags (POST forms, no JavaScript), and
the account's "My reviews". Views check shape and call one service; POSTs redirect."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from commerce.audit.journey import JourneyAction, journey_record_for_request
from commerce.catalog.errors import ProductNotFound
from commerce.catalog.product_sections import ProductSection
from commerce.catalog.selectors import product_get
from commerce.errors import DomainError
from commerce.parsing import parse_id
from recommendations.models import AXES, Review, ReviewFlag
from recommendations.review_forms import AXIS_LABELS, FlagForm, ReviewForm
from recommendations.selectors import reviews as selectors
from recommendations.services import reviews as services

PAGE_SIZE = 10
SORT_LABELS = {"newest": "Newest", "helpful": "Most helpful", "highest": "Highest rated", "lowest": "Lowest rated"}


def _filters(get) -> dict:
    """The section's filters from the product page's query string (unknown values fall back)."""
    sort = get.get("rsort", "newest")
    stars = parse_id(get.get("rstars"))
    query = get.get("rq", "").strip()
    return {
        "sort": sort if sort in selectors.SORTS else "newest",
        "stars": stars if stars in (1, 2, 3, 4, 5) else None,
        "verified": True if get.get("rverified") == "1" else None,
        "with_photos": True if get.get("rphotos") == "1" else None,
        "query": query if len(query) <= selectors.SEARCH_MAX and "\x00" not in query else "",
    }


def review_structured_data(stats, reviews) -> dict:
    """``aggregateRating`` and ``review`` for the page's schema.org Product; nothing without approved reviews."""
    if not stats.review_count:
        return {}
    return {
        "aggregateRating": {
            "@type": "AggregateRating", "ratingValue": str(stats.averages["overall"]), "reviewCount": stats.review_count,
            "ratingCount": stats.review_count, "bestRating": 5, "worstRating": 1,
        },
        "review": [
            {
                "@type": "Review",
                "author": {"@type": "Person", "name": review.author_name},
                "datePublished": review.created_at.date().isoformat(),
                **({"name": review.title} if review.title else {}),
                **({"reviewBody": review.text} if review.text else {}),
                "reviewRating": {"@type": "Rating", "ratingValue": review.rating_overall, "bestRating": 5, "worstRating": 1},
            }
            for review in reviews[:5]
        ],
    }


def reviews_section(*, request, product) -> ProductSection:
    """The product page's reviews: summary with distribution bars, sorted and filtered list with
    pagination, photos, votes, flags, the shop's replies, and the shopper's own review. A fixed number
    of queries: the summary, the page, its authors and photos (with the newest for the markup when the
    page shows others: one more), and for a logged-in shopper one more: their review, their votes and
    reports on the page's reviews."""
    filters = _filters(request.GET)
    stats = selectors.rating_statistics(product_id=product.pk)
    listing = selectors.review_list(product_id=product.pk, statistics=stats, rows=False, **filters)
    page = Paginator(listing, PAGE_SIZE).get_page(parse_id(request.GET.get("rpage")) or 1)
    reviews = list(page.object_list)
    # The markup names the newest reviews whatever the shopper filtered: read again only when the page shows others.
    newest = reviews[:5] if filters == _filters({}) and page.number == 1 else (
        list(selectors.review_list(product_id=product.pk, statistics=stats, rows=False)[:5]) if stats.review_count else [])
    selectors.review_rows([*reviews, *newest])
    standing = selectors.shopper_standing(customer=request.user, product_id=product.pk, review_ids=[r.pk for r in reviews])
    for review in reviews:
        review.my_vote = standing.votes.get(review.pk)
        review.reported = review.pk in standing.reported
    query = request.GET.copy()
    query.pop("rpage", None)
    html = render_to_string("recommendations/reviews/section.html", {
        "product": product, "stats": stats, "bars": stats.bars(), "page": page, "reviews": reviews, "mine": standing.mine,
        "filters": filters, "sorts": SORT_LABELS, "axis_labels": AXIS_LABELS,
        "axes": [(AXIS_LABELS[a], stats.averages[a]) for a in AXES], "flag_reasons": ReviewFlag.Reason.choices,
        "page_query": query.urlencode(), "search_max": selectors.SEARCH_MAX,
    }, request=request)
    return ProductSection(html=html, structured_data=review_structured_data(stats, newest))


def rating_card_extras(*, product_ids) -> dict[int, SafeString]:
    """The stars and number of reviews on the cards of product lists (a ``commerce.catalog.product_cards``
    provider): one query for the whole page, from the rating summaries (the read model); nothing for a
    product without an approved review."""
    extras = {}
    for product_id, summary in selectors.rating_summaries(product_ids=product_ids).items():
        if not summary.review_count or summary.average_overall is None:
            continue
        filled = int(summary.average_overall + Decimal("0.5"))  # 4.5 shows five stars, 4.49 four
        extras[product_id] = format_html(
            '<p class="card-rating"><span class="stars" aria-hidden="true">{}{}</span> '
            '<span class="visually-hidden">Rated </span>{}<span class="visually-hidden"> out of 5,</span> '
            '<span class="muted">({} review{})</span></p>',
            "★" * filled, "☆" * (5 - filled), summary.average_overall, summary.review_count, pluralize(summary.review_count),
        )
    return extras


def _product_or_404(slug: str):
    try:
        return product_get(slug=slug)
    except ProductNotFound:
        raise Http404("No such product.") from None


@login_required
def review_write(request, slug: str):
    """Write a review of the product, or edit one's review (the form starts from it)."""
    product = _product_or_404(slug)
    mine = selectors.customer_review_of(customer=request.user, product_id=product.pk)
    if request.method == "POST":
        form = ReviewForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                review = services.review_submit(customer=request.user, product_id=product.pk, title=form.cleaned_data["title"],
                                                text=form.cleaned_data["text"], ratings=form.ratings(),
                                                photos=form.cleaned_data["photos"])
            except DomainError as error:
                for field, problems in error.fields.items():
                    name = field if field in form.fields else None
                    for problem in problems:
                        form.add_error(name, problem)
                if not error.fields:
                    form.add_error(None, error.message)
            else:
                action = JourneyAction.RATE_PRODUCT if review.is_star_only else JourneyAction.REVIEW_PRODUCT
                journey_record_for_request(request, action, product_id=product.pk, details={"review_id": review.pk})
                published = review.status == Review.Status.APPROVED
                messages.success(request, "Thank you: your review is published." if published else
                                 "Thank you: your review will appear once a moderator has read it.")
                return HttpResponseRedirect(product.get_absolute_url() + "#reviews")
    else:
        initial = {}
        if mine is not None:
            initial = {"title": mine.title, "text": mine.text, **{f"rating_{a}": str(r) for a, r in mine.ratings.items()}}
        form = ReviewForm(initial=initial)
    return render(request, "recommendations/reviews/write.html", {"product": product, "form": form, "mine": mine},
                  status=400 if request.method == "POST" else 200)


def _review_or_404(review_id: int, user) -> Review:
    try:
        return selectors.review_get(review_id=review_id, requester=user)
    except DomainError:
        raise Http404("No such review.") from None


def _back(review: Review) -> HttpResponseRedirect:
    return HttpResponseRedirect(review.product.get_absolute_url() + f"#review-{review.pk}")


@login_required
@require_POST
def review_vote(request, review_id: int):
    review = _review_or_404(review_id, request.user)
    helpful = request.POST.get("helpful")
    if helpful not in ("1", "0"):
        messages.error(request, "Say whether the review was helpful.")
        return _back(review)
    try:
        services.review_vote(review_id=review.pk, customer=request.user, helpful=helpful == "1")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thank you for your vote.")
    return _back(review)


@login_required
@require_POST
def review_flag(request, review_id: int):
    review = _review_or_404(review_id, request.user)
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the review is inappropriate.")
        return _back(review)
    try:
        services.review_flag(review_id=review.pk, customer=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thank you: a moderator will look at this review.")
    return _back(review)


@login_required
@require_POST
def review_delete(request, review_id: int):
    review = _review_or_404(review_id, request.user)
    try:
        services.review_delete(review_id=review.pk, customer=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _back(review)
    messages.success(request, "Your review was deleted.")
    return HttpResponseRedirect(reverse("recommendations:my_reviews"))


@login_required
@require_POST
def review_photo_delete(request, photo_id: int):
    try:
        services.review_photo_remove(photo_id=photo_id, customer=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The photo was removed.")
    return HttpResponseRedirect(reverse("recommendations:my_reviews"))


@login_required
def my_reviews(request):
    page = Paginator(selectors.customer_reviews(customer_id=request.user.pk), PAGE_SIZE).get_page(parse_id(request.GET.get("page")) or 1)
    return render(request, "recommendations/reviews/mine.html", {"page": page, "reviews": list(page.object_list)})
