"""What the browser tests do on the shop's pages, and where they keep their screenshots."""

from pathlib import Path

from django.conf import settings

from tests.factories import PASSWORD

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"  # git-ignored


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def add_to_cart(page, base: str, product, quantity: int) -> None:
    page.goto(f"{base}{product.get_absolute_url()}")
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart", exact=True).click()
    page.wait_for_url("**/cart/")


def _log_in(page, base: str, username: str, *, form: str, lands: str):
    page.set_default_timeout(15_000)
    page.goto(f"{base}{form}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}{lands}")
    return page


def logged_in_page(browser, base: str, username: str):
    """A new page (1280 x 900, 15 s to wait for anything) on which ``username`` logged in with the form."""
    return _log_in(browser.new_page(viewport={"width": 1280, "height": 900}), base, username,
                   form="/accounts/login/", lands="/")


def admin_logged_in(context, base: str, username: str):
    """A new page of ``context`` (15 s to wait for anything) on which ``username`` logged in to the back office."""
    return _log_in(context.new_page(), base, username, form="/admin/login/", lands="/admin/")
