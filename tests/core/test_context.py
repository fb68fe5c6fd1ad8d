import pytest

from commerce.audit.models import DomainEvent, JourneyStep
from commerce.context import channel_for_path


@pytest.mark.parametrize("path, channel", [("/api/v1/products/", "api"), ("/admin/", "admin"), ("/", "web"), ("/accounts/login/", "web")])
def test_channel_for_path(path, channel):
    assert channel_for_path(path) == channel


@pytest.mark.django_db
def test_request_id_is_echoed_and_context_does_not_leak(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123")
    assert response["X-Request-ID"] == "abc123"
    assert client.get("/healthz")["X-Request-ID"] != "abc123"
    assert DomainEvent.objects.count() == 0
    assert JourneyStep.objects.count() == 0


@pytest.mark.django_db
def test_journey_events_never_store_the_session_key(client):
    from tests.factories import ProductFactory

    product = ProductFactory()
    client.get(product.get_absolute_url())
    key = client.session.session_key
    event = JourneyStep.objects.get(action="product_view")
    assert key and key != event.session_id
    assert len(event.session_id) == 32


@pytest.mark.django_db
def test_api_journey_steps_of_a_session_client_never_store_the_session_key(client):
    from tests.factories import CustomerFactory, ProductFactory

    product = ProductFactory()
    client.force_login(CustomerFactory())  # session authentication, as a browser calling the API
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == 200
    key = client.session.session_key
    event = JourneyStep.objects.get(action="product_view")
    assert key and key != event.session_id
    assert len(event.session_id) == 32
