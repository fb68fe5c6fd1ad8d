"""The review back office: the queue with its figures, bulk approve and reject, reply, banned words."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from recommendations.models import BannedWord, Review
from recommendations.services import reviews as services
from tests.factories import CustomerFactory, admin_form_data, customer_with_address, events, messages_of
from tests.recommendations.factories import delivered_order, ratings, review, stocked_product

pytestmark = pytest.mark.django_db
URL = "/admin/recommendations/review/"


def test_the_queue_shows_the_figures_at_the_top(client, admin_support):
    product, other = stocked_product(), stocked_product()
    buyer, address = customer_with_address()
    delivered_order(product, buyer, address)
    delivered_order(other, buyer, address)  # a second delivered order, not reviewed
    services.review_submit(customer=buyer, product_id=product.pk, ratings=ratings())  # auto-approved
    review(approve=False)

    html = client.get(URL).content.decode()

    assert 'id="review-figures"' in html
    assert "50 % (1 of 2)" in html
    assert "Products with an approved review</th><td>1<" in html
    assert "Waiting for a moderator</th><td>1 (0 reported)" in html


def test_filters_by_reports_and_age_and_hostile_filters_do_not_break_it(client, admin_support):
    review(approve=False)
    assert client.get(URL, {"flags": "3"}).status_code == 200
    assert client.get(URL, {"waiting": "7", "status": "pending"}).status_code == 200
    assert client.get(URL, {"flags": "٣", "id__exact": "9" * 400}).status_code in (200, 302)


def test_bulk_approve_and_reject_with_a_reason(client, admin_support):
    first, second = review(approve=False), review(approve=False)
    ids = [first.pk, second.pk]

    client.post(URL, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [first.pk]})
    assert Review.objects.get(pk=first.pk).status == "approved"

    asked = client.post(URL, {"action": "reject_selected", ACTION_CHECKBOX_NAME: ids})
    assert asked.status_code == 200 and "Reject with this reason" in asked.content.decode()
    missing = client.post(URL, {"action": "reject_selected", ACTION_CHECKBOX_NAME: ids, "apply": "1", "reason": ""})
    assert missing.status_code == 200 and set(Review.objects.values_list("status", flat=True)) == {"approved", "pending"}
    done = client.post(URL, {"action": "reject_selected", ACTION_CHECKBOX_NAME: ids, "apply": "1", "reason": "Advertising"},
                       follow=True)
    assert "Rejected" in " ".join(messages_of(done))
    assert set(Review.objects.values_list("rejection_reason", flat=True)) == {"Advertising"}
    assert len(events("recommendations.review.rejected")) == 2


def test_reply_on_the_review_page_goes_through_the_service(client, admin_support):
    made = review()
    page = client.get(f"{URL}{made.pk}/change/")
    data = admin_form_data(page, reply_text="Thank you for the kind words.")
    assert client.post(f"{URL}{made.pk}/change/", data).status_code == 302
    assert Review.objects.get().reply_text == "Thank you for the kind words."
    [replied] = events("recommendations.review.replied")
    assert replied.channel == "admin" and replied.actor == admin_support

    refused = client.post(f"{URL}{made.pk}/change/", admin_form_data(page, reply_text="<a href=x>spam</a>"))
    assert refused.status_code == 200 and "HTML is not allowed" in refused.content.decode()


def test_banned_words_are_added_and_removed_through_the_services(client, admin_support):
    assert client.post("/admin/recommendations/bannedword/add/", {"word": "Scam"}).status_code == 302
    word = BannedWord.objects.get()
    assert word.word == "scam" and events("recommendations.banned_word.added")
    client.post(f"/admin/recommendations/bannedword/{word.pk}/delete/", {"post": "yes"})
    assert not BannedWord.objects.exists()


def test_customers_and_other_staff_cannot_moderate(client, admin_merchandiser):
    review(approve=False)
    assert client.get(URL).status_code == 403
    client.force_login(CustomerFactory())
    assert client.get(URL).status_code == 302
