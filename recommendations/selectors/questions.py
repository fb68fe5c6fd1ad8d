"""Queries on product questions and answers (the spec's ``GetProductFAQsQuery``, ``GetPopularQuestionsQuery``).

The public see approved questions with their approved answers; an author sees their own in any
status; moderators (``accounts.moderate_reviews``) see everything. Popularity is read from the
counters the services keep (votes on a question's answers, then its answer count), along an index:
no aggregation over the votes when a page is drawn. Every list costs a fixed number of queries.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, FilteredRelation, Prefetch, Q, QuerySet

from commerce.accounts import access
from orders import selectors as order_selectors
from recommendations.errors import AnswerNotFound, FAQCategoryNotFound, QuestionNotFound
from recommendations.models import Answer, AnswerVote, FAQCategory, ManufacturerRepresentative, ModerationStatus, Question

MODERATE = "moderate_reviews"  # accounts.moderate_reviews: the Support group, superusers
SORTS = ("popular", "newest", "oldest")
ORDERINGS = {
    "popular": ("-vote_count", "-answer_count", "-id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
}
ANSWER_ORDER = ("-is_verified", "-up_votes", "down_votes", "id")


def can_moderate(user) -> bool:
    """Moderate questions and answers, mark answers verified, answer as the shop, edit FAQ categories."""
    return bool(user is not None and user.is_authenticated and user.is_staff and access.has_permission(user, MODERATE))


def answer_role_for(*, user, product) -> str | None:
    """How ``user`` may answer questions on ``product``: as the shop's staff, the manufacturer's
    representative, a verified buyer (a delivered order line of it), or not at all (None). One query
    for a shopper (both facts at once), none more for staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if can_moderate(user):
        return Answer.Role.STAFF
    return _role(user, get_user_model().objects.filter(pk=user.pk).values(**_role_facts(user, product)).first() or {})


def _role_facts(user, product) -> dict:
    """Whether the user represents the product's manufacturer, and whether they received the product: as EXISTS."""
    return {
        "representative": Exists(ManufacturerRepresentative.objects.filter(user_id=user.pk, manufacturer_id=product.manufacturer_id)),
        "buyer": Exists(order_selectors.received_order_lines().filter(customer_id=user.pk, product_id=product.pk)),
    }


def _role(user, facts: dict) -> str | None:
    if not user.is_active:
        return None
    if can_moderate(user):
        return Answer.Role.STAFF
    if facts.get("representative"):
        return Answer.Role.REPRESENTATIVE
    if facts.get("buyer"):
        return Answer.Role.BUYER
    return None


def _approved_answers() -> Prefetch:
    answers = Answer.objects.filter(status=ModerationStatus.APPROVED).select_related("author").order_by(*ANSWER_ORDER)
    return Prefetch("answers", queryset=answers, to_attr="approved_answers")


def question_list(*, product_id: int, sort: str = "popular", category_id: int | None = None,
                  query: str = "") -> QuerySet[Question]:
    """A product's approved questions with their approved answers (``approved_answers``), ``sort``ed."""
    questions = Question.objects.filter(product_id=product_id, status=ModerationStatus.APPROVED)
    if category_id is not None:
        questions = questions.filter(category_id=category_id)
    for term in query.split()[:8]:
        questions = questions.filter(Q(text__icontains=term) | Q(answers__text__icontains=term,
                                                                 answers__status=ModerationStatus.APPROVED)).distinct()
    return (questions.select_related("author", "category").prefetch_related(_approved_answers())
            .order_by(*ORDERINGS.get(sort, ORDERINGS["popular"])))


def popular_questions(*, product_id: int, limit: int = 5) -> list[Question]:
    """The product's most popular approved questions: most votes on their answers, then most answers."""
    return list(question_list(product_id=product_id, sort="popular")[: max(1, min(limit, 50))])


def question_get(*, question_id: int, requester=None) -> Question:
    """One question with its approved answers; a pending or rejected one only for its author and moderators."""
    question = (Question.objects.select_related("author", "category", "product").prefetch_related(_approved_answers())
                .filter(pk=question_id).first())
    if question is None or not _may_see(question, requester):
        raise QuestionNotFound("No such question.")
    return question


def _may_see(row, requester) -> bool:
    if row.status == ModerationStatus.APPROVED:
        return True
    return requester is not None and requester.is_authenticated and (row.author_id == requester.pk or can_moderate(requester))


def answer_get(*, answer_id: int, requester=None) -> Answer:
    """One answer, visible when it and its question are approved, or to its author and moderators."""
    answer = Answer.objects.select_related("author", "question__product").filter(pk=answer_id).first()
    if answer is None or not _may_see(answer, requester) or (
            answer.status == ModerationStatus.APPROVED and not _may_see(answer.question, requester)):
        raise AnswerNotFound("No such answer.")
    return answer


def customer_questions(*, customer) -> QuerySet[Question]:
    """The customer's own questions, newest first, in every status, with the product and approved answers."""
    return (Question.objects.filter(author_id=customer.pk).select_related("product", "category", "author")
            .prefetch_related(_approved_answers()).order_by("-created_at", "-id"))


PENDING_SHOWN = 10  # the shopper's own questions awaiting moderation that the product page lists


def shopper_question_standing(*, user, product, role: bool = True) -> tuple[str | None, list[Question]]:
    """What the product page's questions section shows one shopper alone, in one query: how they may answer
    (``answer_role_for``; only with ``role``: a page without questions has nothing to answer, and the
    buyer fact reads the product's order lines) and their questions on the product not yet published (the
    newest ``PENDING_SHOWN``): their user row with the facts, joined with those questions. None and nothing
    for a guest."""
    if user is None or not user.is_authenticated:
        return None, []
    mine = FilteredRelation("questions", condition=Q(questions__product_id=product.pk) & ~Q(
        questions__status=ModerationStatus.APPROVED))
    rows = list(get_user_model().objects.filter(pk=user.pk).annotate(mine=mine).values(
        **(_role_facts(user, product) if role else {}),
        **{f"question_{name}": F(f"mine__{name}") for name in ("id", "text", "status", "rejection_reason", "created_at")},
    ).order_by(F("mine__created_at").desc(nulls_last=True), F("mine__id").desc(nulls_last=True))[:PENDING_SHOWN])
    pending = [Question(id=row["question_id"], product=product, author=user, text=row["question_text"], status=row["question_status"],
                        rejection_reason=row["question_rejection_reason"], created_at=row["question_created_at"])
               for row in rows if row["question_id"] is not None]
    return (_role(user, rows[0] if rows else {}) if role else None), pending


def customer_votes(*, customer, answer_ids) -> dict[int, int]:
    """The customer's vote (1 or -1) on each of these answers they voted on: one query."""
    if customer is None or not customer.is_authenticated:
        return {}
    return dict(AnswerVote.objects.filter(customer_id=customer.pk, answer_id__in=list(answer_ids))
                .values_list("answer_id", "value"))


def moderation_questions(*, status: str | None = ModerationStatus.PENDING, flagged: bool | None = None) -> QuerySet[Question]:
    """Questions for moderators, oldest first (the queue), with their published answers."""
    questions = (Question.objects.select_related("product", "author", "category").prefetch_related(_approved_answers())
                 .order_by("created_at", "id"))
    if status:
        questions = questions.filter(status=status)
    if flagged is True:
        questions = questions.exclude(screen_flags=[])
    elif flagged is False:
        questions = questions.filter(screen_flags=[])
    return questions


def moderation_answers(*, status: str | None = ModerationStatus.PENDING) -> QuerySet[Answer]:
    answers = Answer.objects.select_related("question__product", "author").order_by("created_at", "id")
    return answers.filter(status=status) if status else answers


def faq_category_list() -> QuerySet[FAQCategory]:
    return FAQCategory.objects.order_by("position", "name")


def faq_category_get(*, category_id: int) -> FAQCategory:
    category = FAQCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise FAQCategoryNotFound("No such FAQ category.")
    return category


def representative_list(*, manufacturer_id: int | None = None) -> QuerySet[ManufacturerRepresentative]:
    reps = ManufacturerRepresentative.objects.select_related("user", "manufacturer").order_by("manufacturer__name", "user_id")
    return reps.filter(manufacturer_id=manufacturer_id) if manufacturer_id is not None else reps


def public_name(user) -> str:
    """How a shopper is named on the shop's pages: their first name, never their user name or e-mail."""
    return (user.first_name or "").strip()[:30] or "A shopper"
