"""Asking, answering, voting, moderating and verifying product questions, at the service layer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations import services
from recommendations.models import Answer, AnswerVote, ModerationStatus, Question
from recommendations.selectors import questions as question_selectors
from tests.factories import CustomerFactory, events, last_event_id
from tests.recommendations.qa_factories import (
    approved_question,
    moderator,
    product,
    representative,
    staff_answer,
    verified_buyer,
)

pytestmark = pytest.mark.django_db
MS = ModerationStatus


def test_question_ask_is_pending_with_its_event_and_span(spans):
    item, customer = product(), CustomerFactory()
    question = services.question_ask(customer=customer, product_id=item.pk, text="  Is it dishwasher safe?  ")
    assert (question.status, question.text, question.screen_flags) == (MS.PENDING, "Is it dishwasher safe?", [])
    [event] = events("recommendations.question.asked")
    assert event.payload["question_id"] == question.pk and event.product_id == item.pk and event.customer_id == customer.pk
    assert "commerce.question.ask" in [span.name for span in spans.get_finished_spans()]
    # pending: the public list leaves it out, its author sees it
    assert list(question_selectors.question_list(product_id=item.pk)) == []
    role, pending = question_selectors.shopper_question_standing(user=customer, product=item)
    assert role is None and pending == [question] and pending[0].text == question.text
    assert question_selectors.shopper_question_standing(user=CustomerFactory(), product=item) == (None, [])


def test_question_ask_auto_approves_clean_text_when_the_setting_says_so(settings):
    settings.RECOMMENDATIONS_QA_AUTO_APPROVE = True
    item = product()
    clean = services.question_ask(customer=CustomerFactory(), product_id=item.pk, text="How long does the battery last?")
    spam = services.question_ask(customer=CustomerFactory(), product_id=item.pk, text="Cheap deals at www.spam.example.com !!!")
    assert clean.status == MS.APPROVED
    assert (spam.status, spam.screen_flags) == (MS.PENDING, ["link"])


def test_the_banned_words_staff_edit_hold_questions_and_shoppers_answers_as_they_hold_reviews(settings):
    from recommendations.services import review_moderation

    review_moderation.banned_word_add(word="Knockoff", staff=moderator())
    item = product()
    asked = approved_question(item)
    settings.RECOMMENDATIONS_QA_AUTO_APPROVE = True
    question = services.question_ask(customer=CustomerFactory(), product_id=item.pk, text="Is this a KNOCKOFF of the original?")
    assert (question.status, question.screen_flags) == (MS.PENDING, ["banned_word"])
    answer = services.answer_create(question_id=asked.pk, author=verified_buyer(item), text="Looks like a knockoff to me.")
    clean = services.answer_create(question_id=asked.pk, author=verified_buyer(item), text="Fits fine in mine.")
    assert (answer.status, answer.screen_flags) == (MS.PENDING, ["banned_word"])
    assert (clean.status, clean.screen_flags) == (MS.APPROVED, [])
    assert events("recommendations.question.asked")[-1].payload["screen_flags"] == ["banned_word"]


@pytest.mark.parametrize("text, field_message", [
    ("", "Write something."),
    ("x" * 100_000, "At most 1000 characters"),
    ("<script>alert(1)</script> is it safe?", "HTML markup"),
    ("Why?", "At least 5 characters."),
    (12345, "Text is required."),
])
def test_question_ask_refuses_bad_text_and_writes_nothing(text, field_message):
    item, mark = product(), last_event_id()
    with pytest.raises(Exception) as refused:
        services.question_ask(customer=CustomerFactory(), product_id=item.pk, text=text)
    assert refused.value.code == "text_invalid" and field_message in refused.value.fields["text"][0]
    assert not Question.objects.exists() and events("recommendations.question.asked", after=mark) == []


def test_question_ask_allows_comparisons_but_refuses_a_duplicate():
    item, customer = product(), CustomerFactory()
    services.question_ask(customer=customer, product_id=item.pk, text="Is it < 5 kg and > 2 kg?")
    with pytest.raises(Exception) as duplicate:
        services.question_ask(customer=customer, product_id=item.pk, text="IS IT < 5 KG AND > 2 KG?")
    assert duplicate.value.code == "question_duplicate"
    assert Question.objects.count() == 1


def test_question_ask_unknown_product_and_category_are_refused():
    item = product()
    with pytest.raises(Exception) as missing:
        services.question_ask(customer=CustomerFactory(), product_id=10**9, text="Is it any good?")
    assert missing.value.code == "product_not_found"
    with pytest.raises(Exception) as category:
        services.question_ask(customer=CustomerFactory(), product_id=item.pk, text="Is it any good?", category_id=10**9)
    assert category.value.code == "faq_category_invalid" and "category_id" in category.value.fields


def test_moderation_transitions_and_reasons():
    item, mod = product(), moderator()
    question = services.question_ask(customer=CustomerFactory(), product_id=item.pk, text="What colour is the lid?")
    with pytest.raises(Exception) as no_reason:
        services.question_reject(question_id=question.pk, moderator=mod, reason="")
    assert no_reason.value.code == "text_invalid"
    rejected = services.question_reject(question_id=question.pk, moderator=mod, reason="Off topic")
    assert (rejected.status, rejected.rejection_reason, rejected.moderated_by) == (MS.REJECTED, "Off topic", mod)
    with pytest.raises(Exception) as again:
        services.question_reject(question_id=question.pk, moderator=mod, reason="Off topic")
    assert again.value.code == "moderation_step_invalid"
    approved = services.question_approve(question_id=question.pk, moderator=mod)
    assert (approved.status, approved.rejection_reason) == (MS.APPROVED, "")
    [event] = events("recommendations.question.rejected")
    assert event.payload["reason"] == "Off topic" and event.payload["moderator_id"] == mod.pk
    assert events("recommendations.question.approved")[0].payload["previous_status"] == "rejected"


def test_only_moderators_moderate():
    item, customer = product(), CustomerFactory()
    question = services.question_ask(customer=customer, product_id=item.pk, text="What colour is the lid?")
    for who in (customer, representative(item)):
        with pytest.raises(Exception) as refused:
            services.question_approve(question_id=question.pk, moderator=who)
        assert refused.value.code == "moderation_not_allowed"
    assert Question.objects.get().status == MS.PENDING


def test_who_may_answer_and_how_their_answers_are_published():
    item = product()
    question = approved_question(item)
    shop = staff_answer(question)
    maker = services.answer_create(question_id=question.pk, author=representative(item), text="Official: 30 cm.")
    buyer = services.answer_create(question_id=question.pk, author=verified_buyer(item), text="Fits fine in mine.")
    assert [(a.role, a.status) for a in (shop, maker, buyer)] == [
        ("staff", MS.APPROVED), ("representative", MS.APPROVED), ("buyer", MS.PENDING)]
    with pytest.raises(Exception) as stranger:
        services.answer_create(question_id=question.pk, author=CustomerFactory(), text="No idea, never bought it.")
    assert stranger.value.code == "answer_not_allowed"
    # a buyer of another product only is no verified buyer of this one
    with pytest.raises(Exception):
        services.answer_create(question_id=question.pk, author=verified_buyer(product()), text="Mine is different.")
    question.refresh_from_db()
    assert question.answer_count == 2
    services.answer_approve(answer_id=buyer.pk, moderator=moderator())
    question.refresh_from_db()
    assert question.answer_count == 3
    assert [e.payload["role"] for e in events("recommendations.question.answered")] == ["staff", "representative", "buyer"]


def test_a_pending_question_takes_no_answers():
    item = product()
    question = services.question_ask(customer=CustomerFactory(), product_id=item.pk, text="Is the cable long?")
    with pytest.raises(Exception) as hidden:
        services.answer_create(question_id=question.pk, author=verified_buyer(item), text="Two metres.")
    assert hidden.value.code == "question_not_found"
    with pytest.raises(Exception) as closed:
        services.answer_create(question_id=question.pk, author=moderator(), text="Two metres.")
    assert closed.value.code == "question_not_open"


def test_votes_one_per_customer_changeable_never_on_ones_own():
    item = product()
    question = approved_question(item)
    author = moderator()
    answer = staff_answer(question, by=author)
    alice, bob = CustomerFactory(), CustomerFactory()
    services.answer_vote(answer_id=answer.pk, customer=alice, value="up")
    services.answer_vote(answer_id=answer.pk, customer=alice, value="up")  # the same again: nothing changes
    services.answer_vote(answer_id=answer.pk, customer=bob, value="down")
    answer.refresh_from_db()
    assert (answer.up_votes, answer.down_votes) == (1, 1)
    services.answer_vote(answer_id=answer.pk, customer=bob, value="up")
    answer.refresh_from_db()
    assert (answer.up_votes, answer.down_votes) == (2, 0)
    services.answer_vote(answer_id=answer.pk, customer=alice, value="none")
    answer.refresh_from_db()
    question.refresh_from_db()
    assert (answer.up_votes, answer.down_votes, question.vote_count) == (1, 0, 1)
    assert AnswerVote.objects.count() == 1
    with pytest.raises(Exception) as own:
        services.answer_vote(answer_id=answer.pk, customer=author, value="up")
    assert own.value.code == "vote_not_allowed"
    with pytest.raises(Exception) as bad:
        services.answer_vote(answer_id=answer.pk, customer=alice, value="sideways")
    assert bad.value.code == "text_invalid"
    assert [(e.payload["value"], e.payload["previous"]) for e in events("recommendations.answer.voted")] == [
        ("up", "none"), ("down", "none"), ("up", "down"), ("none", "up")]


def test_rejecting_an_answer_takes_its_votes_off_its_question_and_reinstating_puts_them_back():
    item = product()
    question = approved_question(item)
    answer = staff_answer(question)
    for _ in range(3):
        services.answer_vote(answer_id=answer.pk, customer=CustomerFactory(), value="up")
    mod = moderator()
    services.answer_verify(answer_id=answer.pk, moderator=mod)
    services.answer_reject(answer_id=answer.pk, moderator=mod, reason="Wrong size given")
    question.refresh_from_db()
    answer.refresh_from_db()
    assert (question.answer_count, question.vote_count, answer.is_verified) == (0, 0, False)
    with pytest.raises(Exception) as hidden:
        services.answer_vote(answer_id=answer.pk, customer=CustomerFactory(), value="up")
    assert hidden.value.code == "answer_not_found"
    services.answer_approve(answer_id=answer.pk, moderator=mod)
    question.refresh_from_db()
    assert (question.answer_count, question.vote_count) == (1, 3)


def test_verify_marks_an_answer_official_and_it_comes_first():
    item = product()
    question = approved_question(item)
    first, second = staff_answer(question, text="First answer."), staff_answer(question, text="Second answer.")
    services.answer_vote(answer_id=first.pk, customer=CustomerFactory(), value="up")
    mod = moderator()
    verified = services.answer_verify(answer_id=second.pk, moderator=mod)
    assert (verified.is_verified, verified.verified_by) == (True, mod)
    loaded = question_selectors.question_get(question_id=question.pk)
    assert [a.pk for a in loaded.approved_answers] == [second.pk, first.pk]
    services.answer_verify(answer_id=second.pk, moderator=mod, verified=False)
    assert [e.payload["verified"] for e in events("recommendations.answer.verified")] == [True, False]
    with pytest.raises(Exception) as customer:
        services.answer_verify(answer_id=first.pk, moderator=CustomerFactory())
    assert customer.value.code == "moderation_not_allowed"


def test_popular_questions_by_votes_then_answers_in_fixed_queries():
    item = product()
    quiet = approved_question(item, text="Quiet question here?")
    busy = approved_question(item, text="Busy question here?")
    voted = approved_question(item, text="Voted question here?")
    staff_answer(busy, text="One.")
    staff_answer(busy, text="Two.")
    answer = staff_answer(voted, text="Only one.")
    for _ in range(3):
        services.answer_vote(answer_id=answer.pk, customer=CustomerFactory(), value="down")
    with CaptureQueriesContext(connection) as queries:
        popular = question_selectors.popular_questions(product_id=item.pk, limit=10)
    assert [q.pk for q in popular] == [voted.pk, busy.pk, quiet.pk]
    assert len(queries) == 2  # the questions, their answers: the same with 3 or 3,000
    assert [a.text for a in popular[1].approved_answers] == ["One.", "Two."]


def test_faq_categories_and_representatives():
    mod = moderator()
    sizing = services.faq_category_save(moderator=mod, name="Sizing", position=2)
    assert sizing.slug == "sizing"
    with pytest.raises(Exception) as taken:
        services.faq_category_save(moderator=mod, name="sizing")
    assert taken.value.code == "faq_category_invalid"
    renamed = services.faq_category_save(moderator=mod, category_id=sizing.pk, name="Size and fit", slug="size")
    assert (renamed.name, renamed.slug) == ("Size and fit", "size")
    item = product()
    rep = representative(item)
    assert question_selectors.answer_role_for(user=rep, product=item) == Answer.Role.REPRESENTATIVE
    with pytest.raises(Exception) as twice:
        services.representative_add(manufacturer_id=item.manufacturer_id, user_id=rep.pk)
    assert twice.value.code == "representative_invalid"
    services.representative_remove(manufacturer_id=item.manufacturer_id, user_id=rep.pk)
    assert question_selectors.answer_role_for(user=rep, product=item) is None
    assert len(events("recommendations.representative.added")) == 1
    assert len(events("recommendations.representative.removed")) == 1


def test_the_shoppers_standing_on_the_questions_is_one_query_and_agrees_with_answer_role_for(django_assert_num_queries):
    item = product()
    rep, buyer, shopper = representative(item), verified_buyer(item), CustomerFactory()
    asked = [services.question_ask(customer=rep, product_id=item.pk, text=f"Is part {n} included?") for n in range(3)]
    approved_question(item, author=rep)  # published: not theirs to see as pending
    services.question_ask(customer=rep, product_id=product().pk, text="Another product's?")
    for user in (rep, buyer, shopper):
        with django_assert_num_queries(1):
            role, pending = question_selectors.shopper_question_standing(user=user, product=item)
        assert role == question_selectors.answer_role_for(user=user, product=item)
        assert [q.pk for q in pending] == ([q.pk for q in reversed(asked)] if user == rep else [])
    assert question_selectors.shopper_question_standing(user=moderator(), product=item)[0] == Answer.Role.STAFF
    assert [role for role, _ in (question_selectors.shopper_question_standing(user=u, product=item) for u in (rep, buyer))] == [
        Answer.Role.REPRESENTATIVE, Answer.Role.BUYER]
    with django_assert_num_queries(1):  # without the role (a page without questions): the pending questions alone
        role, pending = question_selectors.shopper_question_standing(user=rep, product=item, role=False)
    assert role is None and [q.pk for q in pending] == [q.pk for q in reversed(asked)]
