"""Benchmark: a product's reviews on its page and through the API, with 10,000 reviews on that product
and many more in the shop, on MariaDB + Redis.

What it does (see bench/README.md):
1. creates the bench database if needed (``--database-url``, default
   ``mysql://root@127.0.0.1:3306/commerce_bench_reviews``) and migrates it;
2. in a Django process, loads the data once: one bench product with ``--reviews`` approved reviews,
   a small product with 10, and ``--shop-reviews`` more spread over other products. Bulk inserts,
   not the services (10,000 customers and up to a million reviews through the services would take
   hours); the rating summaries are filled from the reviews the same way the read model counts them;
3. in the same process, warm, for each request: the SQL statements of one request at 10 reviews and
   at ``--reviews`` (they must be equal: the page is constant in the number of reviews; a filter that
   matches none of the 10 is reported, not compared: an empty page reads no rows), then
   ``--requests`` sequential requests through Django's test client (DEBUG off:
   the whole Django stack without the HTTP server), with p50 and p95 in ms, and the median CPU time
   of the Django process per request (which a loaded machine inflates far less than wall time).

    .venv/bin/python bench/reviews.py
    .venv/bin/python bench/reviews.py --shop-reviews 1000000 --requests 300
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _common import ROOT, ensure_database, log, manage, server_env

WORKER = r'''
import json, re, sys, time, random
import django
django.setup()
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

sys.path.insert(0, "bench")
from _common import percentile, sql_statements
from commerce.catalog.models import Category, Manufacturer, Product
from recommendations.models import AXES, ProductRatingSummary, Review
from recommendations.rating_summary import _derive, empty_distribution, weighted_score

reviews, shop_reviews, requests, explain = (int(x) for x in sys.argv[1:5])
User = get_user_model()
rng = random.Random(7)
# Each review's text has two words of a 400-word vocabulary, so one word is in about 1 review in 200, in the
# shop as on the product, as a word of real reviews is (a text search through the FULLTEXT index reads its matches).
VOCABULARY = [a + b for a in ("ka", "lo", "mi", "ne", "su", "ta", "ve", "ro", "pi", "du", "fa", "ge", "hu", "jo", "ki",
                              "ma", "no", "pe", "ri", "zo") for b in ("bar", "cel", "dom", "fin", "gal", "hex", "lun", "mor",
                                                                      "nip", "pax", "quo", "ril", "sto", "tun", "vex", "wol",
                                                                      "yar", "zen", "bri", "cru")]
SEARCHED = VOCABULARY[7]


def product(code):
    found = Product.objects.filter(code=code).first()
    if found:
        return found, False
    category = Category.objects.filter(slug="bench-reviews").first() or Category.add_root(name="Bench reviews", slug="bench-reviews")
    maker, _ = Manufacturer.objects.get_or_create(slug="bench-maker", defaults={"name": "Bench maker"})
    return Product.objects.create(code=code, name=f"Bench {code}", slug=code.lower(), category=category, manufacturer=maker,
                                  price_amount=Decimal("9.99")), True


def customers(n):
    have = User.objects.filter(username__startswith="bench-r-").count()
    if have < n:
        User.objects.bulk_create([User(username=f"bench-r-{i:07d}", first_name=f"Shopper{i}", last_name="Bench")
                                  for i in range(have, n)], batch_size=5000)
    return list(User.objects.filter(username__startswith="bench-r-").order_by("id").values_list("id", flat=True)[:n])


def fill(product_id, customer_ids):
    rows = []
    now = time.time()
    for i, customer_id in enumerate(customer_ids):
        ratings = {axis: rng.choice((5, 5, 4, 4, 3, 2, 1)) for axis in AXES}
        rows.append(Review(customer_id=customer_id, product_id=product_id, title=f"Review {i}",
                           text="Bench review text. " * 8 + " ".join(rng.sample(VOCABULARY, 2)) + ".",
                           score=weighted_score(ratings), status="approved", verified_purchase=i % 3 == 0,
                           helpful_count=rng.randrange(50), submitted_at=django.utils.timezone.now(),
                           **{f"rating_{a}": r for a, r in ratings.items()}))
        if len(rows) == 5000:
            Review.objects.bulk_create(rows)
            rows = []
    Review.objects.bulk_create(rows)
    summary = ProductRatingSummary(product_id=product_id, review_count=0, verified_count=0, distribution=empty_distribution())
    for values in Review.objects.filter(product_id=product_id, status="approved").values(*[f"rating_{a}" for a in AXES], "verified_purchase").iterator():
        summary.review_count += 1
        summary.verified_count += values["verified_purchase"]
        for axis in AXES:
            summary.distribution[axis][values[f"rating_{axis}"] - 1] += 1
    _derive(summary)
    summary.updated_at = django.utils.timezone.now()
    ProductRatingSummary.objects.filter(product_id=product_id).delete()
    summary.save()


big, new_big = product("BENCH-REVIEWS")
small, new_small = product("BENCH-FEW")
ids = customers(max(reviews, 10_000))
if new_big:
    print(f"loading {reviews} reviews on the bench product", file=sys.stderr, flush=True)
    fill(big.pk, ids[:reviews])
if new_small:
    fill(small.pk, ids[:10])
others = Review.objects.exclude(product_id__in=[big.pk, small.pk]).count()
per_product = 10_000
k = 0
while others < shop_reviews:
    extra, _ = product(f"BENCH-SHOP-{k:04d}")
    k += 1
    if Review.objects.filter(product=extra).exists():
        continue
    n = min(per_product, shop_reviews - others)
    print(f"loading {n} shop reviews ({others} of {shop_reviews})", file=sys.stderr, flush=True)
    fill(extra.pk, ids[:n])
    others += n

if explain:  # the plan of page 40 of the bench product's list, for every sort and filter the selector takes
    from django.db import connection
    from recommendations.selectors.reviews import SORTS, review_list
    plans = []
    for sort in SORTS:
        for filters in ({}, {"verified": True}, {"verified": False}, {"stars": 5}, {"with_photos": True},
                        {"verified": True, "stars": 4}, {"query": SEARCHED}):
            sql, params = review_list(product_id=big.pk, sort=sort, **filters)[390:400].query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, params)
                columns = [c[0] for c in cursor.description]
                row = dict(zip(columns, cursor.fetchone()))
            plans.append({"sort": sort, "filters": filters, "key": row["key"], "rows": row["rows"], "extra": row["Extra"]})
    print(json.dumps({"plans": plans}))
    sys.exit(0)

client = Client(HTTP_HOST="127.0.0.1")
viewer = User.objects.get(username="bench-r-0000001")
logged_in = Client(HTTP_HOST="127.0.0.1")
logged_in.force_login(viewer)
cases = {
    "page": lambda p: (client, f"/products/{p.slug}/"),
    "page, logged in": lambda p: (logged_in, f"/products/{p.slug}/"),
    "page, helpful, 5 stars, page 3": lambda p: (client, f"/products/{p.slug}/?rsort=helpful&rstars=5&rpage=3"),
    "API list": lambda p: (client, f"/api/v1/products/{p.pk}/reviews/"),
    "API list, lowest, verified, page 40": lambda p: (client, f"/api/v1/products/{p.pk}/reviews/?sort=lowest&verified=true&page=40"),
    "API list, verified, 4 stars": lambda p: (client, f"/api/v1/products/{p.pk}/reviews/?verified=true&stars=4"),
    "API list, text search": lambda p: (client, f"/api/v1/products/{p.pk}/reviews/?q={SEARCHED}"),
    "API rating": lambda p: (client, f"/api/v1/products/{p.pk}/rating/"),
}


def empty(response) -> bool:
    """Whether the request's page of reviews has none (a filter that matches nothing among 10 reviews)."""
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return isinstance(body, dict) and body.get("results") == []
    return b"No reviews match" in response.content or b"No reviews yet" in response.content


rows = []
for name, target in cases.items():
    counts, empty_at_10 = {}, False
    for label, p in (("few", small), ("many", big)):
        c, url = target(p)
        if label == "few":  # 10 reviews have one page
            url = re.sub(r"&r?page=\d+", "", url)
        for _ in range(3):
            assert c.get(url).status_code == 200, url
        with sql_statements() as statements:
            response = c.get(url)
        counts[label] = len(statements)
        if label == "few":
            empty_at_10 = empty(response)
        else:
            assert not empty(response), f"{url} found no review among {reviews}"
    c, url = target(big)
    times, cpu = [], []
    for _ in range(requests):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = c.get(url)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)  # Django's own CPU, without the wait for a core or MariaDB
        assert response.status_code == 200
    rows.append({"request": name, "sql_at_10": counts["few"], "sql_at_many": counts["many"], "empty_at_10": empty_at_10,
                 "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
                 "cpu_p50_ms": round(percentile(cpu, 50), 1)})
print(json.dumps({"reviews": Review.objects.filter(product=big).count(), "shop_reviews": Review.objects.count(), "rows": rows}))
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_REVIEWS_DATABASE_URL",
                                                                 "mysql://root@127.0.0.1:3306/commerce_bench_reviews"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--reviews", type=int, default=10_000, help="Reviews on the bench product.")
    parser.add_argument("--shop-reviews", type=int, default=100_000, help="Reviews in the whole shop (the issue's figure: 1000000).")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per case.")
    parser.add_argument("--fresh", action="store_true", help="Drop the bench database first.")
    parser.add_argument("--explain", action="store_true",
                        help="Print MariaDB's plan for page 40 of every sort and filter of the product's list instead of timing.")
    parser.add_argument("--json", help="Also write the results to this file.")
    args = parser.parse_args()

    ensure_database(args.database_url, fresh=args.fresh, required_prefix="commerce_bench")
    env = server_env(args, cache_key_prefix="commerce-bench-reviews")
    # DEBUG off as served, but development settings: the pages' static files need no collectstatic manifest.
    env.update({"DJANGO_ENV": "development", "DJANGO_DEBUG": "false"})
    manage(env, "migrate", "--no-input")
    log("loading data (first run only) and measuring")
    done = subprocess.run([sys.executable, "-c", WORKER, str(args.reviews), str(args.shop_reviews), str(args.requests),
                           str(int(args.explain))],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        return 1
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if args.explain:
        print(f"{'sort':8} {'filters':32} {'index':26} {'rows':>6}  extra")
        for plan in result["plans"]:
            print(f"{plan['sort']:8} {json.dumps(plan['filters']):32} {plan['key'] or '-':26} {plan['rows']:>6}  {plan['extra']}")
        return 0
    print(f"{result['reviews']} reviews on the product, {result['shop_reviews']} in the shop")
    print(f"{'request':40} {'SQL@10':>7} {'SQL@N':>6} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8}")
    for row in result["rows"]:
        print(f"{row['request']:40} {row['sql_at_10']:>7} {row['sql_at_many']:>6} {row['p50_ms']:>8} {row['p95_ms']:>8}"
              f" {row['cpu_p50_ms']:>8}" + ("  (no review matches at 10: not compared)" if row["empty_at_10"] else ""))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    # An empty page reads no rows, so it sends fewer statements (no list, no authors or photos): that is
    # not the page growing with the reviews, and only pages with reviews at both sizes are compared.
    return 0 if all(row["sql_at_10"] == row["sql_at_many"] for row in result["rows"] if not row["empty_at_10"]) else 1


if __name__ == "__main__":
    sys.exit(main())
