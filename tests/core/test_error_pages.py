"""Error pages: styled, saying what happened and linking back, in the shop's look, the admin's look,
or the API's error format (commerce/error_views.py)."""

import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from commerce import error_views
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def is_shop_page(html: str) -> bool:
    """Drawn in the shop's layout: its stylesheet, header and category bar."""
    return "css/shop.css" in html and 'class="site-header"' in html and 'class="category-bar"' in html


def is_admin_page(html: str) -> bool:
    """Drawn in the admin's layout: its header, the site's name, breadcrumbs and the user's tools."""
    return 'id="header"' in html and "Commerce back office" in html and 'class="breadcrumbs"' in html and 'id="user-tools"' in html


# --- the shop ------------------------------------------------------------------------------------------
def test_an_unknown_page_is_a_styled_404_that_links_back_to_the_shop(client):
    response = client.get("/no-such-page/")

    html = html_of(response)
    assert response.status_code == 404
    assert is_shop_page(html)
    assert "Page not found" in html and "There is no page at this address." in html
    assert 'href="/">Back to the shop</a>' in html
    assert "tried" not in html and "no-such-page" not in html  # the URL resolver's internals stay hidden


def test_a_404_says_the_reason_its_view_gave(client):
    response = client.get("/products/no-such-product/")

    html = html_of(response)
    assert response.status_code == 404
    assert is_shop_page(html)
    assert "No such product." in html


def test_a_refused_csrf_check_is_a_styled_403_that_says_what_to_do():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "ada", "password": "x"})

    html = html_of(response)
    assert response.status_code == 403
    assert is_shop_page(html)
    assert "Access denied" in html
    assert "The form had expired or came from another site." in html
    assert 'href="/">Back to the shop</a>' in html


def shop_request(path: str = "/somewhere/", user=None):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def test_a_403_page_gives_the_reason_and_offers_to_log_in():
    response = error_views.permission_denied(shop_request(), PermissionDenied("Only the account holder can see this order."))

    html = html_of(response)
    assert response.status_code == 403
    assert is_shop_page(html)
    assert "Only the account holder can see this order." in html
    assert "/accounts/login/?next=/somewhere/" in html


def test_a_403_page_for_a_logged_in_shopper_links_to_their_orders():
    response = error_views.permission_denied(shop_request(user=CustomerFactory()), PermissionDenied())

    html = html_of(response)
    assert "You do not have permission to see this page." in html
    assert 'href="/orders/"' in html and "/accounts/login/?next" not in html


def test_a_body_over_the_upload_limit_on_a_page_is_a_413_page(client):
    response = client.post("/accounts/login/", {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "password": "x"})

    html = html_of(response)
    assert response.status_code == 413
    assert "Request too large" in html and "larger than this site accepts" in html
    assert 'href="/">Back to the shop</a>' in html


def test_a_bad_host_header_is_a_styled_400(client):
    response = client.get("/", HTTP_HOST="evil.example")

    html = html_of(response)
    assert response.status_code == 400
    assert "Bad request" in html and 'href="/">Back to the shop</a>' in html
    assert "evil.example" not in html


@pytest.fixture
def broken_shop(monkeypatch):
    """A view that fails, and a context processor that fails too (as with a database that is down)."""

    def explode(*args, **kwargs):
        raise RuntimeError("password=hunter2 in /srv/secret.py")

    monkeypatch.setattr("commerce.catalog.views.ProductListView.get", explode)
    monkeypatch.setattr("commerce.catalog.menu.root_categories", explode)


def test_a_server_error_is_a_styled_500_that_needs_nothing_from_the_request(broken_shop):
    client = Client(raise_request_exception=False)

    response = client.get("/")

    html = html_of(response)
    assert response.status_code == 500
    assert "Something went wrong" in html and 'href="/">Back to the shop</a>' in html
    assert "hunter2" not in html and "Traceback" not in html
    assert "<style>" in html  # styled without a static file


def test_the_500_page_renders_without_a_query_nor_a_context_processor(django_assert_num_queries, broken_shop):
    with django_assert_num_queries(0):
        response = error_views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_a_404_page_that_cannot_draw_the_shop_menus_falls_back_to_the_plain_page(client, broken_shop):
    response = client.get("/no-such-page/")

    html = html_of(response)
    assert response.status_code == 404
    assert "Page not found" in html and 'href="/">Back to the shop</a>' in html
    assert not is_shop_page(html)


# --- the admin ---------------------------------------------------------------------------------------------
@pytest.fixture
def clerk(client):
    """Staff without any permission: the admin lets them in, and every model page is refused."""
    client.force_login(StaffFactory())
    return client


def test_a_permission_denied_in_the_admin_is_drawn_in_the_admin_look_with_a_link_back(clerk):
    response = clerk.get("/admin/catalog/product/")

    html = html_of(response)
    assert response.status_code == 403
    assert is_admin_page(html)
    assert "Access denied" in html
    assert "does not have the permission this page needs" in html
    assert 'href="/admin/">Back to the admin index</a>' in html


def test_a_custom_admin_page_refused_is_drawn_in_the_admin_look(clerk):
    response = clerk.get("/admin/catalog/stockbatch/receive/")

    assert response.status_code == 403
    assert is_admin_page(html_of(response))


def test_a_missing_admin_page_is_a_404_in_the_admin_look(client):
    client.force_login(StaffFactory(is_superuser=True))

    response = client.get("/admin/no-such-section/")

    html = html_of(response)
    assert response.status_code == 404
    assert is_admin_page(html)
    assert "Page not found" in html and 'href="/admin/">Back to the admin index</a>' in html


def test_a_server_error_in_the_admin_links_back_to_the_admin():
    response = error_views.server_error(RequestFactory().get("/admin/catalog/product/"))

    assert response.status_code == 500
    assert 'href="/admin/">Back to the back office</a>' in response.content.decode()


# --- the API keeps its error format ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("handler", "args", "status", "code"),
    [
        (error_views.bad_request, (None,), 400, "bad_request"),
        (error_views.permission_denied, (PermissionDenied(),), 403, "permission_denied"),
        (error_views.page_not_found, (None,), 404, "not_found"),
        (error_views.server_error, (), 500, "server_error"),
    ],
)
def test_errors_outside_the_api_views_still_answer_the_api_error_format_under_api(handler, args, status, code):
    response = handler(RequestFactory().get("/api/v1/products/"), *args)

    assert response.status_code == status
    body = json.loads(response.content)
    assert body["code"] == code and body["fields"] == {} and body["detail"]
