"""Deleting a user: their default address, open cart and idempotency records go with them on every
back end (MariaDB refused it: Django's CASCADE of a nullable key nulls it first, which the check
constraints refuse), in the back office one at a time or in bulk; one with orders is refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce.accounts import services
from commerce.accounts.errors import UserHasHistory
from commerce.accounts.models import Address, User
from commerce.audit.models import JourneyStep
from orders.models import Cart, CartLine, IdempotencyRecord
from orders.services import cart as cart_services
from recommendations.models import Review, ReviewVote
from recommendations.services import reviews as review_services
from tests.factories import NO_PASSWORD, CustomerFactory, events
from tests.orders.factories import paid_order
from tests.recommendations.factories import review, stocked_product

pytestmark = pytest.mark.django_db


def _customer_with_everything(username: str) -> User:
    """A shopper with a default address and another, an open cart with a line, an idempotency
    record (a checkout the shop refused: no order), a review, a vote on another's review."""
    user = CustomerFactory(username=username, password=NO_PASSWORD)
    services.address_create(customer=user, recipient="Ada", street="1 Rue", city="Lyon", zip_code="69002", country="FR",
                            is_default=True)
    services.address_create(customer=user, recipient="Ada", street="2 Quai", city="Lyon", zip_code="69005", country="FR")
    product = stocked_product()
    cart = cart_services.cart_get_or_create(customer=user)
    cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=1)
    IdempotencyRecord.objects.create(user=user, scope="checkout", key=f"key-{username}", fingerprint="f" * 64,
                                     status_code=409, response={"code": "cart_empty"})
    review(product, user)
    review_services.review_vote(review_id=review(product).pk, customer=user, helpful=True)
    return user


def _gone(user_id: int) -> None:
    assert not User.objects.filter(pk=user_id).exists()
    assert not Address.objects.filter(customer_id=user_id).exists()
    assert not Cart.objects.filter(customer_id=user_id).exists() and not CartLine.objects.filter(cart__customer_id=user_id).exists()
    assert not IdempotencyRecord.objects.filter(user_id=user_id).exists()
    assert not Review.objects.filter(customer_id=user_id).exists() and not ReviewVote.objects.filter(customer_id=user_id).exists()


def test_a_customer_with_a_default_address_and_an_open_cart_is_deleted():
    user = _customer_with_everything("ada")
    assert Address.objects.get(customer=user, is_default=True).default_for_id == user.pk
    assert Cart.objects.get(customer=user).open_for_id == user.pk
    user_id = user.pk

    user.delete()

    _gone(user_id)


def test_deleting_a_customer_keeps_the_anonymous_journey_and_other_customers_rows():
    user, other = _customer_with_everything("ada"), _customer_with_everything("bob")
    JourneyStep.objects.create(action="product_view", customer=user, session_id="s" * 32, occurred_at=timezone.now())
    user_id = user.pk

    user.delete()

    _gone(user_id)
    assert JourneyStep.objects.get(session_id="s" * 32).customer_id is None  # kept, no longer anyone's
    assert Address.objects.get(customer=other, is_default=True).default_for_id == other.pk
    assert Cart.objects.get(customer=other).open_for_id == other.pk


def test_the_back_office_deletes_a_customer_and_audits_it(client, admin_superuser):
    user = _customer_with_everything("ada")
    url = reverse("admin:accounts_user_delete", args=[user.pk])
    assert client.get(url).status_code == 200  # the confirmation lists what goes with them

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    _gone(user.pk)
    [deleted] = events("accounts.user.deleted")
    assert deleted.stream_id == str(user.pk) and deleted.actor == admin_superuser


def test_the_back_office_deletes_several_customers_at_once(client, admin_superuser):
    users = [_customer_with_everything(name) for name in ("ada", "bob")]

    response = client.post(reverse("admin:accounts_user_changelist"), {
        "action": "delete_selected", "post": "yes", "_selected_action": [str(u.pk) for u in users]})

    assert response.status_code == 302
    for user in users:
        _gone(user.pk)
    assert len(events("accounts.user.deleted")) == 2


def test_a_customer_with_orders_is_refused_in_the_back_office_and_nothing_changes(client, admin_superuser):
    user = _customer_with_everything("ada")
    address = Address.objects.get(customer=user, is_default=True)
    paid_order([(stocked_product(), 1)], customer=user, address=address)
    url = reverse("admin:accounts_user_delete", args=[user.pk])

    page = client.get(url)
    response = client.post(url, {"post": "yes"})

    assert page.status_code == 200 and "Cannot delete user" in page.content.decode()
    assert response.status_code in (200, 403) and User.objects.filter(pk=user.pk).exists()
    assert Address.objects.get(pk=address.pk).default_for_id == user.pk
    assert not events("accounts.user.deleted")


def test_the_service_refuses_a_customer_with_orders_and_changes_nothing():
    user = _customer_with_everything("ada")
    paid_order([(stocked_product(), 1)], customer=user, address=Address.objects.get(customer=user, is_default=True))

    with pytest.raises(UserHasHistory) as refused:
        services.user_delete(user=user)

    assert refused.value.code == "user_has_history" and refused.value.extra["kept"] == ["orders"]
    assert User.objects.filter(pk=user.pk).exists() and Address.objects.filter(customer=user).count() == 2
    assert not events("accounts.user.deleted")


def test_the_service_deletes_and_records_it():
    user = _customer_with_everything("ada")
    user_id = user.pk

    services.user_delete(user=user)

    _gone(user_id)
    [deleted] = events("accounts.user.deleted")
    assert deleted.payload["username"] == "ada" and deleted.stream_id == str(user_id)


def test_a_deleted_customers_reviews_leave_the_rating_summary_and_their_votes_the_counters():
    from recommendations.models import ProductRatingSummary

    product = stocked_product()
    user = CustomerFactory(password=NO_PASSWORD)
    review(product, user, overall=1)
    other = review(product, overall=5)
    review_services.review_vote(review_id=other.pk, customer=user, helpful=True)
    review_services.review_vote(review_id=other.pk, customer=CustomerFactory(), helpful=False)
    assert ProductRatingSummary.objects.get(product=product).review_count == 2

    services.user_delete(user=user)

    summary = ProductRatingSummary.objects.get(product=product)
    assert (summary.review_count, str(summary.average_overall)) == (1, "5.00")
    assert len(events("recommendations.review.deleted")) == 1
    other.refresh_from_db()
    assert (other.helpful_count, other.not_helpful_count) == (0, 1)  # their vote no longer counts, the other's does
    [withdrawn] = events("recommendations.review.vote_withdrawn")
    assert withdrawn.payload["helpful"] is True and withdrawn.stream_id == str(other.pk)


def test_a_refused_deletion_withdraws_no_review():
    user = _customer_with_everything("ada")
    paid_order([(stocked_product(), 1)], customer=user, address=Address.objects.get(customer=user, is_default=True))

    with pytest.raises(UserHasHistory):
        services.user_delete(user=user)

    assert Review.objects.filter(customer=user).count() == 1 and not events("recommendations.review.deleted")


def test_a_deleted_customers_answer_votes_leave_the_counters():
    from recommendations.models import Answer, Question
    from recommendations.services import questions as question_services
    from tests.recommendations.qa_factories import approved_question, staff_answer

    answer = staff_answer(approved_question(stocked_product()))
    user = CustomerFactory(password=NO_PASSWORD)
    question_services.answer_vote(answer_id=answer.pk, customer=user, value="up")
    question_services.answer_vote(answer_id=answer.pk, customer=CustomerFactory(), value="down")

    services.user_delete(user=user)

    answer = Answer.objects.get(pk=answer.pk)
    assert (answer.up_votes, answer.down_votes) == (0, 1)
    assert Question.objects.get(pk=answer.question_id).vote_count == 1
    taken_back = [e for e in events("recommendations.answer.voted") if e.payload["value"] == "none"]
    assert len(taken_back) == 1 and taken_back[0].payload["previous"] == "up"
