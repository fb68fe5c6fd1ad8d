"""The reviews API: reading, writing, photos, votes, reports, moderation; errors and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import JourneyStep
from recommendations.models import BannedWord, Review, ReviewPhoto
from tests.factories import CustomerFactory, events, last_event_id, token_client
from tests.recommendations.factories import FIVE, moderator, picture, ratings, review, stocked_product, verified_buyer

pytestmark = pytest.mark.django_db


def _reviews(product, n, **kwargs):
    return [review(product, overall=1 + i % 5, **kwargs) for i in range(n)]


def test_a_products_reviews_are_public_filtered_sorted_and_paginated(api_client):
    product = stocked_product()
    made = _reviews(product, 6)
    review(product, approve=False)  # pending: never listed
    url = f"/api/v1/products/{product.pk}/reviews/"

    body = api_client.get(url).json()
    assert body["count"] == 6 and [r["id"] for r in body["results"]] == [r.pk for r in reversed(made)]
    assert api_client.get(url, {"stars": 5}).json()["count"] == 1
    highest = api_client.get(url, {"sort": "highest"}).json()["results"]
    assert [r["ratings"]["overall"] for r in highest] == sorted((r["ratings"]["overall"] for r in highest), reverse=True)
    assert api_client.get(url, {"verified": "true"}).json()["count"] == 0
    assert api_client.get(url, {"page_size": 2, "page": 3}).json()["results"][0]["id"] == made[1].pk
    bad = api_client.get(url, {"sort": "best", "stars": 6})
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"sort", "stars"}
    assert api_client.get("/api/v1/products/999999/reviews/").json()["code"] == "product_not_found"


def test_the_list_costs_the_same_queries_at_any_size(api_client):
    product = stocked_product()
    url = f"/api/v1/products/{product.pk}/reviews/"
    _reviews(product, 2)
    with CaptureQueriesContext(connection) as small:
        assert api_client.get(url).status_code == 200
    for r in _reviews(product, 8):
        r.photos  # noqa: B018
    made = Review.objects.filter(product=product).first()
    from recommendations.services import reviews as services
    services.review_photo_add(review_id=made.pk, customer=made.customer, upload=picture())
    with CaptureQueriesContext(connection) as large:
        assert api_client.get(url).status_code == 200
    assert len(large) == len(small)


def test_put_writes_then_replaces_my_review_and_records_the_journey():
    product, customer = stocked_product(), CustomerFactory()
    client = token_client(customer)
    url = f"/api/v1/products/{product.pk}/reviews/mine/"

    first = client.put(url, {"title": "Fine", "text": "Does the job.", "ratings": ratings()}, format="json")
    assert first.status_code == 200 and first.json()["status"] == "pending"
    second = client.put(url, {"ratings": FIVE}, format="json")
    assert second.json()["id"] == first.json()["id"] and second.json()["title"] == ""
    assert client.get(url).json()["ratings"] == FIVE
    assert list(JourneyStep.objects.filter(product_id=product.pk).values_list("action", flat=True).order_by("id")) == [
        "review_product", "rate_product"]
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ratings": ratings(overall=0)}, "ratings.overall"),
        ({"ratings": ratings(delivery=6)}, "ratings.delivery"),
        ({"ratings": {**ratings(), "overall": "٥"}}, "ratings.overall"),
        ({"ratings": ratings(), "text": "x" * 100_000}, "text"),
        ({"ratings": ratings(), "text": "<script>alert(1)</script>"}, "text"),
        ({"ratings": ratings(), "verified_purchase": True}, "verified_purchase"),
        ({"ratings": {**ratings(), "smell": 3}}, "ratings.smell"),
        ({"title": "No stars"}, "ratings"),
    ],
)
def test_bad_review_bodies_are_400_and_change_nothing(body, field):
    product = stocked_product()
    client = token_client(CustomerFactory())
    after = last_event_id()
    response = client.put(f"/api/v1/products/{product.pk}/reviews/mine/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not Review.objects.exists() and not events("recommendations.review.created", after=after)


def test_verified_buyers_only_is_403(settings):
    settings.REVIEW_VERIFIED_BUYERS_ONLY = True
    product = stocked_product()
    response = token_client(CustomerFactory()).put(f"/api/v1/products/{product.pk}/reviews/mine/", {"ratings": FIVE}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "review_not_allowed"
    ok = token_client(verified_buyer(product)).put(f"/api/v1/products/{product.pk}/reviews/mine/", {"ratings": FIVE}, format="json")
    assert ok.json()["verified_purchase"] is True and ok.json()["status"] == "approved"


def test_photo_upload_is_multipart_checked_and_refused_cleanly(settings):
    settings.REVIEW_PHOTO_MAX_BYTES = 4096
    made = review(approve=False)
    client = token_client(made.customer)
    url = f"/api/v1/reviews/{made.pk}/photos/"

    added = client.post(url, {"photo": picture()}, format="multipart")
    assert added.status_code == 201 and added.json()["thumbnail_url"].startswith("/media/reviews/")
    not_image = client.post(url, {"photo": picture().__class__("evil.png", b"<?php echo 1; ?>")}, format="multipart")
    assert not_image.status_code == 400 and not_image.json()["code"] == "image_invalid"
    too_big = client.post(url, {"photo": picture(size=(1500, 1500), fmt="PNG")}, format="multipart")
    assert too_big.status_code == 400 and too_big.json()["code"] == "image_invalid"
    assert client.post(url, {"photo": "aGVsbG8="}, format="json").status_code == 415
    assert token_client(CustomerFactory()).post(url, {"photo": picture()}, format="multipart").status_code == 403
    assert ReviewPhoto.objects.count() == 1
    photo_id = added.json()["id"]
    assert client.delete(f"/api/v1/reviews/{made.pk}/photos/{photo_id}/").status_code == 204
    assert not ReviewPhoto.objects.exists()


def test_votes_and_reports():
    made = review()
    voter = token_client(CustomerFactory())
    url = f"/api/v1/reviews/{made.pk}/"

    assert voter.put(url + "vote/", {"helpful": True}, format="json").json()["helpful_count"] == 1
    assert voter.put(url + "vote/", {"helpful": False}, format="json").json()["not_helpful_count"] == 1
    own = token_client(made.customer).put(url + "vote/", {"helpful": True}, format="json")
    assert own.status_code == 409 and own.json()["code"] == "review_own_vote"
    assert voter.post(url + "flag/", {"reason": "spam"}, format="json").status_code == 204
    assert voter.post(url + "flag/", {"reason": "spam"}, format="json").json()["code"] == "review_already_flagged"
    assert voter.post(url + "flag/", {"reason": "nope"}, format="json").status_code == 400


def test_pending_reviews_are_seen_by_their_author_and_moderators_only(api_client):
    made = review(approve=False)
    url = f"/api/v1/reviews/{made.pk}/"
    assert api_client.get(url).status_code == 404
    assert token_client(CustomerFactory()).get(url).status_code == 404
    author = token_client(made.customer)
    assert author.get(url).json()["status"] == "pending"
    assert token_client(moderator()).get(url).status_code == 200
    assert author.get("/api/v1/me/reviews/").json()["count"] == 1


def test_search_and_verified_reviews(api_client):
    product = stocked_product()
    review(product, text="Wonderful espresso crema.")
    review(text="Plain tea.")
    from recommendations.services import reviews as services
    services.review_submit(customer=verified_buyer(product), product_id=product.pk, ratings=FIVE)

    assert api_client.get("/api/v1/reviews/", {"q": "ESPRESSO"}).json()["count"] == 1
    assert api_client.get("/api/v1/reviews/", {"verified": "true"}).json()["count"] == 1
    assert api_client.get("/api/v1/reviews/", {"product_id": product.pk}).json()["count"] == 2
    stats = api_client.get(f"/api/v1/products/{product.pk}/rating/").json()
    assert stats["review_count"] == 2 and stats["verified_share"] == 0.5 and sum(stats["distribution"]["overall"]) == 2


def test_moderation_endpoints_need_the_permission_and_work():
    pending = review(approve=False)
    staff = token_client(moderator())
    customer = token_client(CustomerFactory())

    assert customer.get("/api/v1/reviews/moderation/").status_code == 403
    queue = staff.get("/api/v1/reviews/moderation/").json()
    assert [r["id"] for r in queue["results"]] == [pending.pk]
    assert staff.post(f"/api/v1/reviews/{pending.pk}/reject/", {"reason": ""}, format="json").status_code == 400
    assert staff.post(f"/api/v1/reviews/{pending.pk}/approve/").json()["status"] == "approved"
    assert customer.post(f"/api/v1/reviews/{pending.pk}/approve/").status_code == 403
    replied = staff.put(f"/api/v1/reviews/{pending.pk}/reply/", {"text": "Thanks & welcome <3"}, format="json")
    assert replied.json()["reply"]["text"] == "Thanks & welcome <3"
    assert staff.post(f"/api/v1/reviews/{pending.pk}/reject/", {"reason": "Spam"}, format="json").json()["status"] == "rejected"
    figures = staff.get("/api/v1/reviews/moderation/figures/").json()
    assert figures["median_hours_to_moderate"] is not None and figures["products_with_approved_review"] == 0


def test_banned_words_api():
    staff = token_client(moderator())
    created = staff.post("/api/v1/review-banned-words/", {"word": "Scam"}, format="json")
    assert created.status_code == 201 and created.json()["word"] == "scam"
    assert staff.post("/api/v1/review-banned-words/", {"word": "scam"}, format="json").json()["code"] == "banned_word_invalid"
    assert staff.get("/api/v1/review-banned-words/").json()["count"] == 1
    assert staff.delete(f"/api/v1/review-banned-words/{created.json()['id']}/").status_code == 204
    assert not BannedWord.objects.exists()
    assert staff.delete("/api/v1/review-banned-words/99999999999999999999999/").status_code == 404
