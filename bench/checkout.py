"""Benchmark: a full checkout through the REST API, served by gunicorn on MariaDB + Redis, under load.

One checkout is what a mobile client does: add a few products to the cart
(``POST /api/v1/cart/items/``, one request per line), then place and pay the order in one
request (``POST /api/v1/checkout/`` with an ``Idempotency-Key`` and the sandbox card
4242 4242 4242 4242, sending back the cart's total as ``expected_total``). With ``--bulk-cart``
each level also runs a second flow in which the client sends its whole cart in one request
(``PUT /api/v1/cart/lines/``) before the same checkout; the one-line-per-request flow stays the
default figure.

What it does (see bench/README.md):
1. creates the bench database if needed (its own: ``commerce_bench_checkout``) and migrates it;
2. in a Django process, through the services: a bench category with products that each hold at
   least ``--min-stock`` sellable units (topped up in batches of 10,000), and ``--customers``
   customers (Customers group: ``place_orders``) with an address and an API token;
3. counts the SQL queries of one checkout request for carts of 1, 10 and 50 lines (and of the
   last add-item request and of one ``PUT /cart/lines/`` of the whole cart), in process with
   ``CaptureQueriesContext`` (no production code change, no debug header);
4. starts gunicorn (production settings, DEBUG off, throttles raised) on a free 127.0.0.1 port,
   logs one customer in through ``POST /api/v1/auth/token/``, then, from this process, runs one
   client thread per customer, each with its own keep-alive connection, at a few concurrency
   levels, each bounded by an order count and by time; prints orders per minute and p50/p95/p99
   of the checkout request and of the whole add-items + checkout flow; stops gunicorn;
5. profiles checkouts in process (cProfile, and pyinstrument when installed) and prints where
   the time goes, with the CPU time (``time.process_time``) each kind of request costs the
   server process: a figure other processes on the machine barely move, unlike wall time.

Traffic goes to 127.0.0.1 only.

    .venv/bin/python bench/checkout.py
    .venv/bin/python bench/checkout.py --servers sync:3,gthread:2x4 --concurrency 2,4,8 --duration 15
    .venv/bin/python bench/checkout.py --bulk-cart       # also the whole-cart-in-one-request flow
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from _common import (
    HOST,
    ROOT,
    CpuMeter,
    ServerSpec,
    Tickets,
    ensure_database,
    free_port,
    loadavg,
    log,
    manage,
    percentile,
    server_env,
    sql_statements,
    start_gunicorn,
    statement_kind,
    stop,
    wait_until_up,
)

OUT_DIR = ROOT / "var" / "bench"

CATEGORY_SLUG = "bench-checkout"
MANUFACTURER_SLUG = "bench-checkout-supplies"
PRODUCT_PREFIX = "BENCH-CO-"
CUSTOMER_PREFIX = "bench-co-"
BENCH_PASSWORD = "Load-Test-Shopper-7391"  # noqa: S105 - bench accounts in the bench database only
BATCH_SIZE = 10_000  # inventory.MAX_QUANTITY: the largest batch one receipt line may hold
DISTURBED_CORES = 0.25  # CPU used by other processes during a level above which its row is flagged
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
CART_LINES = "/api/v1/cart/lines/"
FLOWS = {"items": "one POST /cart/items/ per line", "bulk": "one PUT /cart/lines/ for the whole cart"}


# === the Django side: runs in child processes (``bench/checkout.py _django STEP``) ================
def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
    import django

    django.setup()


def _price(index: int):
    from decimal import Decimal

    return Decimal("0.95") + Decimal(index * 37 % 60) * Decimal("0.35")


def step_setup(options: dict) -> dict:
    """Bench products with stock and bench customers with addresses and tokens, through the services.

    Idempotent: what exists is reused; stock is topped up to ``min_stock`` sellable units per
    product; a customer's cart left open by an interrupted run is emptied.
    """
    import datetime
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers_by_algorithm
    from django.test.utils import override_settings
    from django.utils import timezone

    from commerce.accounts import services as accounts
    from commerce.accounts.models import User
    from commerce.accounts.selectors import address_list
    from commerce.catalog import inventory
    from commerce.catalog import services as catalog
    from commerce.catalog.management.commands.seed_demo import QuickDemoHasher
    from commerce.catalog.models import Category, Manufacturer, Product
    from commerce.money import Money
    from orders import selectors as order_selectors
    from orders.services.cart import cart_clear

    category = Category.objects.filter(slug=CATEGORY_SLUG).first() or catalog.category_create(
        name="Bench checkout", slug=CATEGORY_SLUG, description="Products of the checkout benchmark."
    )
    manufacturer = Manufacturer.objects.filter(slug=MANUFACTURER_SLUG).first() or catalog.manufacturer_create(
        name="Bench Supplies", slug=MANUFACTURER_SLUG
    )
    existing = {p.code: p for p in Product.objects.filter(code__startswith=PRODUCT_PREFIX)}
    products = []
    for index in range(1, options["products"] + 1):
        code = f"{PRODUCT_PREFIX}{index:04d}"
        product = existing.get(code) or catalog.product_create(
            code=code, name=f"Bench item {index:04d}", category=category, manufacturer=manufacturer,
            price=Money.of(_price(index), settings.DEFAULT_CURRENCY),
        )
        if not product.is_active:
            raise SystemExit(f"bench product {code} is inactive; run with --fresh")
        products.append(product)

    available = inventory.available_quantities([p.pk for p in products])
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    receipts = []
    for product in products:
        short = options["min_stock"] - available[product.pk]
        for n in range(max(0, -(-short // BATCH_SIZE))):
            receipts.append(inventory.ReceiptLine(
                product=product, batch_number=f"{product.code}-{stamp}-{n}", quantity=BATCH_SIZE,
                received_at=timezone.localdate() - datetime.timedelta(days=1),
            ))
    if receipts:
        inventory.stock_receive_many(lines=receipts, reason="checkout bench stock")

    hashers = list(settings.PASSWORD_HASHERS)
    if QuickDemoHasher.algorithm in get_hashers_by_algorithm():
        # As seed_demo does: a cheap PBKDF2 hash while creating accounts, verified by the real hasher.
        hashers.insert(0, f"{QuickDemoHasher.__module__}.{QuickDemoHasher.__qualname__}")
    customers = []
    with override_settings(PASSWORD_HASHERS=hashers):
        for index in range(1, options["customers"] + 1):
            username = f"{CUSTOMER_PREFIX}{index:03d}"
            user = User.objects.filter(username=username).first() or accounts.customer_register(
                username=username, password=BENCH_PASSWORD, email=f"{username}@example.com",
                first_name="Bench", last_name=f"Shopper {index}",
            )
            address = address_list(customer=user).first() or accounts.address_create(
                customer=user, recipient=f"Bench Shopper {index}", street=f"{index} Rue de la République",
                city="Lyon", zip_code="69002", country="FR", latitude=Decimal("45.764043"), longitude=Decimal("4.835659"),
            )
            token = accounts.auth_token_issue(username=username, password=BENCH_PASSWORD)
            cart = order_selectors.cart_find(customer=user)
            if cart is not None and cart.lines.exists():
                cart_clear(cart=cart)
            customers.append({"username": username, "token": token.key, "address_id": address.pk})
    return {
        "products": [p.pk for p in products],
        "customers": customers,
        "stock_batches_received": len(receipts),
        "password": BENCH_PASSWORD,
    }


class InProcessShopper:
    """A token client calling the API in process (django.test.Client: middleware, DRF, no network)."""

    def __init__(self, customer: dict):
        from django.test import Client

        self.customer = customer
        self.client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {customer['token']}")

    def post(self, path: str, body: dict, **headers):
        return self.client.post(path, json.dumps(body), content_type="application/json", **headers)

    def empty_cart(self) -> None:
        response = self.client.delete("/api/v1/cart/")
        if response.status_code != 200:
            raise SystemExit(f"DELETE /api/v1/cart/ answered {response.status_code}")

    def put_lines(self, product_ids: list[int], quantity: int = 1):
        body = {"lines": [{"product_id": product_id, "quantity": quantity} for product_id in product_ids]}
        return self.client.put(CART_LINES, json.dumps(body), content_type="application/json")

    def fill_cart(self, product_ids: list[int], *, bulk: bool = False) -> str:
        self.empty_cart()
        if bulk:
            response = self.put_lines(product_ids)
            if response.status_code != 200:
                raise SystemExit(f"PUT {CART_LINES} answered {response.status_code}: {response.content[:300]!r}")
            return response.json()["total"]["amount"]
        total = None
        for product_id in product_ids:
            response = self.post("/api/v1/cart/items/", {"product_id": product_id, "quantity": 1})
            if response.status_code != 200:
                raise SystemExit(f"add to cart answered {response.status_code}: {response.content[:300]!r}")
            total = response.json()["total"]["amount"]
        return total

    def checkout(self, total: str):
        body = {"address_id": self.customer["address_id"], "payment_method": "card", "card": CARD, "expected_total": total}
        return self.post("/api/v1/checkout/", body, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def step_queries(options: dict) -> dict:
    """SQL queries of one warm checkout request (and of the last add-item request) per cart size."""
    from collections import Counter

    shopper = InProcessShopper(options["customer"])
    products = options["products"]
    shopper.checkout(shopper.fill_cart(products[:1]))  # warm: first-request caches are not the steady state
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = {}
    for size in options["sizes"]:
        if size > len(products):
            raise SystemExit(f"a cart of {size} lines needs {size} bench products; raise --products")
        shopper.empty_cart()
        for product_id in products[: size - 1]:
            shopper.post("/api/v1/cart/items/", {"product_id": product_id, "quantity": 1})
        with sql_statements() as add_statements:  # read as the block ends: the next request clears the log
            added = shopper.post("/api/v1/cart/items/", {"product_id": products[size - 1], "quantity": 1})
        total = added.json()["total"]["amount"]
        with sql_statements() as statements:
            response = shopper.checkout(total)
        body = response.json()
        with sql_statements() as put_statements:  # the whole next cart in one request, as --bulk-cart sends it
            put = shopper.put_lines(products[:size])
        if put.status_code != 200:
            raise SystemExit(f"PUT {CART_LINES} of {size} lines answered {put.status_code}: {put.content[:300]!r}")
        shopper.empty_cart()
        (OUT_DIR / f"checkout-queries-{size}-lines.sql").write_text(";\n".join(statements) + ";\n")
        (OUT_DIR / f"add-item-queries-{size}-lines.sql").write_text(";\n".join(add_statements) + ";\n")
        (OUT_DIR / f"put-lines-queries-{size}-lines.sql").write_text(";\n".join(put_statements) + ";\n")
        out[str(size)] = {
            "status": response.status_code,
            "lines": len(body.get("lines", [])),
            "queries": len(statements),
            "kinds": dict(Counter(statement_kind(s) for s in statements).most_common()),
            "add_item_queries": len(add_statements),
            "put_lines_queries": len(put_statements),
            "code": body.get("code"),
        }
    return out


# --- profile ---------------------------------------------------------------------------------------
# Inclusive cost centres: (label, file suffix, function name). A parent includes its children.
COST_CENTRES = [
    ("request in Django (whole view + middleware)", "django/core/handlers/base.py", "_get_response"),
    ("token auth (DRF TokenAuthentication)", "rest_framework/authentication.py", "authenticate_credentials"),
    ("throttles (Redis cache get/set)", "rest_framework/views.py", "check_throttles"),
    ("request JSON parsing + input validation", "rest_framework/serializers.py", "is_valid"),
    ("idempotency: record + fingerprint", "orders/idempotency.py", "run_idempotent"),
    ("order_create_from_cart (service)", "orders/services/checkout.py", "order_create_from_cart"),
    ("  price_lines (pricing pipeline)", "orders/pricing.py", "price_lines"),
    ("  stock_reserve_many (batch locks, ledger)", "commerce/catalog/inventory.py", "stock_reserve_many"),
    ("order_pay (service)", "orders/services/payments.py", "order_pay"),
    ("  sandbox gateway charge", "orders/gateways.py", "charge"),
    ("  _settle (payment outcome)", "orders/services/payments.py", "_settle"),
    ("event writes: append_row (one event)", "commerce/audit/store.py", "append_row"),
    ("event writes: append_many (batched)", "commerce/audit/store.py", "append_many"),
    ("read model projection (OrderSummary)", "orders/read_model.py", "project"),
    ("journey event (complete_order)", "commerce/audit/journey.py", "journey_record"),
    ("order answer: order_detail_data (select + serialize)", "orders/api/common.py", "order_detail_data"),
    ("response JSON rendering", "rest_framework/renderers.py", "render"),
    ("OpenTelemetry spans (start_span)", "opentelemetry/sdk/trace/__init__.py", "start_span"),
    ("transaction commits", "django/db/backends/base/base.py", "commit"),
]


def _cost_centres(stats, runs: int) -> list[dict]:
    rows = []
    for label, suffix, name in COST_CENTRES:
        cumulative, calls = 0.0, 0
        for (filename, _line, function), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
            if function == name and filename.replace("\\", "/").endswith(suffix):
                cumulative += ct
                calls += nc
        if calls:
            rows.append({"label": label, "ms": round(cumulative * 1000 / runs, 2), "calls": round(calls / runs, 1)})
    return rows


def _self_time_by_layer(stats, runs: int) -> list[dict]:
    """cProfile self time (tottime) per layer of the stack: who burns the CPU, exclusive, sums to 100%."""
    site = f"{os.sep}site-packages{os.sep}"
    totals: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        path = filename.replace("\\", "/")
        if filename == "~":
            if "_mysql" in function or "Connection.query" in function or "MySQLdb" in function:
                layer = "MariaDB round trips (MySQLdb C calls, incl. waiting)"
            else:
                layer = "C builtins (json, str, dict, hashing, ...)"
        elif site in filename:
            package = path.split("/site-packages/", 1)[1].split("/", 1)[0]
            layer = {
                "django": "Django ORM (queries, models)" if "/django/db/" in path else "Django (request, signals, ...)",
                "rest_framework": "DRF (views, auth, throttles, serializers)",
                "opentelemetry": "OpenTelemetry spans",
                "MySQLdb": "MySQLdb (Python side)",
                "redis": "Redis client",
                "django_redis": "Redis client",
                "whitenoise": "Django (request, signals, ...)",
            }.get(package, f"other packages ({package})")
        elif path.startswith(str(ROOT)) and "/bench/" not in path:
            layer = "project code (commerce/, orders/)"
        else:
            layer = "Python stdlib (json, decimal, copy, uuid, ...)"
        totals[layer] = totals.get(layer, 0.0) + tt
    whole = sum(totals.values()) or 1.0
    return [{"layer": layer, "ms": round(seconds * 1000 / runs, 2), "share": round(100 * seconds / whole, 1)}
            for layer, seconds in sorted(totals.items(), key=lambda item: -item[1])]


def step_profile(options: dict) -> dict:
    """Profile checkout requests in process: SQL time per statement, cProfile cost centres, pyinstrument."""
    import cProfile
    import io
    import pstats

    from django.db import connection

    shopper = InProcessShopper(options["customer"])
    products, lines, runs = options["products"], options["lines"], options["runs"]
    rng = random.Random(7)
    sql = {"n": 0, "seconds": 0.0}

    def timed(execute, statement, params, many, context):
        began = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["n"] += 1
            sql["seconds"] += time.perf_counter() - began

    for _ in range(3):  # warm
        shopper.checkout(shopper.fill_cart(rng.sample(products, lines)))

    # 1. wall time and SQL round trips, no profiler attached
    walls, add_walls = [], []
    with connection.execute_wrapper(timed):
        for _ in range(runs):
            shopper.empty_cart()
            for product_id in rng.sample(products, lines):
                began = time.perf_counter()
                added = shopper.post("/api/v1/cart/items/", {"product_id": product_id, "quantity": 1})
                add_walls.append(time.perf_counter() - began)
            sql_before = dict(sql)
            began = time.perf_counter()
            response = shopper.checkout(added.json()["total"]["amount"])
            walls.append(time.perf_counter() - began)
            if response.status_code != 201:
                raise SystemExit(f"checkout answered {response.status_code}: {response.content[:300]!r}")
            sql.setdefault("checkout_n", 0)
            sql.setdefault("checkout_seconds", 0.0)
            sql["checkout_n"] += sql["n"] - sql_before["n"]
            sql["checkout_seconds"] += sql["seconds"] - sql_before["seconds"]
    add_sql_n = (sql["n"] - sql["checkout_n"]) / (runs * lines)
    add_sql_ms = (sql["seconds"] - sql["checkout_seconds"]) * 1000 / (runs * lines)

    # 1b. CPU time of this (server) process per request, both cart flows, no wrapper attached:
    # unlike wall time, barely moved by whatever else runs on the machine.
    cpu = {"add_item": [], "checkout": [], "put_lines": [], "checkout_after_put": []}
    for _ in range(runs):
        for bulk in (False, True):
            shopper.empty_cart()
            picked = rng.sample(products, lines)
            if bulk:
                began = time.process_time()
                added = shopper.put_lines(picked)
                cpu["put_lines"].append(time.process_time() - began)
            else:
                for product_id in picked:
                    began = time.process_time()
                    added = shopper.post("/api/v1/cart/items/", {"product_id": product_id, "quantity": 1})
                    cpu["add_item"].append(time.process_time() - began)
            began = time.process_time()
            response = shopper.checkout(added.json()["total"]["amount"])
            cpu["checkout_after_put" if bulk else "checkout"].append(time.process_time() - began)
            if response.status_code != 201:
                raise SystemExit(f"checkout answered {response.status_code}: {response.content[:300]!r}")
    cpu_ms = {kind: round(statistics.median(values) * 1000, 2) for kind, values in cpu.items()}
    cpu_ms["order_items_flow"] = round(lines * cpu_ms["add_item"] + cpu_ms["checkout"], 2)
    cpu_ms["order_bulk_flow"] = round(cpu_ms["put_lines"] + cpu_ms["checkout_after_put"], 2)

    # 2. cProfile over the checkout requests only
    profiler = cProfile.Profile()
    for _ in range(runs):
        total = shopper.fill_cart(rng.sample(products, lines))
        profiler.enable()
        shopper.checkout(total)
        profiler.disable()
    stats = pstats.Stats(profiler)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "checkout-cprofile.txt").write_text(text.getvalue())
    profile_seconds = sum(row[2] for row in stats.stats.values())  # tottime summed: profiled time

    # 3. pyinstrument (bench-only dependency), when installed: the call tree of the same requests
    tree_file = None
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    if Profiler is not None:
        tree = Profiler(interval=0.001)
        for _ in range(runs):
            total = shopper.fill_cart(rng.sample(products, lines))
            tree.start()
            shopper.checkout(total)
            tree.stop()
        tree_file = OUT_DIR / "checkout-pyinstrument.txt"
        tree_file.write_text(tree.output_text(unicode=True, color=False, show_all=False))
        (OUT_DIR / "checkout-pyinstrument.html").write_text(tree.output_html())

    return {
        "runs": runs,
        "lines": lines,
        "checkout_wall_ms": round(statistics.median(walls) * 1000, 2),
        "checkout_sql_per_request": round(sql["checkout_n"] / runs, 1),
        "checkout_sql_ms": round(sql["checkout_seconds"] * 1000 / runs, 2),
        "add_item_wall_ms": round(statistics.median(add_walls) * 1000, 2),
        "add_item_sql_per_request": round(add_sql_n, 1),
        "add_item_sql_ms": round(add_sql_ms, 2),
        "cpu_ms": cpu_ms,
        "cprofile_ms_per_checkout": round(profile_seconds * 1000 / runs, 2),
        "centres": _cost_centres(stats, runs),
        "layers": _self_time_by_layer(stats, runs),
        "cprofile_file": str(OUT_DIR / "checkout-cprofile.txt"),
        "pyinstrument_file": str(tree_file) if tree_file else None,
    }


STEPS = {"setup": step_setup, "queries": step_queries, "profile": step_profile}


def django_main(step: str, options_file: str) -> None:
    _django()
    options = json.loads(Path(options_file).read_text())
    result = STEPS[step](options)
    print("BENCH-RESULT " + json.dumps(result))


# === the driver: this process =====================================================================
def run_django_step(env: dict, step: str, options: dict) -> dict:
    log(f"in-process step: {step}")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(options, handle)
    try:
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "_django", step, handle.name],
                              cwd=ROOT, env=env, capture_output=True, text=True)
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        raise SystemExit(f"step {step} failed (exit {done.returncode})")
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("BENCH-RESULT "))
    return json.loads(line.removeprefix("BENCH-RESULT "))


class ApiConnection:
    """One client connection (kept alive by gthread workers; sync workers close it after each answer,
    and http.client opens a new one for the next request)."""

    def __init__(self, port: int, token: str | None = None):
        self.port = port
        self.headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """(status, parsed body or None, milliseconds); (None, error, ms) when the connection failed."""
        began = time.perf_counter()
        try:
            payload = json.dumps(body).encode() if body is not None else None
            self.conn.request(method, path, body=payload, headers={**self.headers, **(headers or {})})
            response = self.conn.getresponse()
            raw = response.read()
        except (http.client.HTTPException, OSError) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            return None, repr(exc), (time.perf_counter() - began) * 1000
        elapsed = (time.perf_counter() - began) * 1000
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        return response.status, data, elapsed

    def close(self) -> None:
        self.conn.close()


@dataclass
class LevelResult:
    server: str
    concurrency: int
    lines: int
    flow: str = "items"  # "items": one add-item request per line; "bulk": one PUT /cart/lines/ (FLOWS)
    orders: int = 0
    failures: int = 0
    failure_codes: dict = field(default_factory=dict)
    add_ms: list = field(default_factory=list)  # the cart requests: add-item, or the PUT of the whole cart
    checkout_ms: list = field(default_factory=list)
    flow_ms: list = field(default_factory=list)
    seconds: float = 0.0
    load_before: str = ""
    load_after: str = ""
    cpu: dict = field(default_factory=dict)

    @property
    def orders_per_minute(self) -> float:
        return self.orders * 60 / self.seconds if self.seconds else 0.0

    @property
    def requests_per_second(self) -> float:
        return (len(self.add_ms) + len(self.checkout_ms)) / self.seconds if self.seconds else 0.0


def run_level(port: int, server: str, customers: list[dict], products: list[int], *, concurrency: int, lines: int,
              max_quantity: int, max_orders: int, duration: float, seed: int, gunicorn_pgid: int | None = None,
              flow: str = "items") -> LevelResult:
    """``concurrency`` shoppers (one customer each), each flow = ``lines`` add-item requests + checkout, or with
    ``flow="bulk"`` one ``PUT /cart/lines/`` of ``lines`` lines + checkout."""
    result = LevelResult(server=server, concurrency=concurrency, lines=lines, flow=flow, load_before=loadavg())
    lock = threading.Lock()
    tickets = Tickets(limit=max_orders, threads=concurrency)

    def failed(codes: dict, why: str) -> None:
        codes[why] = codes.get(why, 0) + 1

    def shopper(customer: dict, rng: random.Random) -> None:
        api = ApiConnection(port, customer["token"])
        add_ms, checkout_ms, flow_ms, codes = [], [], [], {}
        orders = 0
        tickets.gate.wait()
        while tickets.take():
            began = time.perf_counter()
            total, ok = None, True
            if flow == "bulk":
                cart = [{"product_id": product_id, "quantity": rng.randint(1, max_quantity)}
                        for product_id in rng.sample(products, lines)]
                status, data, ms = api.call("PUT", CART_LINES, {"lines": cart})
                add_ms.append(ms)
                if status != 200:
                    failed(codes, f"put {status} {(data or {}).get('code', '') if isinstance(data, dict) else data}")
                    ok = False
                else:
                    total = data["total"]["amount"]
            for product_id in rng.sample(products, lines) if flow == "items" else ():
                status, data, ms = api.call("POST", "/api/v1/cart/items/",
                                            {"product_id": product_id, "quantity": rng.randint(1, max_quantity)})
                add_ms.append(ms)
                if status != 200:
                    failed(codes, f"add {status} {(data or {}).get('code', '') if isinstance(data, dict) else data}")
                    ok = False
                    break
                total = data["total"]["amount"]
            if ok:
                body = {"address_id": customer["address_id"], "payment_method": "card", "card": CARD, "expected_total": total}
                status, data, ms = api.call("POST", "/api/v1/checkout/", body, {"Idempotency-Key": uuid.uuid4().hex})
                checkout_ms.append(ms)
                if status == 201:
                    orders += 1
                    flow_ms.append((time.perf_counter() - began) * 1000)
                else:
                    failed(codes, f"checkout {status} {(data or {}).get('code', '') if isinstance(data, dict) else data}")
                    ok = False
            if not ok:
                api.call("DELETE", "/api/v1/cart/")  # start the next flow from an empty cart
        api.close()
        with lock:
            result.orders += orders
            result.failures += sum(codes.values())
            for code, n in codes.items():
                result.failure_codes[code] = result.failure_codes.get(code, 0) + n
            result.add_ms.extend(add_ms)
            result.checkout_ms.extend(checkout_ms)
            result.flow_ms.extend(flow_ms)

    threads = [
        threading.Thread(target=shopper, args=(customers[i], random.Random(seed * 1000 + i)), daemon=True)
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    meter = CpuMeter(gunicorn_pgid)
    meter.start()
    began = tickets.start(duration)
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    result.cpu = meter.stop()
    result.load_after = loadavg()
    for values in (result.add_ms, result.checkout_ms, result.flow_ms):
        values.sort()
    return result


def log_in_once(port: int, username: str, password: str) -> float:
    """POST /api/v1/auth/token/ for one bench customer: checks the auth endpoint (password hashing)."""
    api = ApiConnection(port)
    status, data, ms = api.call("POST", "/api/v1/auth/token/", {"username": username, "password": password})
    api.close()
    if status != 200 or not isinstance(data, dict) or not data.get("token"):
        raise SystemExit(f"POST /api/v1/auth/token/ answered {status}: {data}")
    return ms


def warm_up(port: int, customers: list[dict], products: list[int], lines: int, flows: list[str]) -> None:
    """A few flows per worker before measuring (imports, connections, first-request caches)."""
    for flow in flows:
        result = run_level(port, "warm-up", customers, products, concurrency=min(4, len(customers)), lines=lines,
                           max_quantity=1, max_orders=24, duration=30, seed=0, flow=flow)
        if result.failures:
            raise SystemExit(f"warm-up checkouts ({flow}) failed: {result.failure_codes}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_CHECKOUT_DATABASE_URL", "mysql://root@127.0.0.1:3306/commerce_bench_checkout"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_CHECKOUT_REDIS_URL", "redis://127.0.0.1:6379/2"))
    parser.add_argument("--servers", default="sync:2",
                        help="gunicorn configurations to compare, comma-separated: sync:N or gthread:NxT (default sync:2: "
                             "on 2 CPUs, sync:2-4 and gthread:2x2 all saturate the CPUs within a few %% of each other)")
    parser.add_argument("--concurrency", default="1,2,3,4,6", help="comma-separated shopper counts (one customer each)")
    parser.add_argument("--lines", type=int, default=3, help="cart lines per checkout under load (distinct products)")
    parser.add_argument("--bulk-cart", action="store_true",
                        help="also run each level with the whole cart sent in one PUT /api/v1/cart/lines/ (rows marked 'bulk'); "
                             "the one-add-item-request-per-line flow stays the default figure")
    parser.add_argument("--max-quantity", type=int, default=3, help="units per line: random 1..N")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per level at most")
    parser.add_argument("--max-orders", type=int, default=3000, help="orders per level at most")
    parser.add_argument("--customers", type=int, default=32, help="bench customers (at least the largest concurrency)")
    parser.add_argument("--products", type=int, default=200, help="bench products (at least 50, the largest counted cart)")
    parser.add_argument("--query-sizes", default="1,10,50", help="cart sizes whose checkout SQL queries are counted")
    parser.add_argument("--profile-runs", type=int, default=30, help="checkouts profiled in process (0: no profile)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--skip-setup", action="store_true", help="don't migrate (the database is ready); stock is still checked")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    args.server_specs = [ServerSpec.parse(x) for x in args.servers.split(",") if x.strip()]
    args.levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    args.sizes = [int(x) for x in args.query_sizes.split(",") if x.strip()]
    args.flows = ["items", "bulk"] if args.bulk_cart else ["items"]
    if max(args.levels) > args.customers:
        parser.error("--customers must be at least the largest --concurrency (one cart per shopper)")
    if max(args.sizes + [args.lines]) > args.products:
        parser.error("--products must be at least the largest cart")
    return args


def print_report(args, setup: dict, queries: dict, login_ms: float | None, results: list[LevelResult],
                 profile: dict | None) -> dict:
    db_name = urlparse(args.database_url).path.lstrip("/")
    print()
    print(f"checkout API: gunicorn on {HOST}, DB {db_name} (MariaDB), cache Redis {args.redis_url}, DEBUG off; "
          f"{os.cpu_count()} CPUs shared with the load generator and MariaDB")
    print(f"setup: {len(setup['products'])} products, {len(setup['customers'])} customers with tokens, "
          f"{setup['stock_batches_received']} stock batches received this run")

    print()
    print("SQL queries of one checkout request (POST /api/v1/checkout/, in process, CaptureQueriesContext)")
    header = f"{'lines':>5} {'status':>6} {'queries':>7} {'add-item':>8} {'PUT lines':>9}  statements"
    print(header)
    print("-" * 100)
    for size, info in queries.items():
        kinds = ", ".join(f"{k} {n}" for k, n in info["kinds"].items())
        print(f"{size:>5} {info['status']:>6} {info['queries']:>7} {info['add_item_queries']:>8} "
              f"{info.get('put_lines_queries', '-'):>9}  {kinds}")
    print("(add-item: the cart's last POST /cart/items/, the one that creates the cart for 1 line; PUT lines: "
          "PUT /cart/lines/ of the whole cart into a new one; BEGIN/COMMIT/SAVEPOINT count as statements)")
    counts = {info["queries"] for info in queries.values()}
    print("query count " + ("is the same for every cart size" if len(counts) == 1 else f"GROWS with the cart: {sorted(counts)}"))

    if login_ms is not None:
        print(f"\nlog-in POST /api/v1/auth/token/ (password hash check): {login_ms:.0f} ms")

    rows = []
    if results:
        print()
        print(f"load: each order = {args.lines} add-item requests + 1 checkout (card 4242...), one customer per shopper"
              + (f"; flow 'bulk': 1 PUT /cart/lines/ of {args.lines} lines + 1 checkout" if "bulk" in args.flows else ""))
        header = (f"{'server':<12} {'flow':<5} {'conc':>4} {'orders':>6} {'fail':>4} {'orders/min':>10} {'req/s':>6} "
                  f"{'checkout p50':>12} {'p95':>6} {'p99':>6} {'flow p50':>8} {'p95':>6} {'p99':>6} {'cart p95':>8}  load avg")
        print(header)
        print("-" * len(header))
        for r in results:
            row = {
                "server": r.server, "flow": r.flow, "concurrency": r.concurrency, "lines": r.lines, "orders": r.orders,
                "failures": r.failures,
                "failure_codes": r.failure_codes, "seconds": round(r.seconds, 2),
                "orders_per_minute": round(r.orders_per_minute, 1), "requests_per_second": round(r.requests_per_second, 1),
                "checkout_p50_ms": round(percentile(r.checkout_ms, 50), 1),
                "checkout_p95_ms": round(percentile(r.checkout_ms, 95), 1),
                "checkout_p99_ms": round(percentile(r.checkout_ms, 99), 1),
                "flow_p50_ms": round(percentile(r.flow_ms, 50), 1),
                "flow_p95_ms": round(percentile(r.flow_ms, 95), 1),
                "flow_p99_ms": round(percentile(r.flow_ms, 99), 1),
                "add_item_p95_ms": round(percentile(r.add_ms, 95), 1) if r.flow == "items" else None,
                "cart_request_p95_ms": round(percentile(r.add_ms, 95), 1),
                "load_before": r.load_before, "load_after": r.load_after, "cpu_cores": r.cpu,
                "disturbed": r.cpu.get("other", 0.0) > DISTURBED_CORES,
            }
            rows.append(row)
            label = row["server"] + ("*" if row["disturbed"] else "")
            print(f"{label:<12} {row['flow']:<5} {row['concurrency']:>4} {row['orders']:>6} {row['failures']:>4} "
                  f"{row['orders_per_minute']:>10.0f} {row['requests_per_second']:>6.1f} "
                  f"{row['checkout_p50_ms']:>12.1f} {row['checkout_p95_ms']:>6.1f} {row['checkout_p99_ms']:>6.1f} "
                  f"{row['flow_p50_ms']:>8.1f} {row['flow_p95_ms']:>6.1f} {row['flow_p99_ms']:>6.1f} "
                  f"{row['cart_request_p95_ms']:>8.1f}  {row['load_before']} -> {row['load_after']}")
        print(f"\nCPU used during each level, in cores ({os.cpu_count()} in all; 'other' is anything else on the machine)")
        names = ["gunicorn", "mariadb", "bench client", "other", "idle"]
        print(f"{'server':<12} {'flow':<5} {'conc':>4} " + " ".join(f"{name:>12}" for name in names))
        for r in rows:
            print(f"{r['server']:<12} {r['flow']:<5} {r['concurrency']:>4} "
                  + " ".join(f"{r['cpu_cores'].get(n, 0):>12.2f}" for n in names))
        failed = [r for r in rows if r["failures"]]
        for r in failed:
            print(f"  failures at {r['server']} {r['flow']} c={r['concurrency']}: {r['failure_codes']}")
        if any(r["disturbed"] for r in rows):
            print(f"* disturbed: other processes used more than {DISTURBED_CORES} of a core during the level "
                  "(see 'other' below); its figures understate the shop")
        for flow in args.flows:
            flow_rows = [r for r in rows if r["flow"] == flow]
            quiet = [r for r in flow_rows if not r["disturbed"]] or flow_rows
            best = max(quiet, key=lambda r: r["orders_per_minute"])
            scope = " (undisturbed levels)" if len(quiet) < len(flow_rows) else ""
            print(f"\n[{flow}: {FLOWS[flow]}] most orders per minute{scope}: {best['orders_per_minute']:.0f} at "
                  f"{best['server']} with {best['concurrency']} shoppers; checkout p95 there {best['checkout_p95_ms']:.1f} ms "
                  f"(flow p95 {best['flow_p95_ms']:.1f} ms). "
                  f"Targets: >= 1000 orders/min {'met' if best['orders_per_minute'] >= 1000 else 'NOT met'}, "
                  f"checkout p95 < 200 ms {'met' if best['checkout_p95_ms'] < 200 else 'NOT met'}.")
            fast = [r for r in quiet if r["checkout_p95_ms"] < 200]
            if fast:
                top = max(fast, key=lambda r: r["orders_per_minute"])
                print(f"[{flow}] most orders per minute with checkout p95 < 200 ms: {top['orders_per_minute']:.0f} at "
                      f"{top['server']} with {top['concurrency']} shoppers (checkout p95 {top['checkout_p95_ms']:.1f} ms, "
                      f"flow p95 {top['flow_p95_ms']:.1f} ms).")

    if profile:
        print()
        print(f"profile: {profile['runs']} checkouts of {profile['lines']} lines in process (django.test.Client, "
              f"production settings, same MariaDB + Redis, no load)")
        print(f"  checkout request: {profile['checkout_wall_ms']} ms median wall, {profile['checkout_sql_per_request']} "
              f"SQL round trips taking {profile['checkout_sql_ms']} ms "
              f"({100 * profile['checkout_sql_ms'] / profile['checkout_wall_ms']:.0f}% of the request)")
        print(f"  add-item request: {profile['add_item_wall_ms']} ms median wall, {profile['add_item_sql_per_request']} "
              f"SQL round trips taking {profile['add_item_sql_ms']} ms")
        cpu = profile["cpu_ms"]
        print(f"  CPU time of the server process per request (median, time.process_time): add-item {cpu['add_item']} ms, "
              f"PUT /cart/lines/ of {profile['lines']} lines {cpu['put_lines']} ms, checkout {cpu['checkout']} ms; "
              f"per order: {cpu['order_items_flow']} ms one line per request, {cpu['order_bulk_flow']} ms whole cart at once")
        print(f"  cost centres per checkout under cProfile ({profile['cprofile_ms_per_checkout']} ms profiled; "
              "inclusive, indented rows are part of the row above; cProfile inflates Python-heavy parts):")
        for centre in profile["centres"]:
            print(f"    {centre['label']:<58} {centre['ms']:>8.2f} ms  x{centre['calls']:g}")
        print("  self time per layer under cProfile (exclusive; where the CPU goes):")
        for layer in profile["layers"]:
            print(f"    {layer['layer']:<58} {layer['ms']:>8.2f} ms  {layer['share']:>5.1f}%")
        print(f"  full listings: {profile['cprofile_file']}" + (f", {profile['pyinstrument_file']} (+ .html)"
                                                                 if profile["pyinstrument_file"] else ""))

    report = {"setup": {k: v for k, v in setup.items() if k != "customers" and k != "password"},
              "queries": queries, "login_ms": login_ms, "rows": rows, "profile": profile}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return report


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_django":
        django_main(argv[1], argv[2])
        return 0
    args = parse_args(argv)

    def stop_on_signal(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")  # unwinds through the finally that stops gunicorn

    # SIGINT too: a shell starts background jobs with SIGINT ignored, and Python keeps it so.
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    env = server_env(args, cache_key_prefix="commerce-bench-checkout", throttles=("ANON", "USER", "AUTH", "CHECKOUT"))
    log(f"load average at start: {loadavg()}")

    ensure_database(args.database_url, fresh=args.fresh, required_prefix="commerce_bench")
    if not args.skip_setup:
        manage(env, "migrate", "--no-input")
    # Stock for every order the run may place, three times over (units reserved are never freed here).
    per_level = args.max_orders * args.lines * args.max_quantity
    needed = per_level * len(args.levels) * len(args.flows) * len(args.server_specs) // args.products + 500
    setup = run_django_step(env, "setup", {"products": args.products, "customers": args.customers,
                                           "min_stock": 3 * needed})
    customers, products = setup["customers"], setup["products"]
    queries = run_django_step(env, "queries", {"customer": customers[-1], "products": products, "sizes": args.sizes})
    for size, info in queries.items():
        if info["status"] != 201 or info["lines"] != int(size):
            raise SystemExit(f"checkout of {size} lines answered {info['status']} ({info['code']}); the bench needs 201")

    results: list[LevelResult] = []
    login_ms = None
    for spec_index, spec in enumerate(args.server_specs):
        port = free_port()
        server = start_gunicorn(env, port, spec, timeout=60)
        try:
            wait_until_up(port, server)
            if login_ms is None:
                login_ms = log_in_once(port, customers[-1]["username"], setup["password"])
            warm_up(port, customers, products, args.lines, args.flows)
            for level_index, concurrency in enumerate(args.levels):
                for flow in args.flows:
                    result = run_level(port, str(spec), customers, products, concurrency=concurrency, lines=args.lines,
                                       max_quantity=args.max_quantity, max_orders=args.max_orders, duration=args.duration,
                                       seed=1 + spec_index * 100 + level_index, gunicorn_pgid=server.pid, flow=flow)
                    results.append(result)
                    log(f"{spec} c={concurrency} {flow}: {result.orders} orders, {result.failures} failed, "
                        f"{result.seconds:.1f}s, {result.orders_per_minute:.0f}/min, "
                        f"checkout p95 {percentile(result.checkout_ms, 95):.0f} ms")
        finally:
            stop(server)

    profile = None
    if args.profile_runs:
        profile = run_django_step(env, "profile", {"customer": customers[-1], "products": products, "lines": args.lines,
                                                   "runs": args.profile_runs})
    log(f"load average at end: {loadavg()}")
    report = print_report(args, setup, queries, login_ms, results, profile)
    return 1 if any(row["failures"] for row in report["rows"]) else 0


if __name__ == "__main__":
    sys.exit(main())
