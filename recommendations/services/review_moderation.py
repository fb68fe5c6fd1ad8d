"""Review commands of staff (``accounts.moderate_reviews``): approve, reject with a reason, reply in
the shop's name, and keep the banned words of the abuse screen.

Approval and rejection clear the flags counted since the last moderation (the flag rows stay: a
customer still cannot report the same review twice). Each command locks the review, records its
event and, when the review's share of its product's approved ratings changed,
``recommendations.rating.updated``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import telemetry
from commerce.accounts import access
from commerce.audit.events import record
from commerce.errors import PermissionDenied
from commerce.parsing import parse_id
from recommendations import events
from recommendations.errors import BannedWordInvalid, BannedWordNotFound, ModerationInvalid
from recommendations.models import BannedWord, Review
from recommendations.services.reviews import _text, counted, lock_review, record_rating_change

MODERATE = "moderate_reviews"
REASON_MAX = Review._meta.get_field("rejection_reason").max_length
REPLY_MAX = 2000
WORD_MAX = BannedWord._meta.get_field("word").max_length
RS = Review.Status


def _check_moderator(user) -> None:
    if not access.has_permission(user, MODERATE):
        raise PermissionDenied("You need the moderate reviews permission.")


def review_approve(*, review_id: int, moderator) -> Review:
    """Publish a pending (or rejected) review; approving an approved one changes nothing."""
    _check_moderator(moderator)
    with telemetry.command_span("commerce.review.approve", attributes={"review.id": review_id}), transaction.atomic():
        review = lock_review(review_id)
        if review.status == RS.APPROVED:
            return review
        before, previous = counted(review), review.status
        review.status, review.rejection_reason, review.held_reasons, review.flag_count = RS.APPROVED, "", [], 0
        review.moderated_by, review.moderated_at = moderator, timezone.now()
        review.save()
        record(events.ReviewApproved(review_id=review.pk, product_id=review.product_id, author_id=review.customer_id,
                                     previous_status=previous, automatic=False))
        record_rating_change(review, before)
        return review


def review_reject(*, review_id: int, moderator, reason: str) -> Review:
    """Refuse a review, saying why (the author sees the reason on their reviews page)."""
    _check_moderator(moderator)
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", REASON_MAX, errors)
    if not reason and "reason" not in errors:
        errors["reason"] = ["Say why the review is rejected."]
    if errors:
        raise ModerationInvalid(f"The rejection is not valid: {errors['reason'][0]}", fields=errors)
    with telemetry.command_span("commerce.review.reject", attributes={"review.id": review_id}), transaction.atomic():
        review = lock_review(review_id)
        before, previous = counted(review), review.status
        review.status, review.rejection_reason, review.flag_count = RS.REJECTED, reason, 0
        review.moderated_by, review.moderated_at = moderator, timezone.now()
        review.save()
        record(events.ReviewRejected(review_id=review.pk, product_id=review.product_id, author_id=review.customer_id,
                                     previous_status=previous, reason=reason))
        record_rating_change(review, before)
        return review


def review_reply(*, review_id: int, staff, text: str) -> Review:
    """The shop's public reply under a review; empty text takes the reply down."""
    _check_moderator(staff)
    errors: dict[str, list[str]] = {}
    text = _text(text, "text", REPLY_MAX, errors)
    if errors:
        raise ModerationInvalid(f"The reply is not valid: {errors['text'][0]}", fields=errors)
    with telemetry.command_span("commerce.review.reply", attributes={"review.id": review_id}), transaction.atomic():
        review = lock_review(review_id)
        previous = review.reply_text
        if previous == text:
            return review
        review.reply_text = text
        review.reply_by, review.replied_at = (staff, timezone.now()) if text else (None, None)
        review.save(update_fields=["reply_text", "reply_by", "replied_at", "updated_at"])
        record(events.ReviewReplied(review_id=review.pk, product_id=review.product_id, text=text, previous_text=previous))
        return review


# --- banned words -------------------------------------------------------------------------------------
def banned_word_add(*, word: str, staff) -> BannedWord:
    """A word or phrase that holds reviews containing it for moderation (stored lower-case)."""
    _check_moderator(staff)
    errors: dict[str, list[str]] = {}
    word = " ".join(_text(word, "word", WORD_MAX, errors).split()).lower()
    if not word and "word" not in errors:
        errors["word"] = ["Enter a word or phrase."]
    if errors:
        raise BannedWordInvalid(f"The word is not valid: {errors['word'][0]}", fields=errors)
    with telemetry.command_span("commerce.banned_word.add"), transaction.atomic():
        if BannedWord.objects.filter(word=word).exists():
            raise BannedWordInvalid(f"“{word}” is banned already.", fields={"word": ["Banned already."]})
        try:
            with transaction.atomic():
                banned = BannedWord.objects.create(word=word, created_by=staff)
        except IntegrityError:
            raise BannedWordInvalid(f"“{word}” is banned already.", fields={"word": ["Banned already."]}) from None
        record(events.BannedWordAdded(banned_word_id=banned.pk, word=word))
        return banned


def banned_word_remove(*, banned_word_id: int, staff) -> None:
    _check_moderator(staff)
    with telemetry.command_span("commerce.banned_word.remove"), transaction.atomic():
        banned = BannedWord.objects.filter(pk=parse_id(banned_word_id)).first() if parse_id(banned_word_id) else None
        if banned is None:
            raise BannedWordNotFound("No such banned word.")
        record(events.BannedWordRemoved(banned_word_id=banned.pk, word=banned.word))
        banned.delete()
