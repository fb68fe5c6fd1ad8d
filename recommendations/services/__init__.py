"""Recommendations commands, one module per concern: ``questions`` (questions, answers, votes,
moderation, FAQ categories, representatives) and ``content`` (manufacturers' official content);
``reviews`` (what customers write, vote and flag) and ``review_moderation`` (what staff decide). Each command is keyword-only, runs in one ``transaction.atomic``
inside a ``commerce.*`` span and records its event."""

from recommendations.services.content import (
    CONTENT_FIELDS,
    official_content_create,
    official_content_delete,
    official_content_update,
)
from recommendations.services.questions import (
    MODERATION_TRANSITIONS,
    VOTE_VALUES,
    answer_approve,
    answer_create,
    answer_reject,
    answer_verify,
    answer_vote,
    faq_category_save,
    question_approve,
    question_ask,
    question_reject,
    question_update,
    representative_add,
    representative_remove,
)

__all__ = [
    "CONTENT_FIELDS",
    "MODERATION_TRANSITIONS",
    "VOTE_VALUES",
    "answer_approve",
    "answer_create",
    "answer_reject",
    "answer_verify",
    "answer_vote",
    "faq_category_save",
    "official_content_create",
    "official_content_delete",
    "official_content_update",
    "question_approve",
    "question_ask",
    "question_reject",
    "question_update",
    "representative_add",
    "representative_remove",
]
