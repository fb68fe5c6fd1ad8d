"""Review commands: submit and replace, verified purchase, moderation rules, votes, flags, photos, events."""

from decimal import Decimal

import pytest
from django.test import override_settings

from commerce.catalog.errors import ProductNotFound
from commerce.errors import ImageInvalid, PermissionDenied
from recommendations.errors import (
    ModerationInvalid,
    ReviewAlreadyFlagged,
    ReviewInvalid,
    ReviewNotAllowed,
    ReviewNotFound,
    ReviewNotYours,
    ReviewOwnVote,
    ReviewPhotoLimit,
)
from recommendations.models import ProductRatingSummary, Review, ReviewPhoto
from recommendations.rating_summary import weighted_score
from recommendations.services import review_moderation as moderation
from recommendations.services import reviews as services
from tests.factories import CustomerFactory, events, last_event_id
from tests.recommendations.factories import FIVE, moderator, picture, ratings, review, stocked_product, verified_buyer

pytestmark = pytest.mark.django_db


def test_review_submit_creates_a_pending_review_with_its_weighted_score_and_event(spans):
    product, customer = stocked_product(), CustomerFactory()
    after = last_event_id()

    made = services.review_submit(customer=customer, product_id=product.pk, title="Nice", text="Tastes fine.", ratings=ratings(overall=5))

    assert made.status == Review.Status.PENDING and not made.verified_purchase
    # 0.40*5 + 0.20*4 + 0.15*3 + 0.15*4 + 0.10*5 = 4.35
    assert made.score == Decimal("4.35") == weighted_score(made.ratings)
    [created] = events("recommendations.review.created", after=after)
    assert created.payload["text"] == "Tastes fine." and created.customer_id == customer.pk and created.product_id == product.pk
    assert not events("recommendations.rating.updated", after=after)  # pending: counts nowhere yet
    assert "commerce.review.submit" in [s.name for s in spans.get_finished_spans()]


def test_review_submit_again_replaces_the_review_and_the_history_stays_in_the_audit_table():
    product, customer = stocked_product(), CustomerFactory()
    first = services.review_submit(customer=customer, product_id=product.pk, title="First", text="Okay.", ratings=ratings())
    after = last_event_id()

    second = services.review_submit(customer=customer, product_id=product.pk, title="Second", text="Better now.", ratings=FIVE)

    assert second.pk == first.pk and Review.objects.count() == 1
    assert Review.objects.get().title == "Second"
    [updated] = events("recommendations.review.updated", after=after)
    assert updated.payload["title"] == "Second"
    assert events("recommendations.review.created")[0].payload["title"] == "First"


def test_the_verified_flag_comes_from_delivered_orders_only():
    product = stocked_product()
    buyer = verified_buyer(product)

    assert services.review_submit(customer=buyer, product_id=product.pk, text="Got it.", ratings=ratings()).verified_purchase
    assert not services.review_submit(customer=CustomerFactory(), product_id=product.pk, text="Never bought it.",
                                      ratings=ratings()).verified_purchase


@override_settings(REVIEW_VERIFIED_BUYERS_ONLY=True)
def test_verified_buyers_only_refuses_the_others():
    product = stocked_product()
    with pytest.raises(ReviewNotAllowed):
        services.review_submit(customer=CustomerFactory(), product_id=product.pk, ratings=ratings())
    assert services.review_submit(customer=verified_buyer(product), product_id=product.pk, ratings=ratings())
    assert Review.objects.count() == 1


def test_a_star_only_review_of_a_verified_buyer_is_published_at_once_and_counts():
    product = stocked_product()
    after = last_event_id()

    made = services.review_submit(customer=verified_buyer(product), product_id=product.pk, ratings=ratings(overall=5))

    assert made.status == Review.Status.APPROVED
    summary = ProductRatingSummary.objects.get(product=product)
    assert summary.review_count == 1 and summary.verified_count == 1 and summary.average_overall == Decimal("5.00")
    assert summary.distribution["overall"] == [0, 0, 0, 0, 1]
    [rating] = events("recommendations.rating.updated", after=after)
    assert rating.payload["before"] is None and rating.payload["after"]["ratings"]["overall"] == 5


@override_settings(REVIEW_AUTO_APPROVE_VERIFIED_STAR_ONLY=False)
def test_auto_approval_is_a_setting():
    product = stocked_product()
    assert services.review_submit(customer=verified_buyer(product), product_id=product.pk, ratings=ratings()).status == "pending"


@pytest.mark.parametrize(
    ("title", "text", "reason"),
    [
        ("Buy here", "Cheaper at http://example.com today", "link"),
        ("", "Visit www.cheap.example for more", "link"),
        ("", "great great great great product", "repeated_text"),
        ("", "sooooooooooooooo good", "repeated_text"),
        ("", "This is a total scam, avoid", "banned_word"),
    ],
)
def test_the_screen_holds_links_repeated_text_and_banned_words(title, text, reason):
    moderation.banned_word_add(word="Scam", staff=moderator())
    made = services.review_submit(customer=CustomerFactory(), product_id=stocked_product().pk, title=title, text=text,
                                  ratings=ratings())
    assert made.status == "pending" and reason in made.held_reasons


def test_the_same_text_twice_is_repeated_text():
    customer = CustomerFactory()
    services.review_submit(customer=customer, product_id=stocked_product().pk, text="A very fine product indeed.", ratings=ratings())
    second = services.review_submit(customer=customer, product_id=stocked_product().pk, text="A very fine product indeed.",
                                    ratings=ratings())
    assert "repeated_text" in second.held_reasons


def test_a_screened_star_only_review_of_a_verified_buyer_still_waits():
    moderation.banned_word_add(word="rubbish", staff=moderator())
    product = stocked_product()
    made = services.review_submit(customer=verified_buyer(product), product_id=product.pk, title="rubbish", ratings=ratings())
    assert made.status == "pending"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ratings": ratings(overall=0)}, "ratings.overall"),
        ({"ratings": ratings(quality=6)}, "ratings.quality"),
        ({"ratings": ratings(price=True)}, "ratings.price"),
        ({"ratings": {"overall": 5}}, "ratings.quality"),
        ({"ratings": ratings(), "text": "x" * 100_000}, "text"),
        ({"ratings": ratings(), "title": "<script>alert(1)</script>"}, "title"),
        ({"ratings": ratings(), "text": "nice <b>bold</b>"}, "text"),
        ({"ratings": ratings(), "text": "a\x00b"}, "text"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(changes, field):
    after = last_event_id()
    with pytest.raises(ReviewInvalid) as caught:
        services.review_submit(customer=CustomerFactory(), product_id=stocked_product().pk, **changes)
    assert field in caught.value.fields
    assert Review.objects.count() == 0 and not events("recommendations.review.created", after=after)


def test_a_text_with_a_less_than_sign_is_not_markup():
    made = services.review_submit(customer=CustomerFactory(), product_id=stocked_product().pk, text="costs < 5 EUR, 3 > 2",
                                  ratings=ratings())
    assert made.text == "costs < 5 EUR, 3 > 2"


def test_an_unknown_or_inactive_product_is_not_found():
    with pytest.raises(ProductNotFound):
        services.review_submit(customer=CustomerFactory(), product_id=stocked_product(is_active=False).pk, ratings=ratings())


def test_moderation_approve_reject_and_the_summary_follows():
    made = review(approve=False, overall=2)
    staff = moderator()
    moderation.review_approve(review_id=made.pk, moderator=staff)
    assert ProductRatingSummary.objects.get(product_id=made.product_id).review_count == 1

    rejected = moderation.review_reject(review_id=made.pk, moderator=staff, reason="Off topic")

    assert rejected.status == "rejected" and rejected.rejection_reason == "Off topic" and rejected.moderated_by == staff
    summary = ProductRatingSummary.objects.get(product_id=made.product_id)
    assert summary.review_count == 0 and summary.average_overall is None and summary.distribution["overall"] == [0] * 5


def test_reject_needs_a_reason_and_moderation_needs_the_permission():
    made = review(approve=False)
    with pytest.raises(ModerationInvalid):
        moderation.review_reject(review_id=made.pk, moderator=moderator(), reason="  ")
    with pytest.raises(PermissionDenied):
        moderation.review_approve(review_id=made.pk, moderator=CustomerFactory())
    assert Review.objects.get().status == "pending"


def test_votes_count_once_per_customer_are_changeable_and_never_on_ones_own():
    made = review()
    voter = CustomerFactory()
    services.review_vote(review_id=made.pk, customer=voter, helpful=True)
    services.review_vote(review_id=made.pk, customer=voter, helpful=True)
    services.review_vote(review_id=made.pk, customer=CustomerFactory(), helpful=True)
    changed = services.review_vote(review_id=made.pk, customer=voter, helpful=False)

    assert (changed.helpful_count, changed.not_helpful_count) == (1, 1)
    assert len(events("recommendations.review.voted")) == 3
    with pytest.raises(ReviewOwnVote):
        services.review_vote(review_id=made.pk, customer=made.customer, helpful=True)


def test_a_pending_review_cannot_be_voted_on_by_others():
    made = review(approve=False)
    with pytest.raises(ReviewNotFound):
        services.review_vote(review_id=made.pk, customer=CustomerFactory(), helpful=True)


@override_settings(REVIEW_FLAG_HIDE_THRESHOLD=2)
def test_flags_past_the_threshold_hide_the_review_until_moderated():
    made = review()
    first = CustomerFactory()
    services.review_flag(review_id=made.pk, customer=first, reason="spam")
    with pytest.raises(ReviewAlreadyFlagged):
        services.review_flag(review_id=made.pk, customer=first, reason="spam")
    assert Review.objects.get().status == "approved"

    hidden = services.review_flag(review_id=made.pk, customer=CustomerFactory(), reason="offensive", note="Rude")

    assert hidden.status == "pending" and hidden.flag_count == 2
    assert ProductRatingSummary.objects.get(product_id=made.product_id).review_count == 0
    assert events("recommendations.review.flagged")[-1].payload["hidden"] is True
    approved = moderation.review_approve(review_id=made.pk, moderator=moderator())
    assert approved.flag_count == 0 and approved.status == "approved"


def test_flag_reason_must_be_known():
    with pytest.raises(ReviewInvalid):
        services.review_flag(review_id=review().pk, customer=CustomerFactory(), reason="because")


def test_reply_and_take_it_down():
    made = review()
    staff = moderator()
    replied = moderation.review_reply(review_id=made.pk, staff=staff, text="Thank you!")
    assert replied.reply_text == "Thank you!" and replied.reply_by == staff and replied.replied_at
    cleared = moderation.review_reply(review_id=made.pk, staff=staff, text="")
    assert cleared.reply_text == "" and cleared.reply_by is None
    assert [e.payload["text"] for e in events("recommendations.review.replied")] == ["Thank you!", ""]


def test_photos_are_cleaned_thumbnailed_stored_and_limited(settings):
    settings.REVIEW_MAX_PHOTOS = 2
    made = review()
    photo = services.review_photo_add(review_id=made.pk, customer=made.customer, upload=picture(size=(800, 600)))

    assert photo.width == 800 and photo.thumbnail.storage.exists(photo.thumbnail.name)
    assert Review.objects.get().status == "pending"  # a new photo is read by a moderator first
    services.review_photo_add(review_id=made.pk, customer=made.customer, upload=picture(fmt="JPEG", name="b.jpg"))
    with pytest.raises(ReviewPhotoLimit):
        services.review_photo_add(review_id=made.pk, customer=made.customer, upload=picture())
    with pytest.raises(ImageInvalid):
        services.review_photo_add(review_id=made.pk, customer=made.customer, upload=picture(name="x.txt").__class__(
            "x.png", b"not a picture"))
    with pytest.raises(ReviewNotYours):
        services.review_photo_add(review_id=made.pk, customer=CustomerFactory(), upload=picture())
    assert Review.objects.get().photo_count == 2 == ReviewPhoto.objects.count()

    services.review_photo_remove(photo_id=photo.pk, customer=made.customer)
    assert Review.objects.get().photo_count == 1


def test_delete_takes_the_review_out_of_the_summary():
    made = review()
    services.review_delete(review_id=made.pk, customer=made.customer)
    assert not Review.objects.exists()
    assert ProductRatingSummary.objects.get(product_id=made.product_id).review_count == 0
    assert events("recommendations.review.deleted")


def test_banned_words_are_unique_and_removable():
    staff = moderator()
    word = moderation.banned_word_add(word="  Total   SCAM ", staff=staff)
    assert word.word == "total scam"
    with pytest.raises(ReviewInvalid.__mro__[1]):  # BannedWordInvalid is a ValidationError
        moderation.banned_word_add(word="total scam", staff=staff)
    moderation.banned_word_remove(banned_word_id=word.pk, staff=staff)
    assert events("recommendations.banned_word.removed")


# --- a purchase proved after the review -------------------------------------------------------------------
def _delivered(order):
    from orders.services.lifecycle import order_allocate, order_deliver, order_mark_ready, order_ship

    order_allocate(order=order)
    order_mark_ready(order=order)
    order_ship(order=order, carrier="DHL", tracking_number="T-1")
    return order_deliver(order=order)


def test_a_guest_who_claims_their_delivered_order_has_their_earlier_review_verified(django_capture_on_commit_callbacks):
    from orders.services.guests import guest_orders_claim
    from tests.orders.test_guest_checkout import _guest_order

    product = stocked_product()
    _delivered(_guest_order(product, email="ann@example.com"))
    ann = CustomerFactory(email="ann@example.com")
    made = review(product, ann, title="", text="")  # stars only, published by a moderator
    assert not made.verified_purchase and ProductRatingSummary.objects.get(product=product).verified_count == 0

    with django_capture_on_commit_callbacks(execute=True):
        guest_orders_claim(customer=ann, email="ann@example.com")

    made.refresh_from_db()
    assert made.verified_purchase
    summary = ProductRatingSummary.objects.get(product=product)
    assert (summary.review_count, summary.verified_count) == (1, 1)
    [verified] = events("recommendations.review.verified")
    assert verified.payload == {"review_id": made.pk, "product_id": product.pk, "customer_id": ann.pk}
    assert services.reviews_verify(customer_id=ann.pk) == []  # once


def test_a_review_written_before_the_delivery_is_verified_when_it_arrives(django_capture_on_commit_callbacks):
    from tests.orders.factories import paid_order
    from tests.recommendations.factories import customer_with_address

    product, second, other = stocked_product(), stocked_product(), stocked_product()
    customer, address = customer_with_address()
    order = paid_order([(product, 1), (second, 1)], customer=customer, address=address)
    early, also, unrelated = review(product, customer), review(second, customer), review(other, customer)

    with django_capture_on_commit_callbacks(execute=True):
        _delivered(order)

    for made in (early, also, unrelated):
        made.refresh_from_db()
    assert early.verified_purchase and also.verified_purchase and not unrelated.verified_purchase  # what was received
    assert ProductRatingSummary.objects.get(product=product).verified_count == 1
    assert ProductRatingSummary.objects.get(product=second).verified_count == 1
    assert ProductRatingSummary.objects.get(product=other).verified_count == 0
