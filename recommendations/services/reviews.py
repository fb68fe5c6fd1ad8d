"""Review commands of customers: submit (or replace) a review, delete it, add and remove photos, vote
on others' reviews as helpful or not, flag them as inappropriate.

Every command is keyword-only, runs in one transaction inside its span and records its event; a
change of what a review counts in its product's approved ratings also records
``recommendations.rating.updated``, which the rating read model projects in the same transaction.
Rows are locked in the order of ``commerce.locks``: the customer (submit), the review, then its
product's summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog.selectors import product_get
from commerce.images import clean_image, thumbnail
from commerce.locks import Kind, lock, lock_one
from commerce.parsing import parse_id
from orders.selectors import customer_received_product_ids
from recommendations import events, rating_summary
from recommendations.errors import (
    ReviewAlreadyFlagged,
    ReviewInvalid,
    ReviewNotAllowed,
    ReviewNotFound,
    ReviewNotPublished,
    ReviewNotYours,
    ReviewOwnVote,
    ReviewPhotoLimit,
    ReviewPhotoNotFound,
)
from recommendations.models import AXES, Review, ReviewFlag, ReviewPhoto, ReviewVote
from recommendations.rating_summary import weighted_score
from recommendations.screening import has_markup, screen
from recommendations.selectors.moderation import banned_words, earlier_review_texts

TITLE_MAX = Review._meta.get_field("title").max_length
TEXT_MAX = 5000
NOTE_MAX = ReviewFlag._meta.get_field("note").max_length
THUMBNAIL_WIDTH = 240
RS = Review.Status


# --- shared by the review commands ------------------------------------------------------------------
def counted(review: Review) -> dict | None:
    """What the review counts in its product's approved ratings (None: it does not count)."""
    if review.status != RS.APPROVED:
        return None
    return {"ratings": review.ratings, "score": str(review.score), "verified": review.verified_purchase}


def record_rating_change(review: Review, before: dict | None, *, deleted: bool = False) -> None:
    """Record ``recommendations.rating.updated`` when the review's share of its product's ratings changed."""
    after = None if deleted else counted(review)
    if before != after:
        rating_summary.hold([review.product_id])  # queue on the product's ratings before recording
        record(events.RatingUpdated(product_id=review.product_id, review_id=review.pk, before=before, after=after))


def lock_reviews(review_ids) -> dict[int, Review]:
    """Several reviews, then their products' rating summaries, locked in the lock order (each kind in
    one statement, in id order): a command that changes several reviews takes them all first, since
    each change holds its product's summary and no review may be locked after one."""
    reviews = {review.pk: review for review in lock(Kind.REVIEW, Review.objects.filter(pk__in=list(review_ids)))}
    if reviews:
        rating_summary.hold(sorted({review.product_id for review in reviews.values()}))
    return reviews


def lock_review(review_id: int) -> Review:
    review_id = parse_id(review_id)
    review = lock_one(Kind.REVIEW, Review.objects.filter(pk=review_id)) if review_id else None
    if review is None:
        raise ReviewNotFound("No such review.")
    return review


def _text(value, field: str, limit: int, errors: dict) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = ["Send text."]
        return ""
    value = value.strip()
    if len(value) > limit:
        errors[field] = [f"At most {limit} characters (this has {len(value)})."]
    elif "\x00" in value:
        errors[field] = ["The text holds a NUL character."]
    elif has_markup(value):
        errors[field] = ["HTML is not allowed: write plain text."]
    return value


def _ratings(ratings, errors: dict) -> dict[str, int]:
    if not isinstance(ratings, Mapping):
        errors["ratings"] = ["Rate every axis: " + ", ".join(AXES) + "."]
        return {}
    unknown = sorted(str(k) for k in set(ratings) - set(AXES))
    if unknown:
        errors["ratings"] = [f"Unknown axis: {', '.join(unknown)}."]
    clean = {}
    for axis in AXES:
        value = ratings.get(axis)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[f"ratings.{axis}"] = ["A whole number of stars, 1 to 5."]
        else:
            clean[axis] = value
    return clean


def validate_review(*, title, text, ratings) -> tuple[str, str, dict[str, int]]:
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", TITLE_MAX, errors)
    text = _text(text, "text", TEXT_MAX, errors)
    clean = _ratings(ratings, errors)
    if errors:
        raise ReviewInvalid(f"The review is not valid: {next(iter(errors.values()))[0]}", fields=errors)
    return title, text, clean


def _clean_photos(photos: Sequence) -> list:
    """The uploads cleaned (``commerce.images``) before any transaction: decoding is slow work."""
    if len(photos) > settings.REVIEW_MAX_PHOTOS:
        raise ReviewPhotoLimit(f"At most {settings.REVIEW_MAX_PHOTOS} photos per review.", fields={"photos": ["Too many photos."]})
    cleaned = []
    for upload in photos:
        image = clean_image(upload, max_bytes=settings.REVIEW_PHOTO_MAX_BYTES)
        cleaned.append((image, thumbnail(image, width=THUMBNAIL_WIDTH)))
    return cleaned


def _store_photos(review: Review, cleaned: list) -> list[ReviewPhoto]:
    if review.photo_count + len(cleaned) > settings.REVIEW_MAX_PHOTOS:
        raise ReviewPhotoLimit(f"At most {settings.REVIEW_MAX_PHOTOS} photos per review.", fields={"photos": ["Too many photos."]})
    stored = []
    for image, thumb in cleaned:
        photo = ReviewPhoto(review=review, width=image.width, height=image.height, content_type=image.content_type)
        token = timezone.now().strftime("%Y%m%d%H%M%S%f")
        photo.image.save(f"{token}.{image.extension}", ContentFile(image.content), save=False)
        photo.thumbnail.save(f"{token}-thumb.{thumb.extension}", ContentFile(thumb.content), save=False)
        photo.save()
        record(events.ReviewPhotoAdded(review_id=review.pk, product_id=review.product_id, photo_id=photo.pk,
                                       path=photo.image.name, width=photo.width, height=photo.height))
        stored.append(photo)
    if stored:
        review.photo_count += len(stored)
        review.save(update_fields=["photo_count", "updated_at"])
    return stored


def _status_for(*, title: str, text: str, verified: bool, held: list[str]) -> str:
    if held:
        return RS.PENDING
    star_only = not title and not text
    if star_only and verified and settings.REVIEW_AUTO_APPROVE_VERIFIED_STAR_ONLY:
        return RS.APPROVED
    return RS.PENDING


def _held_reasons(*, customer_id: int, review_id: int | None, title: str, text: str) -> list[str]:
    return screen(text, title=title, banned_words=banned_words(),
                  earlier_texts=earlier_review_texts(customer_id=customer_id, exclude_review_id=review_id))


# --- submit, delete ---------------------------------------------------------------------------------
def review_submit(*, customer, product_id: int, title: str = "", text: str = "", ratings: Mapping, photos: Sequence = ()) -> Review:
    """The customer's review of the product: created, or their earlier one replaced (one per customer
    and product; the replaced version stays in the audit table). Verified when the customer received
    the product in a delivered order; refused to others under ``REVIEW_VERIFIED_BUYERS_ONLY``. Published
    at once only when it is star-only from a verified buyer (``REVIEW_AUTO_APPROVE_VERIFIED_STAR_ONLY``)
    and the screen found nothing; otherwise it waits for a moderator."""
    title, text, ratings = validate_review(title=title, text=text, ratings=ratings)
    product = product_get(pk=product_id)
    cleaned = _clean_photos(photos)
    verified = product.pk in customer_received_product_ids(customer_id=customer.pk, product_ids=[product.pk])
    if settings.REVIEW_VERIFIED_BUYERS_ONLY and not verified:
        raise ReviewNotAllowed("Only customers who received this product may review it.")
    with telemetry.command_span("commerce.review.submit", attributes={"review.product_id": product.pk}) as span, \
            transaction.atomic():
        # The customer's row serialises their submissions: two at once (a double click) would both
        # find no review, and their INSERTs' duplicate-key locks deadlock on MariaDB.
        lock_one(Kind.CUSTOMER, get_user_model().objects.filter(pk=customer.pk))
        review = lock_one(Kind.REVIEW, Review.objects.filter(customer=customer, product=product))
        created = False
        if review is None:
            try:
                with transaction.atomic():
                    review = Review.objects.create(
                        customer=customer, product=product, title=title, text=text, score=weighted_score(ratings),
                        verified_purchase=verified, submitted_at=timezone.now(),
                        **{f"rating_{axis}": ratings[axis] for axis in AXES},
                    )
                created = True
            except IntegrityError:  # a double submit: the other request inserted it first
                review = lock_one(Kind.REVIEW, Review.objects.filter(customer=customer, product=product))
        if len(cleaned) + (0 if created else review.photo_count) > settings.REVIEW_MAX_PHOTOS:
            raise ReviewPhotoLimit(f"At most {settings.REVIEW_MAX_PHOTOS} photos per review.", fields={"photos": ["Too many photos."]})
        before, previous_status = counted(review), review.status
        held = _held_reasons(customer_id=customer.pk, review_id=review.pk, title=title, text=text)
        review.title, review.text, review.verified_purchase = title, text, verified
        for axis in AXES:
            setattr(review, f"rating_{axis}", ratings[axis])
        review.score = weighted_score(ratings)
        review.status = _status_for(title=title, text=text, verified=verified, held=held)
        review.held_reasons, review.rejection_reason = held, ""
        review.submitted_at = timezone.now()
        if review.status == RS.APPROVED:
            review.moderated_by, review.moderated_at = None, review.submitted_at
        review.save()
        span.set_attribute("review.id", review.pk)
        content = dict(review_id=review.pk, product_id=product.pk, customer_id=customer.pk, title=title, text=text,
                       ratings=ratings, score=str(review.score), status=review.status, verified_purchase=verified,
                       held_reasons=held)
        if created:
            record(events.ReviewCreated(**content))
        else:
            record(events.ReviewUpdated(**content, previous_status=previous_status))
        _store_photos(review, cleaned)
        record_rating_change(review, None if created else before)
        return review


def _own_review(review_id: int, customer) -> Review:
    review = lock_review(review_id)
    if review.customer_id != customer.pk:
        raise ReviewNotYours("This is not your review.")
    return review


def review_delete(*, review_id: int, customer) -> None:
    """The customer withdraws their review (its photos' files are deleted once this commits: ``review_photos``)."""
    with telemetry.command_span("commerce.review.delete", attributes={"review.id": review_id}), transaction.atomic():
        review = _own_review(review_id, customer)
        before = counted(review)
        record(events.ReviewDeleted(review_id=review.pk, product_id=review.product_id, customer_id=customer.pk,
                                    previous_status=review.status))
        record_rating_change(review, before, deleted=True)
        review.delete()


def reviews_verify(*, customer_id: int) -> list[int]:
    """Mark verified the customer's reviews of products they have received since they wrote them (a
    guest order they claimed, an order delivered after the review): what counts in the verified
    figures changes with its rating event. Returns the ids of the reviews verified."""
    with telemetry.command_span("commerce.review.verify", attributes={"review.customer_id": customer_id}), \
            transaction.atomic():
        unverified = dict(Review.objects.filter(customer_id=customer_id, verified_purchase=False).order_by("id")
                          .values_list("pk", "product_id"))
        received = customer_received_product_ids(customer_id=customer_id, product_ids=set(unverified.values())) \
            if unverified else set()
        verified = []
        for review in lock_reviews(pk for pk, product_id in unverified.items() if product_id in received).values():
            if review.verified_purchase or review.customer_id != customer_id:  # changed meanwhile
                continue
            before = counted(review)
            review.verified_purchase = True
            review.save(update_fields=["verified_purchase", "updated_at"])
            record(events.ReviewVerified(review_id=review.pk, product_id=review.product_id, customer_id=customer_id))
            record_rating_change(review, before)
            verified.append(review.pk)
        return verified


def purchases_proved(event) -> None:
    """A bus reaction to ``orders.order.claimed`` and ``orders.order.delivered``: the order's customer
    may have reviewed its products before (a guest's order is nobody's until claimed)."""
    if event.payload.get("customer_id"):
        reviews_verify(customer_id=event.payload["customer_id"])


def customer_reviews_withdraw(*, customer) -> int:
    """Withdraw every review and helpful vote of the customer (their account is being deleted): each
    review as ``review_delete`` does (its event and, for a published one, its rating change), each vote
    off its review's counters with its event. Returns how many reviews. Called inside the deletion's
    transaction."""
    review_ids = list(Review.objects.filter(customer_id=customer.pk).order_by("id").values_list("pk", flat=True))
    votes = list(ReviewVote.objects.filter(customer_id=customer.pk).order_by("review_id"))
    reviews = lock_reviews([*review_ids, *(vote.review_id for vote in votes)])
    for review_id in review_ids:
        review_delete(review_id=review_id, customer=customer)  # its locks are held already
    for vote in votes:
        review = reviews[vote.review_id]
        if vote.helpful:
            review.helpful_count = max(review.helpful_count - 1, 0)
        else:
            review.not_helpful_count = max(review.not_helpful_count - 1, 0)
        review.save(update_fields=["helpful_count", "not_helpful_count", "updated_at"])
        vote.delete()
        record(events.ReviewVoteWithdrawn(review_id=review.pk, product_id=review.product_id, customer_id=customer.pk,
                                          helpful=vote.helpful, helpful_count=review.helpful_count,
                                          not_helpful_count=review.not_helpful_count))
    return len(review_ids)


# --- photos -------------------------------------------------------------------------------------------
def review_photo_add(*, review_id: int, customer, upload) -> ReviewPhoto:
    """A photo on the customer's own review. The picture is checked and cleaned first; a published
    review goes back to moderation, since the photo has not been seen by anyone yet."""
    cleaned = _clean_photos([upload])
    with telemetry.command_span("commerce.review.photo_add", attributes={"review.id": review_id}), transaction.atomic():
        review = _own_review(review_id, customer)
        before = counted(review)
        photo = _store_photos(review, cleaned)[0]
        if review.status == RS.APPROVED:
            review.status = RS.PENDING
            review.held_reasons = ["new_photo"]
            review.save(update_fields=["status", "held_reasons", "updated_at"])
        record_rating_change(review, before)
        return photo


def review_photo_remove(*, photo_id: int, customer, review_id: int | None = None) -> None:
    """Remove a photo of the customer's own review (of ``review_id``, when given)."""
    photo_id = parse_id(photo_id)
    photo = ReviewPhoto.objects.filter(pk=photo_id).values_list("review_id", flat=True).first() if photo_id else None
    if photo is None or (review_id is not None and photo != review_id):
        raise ReviewPhotoNotFound("No such photo.")
    with telemetry.command_span("commerce.review.photo_remove", attributes={"review.photo_id": photo_id}), transaction.atomic():
        review = _own_review(photo, customer)
        row = ReviewPhoto.objects.filter(pk=photo_id, review=review).first()
        if row is None:
            raise ReviewPhotoNotFound("No such photo.")
        record(events.ReviewPhotoRemoved(review_id=review.pk, product_id=review.product_id, photo_id=row.pk, path=row.image.name))
        row.delete()
        review.photo_count = max(0, review.photo_count - 1)
        review.save(update_fields=["photo_count", "updated_at"])  # the files go after commit (``review_photos``)


# --- votes and flags ----------------------------------------------------------------------------------
def _published_not_own(review_id: int, customer, what: str) -> Review:
    review = lock_review(review_id)
    if review.status != RS.APPROVED:
        if review.customer_id == customer.pk:
            raise ReviewNotPublished(f"Your review is not published; it cannot be {what}.")
        raise ReviewNotFound("No such review.")  # others cannot tell it exists
    if review.customer_id == customer.pk:
        raise ReviewOwnVote(f"Your own review cannot be {what} by you.")
    return review


def review_vote(*, review_id: int, customer, helpful: bool) -> Review:
    """The customer's vote on someone else's published review: one per customer, changeable. The
    counters change under the review's lock, so concurrent votes count exactly."""
    if not isinstance(helpful, bool):
        raise ReviewInvalid("Say whether the review was helpful (true or false).", fields={"helpful": ["true or false."]})
    with telemetry.command_span("commerce.review.vote", attributes={"review.id": review_id}), transaction.atomic():
        review = _published_not_own(review_id, customer, "voted on")
        vote = ReviewVote.objects.filter(review=review, customer=customer).first()
        previous = vote.helpful if vote is not None else None
        if previous is helpful:
            return review
        if vote is None:
            ReviewVote.objects.create(review=review, customer=customer, helpful=helpful)
        else:
            vote.helpful = helpful
            vote.save(update_fields=["helpful", "updated_at"])
            if previous:
                review.helpful_count -= 1
            else:
                review.not_helpful_count -= 1
        if helpful:
            review.helpful_count += 1
        else:
            review.not_helpful_count += 1
        review.save(update_fields=["helpful_count", "not_helpful_count", "updated_at"])
        record(events.ReviewVoted(review_id=review.pk, product_id=review.product_id, customer_id=customer.pk, helpful=helpful,
                                  previous=previous, helpful_count=review.helpful_count,
                                  not_helpful_count=review.not_helpful_count))
        return review


def review_flag(*, review_id: int, customer, reason: str, note: str = "") -> Review:
    """The customer reports a published review as inappropriate (once per review). At
    ``REVIEW_FLAG_HIDE_THRESHOLD`` flags since it was last moderated it is hidden: back to pending."""
    errors: dict[str, list[str]] = {}
    if reason not in ReviewFlag.Reason.values:
        errors["reason"] = ["One of: " + ", ".join(ReviewFlag.Reason.values) + "."]
    note = _text(note, "note", NOTE_MAX, errors)
    if errors:
        raise ReviewInvalid(f"The report is not valid: {next(iter(errors.values()))[0]}", fields=errors)
    with telemetry.command_span("commerce.review.flag", attributes={"review.id": review_id}), transaction.atomic():
        review = _published_not_own(review_id, customer, "flagged")
        if ReviewFlag.objects.filter(review=review, customer=customer).exists():
            raise ReviewAlreadyFlagged("You have reported this review already; a moderator will look at it.")
        ReviewFlag.objects.create(review=review, customer=customer, reason=reason, note=note)
        before = counted(review)
        review.flag_count += 1
        hidden = review.flag_count >= settings.REVIEW_FLAG_HIDE_THRESHOLD
        if hidden:
            review.status = RS.PENDING
            review.held_reasons = ["flagged"]
        review.save(update_fields=["flag_count", "status", "held_reasons", "updated_at"])
        record(events.ReviewFlagged(review_id=review.pk, product_id=review.product_id, customer_id=customer.pk, reason=reason,
                                    note=note, flag_count=review.flag_count, hidden=hidden))
        record_rating_change(review, before)
        return review
