"""The review pages: the product page's section and JSON-LD, writing and editing, votes, reports, my reviews."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import JourneyStep
from recommendations.models import Review, ReviewFlag, ReviewVote
from recommendations.services import reviews as services
from tests.factories import CustomerFactory
from tests.recommendations.factories import FIVE, picture, ratings, review, stocked_product, verified_buyer

pytestmark = pytest.mark.django_db


def _ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(blocks) == 1, "one JSON-LD block per page"
    return json.loads(blocks[0])


def _form(ratings_: dict, **fields) -> dict:
    return {**{f"rating_{axis}": str(stars) for axis, stars in ratings_.items()}, **fields}


def test_the_product_page_shows_the_summary_bars_reviews_replies_and_photos(client):
    product = stocked_product()
    made = review(product, overall=5, title="Lovely", text="Line one.\nLine two.")
    review(product, overall=3)
    from recommendations.services import review_moderation
    from tests.recommendations.factories import moderator
    review_moderation.review_reply(review_id=made.pk, staff=moderator(), text="Thank you!")

    html = client.get(product.get_absolute_url()).content.decode()

    assert 'id="reviews"' in html and "2 reviews" in html and "4.00" in html
    assert '<meter min="0" max="100" value="50">' in html
    assert "Lovely" in html and "Reply from the shop" in html and "Thank you!" in html


def test_json_ld_has_aggregate_rating_and_reviews_nested_in_the_one_product(client):
    product = stocked_product()
    review(product, overall=5, title="Great", text="Really great.")
    review(product, overall=4, title="", text="Good.")

    data = _ld(client.get(product.get_absolute_url()).content.decode())

    assert data["@type"] == "Product"
    rating = data["aggregateRating"]
    assert rating == {"@type": "AggregateRating", "ratingValue": "4.50", "reviewCount": 2, "ratingCount": 2,
                      "bestRating": 5, "worstRating": 1}
    assert len(data["review"]) == 2
    for item in data["review"]:
        assert item["@type"] == "Review" and item["author"]["@type"] == "Person" and item["author"]["name"]
        assert item["reviewRating"]["@type"] == "Rating" and item["reviewRating"]["bestRating"] == 5
        assert item["reviewRating"]["worstRating"] == 1 and 1 <= item["reviewRating"]["ratingValue"] <= 5
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", item["datePublished"])


def test_json_ld_leaves_ratings_out_without_an_approved_review(client):
    product = stocked_product()
    review(product, approve=False)
    data = _ld(client.get(product.get_absolute_url()).content.decode())
    assert "aggregateRating" not in data and "review" not in data


def test_review_text_is_escaped_in_the_page_and_the_json_ld(client):
    product = stocked_product()
    customer = CustomerFactory(first_name="<b>Eve</b>")
    review(product, customer, title="Tom & Jerry's", text="Say \"hi\" if 3 < 4 & 5 > 2 </")

    html = client.get(product.get_absolute_url()).content.decode()

    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "Tom &amp; Jerry&#x27;s" in html and "3 &lt; 4 &amp; 5 &gt; 2 &lt;/" in html
    assert "3 < 4" not in html  # not in the JSON-LD either: < is \u003c there
    assert _ld(html)["review"][0]["reviewBody"] == "Say \"hi\" if 3 < 4 & 5 > 2 </"


def test_sort_filters_and_pagination_of_the_section(client):
    product = stocked_product()
    for i in range(12):
        review(product, overall=1 + i % 5, title=f"Review number {i}")
    url = product.get_absolute_url()

    first = client.get(url).content.decode()
    assert "Review number 11" in first and "Review number 1<" not in first and "Page 1 of 2" in first
    assert "Review number 0" in client.get(url, {"rpage": 2}).content.decode()
    five_stars = client.get(url, {"rstars": 5}).content.decode()
    assert "Review number 4" in five_stars and "Review number 3" not in five_stars
    assert "No reviews match" in client.get(url, {"rverified": "1"}).content.decode()
    assert client.get(url, {"rsort": "<bad>", "rstars": "٥", "rpage": "x"}).status_code == 200


def test_search_the_reviews_of_the_product_by_their_text(client):
    product = stocked_product()
    review(product, title="Battery", text="The battery lasts a week.")
    review(product, title="Colour", text="Brighter than the photos.")
    review(stocked_product(), title="Elsewhere", text="Another battery story.")  # another product's
    url = product.get_absolute_url()

    def section(response) -> str:  # the reviews section, without the page's JSON-LD (which names the newest)
        return response.content.decode().split('id="reviews"')[1].split('<script type="application/ld+json">')[0]

    found = section(client.get(url, {"rq": "BATTERY"}))  # any case
    assert "The battery lasts a week." in found and "Brighter than" not in found and "Another battery" not in found
    assert 'name="rq" value="BATTERY"' in found  # the box keeps the words
    assert "No reviews match" in section(client.get(url, {"rq": "nothing like it"}))
    for hostile in ("x" * 101, "a\x00b", "<script>"):  # too long or a NUL: ignored; markup: searched as text
        response = client.get(url, {"rq": hostile})
        assert response.status_code == 200 and "<script>" not in section(response)


def _queries(client, url, **params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


# The product page as a guest: the product; the session, the journey step; the rating summary, a page of
# reviews, their authors, their photos; the official content; the questions' count and page, their
# answers, the topics; the product's images (the category trail comes from the catalog's cached menu).
GUEST_QUERIES = 13
# Logged in, whatever the shopper did: the user; their review of the product with their votes and reports
# on the page's reviews (one query); how they may answer questions with their questions awaiting
# moderation (one query); their votes on the answers shown; the cart badge.
LOGGED_IN_QUERIES = GUEST_QUERIES + 5


@pytest.mark.parametrize("logged_in", [False, True], ids=["guest", "logged-in"])
def test_the_product_page_sends_a_fixed_number_of_queries_at_10_and_100_reviews(client, logged_in):
    from tests.recommendations.factories import bulk_reviews
    from tests.recommendations.qa_factories import approved_question, staff_answer

    product = stocked_product()
    staff_answer(approved_question(product))
    viewer = CustomerFactory()
    review(product, viewer, approve=False)  # their own, still pending: the section says so
    from recommendations.services import questions
    questions.question_ask(customer=viewer, product_id=product.pk, text="Is the bag resealable?")
    if logged_in:
        client.force_login(viewer)
    url = product.get_absolute_url()
    counts = {}
    for total in (10, 100):
        made = bulk_reviews(product, total - Review.objects.filter(product=product, status="approved").count())
        for newest in made[-3:]:  # votes on the first page
            services.review_vote(review_id=newest.pk, customer=viewer, helpful=True)
        client.get(url)  # warm the caches (promotion badges, shelves)
        page = _queries(client, url)
        filtered = _queries(client, url, rsort="helpful", rstars=5, rpage=2)
        html = client.get(url).content.decode()
        assert f"{total} reviews" in html and ("Your review is pending" in html) is logged_in
        assert ('aria-pressed="true"' in html) is logged_in
        counts[total] = (len(page), len(filtered))

    expected = LOGGED_IN_QUERIES if logged_in else GUEST_QUERIES
    # A filtered page reads the newest reviews again for the markup (their authors come with the page's).
    assert counts[10] == counts[100] == (expected, expected + 1)


def test_write_then_edit_a_review_through_the_form_and_the_journey_is_recorded(client):
    product = stocked_product()
    customer = verified_buyer(product)
    client.force_login(customer)
    url = f"/products/{product.slug}/review/"

    assert client.get(url).status_code == 200
    response = client.post(url, _form(ratings(), title="Nice", text="Tasty.", photos=picture()))
    assert response.status_code == 302
    made = Review.objects.get()
    assert made.status == "pending" and made.verified_purchase and made.photo_count == 1
    edit = client.get(url).content.decode()
    assert 'value="Nice"' in edit and "Save my review" in edit
    client.post(url, _form(FIVE))
    assert Review.objects.get().status == "approved"  # star-only from a verified buyer
    assert list(JourneyStep.objects.filter(customer=customer).exclude(action="product_view")
                .values_list("action", flat=True).order_by("id")) == ["review_product", "rate_product"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (_form(ratings(), text="<script>alert(1)</script>"), "HTML is not allowed"),
        (_form(ratings(), text="x" * 100_000), "At most 5000 characters"),
        ({**_form(ratings()), "rating_overall": "6"}, "Select a valid choice"),
        ({**_form(ratings()), "rating_overall": "0"}, "Select a valid choice"),
    ],
)
def test_the_form_shows_errors_and_changes_nothing(client, fields, message):
    product = stocked_product()
    client.force_login(CustomerFactory())
    response = client.post(f"/products/{product.slug}/review/", fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Review.objects.exists()


def test_a_non_image_upload_is_shown_on_the_form(client):
    product = stocked_product()
    client.force_login(CustomerFactory())
    response = client.post(f"/products/{product.slug}/review/", _form(ratings(), photos=picture().__class__("x.png", b"nope")))
    assert response.status_code == 400 and "not a picture" in response.content.decode()
    assert not Review.objects.exists()


def test_vote_and_report_buttons_are_post_forms(client):
    made = review()
    client.force_login(CustomerFactory())
    html = client.get(made.product.get_absolute_url()).content.decode()
    assert f'action="/reviews/{made.pk}/vote/"' in html and f'action="/reviews/{made.pk}/flag/"' in html

    assert client.post(f"/reviews/{made.pk}/vote/", {"helpful": "1"}).status_code == 302
    assert client.post(f"/reviews/{made.pk}/flag/", {"reason": "spam", "note": "ad"}).status_code == 302
    assert ReviewVote.objects.get().helpful and ReviewFlag.objects.get().note == "ad"
    assert client.get(f"/reviews/{made.pk}/vote/").status_code == 405
    html = client.get(made.product.get_absolute_url()).content.decode()  # their vote and report, read with their review
    assert "You reported this review." in html and f'action="/reviews/{made.pk}/flag/"' not in html
    assert 'value="1" class="btn btn-small" aria-pressed="true"' in html


def test_anonymous_shoppers_are_asked_to_log_in(client):
    product = stocked_product()
    assert "Log in to write a review" in client.get(product.get_absolute_url()).content.decode()
    assert client.get(f"/products/{product.slug}/review/").status_code == 302


def test_my_reviews_page_lists_every_state_with_the_rejection_reason(client):
    made = review(approve=False)
    from recommendations.services import review_moderation
    from tests.recommendations.factories import moderator
    review_moderation.review_reject(review_id=made.pk, moderator=moderator(), reason="Mentions a competitor")
    client.force_login(made.customer)

    html = client.get("/accounts/reviews/").content.decode()

    assert "Rejected" in html and "Mentions a competitor" in html
    assert client.post(f"/reviews/{made.pk}/delete/").status_code == 302
    assert not Review.objects.exists()
