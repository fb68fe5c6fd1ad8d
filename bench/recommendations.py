"""Recommendations bench: ``--parts training,serving``.

Training: for each size in ``--sizes`` (interactions; default 100k, 1M, 5M) a synthetic shop
(``--users`` scaled with the size, items with a long-tailed popularity, seed 7) is built as an
``InteractionMatrix`` and ALS is trained on it with the settings' parameters, each size in a fresh
child process so its peak resident memory (``ru_maxrss``) is its own. Printed per size: non-zeros,
customers x products (what memory must NOT grow with), matrix build and fit seconds, peak RSS, and
the MB per million non-zeros. Pure engine: no database.

    nice .venv/bin/python bench/recommendations.py --parts training --sizes 100000,1000000

Serving (on MariaDB + Redis: ``--database-url``, default ``commerce_bench_recommendations``): a shop of
``--products`` products in stock and ``--customers`` customers who viewed products of two categories
each (bulk inserts, first run only), and a "for you" model trained on it (``train_now``). Then,
through Django's test client (the whole Django stack, DEBUG off, no HTTP server), the personalised
list ``GET /api/v1/recommendations/for-you/``: warm (the same customer again: both cache levels
hold the list) and cold (a customer whose list is in neither level: versions, exclusions, the
customer's interactions, the model's recalculated factors), p50/p95 and SQL per request; then the
real time: a customer adds a product of their list to the cart (``POST /api/v1/cart/items/``) and
the list is asked again every 20 ms until the product has left it, the seconds from the add to cart
printed; the SQL of a warm and a cold request, statement by statement; then a retrain as the task does
it (the interactions read from the database, ALS fitted, the file and version written), by phase.

    nice .venv/bin/python bench/recommendations.py --parts serving --requests 300
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("training", "serving")

SERVING_WORKER = r'''
import datetime, json, random, sys, time
import django
django.setup()
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

sys.path.insert(0, "bench")
import re
import resource
from _common import percentile, sql_statements, statement_kind
from commerce.audit.models import JourneyStep
from commerce.catalog.models import Category, Manufacturer, Product, StockBatch
from recommendations.selectors.engine import active_version
from recommendations.services.training import train_now

products_n, customers_n, requests = (int(x) for x in sys.argv[1:4])


def described(statements):
    """Each statement as its kind and first table: what a request's SQL is spent on."""
    out = []
    for sql in statements:
        tables = dict.fromkeys(re.findall(r"(?:FROM|JOIN|INTO|UPDATE)\s+`(\w+)`", sql, re.I))
        out.append(f"{statement_kind(sql)} {'+'.join(tables) or '?'}")
    return out
User = get_user_model()
rng = random.Random(7)
URL = "/api/v1/recommendations/for-you/"

if not Product.objects.filter(code__startswith="BENCH-REC-").exists():
    print(f"loading {products_n} products, {customers_n} customers and their views", file=sys.stderr, flush=True)
    maker, _ = Manufacturer.objects.get_or_create(slug="bench-rec-maker", defaults={"name": "Bench rec maker"})
    root = Category.add_root(name="Bench recommendations", slug="bench-rec")
    categories = [root.add_child(name=f"Bench rec {i:02d}", slug=f"bench-rec-{i:02d}") for i in range(20)]
    Product.objects.bulk_create([
        Product(code=f"BENCH-REC-{i:05d}", name=f"Bench item {i}", slug=f"bench-rec-{i:05d}", category=categories[i % 20],
                manufacturer=maker, price_amount=Decimal("9.99"))
        for i in range(products_n)], batch_size=1000)
    ids = list(Product.objects.filter(code__startswith="BENCH-REC-").order_by("pk").values_list("pk", "category_id"))
    StockBatch.objects.bulk_create([
        StockBatch(product_id=pk, batch_number=f"BENCH-REC-LOT-{pk}", quantity_received=10**6, quantity_on_hand=10**6,
                   received_at=datetime.date.today()) for pk, _c in ids], batch_size=1000)
    shoppers = Group.objects.get(name="Customers")
    User.objects.bulk_create([User(username=f"bench-rec-{i:06d}", email=f"r{i}@bench.example") for i in range(customers_n)],
                             batch_size=1000)
    users = list(User.objects.filter(username__startswith="bench-rec-").values_list("pk", flat=True))
    shoppers.user_set.add(*users)
    by_category = {}
    for pk, category_id in ids:
        by_category.setdefault(category_id, []).append(pk)
    now = timezone.now()
    steps = []
    for user_id in users:
        pool = [pk for c in rng.sample(sorted(by_category), 2) for pk in by_category[c]]
        for _ in range(rng.randint(5, 25)):
            steps.append(JourneyStep(action="product_view", customer_id=user_id, session_id="bench", channel="web",
                                     product_id=rng.choice(pool), occurred_at=now - datetime.timedelta(hours=rng.randint(1, 2000))))
        if len(steps) > 20000:
            JourneyStep.objects.bulk_create(steps)
            steps = []
    JourneyStep.objects.bulk_create(steps)
if active_version(purpose="for_you") is None:
    print("training the for-you model", file=sys.stderr, flush=True)
    run = train_now(purpose="for_you", algorithm="als", trigger="bench")
    assert run.status == run.Status.DONE, run.error
version = active_version(purpose="for_you")

users = list(User.objects.filter(username__startswith="bench-rec-").order_by("pk"))
clients = {}


def client_of(user):
    if user.pk not in clients:
        c = APIClient(HTTP_HOST="127.0.0.1")
        c.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.get_or_create(user=user)[0].key)
        clients[user.pk] = c
    return clients[user.pk]


cpu = []


def timed(c):
    began, began_cpu = time.perf_counter(), time.process_time()
    response = c.get(URL)
    elapsed = (time.perf_counter() - began) * 1000
    cpu.append((time.process_time() - began_cpu) * 1000)
    assert response.status_code == 200, response.content
    return elapsed, response.json()


# nothing cached from an earlier run (the bench's own key prefix): cold is cold
caches["default"].delete_pattern("*")
caches["local"].clear()
rows = []
# warm: one customer, asked again and again
warm_user = users[0]
for _ in range(3):
    timed(client_of(warm_user))
with sql_statements() as warm_sql:
    timed(client_of(warm_user))
cpu.clear()
warm = [timed(client_of(warm_user))[0] for _ in range(requests)]
rows.append({"case": "for you, warm (local level)", "p50_ms": round(percentile(warm, 50), 1),
             "p95_ms": round(percentile(warm, 95), 1), "sql": len(warm_sql), "cpu_ms": round(percentile(cpu, 50), 1),
             "statements": described(warm_sql)})
# warm from Redis: the local level emptied before each request (another process's first request)
shared = []
cpu.clear()
for _ in range(requests):
    caches["local"].clear()
    shared.append(timed(client_of(warm_user))[0])
rows.append({"case": "for you, warm (Redis level)", "p50_ms": round(percentile(shared, 50), 1),
             "p95_ms": round(percentile(shared, 95), 1), "sql": len(warm_sql), "cpu_ms": round(percentile(cpu, 50), 1)})
# cold: customers whose lists are in neither level
cold_users = users[1:1 + requests]
for user in cold_users[:3]:
    client_of(user)
with sql_statements() as cold_sql:
    timed(client_of(cold_users[0]))
cpu.clear()
cold = [timed(client_of(user))[0] for user in cold_users[1:]]
rows.append({"case": "for you, cold (computed)", "p50_ms": round(percentile(cold, 50), 1),
             "p95_ms": round(percentile(cold, 95), 1), "sql": len(cold_sql), "cpu_ms": round(percentile(cpu, 50), 1),
             "statements": described(cold_sql)})
# real time: a product of the list into the cart; how long until the list no longer shows it
delays, add_ms = [], []
for user in users[-5:]:
    c = client_of(user)
    _ms, body = timed(c)
    product_id = body["products"][0]["id"]
    began = time.perf_counter()  # from the moment the add to cart is sent: its own request counts
    added = c.post("/api/v1/cart/items/", {"product_id": product_id, "quantity": 1}, format="json")
    assert added.status_code in (200, 201), added.content
    add_ms.append((time.perf_counter() - began) * 1000)
    while True:
        _ms, body = timed(c)
        if product_id not in [p["id"] for p in body["products"]]:
            break
        assert time.perf_counter() - began < 30, "the added product never left the list"
        time.sleep(0.02)
    delays.append(time.perf_counter() - began)
# retraining as the task does it (the interactions read from the database, ALS fitted, the file
# written, the version created, not activated), timed by phase
from recommendations.selectors.interactions import interaction_matrix
began = time.perf_counter()
matrix = interaction_matrix()
read_s = time.perf_counter() - began
began = time.perf_counter()
retrained = train_now(purpose="for_you", algorithm="als", activate=False, trigger="bench")
assert retrained.status == retrained.Status.DONE, retrained.error
made = retrained.versions.get()
retrain = {"nnz": matrix.nnz, "read_s": round(read_s, 2), "total_s": round(time.perf_counter() - began, 2),
           "fit_s": made.fit_seconds, "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
made.file.delete(save=False)  # the bench's own version, never activated: not kept run after run
made.delete()
load = open("/proc/loadavg").read().split()[0]
print(json.dumps({"loadavg": load, "products": Product.objects.filter(code__startswith="BENCH-REC-").count(), "customers": len(users),
                  "model": f"{version.algorithm} v{version.pk} ({version.interactions} interactions)", "rows": rows,
                  "realtime_s": [round(d, 3) for d in delays], "add_ms": [round(m, 1) for m in add_ms],
                  "retrain": retrain}))
'''


def serving(args) -> int:
    sys.path.insert(0, str(ROOT / "bench"))
    from _common import ensure_database, log, manage, server_env

    ensure_database(args.database_url, required_prefix="commerce_bench")
    env = server_env(args, cache_key_prefix="commerce-bench-recommendations")
    # DEBUG off as served; the bus's reactions run in this process (no worker is started)
    env.update({"DJANGO_ENV": "development", "DJANGO_DEBUG": "false", "CELERY_TASK_ALWAYS_EAGER": "true",
                "OPENBLAS_NUM_THREADS": "1"})
    manage(env, "migrate", "--no-input")
    log("loading data (first run only), training, measuring")
    done = subprocess.run([sys.executable, "-c", SERVING_WORKER, str(args.products), str(args.customers), str(args.requests)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        return 1
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"Serving \"for you\" through the API: {result['products']} products, {result['customers']} customers, model "
          f"{result['model']}; Django test client, MariaDB + Redis, figures taken on a shared 2-core machine under load")
    print(f"(load average {result['loadavg']} at the end; CPU ms: this process's own time per request, p50)")
    print(f"{'case':32} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'SQL/request':>12}")
    for row in result["rows"]:
        print(f"{row['case']:32} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['cpu_ms']:>8} {row['sql']:>12}")
    for row in result["rows"]:
        if row.get("statements"):
            print(f"  SQL of one {row['case']} request: {', '.join(row['statements'])}")
    delays = result["realtime_s"]
    print(f"add to cart sent -> gone from the list: {', '.join(f'{d:.3f}' for d in delays)} s (max {max(delays):.3f} s; "
          f"the add to cart itself {', '.join(f'{m:.0f}' for m in result['add_ms'])} ms, the bus's reaction in it: eager)")
    r = result["retrain"]
    print(f"retrain through the service (for you, ALS, not activated): {r['nnz']} interactions read from the database in "
          f"{r['read_s']} s; whole run {r['total_s']} s of which fit {r['fit_s']:.2f} s; the bench process's peak RSS "
          f"{r['peak_mb']} MB (Django and the served lists included)")
    return 0


def one_size(size: int, factors: int, iterations: int) -> dict:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import resource

    import numpy as np

    sys.path.insert(0, str(ROOT))
    from recommendations import engine

    rng = np.random.default_rng(7)
    users_count = max(1000, size // 20)
    items_count = max(500, int(size ** 0.5) * 4)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    users = rng.integers(0, users_count, size=size)
    items = np.minimum((rng.pareto(1.2, size=size) * items_count / 20).astype(np.int64), items_count - 1)
    weights = rng.choice(np.array([1.0, 3.0, 5.0], dtype=np.float32), size=size, p=[0.7, 0.2, 0.1])
    data = engine.InteractionMatrix.from_triples(users + 1, items + 1, weights)
    del users, items, weights
    built = time.perf_counter() - started
    started = time.perf_counter()
    model = engine.fit("als", data, {"factors": factors, "regularization": 0.1, "iterations": iterations, "num_threads": 0})
    fitted = time.perf_counter() - started
    content = model.to_bytes()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"interactions": size, "nnz": data.nnz, "users": len(data.user_ids), "items": len(data.item_ids),
            "build_s": round(built, 2), "fit_s": round(fitted, 2), "peak_mb": round(peak / 1024, 1),
            "above_start_mb": round((peak - baseline) / 1024, 1), "file_mb": round(len(content) / 2**20, 2)}


def training(sizes: list[int], factors: int, iterations: int) -> None:
    print("Training ALS (implicit) on synthetic interactions: each size in its own process; figures taken on a "
          "shared 2-core machine under load")
    print(f"{'interactions':>12} {'non-zeros':>10} {'customers x products':>22} {'build s':>8} {'fit s':>7} "
          f"{'peak MB':>8} {'MB/M nnz':>9} {'file MB':>8}")
    for size in sizes:
        answer = subprocess.run([sys.executable, __file__, "--one", str(size), "--factors", str(factors),
                                 "--iterations", str(iterations)], capture_output=True, text=True, check=True)
        r = json.loads(answer.stdout.strip().splitlines()[-1])
        cells = f"{r['users']} x {r['items']}"
        per_million = r["above_start_mb"] / max(r["nnz"] / 1e6, 1e-9)
        print(f"{r['interactions']:>12} {r['nnz']:>10} {cells:>22} {r['build_s']:>8} {r['fit_s']:>7} "
              f"{r['peak_mb']:>8} {per_million:>9.1f} {r['file_mb']:>8}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="training", help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument("--factors", type=int, default=24)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_RECOMMENDATIONS_DATABASE_URL",
                                                                 "mysql://root@127.0.0.1:3306/commerce_bench_recommendations"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--products", type=int, default=2000, help="serving: products in the bench shop")
    parser.add_argument("--customers", type=int, default=3000, help="serving: customers with views")
    parser.add_argument("--requests", type=int, default=200, help="serving: timed requests per case")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.factors, args.iterations)))
        return
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    if "training" in parts:
        training([int(s) for s in args.sizes.split(",")], args.factors, args.iterations)
    if "serving" in parts and serving(args):
        sys.exit(1)


if __name__ == "__main__":
    main()
