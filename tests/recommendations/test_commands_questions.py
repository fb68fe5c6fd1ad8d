"""seed_demo_questions: demo questions, answers, votes and official content through the services, once."""

import io

import pytest
from django.core.management import CommandError, call_command

from commerce.audit.models import DomainEvent
from recommendations.models import Answer, AnswerVote, ManufacturerRepresentative, OfficialContent, Question
from tests.factories import CustomerFactory, StaffFactory
from tests.recommendations.qa_factories import delivered_order, product

pytestmark = pytest.mark.django_db


def test_seed_demo_questions_makes_every_kind_once():
    StaffFactory(username="support", groups=["Support"])
    CustomerFactory.create_batch(6)
    items = [product(), product()]
    delivered_order(items[0])
    delivered_order(items[1])

    out = io.StringIO()
    call_command("seed_demo_questions", stdout=out)

    assert "Demo questions created" in out.getvalue()
    assert Question.objects.filter(status="approved").count() == 2
    assert set(Question.objects.exclude(status="approved").values_list("status", flat=True)) == {"pending", "rejected"}
    assert Question.objects.filter(status="pending").exclude(screen_flags=[]).exists()
    assert set(Answer.objects.values_list("role", flat=True)) == {"staff", "representative", "buyer"}
    assert Answer.objects.filter(is_verified=True).exists() and AnswerVote.objects.exists()
    assert ManufacturerRepresentative.objects.get().user.username == "maker-rep"
    assert OfficialContent.objects.filter(product__isnull=True).exists() and OfficialContent.objects.filter(product__isnull=False).exists()
    for question in Question.objects.filter(status="approved"):  # the counters agree with the rows
        approved = question.answers.filter(status="approved")
        assert question.answer_count == approved.count()
        assert question.vote_count == AnswerVote.objects.filter(answer__in=approved).count()

    before = (Question.objects.count(), Answer.objects.count(), DomainEvent.objects.count())
    again = io.StringIO()
    call_command("seed_demo_questions", stdout=again)
    assert "nothing changed" in again.getvalue()
    assert (Question.objects.count(), Answer.objects.count(), DomainEvent.objects.count()) == before


def test_seed_demo_questions_needs_the_demo_shop():
    with pytest.raises(CommandError):
        call_command("seed_demo_questions", stdout=io.StringIO())
