"""Importing Online Retail history into the shop through the services, then evaluating it live."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commerce.audit.models import DomainEvent
from commerce.catalog.models import Product
from orders.selectors import purchased_lines
from recommendations.selectors.interactions import interaction_matrix

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "data" / "online-retail-sample.csv"


def test_import_makes_customers_products_and_orders_through_the_services(capsys):
    call_command("import_online_retail", str(SAMPLE))
    out = capsys.readouterr().out
    # 4 invoices of 3 customers over 7 stock codes; the cancellation, the line without a customer and
    # the one of no quantity are left out
    assert "7 products, 3 customers, 4 orders (3 rows left out" in out
    assert str(Product.objects.filter(code="OR-85123A").get().price_amount) == "2.55"
    assert DomainEvent.objects.filter(event_type="orders.order.created").count() == 4
    assert DomainEvent.objects.filter(event_type="accounts.customer.registered").count() == 3
    import datetime

    lines = list(purchased_lines(since=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)))
    assert len(lines) == 9
    data = interaction_matrix()
    assert len(data.user_ids) == 3 and len(data.item_ids) == 7
    # a second import of the same shop is refused and changes nothing
    with pytest.raises(CommandError, match="has products already"):
        call_command("import_online_retail", str(SAMPLE))
    assert Product.objects.filter(code__startswith="OR-").count() == 7


def test_import_refuses_a_file_without_the_columns(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_online_retail", str(bad))
    assert not Product.objects.exists()


def test_import_limit_takes_the_first_invoices(capsys):
    call_command("import_online_retail", str(SAMPLE), "--limit", "1")
    assert "3 products, 1 customers, 1 orders" in capsys.readouterr().out
