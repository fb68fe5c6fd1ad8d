"""The back office: the moderation queues, answering as the shop, FAQ categories, representatives and
official content, each change through a service (events on the admin channel)."""

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.models import Answer, FAQCategory, ManufacturerRepresentative, OfficialContent, Question
from tests.factories import CustomerFactory, events, messages_of
from tests.recommendations.qa_factories import approved_question, moderator, product, staff_answer, verified_buyer

pytestmark = pytest.mark.django_db


def _ask(item, text):
    return services.question_ask(customer=CustomerFactory(), product_id=item.pk, text=text)


def test_the_queue_filters_and_bulk_approves(client, admin_support):
    item = product()
    clean, spam = _ask(item, "Is it heavy to carry?"), _ask(item, "Great deals on www.cheap.example")
    changelist = reverse("admin:recommendations_question_changelist")
    flagged = client.get(f"{changelist}?status__exact=pending&flagged=yes")
    assert flagged.status_code == 200
    assert list(flagged.context["cl"].result_list) == [spam]
    assert client.get(f"{changelist}?age=7").context["cl"].result_count == 0
    response = client.post(changelist, {"action": "approve", "_selected_action": [clean.pk, spam.pk]})
    assert response.status_code == 302
    assert set(Question.objects.values_list("status", flat=True)) == {"approved"}
    assert [e.channel for e in events("recommendations.question.approved")] == ["admin", "admin"]


def test_bulk_reject_asks_for_one_reason(client, admin_support):
    item = product()
    first, second = _ask(item, "Where is it made?"), _ask(item, "Buy cheaper elsewhere?")
    changelist = reverse("admin:recommendations_question_changelist")
    chosen = client.post(changelist, {"action": "reject", "_selected_action": [first.pk, second.pk]})
    form_url = chosen["Location"]
    page = client.get(form_url)
    assert page.status_code == 200 and "Where is it made?" in page.content.decode()
    refused = client.post(form_url, {"ids": f"{first.pk},{second.pk}", "reason": ""})
    assert refused.status_code == 200 and Question.objects.filter(status="pending").count() == 2
    done = client.post(form_url, {"ids": f"{first.pk},{second.pk}", "reason": "Not about the product"})
    assert done.status_code == 302
    assert set(Question.objects.values_list("status", "rejection_reason")) == {("rejected", "Not about the product")}
    again = client.post(form_url, {"ids": f"{first.pk}", "reason": "Twice"})
    assert any("rejected already" in m for m in messages_of(again))


def test_answer_as_the_shop_and_correct_a_question(client, admin_support):
    item = product()
    question = approved_question(item, text="Does it come with a bag?")
    page = client.get(reverse("admin:recommendations_question_change", args=[question.pk]))
    assert page.status_code == 200 and "Answer as the shop" in page.content.decode()
    url = reverse("admin:recommendations_question_answer", args=[question.pk])
    assert client.post(url, {"text": "<b>Yes</b>"}).status_code == 200  # refused: back on the form
    response = client.post(url, {"text": "Yes, a cotton bag.", "verified": "on"})
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.role, answer.status, answer.is_verified) == ("staff", "approved", True)
    sizing = services.faq_category_save(moderator=moderator(), name="Accessories")
    client.post(reverse("admin:recommendations_question_edit", args=[question.pk]),
                {"text": "Does it come with a carry bag?", "category": str(sizing.pk)})
    question.refresh_from_db()
    assert (question.text, question.category) == ("Does it come with a carry bag?", sizing)
    [updated] = events("recommendations.question.updated")
    assert updated.payload["changes"]["text"]["before"] == "Does it come with a bag?" and updated.channel == "admin"


def test_answers_queue_approve_reject_verify(client, admin_support):
    item = product()
    question = approved_question(item)
    pending = services.answer_create(question_id=question.pk, author=verified_buyer(item), text="Fits in my bag.")
    shop = staff_answer(question)
    changelist = reverse("admin:recommendations_answer_changelist")
    assert client.get(f"{changelist}?status__exact=pending").context["cl"].result_count == 1
    client.post(changelist, {"action": "approve", "_selected_action": [pending.pk]})
    client.post(changelist, {"action": "verify", "_selected_action": [shop.pk]})
    pending.refresh_from_db()
    shop.refresh_from_db()
    assert pending.status == "approved" and shop.is_verified
    chosen = client.post(changelist, {"action": "reject", "_selected_action": [shop.pk]})
    client.post(chosen["Location"], {"ids": str(shop.pk), "reason": "Outdated"})
    shop.refresh_from_db()
    assert (shop.status, shop.is_verified) == ("rejected", False)


def test_faq_categories_are_saved_through_the_service(client, admin_support):
    response = client.post(reverse("admin:recommendations_faqcategory_add"), {"name": "Care", "slug": "care", "position": "1"})
    assert response.status_code == 302 and FAQCategory.objects.get().slug == "care"
    taken = client.post(reverse("admin:recommendations_faqcategory_add"), {"name": "care", "slug": "x", "position": "0"})
    assert taken.status_code == 200 and FAQCategory.objects.count() == 1
    assert events("recommendations.faq_category.saved")[0].channel == "admin"


def test_who_sees_what(client):
    client.force_login(CustomerFactory(is_staff=True))
    assert client.get(reverse("admin:recommendations_question_changelist")).status_code == 403
    assert client.get(reverse("admin:recommendations_officialcontent_changelist")).status_code == 403


def test_merchandisers_manage_representatives_and_official_content(client, admin_merchandiser):
    item = product()
    user = CustomerFactory()
    assert client.get(reverse("admin:recommendations_question_changelist")).status_code == 403
    added = client.post(reverse("admin:recommendations_manufacturerrepresentative_add"),
                        {"manufacturer": str(item.manufacturer_id), "user": str(user.pk)})
    assert added.status_code == 302 and ManufacturerRepresentative.objects.count() == 1
    twice = client.post(reverse("admin:recommendations_manufacturerrepresentative_add"),
                        {"manufacturer": str(item.manufacturer_id), "user": str(user.pk)})
    assert twice.status_code == 200 and "already exists" in twice.content.decode()
    rep = ManufacturerRepresentative.objects.get()
    client.post(reverse("admin:recommendations_manufacturerrepresentative_delete", args=[rep.pk]), {"post": "yes"})
    assert not ManufacturerRepresentative.objects.exists()
    assert [e.channel for e in events("recommendations.representative.removed")] == ["admin"]

    add_url = reverse("admin:recommendations_officialcontent_add")
    body = {"manufacturer": str(item.manufacturer_id), "product": str(item.pk), "kind": "care", "title": "Care",
            "body": "Hand wash only.", "position": "0", "is_published": "on"}
    assert client.post(add_url, {**body, "body": "<script>x</script>"}).status_code == 200
    assert client.post(add_url, body).status_code == 302
    content = OfficialContent.objects.get()
    client.post(reverse("admin:recommendations_officialcontent_change", args=[content.pk]), {**body, "title": "Care guide"})
    content.refresh_from_db()
    assert content.title == "Care guide"
    [updated] = events("recommendations.content.updated")
    assert updated.channel == "admin" and updated.payload["changes"]["title"]["after"] == "Care guide"
    client.post(reverse("admin:recommendations_officialcontent_delete", args=[content.pk]), {"post": "yes"})
    assert not OfficialContent.objects.exists() and len(events("recommendations.content.deleted")) == 1
