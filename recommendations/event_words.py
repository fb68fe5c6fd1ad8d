"""Reviews' and questions' events in words, for the audit trail (``commerce.audit.wording``):
"Review 41 of product 12 approved (was pending)", "Question 7 on product 12 asked: “Is it raw milk?”".
The recommender's and the merchandising tools' events are left to the generic sentence on purpose:
their data (counts, ids, settings) reads well as it is."""

from __future__ import annotations

from django.utils.text import Truncator

GENERIC_EVENTS = frozenset({
    "recommendations.ab_test.created", "recommendations.ab_test.started", "recommendations.ab_test.stopped",
    "recommendations.ab_test.variant_removed", "recommendations.ab_test.variant_saved",
    "recommendations.answer.voted", "recommendations.banned_word.added", "recommendations.banned_word.removed",
    "recommendations.bought_together.rebuilt", "recommendations.content.created", "recommendations.content.deleted",
    "recommendations.content.updated", "recommendations.faq_category.saved", "recommendations.generated",
    "recommendations.model.activated", "recommendations.model.trained", "recommendations.placement.rule_removed",
    "recommendations.placement.rule_set", "recommendations.placement.saved", "recommendations.question.updated",
    "recommendations.rating.updated", "recommendations.representative.added", "recommendations.representative.removed",
    "recommendations.review.photo_added", "recommendations.review.photo_removed", "recommendations.review.vote_withdrawn",
    "recommendations.review.voted", "recommendations.stats.rebuilt", "recommendations.training.failed",
    "recommendations.training.requested",
})


def _was(p: dict) -> str:
    return f" (was {str(p['previous_status']).replace('_', ' ')})" if p.get("previous_status") else ""


def _because(p: dict) -> str:
    return f": {p['reason']}" if p.get("reason") else ""


def _quote(text) -> str:
    return f"“{Truncator(str(text or '')).chars(80)}”"


def audit_words(*, event) -> str | None:
    p = event.payload if isinstance(event.payload, dict) else {}
    kind = event.event_type.removeprefix("recommendations.")
    review = f"Review {p.get('review_id')} of product {p.get('product_id')}"
    question = f"Question {p.get('question_id')} on product {p.get('product_id')}"
    answer = f"Answer {p.get('answer_id')} to question {p.get('question_id')}"
    words = {
        "review.created": lambda: f"{review} written: {p.get('score')}/5 {_quote(p.get('title'))}, {p.get('status')}",
        "review.updated": lambda: f"{review} edited: {p.get('score')}/5 {_quote(p.get('title'))}, {p.get('status')}{_was(p)}",
        "review.approved": lambda: f"{review} approved{' automatically' if p.get('automatic') else ''}{_was(p)}",
        "review.rejected": lambda: f"{review} rejected{_was(p)}{_because(p)}",
        "review.deleted": lambda: f"{review} deleted{_was(p)}",
        "review.flagged": lambda: f"{review} reported ({p.get('flag_count')} reports){_because(p)}"
                                  + (", now hidden" if p.get("hidden") else ""),
        "review.replied": lambda: f"{review}: the shop replied {_quote(p.get('text'))}",
        "review.verified": lambda: f"{review}: purchase verified",
        "question.asked": lambda: f"{question} asked: {_quote(p.get('text'))}, {p.get('status')}",
        "question.approved": lambda: f"{question} approved{_was(p)}",
        "question.rejected": lambda: f"{question} rejected{_was(p)}{_because(p)}",
        "question.answered": lambda: f"{question} answered by the {p.get('role')}: {_quote(p.get('text'))}, {p.get('status')}",
        "answer.approved": lambda: f"{answer} approved{_was(p)}",
        "answer.rejected": lambda: f"{answer} rejected{_was(p)}{_because(p)}",
        "answer.verified": lambda: f"{answer} {'marked verified' if p.get('verified') else 'no longer verified'}",
    }.get(kind)
    return words() if words else None
