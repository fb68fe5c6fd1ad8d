"""What the browser tests do on the shop's pages, and where they keep their screenshots."""

from pathlib import Path

from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"  # git-ignored


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def add_to_cart(page, base: str, product, quantity: int) -> None:
    page.goto(f"{base}{product.get_absolute_url()}")
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
