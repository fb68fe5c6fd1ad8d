"""``manage.py import_online_retail FILE.csv``: real retail history into the shop, through the services.

The file is in the UCI "Online Retail" layout (``InvoiceNo, StockCode, Description, Quantity,
InvoiceDate, UnitPrice, CustomerID, Country``; one row per invoice line). What becomes of it:

- each stock code a product (``product_create``: code ``OR-<StockCode>``, its first description,
  its most frequent unit price in the shop's currency, in the category and manufacturer "Online
  Retail"), with one stock batch holding what its invoices need (``stock_receive``);
- each customer id a customer (``customer_register``, user name ``retail-<CustomerID>``, a random
  password nobody knows) with one address in their country (``address_create``; street and postcode
  say the address was imported);
- each invoice an order placed the way a shopper places one (cart, ``order_create_from_cart``)
  and confirmed cash on delivery (``order_pay``), so the recommender reads it like any order.

Left out: cancellations (``C`` invoices), lines of no quantity or price, invoices without a customer.
Orders are placed now (the services date them; the invoice dates are not kept), so the time decay
treats the history as recent. ``--limit`` imports the first N invoices; the import is refused when
the "Online Retail" category has products already (run once per database). The evaluation after
it: ``manage.py recommendations_evaluate --live``.
"""

from __future__ import annotations

import csv
import secrets
import time
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from commerce.accounts import services as account_services
from commerce.audit import bus
from commerce.catalog import inventory
from commerce.catalog import services as catalog_services
from commerce.catalog.models import Category, Manufacturer, Product
from commerce.demo import add_allow_production_argument, refuse_in_production
from commerce.money import Money
from orders.services.cart import cart_add_item, cart_get_or_create
from orders.services.checkout import order_create_from_cart
from orders.services.payments import order_pay

COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")
COUNTRIES = {
    "united kingdom": "GB", "france": "FR", "australia": "AU", "netherlands": "NL", "germany": "DE", "norway": "NO",
    "eire": "IE", "ireland": "IE", "switzerland": "CH", "spain": "ES", "poland": "PL", "portugal": "PT", "italy": "IT",
    "belgium": "BE", "lithuania": "LT", "japan": "JP", "iceland": "IS", "channel islands": "JE", "denmark": "DK",
    "cyprus": "CY", "sweden": "SE", "austria": "AT", "israel": "IL", "finland": "FI", "bahrain": "BH", "greece": "GR",
    "hong kong": "HK", "singapore": "SG", "lebanon": "LB", "united arab emirates": "AE", "saudi arabia": "SA",
    "czech republic": "CZ", "canada": "CA", "brazil": "BR", "usa": "US", "malta": "MT", "rsa": "ZA",
}
SOURCE = "Online Retail"


class Command(BaseCommand):
    help = "Import an Online Retail CSV as customers, products and orders, through the services."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--limit", type=int, default=0, help="import the first N invoices only")
        parser.add_argument("--encoding", default="utf-8", help="the file's encoding (the UCI file is ISO-8859-1)")
        add_allow_production_argument(parser)

    def handle(self, *args, path, limit, encoding, allow_production, **options):
        refuse_in_production("import_online_retail", allow_production=allow_production)
        started = time.monotonic()
        invoices, products, skipped = self._read(path, encoding, limit)
        if not invoices:
            raise CommandError(f"No invoice to import in {path} ({skipped} rows left out).")
        category, maker = self._home()
        if Product.objects.filter(category=category).exists():
            raise CommandError(f'The "{SOURCE}" category has products already: this shop has an import; nothing changed.')
        with bus.paused():  # imported history sends no mail and queues no reaction
            catalog = self._products(products, category, maker)
            customers = self._customers({customer: country for customer, country, _ in invoices.values()})
            placed = 0
            for number, (customer_id, _country, lines) in invoices.items():
                user, address = customers[customer_id]
                cart = cart_get_or_create(customer=user)
                for code, quantity in lines.items():
                    cart_add_item(cart=cart, product_id=catalog[code].pk, quantity=quantity)
                order = order_create_from_cart(customer=user, cart=cart, address_id=address.pk, payment_method="cod")
                order_pay(order=order.pk, customer=user, idempotency_key=f"online-retail-{number}", card=None)
                placed += 1
        self.stdout.write(self.style.SUCCESS(
            f"Imported in {time.monotonic() - started:.1f} s: {len(catalog)} products, {len(customers)} customers, "
            f"{placed} orders ({skipped} rows left out: cancellations, no customer, no quantity or price)."))

    # --- reading --------------------------------------------------------------------------------------
    def _read(self, path: str, encoding: str, limit: int):
        invoices: dict[str, tuple[str, str, dict[str, int]]] = {}
        products: dict[str, dict] = {}
        skipped = 0
        try:
            with open(path, newline="", encoding=encoding) as handle:
                reader = csv.DictReader(handle)
                missing = set(COLUMNS) - set(reader.fieldnames or ())
                if missing:
                    raise CommandError(f"{path}: missing column(s) {', '.join(sorted(missing))}.")
                for number, row in enumerate(reader, start=2):
                    invoice, customer = (row["InvoiceNo"] or "").strip(), (row["CustomerID"] or "").strip()
                    code = (row["StockCode"] or "").strip().upper()
                    try:
                        quantity = int(row["Quantity"])
                        price = Decimal(row["UnitPrice"])
                    except (TypeError, ValueError, InvalidOperation) as error:
                        raise CommandError(f"{path}, line {number}: {error}") from error
                    if (not invoice or invoice.upper().startswith("C") or not customer or not code or quantity <= 0
                            or price <= 0 or len(code) > 30):
                        skipped += 1
                        continue
                    customer = customer.split(".")[0]  # "17850.0" as spreadsheets write it
                    if invoice not in invoices:
                        if limit and len(invoices) >= limit:
                            break
                        invoices[invoice] = (customer, (row["Country"] or "").strip(), defaultdict(int))
                    invoices[invoice][2][code] += quantity
                    about = products.setdefault(code, {"name": (row["Description"] or code).strip()[:200] or code,
                                                       "prices": Counter(), "units": 0})
                    about["prices"][price] += 1
                    about["units"] += quantity
        except OSError as error:
            raise CommandError(f"{path}: {error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not {encoding} ({error}); try --encoding iso-8859-1") from error
        return invoices, {code: p for code, p in products.items() if any(code in lines for _, _, lines in invoices.values())}, skipped

    # --- writing, through the services ----------------------------------------------------------------
    def _home(self) -> tuple[Category, Manufacturer]:
        category = Category.objects.filter(name=SOURCE).first() or catalog_services.category_create(name=SOURCE)
        maker = Manufacturer.objects.filter(name=SOURCE).first() or catalog_services.manufacturer_create(name=SOURCE)
        return category, maker

    def _products(self, products: dict[str, dict], category, maker) -> dict[str, Product]:
        made = {}
        for code, about in sorted(products.items()):
            price = about["prices"].most_common(1)[0][0]
            product = catalog_services.product_create(code=f"OR-{code}", name=about["name"], category=category,
                                                      manufacturer=maker, price=Money.of(price))
            inventory.stock_receive(product=product, batch_number=f"OR-{code}", quantity=about["units"],
                                    reason=f"{SOURCE} import")
            made[code] = product
        return made

    def _customers(self, countries: dict[str, str]) -> dict[str, tuple]:
        users = get_user_model()
        made = {}
        for customer_id, country in sorted(countries.items()):
            username = f"retail-{customer_id}"
            user = users.objects.filter(username=username).first()
            if user is None:
                user = account_services.customer_register(username=username, password=secrets.token_urlsafe(24))
            address = user.addresses.order_by("id").first() or account_services.address_create(
                customer=user, is_default=True, recipient=username, street=f"Imported from {SOURCE}",
                city=country or "Unspecified", zip_code="00000", country=COUNTRIES.get(country.lower(), "GB"))
            made[customer_id] = (user, address)
        return made
