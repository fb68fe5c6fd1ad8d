"""The two management commands: seed_demo (a realistic, idempotent demo shop) and stock_reconcile."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.hashers import get_hasher
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from PIL import Image

from commerce import dashboard, locks
from commerce.accounts.models import Address, CustomerProfile, SalesRegion, User
from commerce.audit.models import DomainEvent
from commerce.catalog import inventory, product_images
from commerce.catalog.management.commands import seed_demo as seed_demo_command
from commerce.catalog.management.commands.seed_demo import DEMO_PASSWORD, QuickDemoHasher
from commerce.catalog.management.commands.seed_demo_images import draw_picture, wanted_pictures
from commerce.catalog.models import Category, Manufacturer, Product, ProductImage, StockBatch, StockMovement
from commerce.catalog.selectors import near_expiry_batches, stock_reconcile
from tests.factories import ProductFactory, days_ahead

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def core_steps_only(monkeypatch):
    """seed_demo without the apps' demo steps (orders, logistics, questions, reviews ...), for the
    tests about the core's own data, which those steps only add to; each step has its own tests, and
    the realistic-shop test below runs them all. Pass step names to keep some."""

    every_step = list(seed_demo_command.DEMO_STEPS)

    def keep(*commands):
        monkeypatch.setattr(seed_demo_command, "DEMO_STEPS", [step for step in every_step if step[1] in commands])

    keep()
    return keep


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Category, Manufacturer, Product, ProductImage, StockBatch, StockMovement, User, Address, CustomerProfile,
                      SalesRegion, DomainEvent)
    }


def test_seed_demo_builds_a_realistic_shop_and_a_second_run_changes_nothing(client):
    # 120 of the 300 products `make run` seeds (the first brand of every category, and some of the
    # second), with every app's demo step, twice: the shape is the same as the full demo's.
    output = seed("--products", "120", "--customers", "12")

    assert Product.objects.count() == 120
    assert Manufacturer.objects.exclude(description="").exclude(website="").exclude(support_email="").count() == Manufacturer.objects.count() >= 20
    assert {c.name for c in Category.objects.filter(depth=1)} == {"Groceries", "Electronics", "Home"}
    assert {"Dairy", "Bakery", "Fruit & Veg"} <= set(Category.objects.filter(depth=2).values_list("name", flat=True))
    # Perishables carry expiry dates; some are near expiry, exactly one batch has expired; the rest is FIFO stock.
    assert not StockBatch.objects.filter(product__is_perishable=True, expires_on__isnull=True).exists()
    assert not StockBatch.objects.filter(product__is_perishable=False, expires_on__isnull=False).exists()
    today = inventory._today()
    assert StockBatch.objects.filter(expires_on__lte=today).count() == 1
    assert near_expiry_batches().filter(expires_on__gt=today).exists()
    assert Product.objects.filter(is_perishable=False, batches__isnull=False).distinct().count() > 60
    assert Product.objects.filter(is_active=False).exists()
    assert stock_reconcile() == []
    # Every write went through the services: each product and batch has its event.
    assert DomainEvent.objects.filter(event_type="catalog.product.created").count() == 120
    assert DomainEvent.objects.filter(event_type="catalog.batch.received").count() == StockBatch.objects.count()
    # A picture for every product (one in five has two), drawn and stored through the picture service.
    assert not Product.objects.filter(images__isnull=True).exists()
    assert ProductImage.objects.count() == sum(wanted_pictures(code) for code in Product.objects.values_list("code", flat=True)) > 120
    assert DomainEvent.objects.filter(event_type="catalog.product.image_added").count() == ProductImage.objects.count()
    picture = ProductImage.objects.order_by("id").first()
    assert (picture.width, picture.height, len(picture.thumbnails)) == (640, 480, 2)
    assert all(default_storage.exists(name) for name in picture.stored_names())
    assert picture.alt_text == f"Drawing of {picture.product.name}"
    # Staff in every group, a superuser, customers with addresses around Lyon in sales regions.
    for group in ("Merchandisers", "Dispatchers", "Support", "Sales"):
        assert User.objects.filter(is_staff=True, groups__name=group).exists(), group
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="sales-north").sales_regions.exists()
    customers = User.objects.filter(groups__name="Customers")
    assert customers.count() == 12 and CustomerProfile.objects.filter(sales_region__isnull=True).count() == 0
    for address in Address.objects.all():
        assert Decimal("45.68") < address.latitude < Decimal("45.81") and Decimal("4.78") < address.longitude < Decimal("4.93")
    # The printed table: log-in names, the documented password; no URLs unless told where the shop runs
    for text in ("admin", "merchandiser", "dispatcher", "support", "sales-north", customers.first().username, DEMO_PASSWORD):
        assert text in output
    assert "http://" not in output
    assert re.search(r"seeded in \d+\.\d s", output)
    # The admin home has something on every panel: sales, orders to handle, stock, promotions.
    shown = dashboard.panels_for(User.objects.get(username="admin"))
    assert [s.name for s in shown] == [r.name for r in dashboard.registered()]
    for panel in shown:
        assert panel.panel is not None and panel.panel.table.rows, f"{panel.name} is empty in the demo"
    assert shown[0].panel.figures[1].value != "0"  # orders today

    before = counts()
    again = seed("--products", "120", "--customers", "12")

    assert counts() == before
    assert "already present: nothing changed" in again and "merchandiser" in again

    assert client.login(username="merchandiser", password=DEMO_PASSWORD)
    assert client.login(username=customers.first().username, password=DEMO_PASSWORD)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])  # the production default
def test_seed_demo_hashes_quickly_and_the_first_log_in_upgrades_the_hash(client, core_steps_only):
    seed("--products", "3", "--customers", "2")
    quick = User.objects.get(username="support").password
    assert quick.startswith(f"pbkdf2_sha256${QuickDemoHasher.iterations}$")

    assert client.login(username="support", password=DEMO_PASSWORD)

    upgraded = User.objects.get(username="support").password
    assert upgraded.split("$")[1] == str(get_hasher().iterations) != str(QuickDemoHasher.iterations)
    assert client.login(username="support", password=DEMO_PASSWORD)


def test_seed_demo_is_deterministic(core_steps_only):
    def snapshot():
        with locks.batch():  # rolled back below; each seeding command checked against the lock order alone
            seed("--products", "40", "--customers", "6", "--seed", "7")
            shop = (
                sorted(Product.objects.values_list("code", "name", "price_amount", "is_active")),
                sorted(StockBatch.objects.values_list("batch_number", "quantity_received", "received_at", "expires_on", "location")),
                sorted(Address.objects.values_list("customer__username", "street", "zip_code", "latitude", "longitude")),
            )
            transaction.set_rollback(True)
        return shop

    first = snapshot()
    assert first == snapshot()
    assert len(first[0]) == 40 and len(first[2]) >= 6


def test_demo_pictures_depend_on_the_seed_and_the_product_only():
    milk = {"code": "DAI-0001", "name": "Laiterie des Monts Whole milk 1 L", "brand": "Laiterie des Monts"}

    first = draw_picture(**milk, seed=7)

    assert first == draw_picture(**milk, seed=7)
    assert first != draw_picture(**milk, seed=8) and first != draw_picture(**milk, seed=7, view=1)
    assert Image.open(io.BytesIO(first)).size == (640, 480)


def test_seed_demo_images_gives_a_product_missing_a_picture_only_that_one(core_steps_only):
    core_steps_only("seed_demo_images")
    seed("--products", "12", "--customers", "1")
    product = Product.objects.get(code="DAI-0001")  # wants two: DAI-0001 ends in 1
    kept = product.images.get(position=0)
    product_images.product_image_remove(product=product, image_id=product.images.get(position=1).pk)
    before = ProductImage.objects.count()

    out = io.StringIO()
    call_command("seed_demo_images", stdout=out)

    assert ProductImage.objects.count() == before + 1
    assert list(product.images.values_list("id", flat=True))[0] == kept.pk
    assert ": 1 picture." in out.getvalue()


def test_seed_demo_fills_in_what_is_missing_and_keeps_what_exists(core_steps_only):
    User.objects.create_user("admin", password="my-own-secret-99", is_staff=True, is_superuser=True)

    output = seed("--products", "20", "--customers", "3")

    assert User.objects.get(username="admin").check_password("my-own-secret-99")
    assert "Already there and left as they were: 1 staff" in output
    assert Product.objects.count() == 20


def test_stock_reconcile_command_reports_a_matching_ledger():
    product = ProductFactory()
    inventory.stock_receive(product=product, batch_number="A", quantity=5)
    inventory.stock_receive(product=product, batch_number="B", quantity=5, expires_on=days_ahead(3))
    inventory.stock_reserve(product=product, quantity=7, reference="order:1")
    out = io.StringIO()

    call_command("stock_reconcile", stdout=out)

    assert "ledger matches all 2 batches" in out.getvalue()


def test_stock_reconcile_command_prints_each_drift_and_fails():
    product = ProductFactory()
    inventory.stock_receive(product=product, batch_number="GOOD", quantity=5)
    inventory.stock_receive(product=product, batch_number="BAD", quantity=5)
    # Someone wrote the counters behind the services' back (the bug this command exists to catch).
    StockBatch.objects.filter(batch_number="BAD").update(quantity_on_hand=F("quantity_on_hand") + 3, quantity_reserved=1)
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"2 counter\(s\) in 1 batch\(es\) disagree"):
        call_command("stock_reconcile", stdout=out)

    report = out.getvalue()
    assert "batch BAD on_hand: counter says 8, ledger sums to 5 (+3)" in report
    assert "batch BAD reserved: counter says 1, ledger sums to 0 (+1)" in report
    assert "GOOD" not in report



def test_seed_demo_prints_the_urls_of_the_base_url_it_is_given(core_steps_only):
    # `PORT=8080 make run` printed port 8000 addresses: seed_demo cannot know the port, the caller says it
    output = seed("--products", "3", "--customers", "1", "--base-url", "http://127.0.0.1:8080/")

    for path in ("/", "/admin/", "/api/docs/", "/api/v1/"):
        assert f"http://127.0.0.1:8080{path}" in output
    assert ":8000" not in output


# --- production settings ------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["seed_demo", "seed_demo_images", "seed_demo_promotions", "seed_demo_orders",
                                     "seed_demo_reviews", "seed_demo_review_requests", "seed_demo_stock_alerts"])
def test_demo_commands_refuse_to_run_under_production_settings(command, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="--allow-production"):
        call_command(command, stdout=io.StringIO())

    assert not User.objects.exists() and not Product.objects.exists()


def test_seed_demo_forced_in_production_gives_the_superuser_a_random_password_printed_once(client, settings):
    settings.PRODUCTION = True

    output = seed("--products", "3", "--customers", "1", "--allow-production")

    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert not admin.check_password(DEMO_PASSWORD)
    assert not User.objects.get(username="support").check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD not in output
    password = re.search(r"shown only this once: (\S+)", output).group(1)
    assert len(password) >= 20 and admin.check_password(password)
    # full work factor in production: no quick demo hash
    assert not admin.password.startswith(f"pbkdf2_sha256${QuickDemoHasher.iterations}$")

    # a second forced run makes another password, and leaves existing accounts' passwords alone
    again = seed("--products", "3", "--customers", "1", "--allow-production")
    assert password not in again
    assert User.objects.get(username="admin").check_password(password)


def test_management_commands_do_not_use_test_utilities():
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("commerce", "orders", "promotions")
        for path in (root / app).rglob("*.py")
        if "django.test" in path.read_text()
    ]

    assert offenders == []
