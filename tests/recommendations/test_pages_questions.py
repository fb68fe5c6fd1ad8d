"""The shop's pages: the product page's questions and official content, asking, answering, voting,
the manufacturer's page and "my questions". Without JavaScript: plain forms that post and redirect."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations import services
from recommendations.models import Answer, AnswerVote, Question
from tests.factories import CustomerFactory, messages_of
from tests.recommendations.qa_factories import (
    approved_question,
    moderator,
    product,
    representative,
    staff_answer,
    verified_buyer,
)

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>'


def test_product_page_shows_questions_answers_and_official_content_escaped(client):
    item = product()
    question = approved_question(item, text="Is it safe for children & pets?")
    staff_answer(question, text="Yes: no small parts.")
    services.official_content_create(manufacturer_id=item.manufacturer_id, product_id=item.pk, title="Safety",
                                     body="Keep away from fire.", kind="safety")
    buyer = verified_buyer(item)
    pending = services.answer_create(question_id=question.pk, author=buyer, text="Mine is fine, 2 kids.")
    html = client.get(item.get_absolute_url()).content.decode()
    assert 'id="questions"' in html and "Is it safe for children &amp; pets?" in html and "Yes: no small parts." in html
    assert "The shop" in html and "Official" in html and "Keep away from fire." in html
    assert "Mine is fine" not in html  # pending
    assert "Log in</a> to ask" in html
    services.answer_approve(answer_id=pending.pk, moderator=moderator())
    assert "Mine is fine, 2 kids." in client.get(item.get_absolute_url()).content.decode()


def test_product_page_costs_the_same_with_more_questions(client):
    item = product()
    client.force_login(CustomerFactory())
    staff_answer(approved_question(item, text="First question?"))
    client.get(item.get_absolute_url())  # warm caches (content types, sessions)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(item.get_absolute_url()).status_code == 200
        return len(queries)

    few = count()
    for n in range(4):
        question = approved_question(item, text=f"Another question {n}?")
        staff_answer(question, text="One.")
        staff_answer(question, text="Two.")
    assert count() == few


def test_ask_from_the_product_page_and_see_it_awaiting_moderation(client):
    item = product()
    customer = CustomerFactory()
    client.force_login(customer)
    response = client.post(reverse("recommendations:question_ask", args=[item.slug]), {"text": "Does it rust?"})
    assert response.status_code == 302 and response["Location"].endswith("#questions")
    assert "will appear once a moderator" in messages_of(response)[0]
    html = client.get(item.get_absolute_url()).content.decode()
    assert "Your questions not yet published" in html and "Does it rust?" in html


def test_a_refused_question_comes_back_on_the_form_and_nothing_is_written(client):
    item = product()
    client.force_login(CustomerFactory())
    url = reverse("recommendations:question_ask", args=[item.slug])
    html_refused = client.post(url, {"text": HOSTILE + " ok?"})
    assert html_refused.status_code == 400 and "HTML markup is not accepted" in html_refused.content.decode()
    assert HOSTILE not in html_refused.content.decode()  # the text sent back is escaped
    too_long = client.post(url, {"text": "x" * 100_000})
    assert too_long.status_code == 400 and "at most 1000 characters" in too_long.content.decode()
    assert not Question.objects.exists()
    assert client.get(reverse("recommendations:question_ask", args=["no-such-product"])).status_code == 404


def test_answer_and_vote_with_plain_forms(client):
    item = product()
    question = approved_question(item)
    answer = staff_answer(question)
    rep = representative(item)
    client.force_login(rep)
    html = client.get(item.get_absolute_url()).content.decode()
    assert f"for {item.manufacturer.name}" in html  # the representative sees the answer form
    response = client.post(reverse("recommendations:question_answer", args=[question.pk]), {"text": "Official: 30 cm."})
    assert response.status_code == 302 and "is published" in messages_of(response)[0]
    assert Answer.objects.filter(role="representative", status="approved").count() == 1
    vote_url = reverse("recommendations:answer_vote", args=[answer.pk])
    response = client.post(vote_url, {"value": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#answer-{answer.pk}")
    assert client.get(vote_url).status_code == 405
    html = client.get(item.get_absolute_url()).content.decode()
    assert "Take my vote back" in html and 'aria-pressed="true">Helpful' in html
    client.post(vote_url, {"value": "none"})
    assert not AnswerVote.objects.exists()
    # a stranger gets the reason on the answer form, and nothing is written
    client.force_login(CustomerFactory())
    refused = client.post(reverse("recommendations:question_answer", args=[question.pk]), {"text": "No idea."})
    assert refused.status_code == 400 and "customers who received this product" in refused.content.decode()
    own = client.post(reverse("recommendations:answer_vote", args=[answer.pk]), {"value": "sideways"})
    assert own.status_code == 302 and not AnswerVote.objects.exists()


def test_voting_on_ones_own_answer_is_refused_with_a_message(client):
    item = product()
    buyer = verified_buyer(item)
    question = approved_question(item)
    answer = services.answer_create(question_id=question.pk, author=buyer, text="Works for me.")
    services.answer_approve(answer_id=answer.pk, moderator=moderator())
    client.force_login(buyer)
    response = client.post(reverse("recommendations:answer_vote", args=[answer.pk]), {"value": "up"})
    assert messages_of(response) == ["You cannot vote on your own answer."]
    assert not AnswerVote.objects.exists()


def test_manufacturer_page_lists_official_content_and_products(client):
    item = product()
    maker = item.manufacturer
    maker.description = f"Made in Lyon. {HOSTILE}"
    maker.save()
    services.official_content_create(manufacturer_id=maker.pk, title="Warranty", body="Two years.", kind="warranty")
    services.official_content_create(manufacturer_id=maker.pk, title="Hidden", body="Draft.", is_published=False)
    html = client.get(reverse("recommendations:manufacturer", args=[maker.slug])).content.decode()
    assert "Warranty" in html and "Two years." in html and "Official" in html and item.name in html
    assert "Hidden" not in html and HOSTILE not in html and "&lt;script&gt;" in html
    assert client.get(reverse("recommendations:manufacturer", args=["nobody"])).status_code == 404


def test_my_questions_lists_every_status_with_the_reason(client):
    item = product()
    customer = CustomerFactory()
    kept = services.question_ask(customer=customer, product_id=item.pk, text="Is it waterproof?")
    services.question_approve(question_id=kept.pk, moderator=moderator())
    staff_answer(kept, text="Up to 1 m.")
    refused = services.question_ask(customer=customer, product_id=item.pk, text="Where can I buy it cheaper?")
    services.question_reject(question_id=refused.pk, moderator=moderator(), reason="Not about the product")
    services.question_ask(customer=CustomerFactory(), product_id=item.pk, text="Someone else's question?")
    client.force_login(customer)
    html = client.get(reverse("recommendations:my_questions")).content.decode()
    assert "Is it waterproof?" in html and "Up to 1 m." in html and "Not about the product" in html
    assert "Someone else" not in html
    client.logout()
    assert client.get(reverse("recommendations:my_questions")).status_code == 302


@pytest.mark.parametrize("value", ["\u0663", "9" * 400, "\x00", "-1", "1e999"])
def test_hostile_topic_ids_are_refused_or_ignored(client, value):
    item = product()
    services.faq_category_save(moderator=moderator(), name="Care")
    approved_question(item, text="Filed nowhere?")
    page = client.get(item.get_absolute_url(), {"qcategory": value, "qsort": value, "qpage": value})
    assert page.status_code == 200 and "Filed nowhere?" in page.content.decode()
    client.force_login(CustomerFactory())
    refused = client.post(reverse("recommendations:question_ask", args=[item.slug]), {"text": "Is it ok?", "category": value})
    assert refused.status_code == 400 and not Question.objects.filter(text="Is it ok?").exists()


def test_a_topic_id_in_other_digits_is_not_read_as_that_topic(client):
    item = product()
    category = services.faq_category_save(moderator=moderator(), name="Care")
    arabic = "".join(chr(0x660 + int(digit)) for digit in str(category.pk))  # the category's id, in Arabic-Indic digits
    client.force_login(CustomerFactory())
    refused = client.post(reverse("recommendations:question_ask", args=[item.slug]), {"text": "Is it ok?", "category": arabic})
    assert refused.status_code == 400 and not Question.objects.exists()
