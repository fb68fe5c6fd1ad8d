"""Product question commands: ask, answer, vote, moderate, verify; FAQ categories; representatives.

Each command is keyword-only, runs in one ``transaction.atomic`` inside a ``commerce.question.*``
(``commerce.answer.*``, ...) span and records its event. Moderation, declared once
(``MODERATION_TRANSITIONS``): pending -> approved or rejected; approved -> rejected (taken down);
rejected -> approved (reinstated). A question and a shopper's answer wait for a moderator unless
``RECOMMENDATIONS_QA_AUTO_APPROVE`` is on and the spam screen noticed nothing; the shop's and the
manufacturer's answers are approved at once.

Counters (kept here, never aggregated when read): an answer's ``up_votes``/``down_votes`` change
under the answer's row lock; its question's ``answer_count``/``vote_count`` (approved answers and
the votes on them) by conditional ``UPDATE ... = x + n`` in the same transaction. A command locks
a question or an answer, never an answer then its question, so two commands never wait in a circle.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from commerce import telemetry
from commerce.audit.events import record
from commerce.catalog.models import Manufacturer
from commerce.catalog.selectors import product_get
from commerce.locks import Kind, lock, lock_one
from commerce.parsing import parse_id
from recommendations import events
from recommendations.errors import (
    AnswerNotAllowed,
    AnswerNotFound,
    FAQCategoryInvalid,
    FAQCategoryNotFound,
    ManufacturerNotFound,
    ModerationNotAllowed,
    ModerationStepInvalid,
    QuestionDuplicate,
    QuestionNotFound,
    QuestionNotOpen,
    RepresentativeInvalid,
    RepresentativeNotFound,
    TextInvalid,
    VoteNotAllowed,
)
from recommendations.models import Answer, AnswerVote, FAQCategory, ManufacturerRepresentative, ModerationStatus, Question
from recommendations.models.questions import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, REASON_MAX_LENGTH
from recommendations.screening import clean_text, screen
from recommendations.selectors.moderation import banned_words
from recommendations.selectors.questions import answer_role_for, can_moderate

MS = ModerationStatus
MODERATION_TRANSITIONS = {
    MS.APPROVED: {MS.PENDING, MS.REJECTED},  # the statuses a row may be approved from
    MS.REJECTED: {MS.PENDING, MS.APPROVED},
}
VOTE_VALUES = {"up": AnswerVote.Value.UP, "down": AnswerVote.Value.DOWN, "none": None}
QUESTION_MIN_LENGTH = 5


def _text(value, *, field: str, max_length: int, min_length: int = 1) -> str:
    text, errors = clean_text(value, field=field, max_length=max_length, min_length=min_length)
    if errors:
        raise TextInvalid(f"The {field} is not valid: {errors[field][0]}", fields=errors)
    return text


def _require_moderator(user) -> None:
    if not can_moderate(user):
        raise ModerationNotAllowed("Only the shop's moderators may do this.")


def _auto_approve(flags: list[str]) -> bool:
    return bool(settings.RECOMMENDATIONS_QA_AUTO_APPROVE) and not flags


def _category(category_id) -> FAQCategory | None:
    if category_id in (None, ""):
        return None
    category = FAQCategory.objects.filter(pk=parse_id(str(category_id)) or 0).first()
    if category is None:
        raise FAQCategoryInvalid("No such FAQ category.", fields={"category_id": ["No such FAQ category."]})
    return category


def _lock_author(user) -> None:
    """Serialise one customer's submissions: a double-submitted question is written once."""
    lock_one(Kind.CUSTOMER, get_user_model().objects.filter(pk=user.pk))


def _check_transition(row, target: str) -> str:
    previous = row.status
    if previous not in MODERATION_TRANSITIONS[target]:
        raise ModerationStepInvalid(f"It is {row.get_status_display().lower()} already.", extra={"status": previous})
    return previous


def _reason(reason) -> str:
    return _text(reason, field="reason", max_length=REASON_MAX_LENGTH, min_length=3)


# --- questions --------------------------------------------------------------------------------------
def question_ask(*, customer, product_id: int, text: str, category_id: int | None = None) -> Question:
    """A shopper's question about an active product; pending until a moderator approves it (see the module)."""
    with telemetry.command_span("commerce.question.ask", product__id=product_id) as span, transaction.atomic():
        text = _text(text, field="text", max_length=QUESTION_MAX_LENGTH, min_length=QUESTION_MIN_LENGTH)
        product = product_get(pk=product_id)
        category = _category(category_id)
        _lock_author(customer)
        if Question.objects.filter(author_id=customer.pk, product_id=product.pk, text__iexact=text).exclude(
                status=MS.REJECTED).exists():
            raise QuestionDuplicate("You asked this question about this product already.")
        flags = screen(text, banned_words=banned_words())
        status = MS.APPROVED if _auto_approve(flags) else MS.PENDING
        question = Question.objects.create(product=product, author=customer, text=text, category=category, status=status,
                                           screen_flags=flags, moderated_at=timezone.now() if status == MS.APPROVED else None)
        span.set_attribute("question.id", question.pk)
        record(events.QuestionAsked(question_id=question.pk, product_id=product.pk, customer_id=customer.pk, text=text,
                                    category_id=category.pk if category else None, status=status, screen_flags=flags))
        return question


def _lock_question(question_id) -> Question:
    question = lock_one(Kind.QUESTION, Question.objects.filter(pk=question_id))
    if question is None:
        raise QuestionNotFound("No such question.")
    return question


def question_update(*, question_id: int, moderator, text: str | None = None, category_id=...) -> Question:
    """A moderator corrects a question's text or files it under a category (``category_id`` None: none)."""
    with telemetry.command_span("commerce.question.update", question__id=question_id), transaction.atomic():
        _require_moderator(moderator)
        question = _lock_question(question_id)
        changes = {}
        if text is not None:
            text = _text(text, field="text", max_length=QUESTION_MAX_LENGTH, min_length=QUESTION_MIN_LENGTH)
            if text != question.text:
                changes["text"] = {"before": question.text, "after": text}
                question.text = text
        if category_id is not ...:
            category = _category(category_id)
            new_id = category.pk if category else None
            if new_id != question.category_id:
                changes["category_id"] = {"before": question.category_id, "after": new_id}
                question.category = category
        if changes:
            question.save(update_fields=["text", "category", "updated_at"])
            record(events.QuestionUpdated(question_id=question.pk, product_id=question.product_id, changes=changes))
        return question


def question_approve(*, question_id: int, moderator) -> Question:
    with telemetry.command_span("commerce.question.approve", question__id=question_id), transaction.atomic():
        _require_moderator(moderator)
        question = _lock_question(question_id)
        previous = _check_transition(question, MS.APPROVED)
        question.status, question.rejection_reason = MS.APPROVED, ""
        question.moderated_by, question.moderated_at = moderator, timezone.now()
        question.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at", "updated_at"])
        record(events.QuestionApproved(question_id=question.pk, product_id=question.product_id, previous_status=previous,
                                       moderator_id=moderator.pk))
        return question


def question_reject(*, question_id: int, moderator, reason: str) -> Question:
    """Refuse (or take down) a question, saying why: its author sees the reason."""
    with telemetry.command_span("commerce.question.reject", question__id=question_id), transaction.atomic():
        _require_moderator(moderator)
        reason = _reason(reason)
        question = _lock_question(question_id)
        previous = _check_transition(question, MS.REJECTED)
        question.status, question.rejection_reason = MS.REJECTED, reason
        question.moderated_by, question.moderated_at = moderator, timezone.now()
        question.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at", "updated_at"])
        record(events.QuestionRejected(question_id=question.pk, product_id=question.product_id, previous_status=previous,
                                       moderator_id=moderator.pk, reason=reason))
        return question


# --- answers ----------------------------------------------------------------------------------------
def _count_answer(answer: Answer, sign: int) -> None:
    """An answer became approved (+1) or stopped being so (-1): its question's counters follow."""
    Question.objects.filter(pk=answer.question_id).update(
        answer_count=F("answer_count") + sign, vote_count=F("vote_count") + sign * (answer.up_votes + answer.down_votes))


def answer_create(*, question_id: int, author, text: str) -> Answer:
    """Answer an approved question as the shop's staff, the manufacturer's representative or a verified buyer."""
    with telemetry.command_span("commerce.question.answer", question__id=question_id) as span, transaction.atomic():
        text = _text(text, field="text", max_length=ANSWER_MAX_LENGTH, min_length=2)
        question = Question.objects.select_related("product").filter(pk=question_id).first()
        if question is None or (question.status != MS.APPROVED and question.author_id != author.pk and not can_moderate(author)):
            raise QuestionNotFound("No such question.")
        if question.status != MS.APPROVED:
            raise QuestionNotOpen("The question is not published: it takes no answers yet.", extra={"status": question.status})
        role = answer_role_for(user=author, product=question.product)
        if role is None:
            raise AnswerNotAllowed("Only the shop, the manufacturer and customers who received this product answer its questions.")
        _lock_author(author)
        if Answer.objects.filter(question_id=question.pk, author_id=author.pk, text__iexact=text).exclude(
                status=MS.REJECTED).exists():
            raise QuestionDuplicate("You gave this answer already.")
        flags = screen(text, banned_words=banned_words())
        trusted = role in (Answer.Role.STAFF, Answer.Role.REPRESENTATIVE)
        status = MS.APPROVED if trusted or _auto_approve(flags) else MS.PENDING
        answer = Answer.objects.create(question=question, author=author, role=role, text=text, status=status, screen_flags=flags,
                                       moderated_at=timezone.now() if status == MS.APPROVED else None)
        if status == MS.APPROVED:
            _count_answer(answer, +1)
        span.set_attribute("answer.id", answer.pk)
        record(events.QuestionAnswered(answer_id=answer.pk, question_id=question.pk, product_id=question.product_id,
                                       author_id=author.pk, role=role, text=text, status=status, screen_flags=flags))
        return answer


def _lock_answer(answer_id) -> Answer:
    answer = lock_one(Kind.ANSWER, Answer.objects.filter(pk=answer_id))
    if answer is None:
        raise AnswerNotFound("No such answer.")
    return answer


def _product_id(answer: Answer) -> int:
    return Question.objects.filter(pk=answer.question_id).values_list("product_id", flat=True).get()


def answer_approve(*, answer_id: int, moderator) -> Answer:
    with telemetry.command_span("commerce.answer.approve", answer__id=answer_id), transaction.atomic():
        _require_moderator(moderator)
        answer = _lock_answer(answer_id)
        previous = _check_transition(answer, MS.APPROVED)
        answer.status, answer.rejection_reason = MS.APPROVED, ""
        answer.moderated_by, answer.moderated_at = moderator, timezone.now()
        answer.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
        _count_answer(answer, +1)
        record(events.AnswerApproved(answer_id=answer.pk, question_id=answer.question_id, product_id=_product_id(answer),
                                     previous_status=previous, moderator_id=moderator.pk))
        return answer


def answer_reject(*, answer_id: int, moderator, reason: str) -> Answer:
    """Refuse (or take down) an answer; a verified answer taken down loses its mark."""
    with telemetry.command_span("commerce.answer.reject", answer__id=answer_id), transaction.atomic():
        _require_moderator(moderator)
        reason = _reason(reason)
        answer = _lock_answer(answer_id)
        previous = _check_transition(answer, MS.REJECTED)
        answer.status, answer.rejection_reason = MS.REJECTED, reason
        answer.moderated_by, answer.moderated_at = moderator, timezone.now()
        answer.is_verified, answer.verified_by, answer.verified_at = False, None, None
        answer.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at", "is_verified",
                                   "verified_by", "verified_at"])
        if previous == MS.APPROVED:
            _count_answer(answer, -1)
        record(events.AnswerRejected(answer_id=answer.pk, question_id=answer.question_id, product_id=_product_id(answer),
                                     previous_status=previous, moderator_id=moderator.pk, reason=reason))
        return answer


def _vote_name(value: int | None) -> str:
    return {AnswerVote.Value.UP: "up", AnswerVote.Value.DOWN: "down"}.get(value, "none")


def answer_vote(*, answer_id: int, customer, value: str) -> Answer:
    """Vote a published answer ``up`` or ``down``, or take one's vote back (``none``); never one's own answer.

    One vote per customer and answer: voting again changes it. Counts stay exact under concurrent
    votes (the answer's row is locked). Voting as one already voted changes nothing and records nothing.
    """
    if value not in VOTE_VALUES:
        raise TextInvalid("The vote is up, down or none.", fields={"value": ["One of: up, down, none."]})
    new = VOTE_VALUES[value]
    with telemetry.command_span("commerce.answer.vote", answer__id=answer_id), transaction.atomic():
        answer = _lock_answer(answer_id)
        question = Question.objects.filter(pk=answer.question_id).values("status", "product_id").get()
        if answer.status != MS.APPROVED or question["status"] != MS.APPROVED:
            raise AnswerNotFound("No such answer.")
        if answer.author_id == customer.pk:
            raise VoteNotAllowed("You cannot vote on your own answer.")
        vote = AnswerVote.objects.filter(answer_id=answer.pk, customer_id=customer.pk).first()
        old = vote.value if vote else None
        if old == new:
            return answer
        if vote is None:
            AnswerVote.objects.create(answer=answer, customer=customer, value=new)
        elif new is None:
            vote.delete()
        else:
            vote.value = new
            vote.save(update_fields=["value", "updated_at"])
        up = (new == AnswerVote.Value.UP) - (old == AnswerVote.Value.UP)
        down = (new == AnswerVote.Value.DOWN) - (old == AnswerVote.Value.DOWN)
        answer.up_votes += up
        answer.down_votes += down
        answer.save(update_fields=["up_votes", "down_votes"])
        if up + down:
            Question.objects.filter(pk=answer.question_id).update(vote_count=F("vote_count") + up + down)
        record(events.AnswerVoted(answer_id=answer.pk, question_id=answer.question_id, product_id=question["product_id"],
                                  customer_id=customer.pk, value=value, previous=_vote_name(old),
                                  up_votes=answer.up_votes, down_votes=answer.down_votes))
        return answer


def customer_answer_votes_withdraw(*, customer) -> int:
    """Take the customer's votes off the answers' counters (their account is being deleted), each with
    its ``answer.voted`` event (value ``none``, as a vote taken back). Called inside the deletion's
    transaction; returns how many."""
    votes = list(AnswerVote.objects.filter(customer_id=customer.pk).order_by("answer_id"))
    if not votes:
        return 0
    answers = {a.pk: a for a in lock(Kind.ANSWER, Answer.objects.filter(pk__in=[vote.answer_id for vote in votes]))}
    products = dict(Question.objects.filter(pk__in={a.question_id for a in answers.values()}).values_list("pk", "product_id"))
    for vote in votes:
        answer = answers[vote.answer_id]
        up, down = -(vote.value == AnswerVote.Value.UP), -(vote.value == AnswerVote.Value.DOWN)
        answer.up_votes, answer.down_votes = answer.up_votes + up, answer.down_votes + down
        answer.save(update_fields=["up_votes", "down_votes"])
        Question.objects.filter(pk=answer.question_id).update(vote_count=F("vote_count") + up + down)
        vote.delete()
        record(events.AnswerVoted(answer_id=answer.pk, question_id=answer.question_id, product_id=products[answer.question_id],
                                  customer_id=customer.pk, value="none", previous=_vote_name(vote.value),
                                  up_votes=answer.up_votes, down_votes=answer.down_votes))
    return len(votes)


def answer_verify(*, answer_id: int, moderator, verified: bool = True) -> Answer:
    """Mark a published answer verified (correct and official, shown first), or take the mark off."""
    with telemetry.command_span("commerce.answer.verify", answer__id=answer_id), transaction.atomic():
        _require_moderator(moderator)
        answer = _lock_answer(answer_id)
        if verified and answer.status != MS.APPROVED:
            raise ModerationStepInvalid("Only a published answer can be marked verified.", extra={"status": answer.status})
        if answer.is_verified == bool(verified):
            return answer
        answer.is_verified = bool(verified)
        answer.verified_by, answer.verified_at = (moderator, timezone.now()) if verified else (None, None)
        answer.save(update_fields=["is_verified", "verified_by", "verified_at"])
        record(events.AnswerVerified(answer_id=answer.pk, question_id=answer.question_id, product_id=_product_id(answer),
                                     verified=answer.is_verified, moderator_id=moderator.pk))
        return answer


# --- FAQ categories ---------------------------------------------------------------------------------
def faq_category_save(*, moderator, name: str, slug: str = "", position: int = 0, category_id: int | None = None) -> FAQCategory:
    """Create a category (``category_id`` None) or change one; the slug defaults to the name's."""
    with telemetry.command_span("commerce.faq_category.save"), transaction.atomic():
        _require_moderator(moderator)
        name = _text(name, field="name", max_length=80)
        slug = slugify(slug or name)[:90]
        errors = {}
        if not slug:
            errors["slug"] = ["Letters, digits, '-' or '_'."]
        if not isinstance(position, int) or not 0 <= position <= 32767:
            errors["position"] = ["Between 0 and 32767."]
        taken = FAQCategory.objects.exclude(pk=category_id)
        if taken.filter(name__iexact=name).exists():
            errors["name"] = ["Already in use."]
        if slug and taken.filter(slug=slug).exists():
            errors["slug"] = ["Already in use."]
        if errors:
            raise FAQCategoryInvalid(f"The category is not valid: {next(iter(errors.values()))[0]}", fields=errors)
        if category_id is None:
            category = FAQCategory(name=name, slug=slug, position=position)
        else:
            category = FAQCategory.objects.filter(pk=category_id).first()
            if category is None:
                raise FAQCategoryNotFound("No such FAQ category.")
            category.name, category.slug, category.position = name, slug, position
        try:
            with transaction.atomic():
                category.save()
        except IntegrityError:
            raise FAQCategoryInvalid("The name or slug is in use.", fields={"name": ["Already in use."]}) from None
        record(events.FAQCategorySaved(category_id=category.pk, name=name, slug=slug, position=position,
                                       created=category_id is None))
        return category


# --- representatives --------------------------------------------------------------------------------
def representative_add(*, manufacturer_id: int, user_id: int) -> ManufacturerRepresentative:
    """Let a user answer for a manufacturer: their answers on its products are the maker's, approved at once."""
    with telemetry.command_span("commerce.representative.add", manufacturer__id=manufacturer_id), transaction.atomic():
        manufacturer = Manufacturer.objects.filter(pk=manufacturer_id).first()
        if manufacturer is None:
            raise ManufacturerNotFound("No such manufacturer.")
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise RepresentativeInvalid("No such active user.", fields={"user_id": ["No such active user."]})
        try:
            with transaction.atomic():
                rep = ManufacturerRepresentative.objects.create(user=user, manufacturer=manufacturer)
        except IntegrityError:
            raise RepresentativeInvalid(f"{user} represents {manufacturer} already.",
                                        fields={"user_id": ["Represents this manufacturer already."]}) from None
        record(events.RepresentativeAdded(manufacturer_id=manufacturer.pk, user_id=user.pk))
        return rep


def representative_remove(*, manufacturer_id: int, user_id: int) -> None:
    """The user no longer answers for the manufacturer (their answers stay, with the role they had)."""
    with telemetry.command_span("commerce.representative.remove", manufacturer__id=manufacturer_id), transaction.atomic():
        ids = parse_id(manufacturer_id), parse_id(user_id)  # an id past the column's range is no row, not an overflow
        rep = ManufacturerRepresentative.objects.filter(manufacturer_id=ids[0], user_id=ids[1]).first() if all(ids) else None
        if rep is None:
            raise RepresentativeNotFound("That user does not represent that manufacturer.")
        rep.delete()
        record(events.RepresentativeRemoved(manufacturer_id=manufacturer_id, user_id=user_id))
