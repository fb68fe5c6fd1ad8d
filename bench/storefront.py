"""Benchmark: the shop's pages as shoppers load them, served by gunicorn on MariaDB + Redis, under load.

What it does (see bench/README.md):
1. creates the bench database if needed, migrates it and loads the demo shop (``manage.py seed_demo``);
2. in a Django process, sets the stage once per run: a demo customer logged in (their session cookie),
   an order of theirs and a cart of three products; a guest session with the same cart and an order
   placed as a guest (its link's token); then, for every page, counts the SQL statements of one warm
   request (``CaptureQueriesContext``, the steady state) and checks it answers 200;
3. starts gunicorn (production settings, DEBUG off) on a free 127.0.0.1 port;
4. from this process, loads each page with threads, each holding one keep-alive ``http.client``
   connection and the page's cookie, at a few concurrency levels, bounded by request count and by
   time; prints pages per second, p50/p95 latency and SQL statements per page;
5. stops gunicorn, whatever happened.

Pages: home, a category, a product, a search, the cart, checkout and an order, anonymously (a guest
with a cart; the guest's order page by its link) and logged in. Traffic goes to 127.0.0.1 only.

    .venv/bin/python bench/storefront.py
    .venv/bin/python bench/storefront.py --concurrency 1,8 --duration 5 --pages home,product
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from _common import (
    HOST,
    ROOT,
    ServerSpec,
    Tickets,
    ensure_database,
    free_port,
    loadavg,
    log,
    manage,
    percentile,
    server_env,
    start_gunicorn,
    stop,
    wait_until_up,
)

STAGE = r'''
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

sys.path.insert(0, "bench")
from _common import sql_statements
from commerce.accounts.models import Address
from commerce.catalog import selectors
from commerce.catalog.models import Category
from orders.guests import Guest, order_link_token
from orders.services import cart as cart_services
from orders.services.checkout import order_create_from_cart

products = list(selectors.product_queryset().filter(available__gt=20).order_by("id")[:3])
assert len(products) == 3, "the bench needs three products in stock (seed_demo)"
category = Category.objects.filter(depth=1).order_by("path").first()
address = Address.objects.select_related("customer").filter(customer__is_staff=False).order_by("id").first()
customer = address.customer


def fill(cart):
    for product in products:
        if not cart.lines.filter(product=product).exists():
            cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=1)
    return cart


logged_in, guest = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
logged_in.force_login(customer)
order = order_create_from_cart(customer=customer, cart=fill(cart_services.cart_get_or_create(customer=customer)),
                               address_id=address.pk, payment_method="cod")
fill(cart_services.cart_get_or_create(customer=customer))  # the next cart, for the cart and checkout pages
guest_order = order_create_from_cart(
    guest=Guest(email="bench-guest@example.com", token="bench-guest-order"),
    cart=fill(cart_services.cart_get_or_create(session_key="bench-guest-order")),
    guest_address={"recipient": "Bench Guest", "street": "1 Rue de la Paix", "zip_code": "69001", "city": "Lyon",
                   "country": "FR"}, payment_method="cod")
for product in products:  # the guest's cart, as the page fills it (its token kept in their session)
    assert guest.post("/cart/add/", {"product_id": product.pk, "quantity": 1}).status_code == 302
guest_link = order_link_token(number=guest_order.number, email="bench-guest@example.com")

paths = {
    "home": "/",
    "category": category.get_absolute_url() if hasattr(category, "get_absolute_url") else f"/c/{category.slug}/",
    "product": products[0].get_absolute_url(),
    "search": "/?q=" + products[0].name.split()[0].lower(),
    "cart": "/cart/",
    "checkout": "/checkout/",
}
cases = []
for who, client in (("anonymous", guest), ("logged in", logged_in)):
    for page, path in paths.items():
        cases.append((page, who, path, client))
    cases.append(("order", who, f"/orders/{order.number}/" if who == "logged in" else f"/orders/guest/{guest_link}/", client))
out = []
for page, who, path, client in cases:
    for _ in range(3):
        first = client.get(path)
    with sql_statements() as statements:
        response = client.get(path)
    out.append({"page": page, "who": who, "path": path, "status": response.status_code, "queries": len(statements),
                "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"})
print(json.dumps({"cases": out, "products": selectors.product_queryset().count()}))
'''


@dataclass
class LevelResult:
    page: str
    who: str
    concurrency: int
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    latencies_ms: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def set_stage(env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", STAGE], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        raise SystemExit("setting the stage failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_level(port: int, case: dict, concurrency: int, *, max_requests: int, duration: float) -> LevelResult:
    """``concurrency`` threads, one keep-alive connection each with the case's cookie, until either bound is reached."""
    result = LevelResult(page=case["page"], who=case["who"], concurrency=concurrency)
    lock = threading.Lock()
    tickets = Tickets(limit=max_requests, threads=concurrency)
    headers = {"Accept": "text/html", "Cookie": case["cookie"]}

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies, statuses, errors = [], {}, 0
        tickets.gate.wait()
        while tickets.take():
            for attempt in (1, 2):  # the server may close an idle keep-alive connection: reconnect once
                began = time.perf_counter()
                try:
                    conn.request("GET", case["path"], headers=headers)
                    response = conn.getresponse()
                    response.read()
                    latencies.append((time.perf_counter() - began) * 1000)
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
                    if attempt == 2:
                        errors += 1
        conn.close()
        with lock:
            result.latencies_ms.extend(latencies)
            result.errors += errors
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = tickets.start(duration)
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    result.requests = len(result.latencies_ms)
    result.latencies_ms.sort()
    return result


def warm_up(port: int, cases: list[dict], rounds: int = 5) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    for _ in range(rounds):
        for case in cases:
            conn.request("GET", case["path"], headers={"Cookie": case["cookie"]})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"GET {case['path']} ({case['who']}) answered {response.status}; the bench needs 200")
    conn.close()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_STOREFRONT_DATABASE_URL",
                                                                 "mysql://root@127.0.0.1:3306/commerce_bench_storefront"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--pages", default="home,category,product,search,cart,checkout,order",
                        help="comma-separated pages to load")
    parser.add_argument("--who", default="anonymous,logged in", help="comma-separated: anonymous, logged in")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated client thread counts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level at most")
    parser.add_argument("--max-requests", type=int, default=1000, help="requests per level at most")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (2-4 makes sense on 2 cores)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--skip-seed", action="store_true", help="don't migrate and seed (the database is ready)")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",")]
    pages, people = set(args.pages.split(",")), {w.strip() for w in args.who.split(",")}
    env = server_env(args, cache_key_prefix="commerce-bench-storefront")
    # DEBUG off as served, but development settings: the pages' static files need no collectstatic manifest,
    # and the session cookie is not Secure (plain HTTP on loopback).
    env.update({"DJANGO_ENV": "development", "DJANGO_DEBUG": "false"})

    if not args.skip_seed:
        ensure_database(args.database_url, required_prefix="commerce_bench")
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo")
    stage = set_stage(env)
    cases = [c for c in stage["cases"] if c["page"] in pages and c["who"] in people]
    for case in cases:
        if case["status"] != 200:
            raise SystemExit(f"GET {case['path']} ({case['who']}) answered {case['status']} in process; the bench needs 200")

    port = free_port()
    server = start_gunicorn(env, port, ServerSpec("gthread", args.workers, args.threads),
                            label=f"{args.workers} workers x {args.threads} threads")
    results: list[tuple[dict, LevelResult]] = []
    load = [loadavg()]
    try:
        wait_until_up(port, server)
        warm_up(port, cases)
        for case in cases:
            for concurrency in levels:
                result = run_level(port, case, concurrency, max_requests=args.max_requests, duration=args.duration)
                results.append((case, result))
                log(f"{case['page']} ({case['who']}) c={concurrency}: {result.requests} requests in {result.seconds:.1f}s")
        load.append(loadavg())
    finally:
        stop(server)

    print()
    print(f"storefront pages: gunicorn gthread {args.workers}x{args.threads} on {HOST}, {stage['products']} products, "
          f"DB {urlparse(args.database_url).path.lstrip('/')} (MariaDB), cache Redis, DEBUG off; "
          f"{os.cpu_count()} CPUs shared with the load generator; load average {load[0]} before, {load[-1]} after")
    header = f"{'page':<10} {'who':<10} {'conc':>4} {'requests':>8} {'pages/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>4} {'non-200':>7}"
    print(header)
    print("-" * len(header))
    rows = []
    for case, result in results:
        non_ok = result.errors + sum(n for status, n in result.statuses.items() if status != 200)
        row = {
            "page": case["page"], "who": case["who"], "path": case["path"].split("/orders/guest/")[0], "concurrency": result.concurrency,
            "requests": result.requests, "rps": round(result.rps, 1), "p50_ms": round(percentile(result.latencies_ms, 50), 1),
            "p95_ms": round(percentile(result.latencies_ms, 95), 1), "queries": case["queries"], "non_200": non_ok,
        }
        rows.append(row)
        print(f"{row['page']:<10} {row['who']:<10} {row['concurrency']:>4} {row['requests']:>8} {row['rps']:>8.1f} "
              f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['queries']:>4} {row['non_200']:>7}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "products": stage["products"], "load": load}, indent=2))
    return 1 if any(r["non_200"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
