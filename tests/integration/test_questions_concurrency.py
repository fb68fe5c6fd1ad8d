"""Racing votes and questions on MariaDB: real threads, each with its own connection."""

from collections import Counter

import pytest
from django.db import connection

from recommendations import services
from recommendations.models import Answer, AnswerVote, Question
from tests.factories import CustomerFactory
from tests.integration.concurrency import run_in_threads
from tests.recommendations.qa_factories import approved_question, product, staff_answer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _vote(answer, customer, value):
    return lambda: services.answer_vote(answer_id=answer.pk, customer=customer, value=value).pk


def test_concurrent_votes_on_one_answer_count_exactly():
    assert connection.vendor == "mysql"
    # given: a published answer and twelve customers, four of whom voted down before
    item = product()
    question = approved_question(item)
    answer = staff_answer(question)
    customers = [CustomerFactory() for _ in range(12)]
    for customer in customers[:4]:
        services.answer_vote(answer_id=answer.pk, customer=customer, value="down")

    # when: all vote at once: the eight new ones up, the four change their down to up, and one of
    # the new ones sends their vote twice
    jobs = [_vote(answer, customer, "up") for customer in customers] + [_vote(answer, customers[-1], "up")]
    outcomes = run_in_threads(jobs)

    # then: every vote counts once, the counters equal the votes, and the question's popularity follows
    assert Counter(kind for kind, _ in outcomes) == {"ok": 13}, outcomes
    answer.refresh_from_db()
    question.refresh_from_db()
    assert (answer.up_votes, answer.down_votes) == (12, 0)
    assert AnswerVote.objects.filter(answer=answer, value=1).count() == 12 and AnswerVote.objects.count() == 12
    assert question.vote_count == 12


def test_concurrent_up_and_down_votes_and_withdrawals_match_a_recount():
    item = product()
    question = approved_question(item)
    answers = [staff_answer(question, text=f"Answer {n}.") for n in range(2)]
    customers = [CustomerFactory() for _ in range(10)]
    values = ["up", "down", "none", "up", "down"]
    jobs = [_vote(answers[i % 2], customer, values[i % len(values)]) for i, customer in enumerate(customers)]
    jobs += [_vote(answers[0], customer, "down") for customer in customers[:5]]
    outcomes = run_in_threads(jobs)

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    total = 0
    for answer in Answer.objects.filter(pk__in=[a.pk for a in answers]):
        ups = AnswerVote.objects.filter(answer=answer, value=1).count()
        downs = AnswerVote.objects.filter(answer=answer, value=-1).count()
        assert (answer.up_votes, answer.down_votes) == (ups, downs)
        total += ups + downs
    question.refresh_from_db()
    assert question.vote_count == total


def test_a_double_submitted_question_is_written_once():
    item = product()
    customer = CustomerFactory()
    ask = lambda: services.question_ask(customer=customer, product_id=item.pk, text="Is it gluten free?").pk  # noqa: E731
    outcomes = run_in_threads([ask, ask, ask])

    kinds = Counter(kind if kind == "ok" else getattr(value, "code", type(value).__name__) for kind, value in outcomes)
    assert kinds == {"ok": 1, "question_duplicate": 2}, outcomes
    assert Question.objects.count() == 1
