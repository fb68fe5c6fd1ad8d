"""What the one spam and abuse screen (``recommendations.screening``) reads from the database: the
banned words staff edit in the admin, and what an author wrote before."""

from __future__ import annotations

from recommendations.models import BannedWord, Review

EARLIER_TEXTS = 20  # the author's latest texts compared with a new one


def banned_words() -> list[str]:
    return list(BannedWord.objects.values_list("word", flat=True))


def earlier_review_texts(*, customer_id: int, exclude_review_id: int | None) -> list[str]:
    """The customer's latest review texts but one (the review being replaced)."""
    earlier = Review.objects.filter(customer_id=customer_id).exclude(pk=exclude_review_id).exclude(text="").order_by("-id")
    return list(earlier.values_list("text", flat=True)[:EARLIER_TEXTS])
