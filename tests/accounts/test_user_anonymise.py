"""Anonymising a user whose history the shop keeps: their personal data scrubbed, their orders, reviews'
ratings, questions and audit trail kept; once only; by staff in the back office and over REST, and by
the customer on their own account page."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from commerce.accounts import services
from commerce.accounts.errors import UserAlreadyAnonymised, UserHasHistory
from commerce.accounts.models import Address, CustomerProfile, User
from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockAlert
from commerce.catalog.stock_alerts import stock_alert_subscribe
from orders.models import Order
from recommendations.models import Review
from tests.factories import PASSWORD, CustomerFactory, ProductFactory, StaffFactory, UserFactory, customer_with_address, events
from tests.orders.factories import placed_order, stocked_product
from tests.recommendations.factories import review
from tests.recommendations.qa_factories import approved_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    """A customer with a name, phone, two addresses, an API token, an order, a review and a question."""
    customer, address = customer_with_address(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    services.customer_profile_set(user=customer, phone="+33 6 12 34 56 78")
    services.address_create(customer=customer, recipient="Ada", street="2 Quai", city="Lyon", zip_code="69005", country="FR")
    Token.objects.create(user=customer)
    product = stocked_product()
    sold_out = ProductFactory()
    stock_alert_subscribe(product_id=sold_out.pk, email="ada@example.com", customer=customer)
    stock_alert_subscribe(product_id=ProductFactory().pk, email=" ADA@example.com")  # left as a guest, same address
    stock_alert_subscribe(product_id=sold_out.pk, email="grace@example.com")
    order = placed_order([(product, 1)], customer=customer, address=address)
    made = review(product, customer, overall=5)
    question = approved_question(product, author=customer)
    return {"customer": customer, "order": order, "review": made, "question": question}


def test_user_anonymise_scrubs_personal_data_and_keeps_history(shopper):
    customer = shopper["customer"]
    with pytest.raises(UserHasHistory):  # given: one the shop may not delete
        services.user_delete(user=customer)

    user = services.user_anonymise(user=customer)

    user = User.objects.get(pk=customer.pk)
    assert (user.username, user.first_name, user.last_name, user.email) == (f"anonymised-{user.pk}", "", "", "")
    assert user.anonymised_at is not None and not user.is_active and not user.has_usable_password()
    assert CustomerProfile.objects.get(user=user).phone == ""
    assert not Address.objects.filter(customer=user).exists() and not Token.objects.filter(user=user).exists()
    # the history stays, no longer anyone's by name
    assert Order.objects.get(pk=shopper["order"].pk).customer_id == user.pk
    kept = Review.objects.get(pk=shopper["review"].pk)
    assert kept.rating_overall == 5 and kept.author_name == f"anonymised-{user.pk}"
    assert shopper["question"].__class__.objects.get(pk=shopper["question"].pk).author_id == user.pk
    [event] = events("accounts.user.anonymised")
    assert event.payload == {"customer_id": user.pk, "addresses_removed": 2, "api_logins_removed": 1, "stock_alerts_removed": 2}
    assert list(StockAlert.objects.values_list("email", flat=True)) == ["grace@example.com"]
    assert "Ada" not in str(event.payload) and "ada@example.com" not in str(event.payload)
    assert Client().login(username=f"anonymised-{user.pk}", password=PASSWORD) is False


def test_an_anonymised_user_is_refused_the_second_time_and_nothing_changes():
    customer = CustomerFactory()
    services.user_anonymise(user=customer)
    before = DomainEvent.objects.count()

    with pytest.raises(UserAlreadyAnonymised):
        services.user_anonymise(user=customer)

    assert DomainEvent.objects.count() == before


def test_staff_anonymise_over_rest_once_and_customers_may_not(api_client, shopper):
    customer = shopper["customer"]
    url = reverse("accounts_api:user_anonymise", kwargs={"user_id": customer.pk})
    api_client.force_authenticate(CustomerFactory())
    assert api_client.post(url).status_code == 403
    assert User.objects.get(pk=customer.pk).anonymised_at is None

    api_client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    first = api_client.post(url)
    again = api_client.post(url)
    missing = api_client.post(reverse("accounts_api:user_anonymise", kwargs={"user_id": customer.pk + 1000}))

    assert first.status_code == 200 and first.json()["username"] == f"anonymised-{customer.pk}"
    assert again.status_code == 409 and again.json()["code"] == "user_already_anonymised"
    assert missing.status_code == 404
    assert [e.channel for e in events("accounts.user.anonymised")] == ["api"]


def test_staff_anonymise_from_the_user_list_in_the_back_office(shopper):
    customer, other = shopper["customer"], CustomerFactory()
    services.user_anonymise(user=other)
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))

    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "anonymise", "_selected_action": [customer.pk, other.pk]}, follow=True)

    assert response.status_code == 200
    assert User.objects.get(pk=customer.pk).username == f"anonymised-{customer.pk}"
    text = response.content.decode()
    assert f"Anonymised: user {customer.pk}" in text and "was anonymised on" in text
    assert [e.customer_id for e in events("accounts.user.anonymised", channel="admin")] == [customer.pk]


def test_a_customer_closes_their_own_account_with_their_password(shopper):
    customer = shopper["customer"]
    client = Client()
    client.force_login(customer)
    assert client.get(reverse("accounts:close")).status_code == 200

    wrong = client.post(reverse("accounts:close"), {"password": "not it"})
    assert wrong.status_code == 200 and "password" in wrong.context["form"].errors
    assert User.objects.get(pk=customer.pk).anonymised_at is None

    closed = client.post(reverse("accounts:close"), {"password": PASSWORD})

    assert closed.status_code == 302
    assert User.objects.get(pk=customer.pk).anonymised_at is not None
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out
    assert [e.channel for e in events("accounts.user.anonymised")] == ["web"]
