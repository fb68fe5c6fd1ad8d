"""The questions API: public reads, asking, answering and voting, moderation, FAQ categories."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.models import Answer, AnswerVote, ModerationStatus, Question
from tests.factories import CustomerFactory, events, token_client
from tests.recommendations.qa_factories import (
    approved_question,
    moderator,
    product,
    representative,
    staff_answer,
    verified_buyer,
)

pytestmark = pytest.mark.django_db


def _state():
    return (Question.objects.count(), Answer.objects.count(), AnswerVote.objects.count(),
            list(Answer.objects.order_by("id").values_list("up_votes", "down_votes")))


def test_anyone_reads_published_questions_with_answers_in_constant_queries(api_client):
    item = product()
    for n in range(3):
        question = approved_question(item, text=f"Question number {n}?")
        staff_answer(question, text=f"Answer {n}.")

    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(f"/api/v1/products/{item.pk}/questions/")
        assert response.status_code == 200
        return len(queries), response.json()

    few, body = queries_for_list()
    assert body["count"] == 3 and body["results"][0]["answers"][0]["role"] == "staff"
    assert body["results"][0]["answers"][0]["author_name"] == "The shop"
    for n in range(3, 8):
        staff_answer(approved_question(item, text=f"Question number {n}?"), text=f"Answer {n}.")
    many, body = queries_for_list()
    assert many == few and body["count"] == 8


def test_list_filters_and_bad_filters(api_client):
    item = product()
    approved_question(item, text="About the battery life?")
    approved_question(item, text="About the colour?")
    assert api_client.get(f"/api/v1/products/{item.pk}/questions/?q=battery").json()["count"] == 1
    assert api_client.get(f"/api/v1/products/{item.pk}/questions/?sort=sideways").status_code == 400
    assert api_client.get(f"/api/v1/products/{item.pk}/questions/?category=%D9%A3").status_code == 400
    assert api_client.get(f"/api/v1/products/{'9' * 30}/questions/").status_code == 404
    popular = api_client.get(f"/api/v1/products/{item.pk}/questions/popular/?limit=1")
    assert popular.status_code == 200 and len(popular.json()) == 1


def test_ask_through_the_api_and_its_refusals(api_client):
    item = product()
    url = f"/api/v1/products/{item.pk}/questions/"
    assert api_client.post(url, {"text": "Is it heavy?"}, format="json").status_code == 401
    client = token_client(CustomerFactory())
    before = _state()
    for body, code in [({"text": "<img src=x onerror=alert(1)> heavy?"}, "text_invalid"),
                       ({"text": "x" * 100_000}, "invalid"),
                       ({"text": "Is it heavy?", "status": "approved"}, "unknown_field"),
                       ({"text": "Is it heavy?", "category_id": "\u0663"}, "invalid")]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400 and response.json()["code"] == code, response.json()
    assert _state() == before
    asked = client.post(url, {"text": "Is it heavy?"}, format="json")
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    assert client.post(url, {"text": "Is it heavy?"}, format="json").json()["code"] == "question_duplicate"
    # the author sees the pending question; others do not
    question_id = asked.json()["id"]
    assert client.get(f"/api/v1/questions/{question_id}/").status_code == 200
    assert api_client.get(f"/api/v1/questions/{question_id}/").status_code == 404
    mine = client.get("/api/v1/me/questions/").json()
    assert [q["id"] for q in mine["results"]] == [question_id]


def test_answer_and_vote_through_the_api():
    item = product()
    question = approved_question(item)
    stranger = token_client(CustomerFactory())
    url = f"/api/v1/questions/{question.pk}/answers/"
    refused = stranger.post(url, {"text": "Probably."}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "answer_not_allowed"
    buyer = verified_buyer(item)
    answered = token_client(buyer).post(url, {"text": "Mine fits well."}, format="json")
    assert answered.status_code == 201 and (answered.json()["role"], answered.json()["status"]) == ("buyer", "pending")
    rep_answer = token_client(representative(item)).post(url, {"text": "Official: it fits."}, format="json").json()
    assert (rep_answer["role"], rep_answer["status"], rep_answer["author_name"]) == (
        "representative", "approved", "The manufacturer")
    vote_url = f"/api/v1/answers/{rep_answer['id']}/vote/"
    voted = stranger.post(vote_url, {"value": "up"}, format="json")
    assert voted.status_code == 200 and voted.json()["up_votes"] == 1
    changed = stranger.post(vote_url, {"value": "down"}, format="json").json()
    assert (changed["up_votes"], changed["down_votes"], changed["score"]) == (0, 1, -1)
    assert stranger.post(vote_url, {"value": "maybe"}, format="json").status_code == 400
    # a pending answer cannot be voted on
    pending = f"/api/v1/answers/{answered.json()['id']}/vote/"
    assert stranger.post(pending, {"value": "up"}, format="json").json()["code"] == "answer_not_found"


def test_moderation_through_the_api():
    item = product()
    asker = CustomerFactory()
    question = Question.objects.get(pk=token_client(asker).post(
        f"/api/v1/products/{item.pk}/questions/", {"text": "Visit www.spam.example now"}, format="json").json()["id"])
    customer = token_client(CustomerFactory())
    assert customer.get("/api/v1/questions/moderation/").status_code == 403
    assert customer.post(f"/api/v1/questions/{question.pk}/approve/").status_code == 403
    staff = token_client(moderator())
    queue = staff.get("/api/v1/questions/moderation/?flagged=true").json()
    assert [(q["id"], q["screen_flags"]) for q in queue["results"]] == [(question.pk, ["link"])]
    assert staff.get("/api/v1/questions/moderation/?status=nope").status_code == 400
    rejected = staff.post(f"/api/v1/questions/{question.pk}/reject/", {"reason": "Advertising"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["rejection_reason"] == "Advertising"
    again = staff.post(f"/api/v1/questions/{question.pk}/reject/", {"reason": "Advertising"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "moderation_step_invalid"
    approved = staff.post(f"/api/v1/questions/{question.pk}/approve/")
    assert approved.json()["status"] == "approved"
    category = staff.post("/api/v1/faq-categories/", {"name": "Size and fit"}, format="json").json()
    patched = staff.patch(f"/api/v1/questions/{question.pk}/", {"category_id": category["id"]}, format="json")
    assert patched.json()["category"]["slug"] == "size-and-fit"
    answer = staff.post(f"/api/v1/questions/{question.pk}/answers/", {"text": "It is 30 cm wide."}, format="json").json()
    verified = staff.post(f"/api/v1/answers/{answer['id']}/verify/", {"verified": True}, format="json")
    assert verified.json()["is_verified"] is True
    taken_down = staff.post(f"/api/v1/answers/{answer['id']}/reject/", {"reason": "Wrong width"}, format="json").json()
    assert (taken_down["status"], taken_down["is_verified"]) == ("rejected", False)
    assert staff.get("/api/v1/answers/moderation/?status=rejected").json()["count"] == 1
    assert staff.post(f"/api/v1/answers/{answer['id']}/approve/").json()["status"] == "approved"
    assert {e.channel for e in events("recommendations.question.rejected")} == {"api"}
    assert customer.post("/api/v1/faq-categories/", {"name": "Mine"}, format="json").status_code == 403
    assert [c["name"] for c in customer.get("/api/v1/faq-categories/").json()] == ["Size and fit"]
    renamed = staff.put(f"/api/v1/faq-categories/{category['id']}/", {"name": "Fit"}, format="json")
    assert renamed.json()["slug"] == "fit"
    assert ModerationStatus.APPROVED == Question.objects.get().status
