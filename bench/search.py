"""Benchmark: product search with 10,000 products, on SQLite and (when ``DATABASE_URL`` is set) MariaDB.

What it does (see bench/README.md):
1. for each database, in a Django process of its own: migrates it and, unless they are there already,
   creates ``--products`` (10,000) products over 40 categories and 30 manufacturers (rows written in
   bulk, then the search index built by ``search_index_rebuild``, the code ``manage.py
   search_index_rebuild`` runs; the catalog's commands keep it the same way one product at a time);
2. warms the search vocabulary and the popular products (cached) with one request;
3. for each kind of query (plain, multi-word, typo, empty result), cycles through its queries
   ``--runs`` times through Django's test client (the whole request: middleware, view, template or
   serializer) on the shop page ``/?q=`` and the API ``/api/v1/products/?q=``, and prints requests/s
   (one client), p50/p95 latency in ms, p50/p95 CPU time of this process (``time.process_time``:
   steadier than wall time on a busy machine; on SQLite it includes the database's work, on MariaDB
   not), SQL statements per request and the results found; the list without a query for comparison.

    .venv/bin/python bench/search.py                   # SQLite, plus MariaDB when DATABASE_URL is set
    .venv/bin/python bench/search.py --runs 50 --products 2000
    .venv/bin/python bench/search.py --database-url sqlite:///var/bench/search.sqlite3   # one database only

Target: p95 < 50 ms for every kind on both surfaces.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from _common import ROOT, loadavg, log, percentile, sql_statements

PREFIX = "BS-"
QUERIES = {
    "no query": [""],  # the plain product list, for comparison
    "plain": ["cheese", "laptop", "coffee", "headphones", "olive"],
    "multi-word": ["goat cheese", "alpine cheese 250 g", "organic coffee", "voltix laptop", "stainless steel"],
    "typo": ["chese", "laptpo", "cofee", "hedphones", "olvie"],
    "empty": ["unicornz", "cheese zqxwv", "qwxzvbn", "%", "kettle laptop"],
}

ROOTS = ["Groceries", "Electronics", "Home", "Garden", "Sports"]
NOUNS = {
    "Groceries": ["cheese", "milk", "butter", "yoghurt", "coffee", "tea", "chocolate", "olive oil", "pasta", "rice",
                  "honey", "jam", "bread", "flour", "lentils", "juice", "water", "cereal", "biscuits", "sauce"],
    "Electronics": ["laptop", "monitor", "keyboard", "mouse", "headphones", "speaker", "tablet", "phone", "charger",
                    "cable", "webcam", "router", "camera", "smartwatch", "earbuds", "printer", "drive", "microphone"],
    "Home": ["pan", "knife", "kettle", "toaster", "mug", "plate", "bowl", "towel", "lamp", "chair", "table", "shelf",
             "pillow", "blanket", "curtain", "vase", "candle", "mirror"],
    "Garden": ["hose", "shears", "rake", "shovel", "planter", "seeds", "soil", "lantern", "bench", "gloves", "sprinkler"],
    "Sports": ["ball", "racket", "bottle", "mat", "dumbbell", "helmet", "jersey", "shoes", "backpack", "tent", "rope"],
}
ADJECTIVES = ["organic", "fresh", "wireless", "stainless steel", "green", "dark roast", "goat", "classic", "premium",
              "compact", "large", "small", "extra", "smart", "portable", "ergonomic", "ceramic", "bamboo", "vintage",
              "mini", "pro", "ultra", "light", "heavy duty", "aged", "smoked", "spicy", "sweet", "black", "white",
              "red", "blue", "silver", "oak", "linen", "cotton", "recycled", "foldable", "waterproof", "quiet"]
BRANDS = ["Alpine", "Nordic", "Voltix", "Pixelia", "Maison", "Ferme", "Sonora", "Kabel", "Jardin", "Atelier",
          "Bellecour", "Rhône", "Lumière", "Forme", "Vergers", "Croix", "Saône", "Pilat", "Monts", "Azur",
          "Brume", "Cèdre", "Delta", "Etoile", "Falaise", "Givre", "Horizon", "Iris", "Jade", "Kora"]
SENTENCES = ["Made in France.", "Delivered the same day around Lyon.", "Loved by our customers.",
             "Carefully selected by our team.", "Easy to clean and built to last.", "Two-year warranty.",
             "Pairs well with cheese and wine.", "Fresh from local farms.", "Energy efficient.",
             "Gift wrapping available.", "Recyclable packaging.", "A favourite for breakfast."]


def build_shop(n_products: int, seed: int = 15) -> int:
    """Categories, manufacturers and products (rows in bulk), then the search index; returns the count
    of bench products (nothing is created when they are there already)."""
    from commerce.catalog import services
    from commerce.catalog.models import Category, Manufacturer, Product
    from commerce.catalog.search.index import search_index_rebuild
    from commerce.locks import batch

    existing = Product.objects.filter(code__startswith=PREFIX).count()
    if existing >= n_products:
        log(f"{existing} bench products there already")
        return existing
    rng = random.Random(seed)
    with batch():
        leaves = []
        for root_name in ROOTS:
            root = Category.objects.filter(slug=f"bs-{root_name.lower()}").first() or services.category_create(
                name=f"{root_name}", slug=f"bs-{root_name.lower()}")
            for i in range(8):
                slug = f"bs-{root_name.lower()}-{i}"
                leaf = Category.objects.filter(slug=slug).first() or services.category_create(
                    name=f"{root_name} {('Essentials', 'Favourites', 'Deals', 'New', 'Local', 'Premium', 'Basics', 'Outlet')[i]}",
                    slug=slug, parent=Category.objects.get(pk=root.pk))
                leaves.append((root_name, leaf))
        makers = [Manufacturer.objects.filter(name=brand).first() or services.manufacturer_create(name=brand)
                  for brand in BRANDS]
    Product.objects.filter(code__startswith=PREFIX).delete()
    rows = []
    for i in range(n_products):
        root_name, leaf = leaves[i % len(leaves)]
        noun = rng.choice(NOUNS[root_name])
        adjective = rng.choice(ADJECTIVES)
        maker = makers[rng.randrange(len(makers))]
        name = f"{maker.name} {adjective} {noun} {rng.choice(['', '250 g', '1 kg', '500 ml', 'XL', '2-pack', 'set of 3'])}".strip()
        description = f"{adjective.capitalize()} {noun} by {maker.name}. " + " ".join(rng.sample(SENTENCES, 3))
        rows.append(Product(
            code=f"{PREFIX}{i:05d}", name=name, slug=f"bs-{i:05d}", description=description, category=leaf,
            manufacturer=maker, price_amount=Decimal(rng.randint(99, 99999)) / 100, price_currency="EUR",
        ))
    Product.objects.bulk_create(rows, batch_size=1000)
    started = time.perf_counter()
    indexed = search_index_rebuild()
    log(f"indexed {indexed} products in {time.perf_counter() - started:.1f} s")
    return Product.objects.filter(code__startswith=PREFIX).count()


def page_count(html: str) -> int:
    """The "N products" the page says it found."""
    return int(re.search(r'id="result-count">\s*(\d+) product', html).group(1))


def measure(runs: int) -> list[dict]:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    surfaces = {"page": "/", "api": "/api/v1/products/"}
    for url in surfaces.values():  # the vocabulary and the popular products, built once and cached
        client.get(url, {"q": "warm up"})
        client.get(url, {"q": "qwxzvbn"})
    rows = []
    for kind, queries in QUERIES.items():
        for surface, url in surfaces.items():
            latencies, cpu, statements, found = [], [], [], []
            for run in range(runs):
                query = queries[run % len(queries)]
                with sql_statements() as sql:
                    began, began_cpu = time.perf_counter(), time.process_time()
                    response = client.get(url, {"q": query} if query else {})
                    latencies.append((time.perf_counter() - began) * 1000)
                    cpu.append((time.process_time() - began_cpu) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url}?q={query} answered {response.status_code}")
                statements.append(len(sql))
                if run < len(queries):
                    found.append(response.json()["count"] if surface == "api" else page_count(response.content.decode()))
            rows.append({
                "kind": kind, "surface": surface, "requests": runs, "rps": round(runs / (sum(latencies) / 1000), 1),
                "p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
                "cpu_p50_ms": round(percentile(cpu, 50), 1), "cpu_p95_ms": round(percentile(cpu, 95), 1),
                "sql_min": min(statements), "sql_max": max(statements), "results": found,
            })
    return rows


def run_one(args) -> dict:
    """In this process: Django on ``args.database_url``, the shop, the figures."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "commerce.settings"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["API_THROTTLE_ANON"] = "100000000/minute"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("OTEL_TRACES_EXPORTER", "none")
    os.environ.pop("DATABASE_REPLICA_URL", None)
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
        os.environ["CACHE_KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX") or "bench-search"
    else:
        os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from commerce.catalog.models import SearchTerm

    log(f"migrating {args.database_url.split('@')[-1]}")
    call_command("migrate", verbosity=0, interactive=False)
    products = build_shop(args.products)
    rows = measure(args.runs)
    return {"load": loadavg(), "database": connection.vendor, "products": products, "terms": SearchTerm.objects.count(), "rows": rows}


def print_figures(figures: dict) -> None:
    print()
    print(f"search, {figures['products']} products ({figures['terms']} index rows), {figures['database']}, "
          f"Django test client in one process, DEBUG off")
    header = (f"{'kind':<11} {'surface':<7} {'req':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'CPU p50':>7} "
              f"{'CPU p95':>7} {'SQL':>5}  results per query")
    print(header)
    print("-" * len(header))
    for row in figures["rows"]:
        sql = str(row["sql_min"]) if row["sql_min"] == row["sql_max"] else f"{row['sql_min']}-{row['sql_max']}"
        print(f"{row['kind']:<11} {row['surface']:<7} {row['requests']:>5} {row['rps']:>7.1f} {row['p50_ms']:>7.1f} "
              f"{row['p95_ms']:>7.1f} {row['cpu_p50_ms']:>7.1f} {row['cpu_p95_ms']:>7.1f} {sql:>5}  {row['results']}")
    worst = max(row["p95_ms"] for row in figures["rows"] if row["kind"] != "no query")
    print(f"worst search p95 {worst:.1f} ms: target p95 < 50 ms {'met' if worst < 50 else 'NOT met'} "
          f"(load average {figures['load']})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100, help="requests per kind of query and surface")
    parser.add_argument("--database-url", default="", help="one database only (default: SQLite, then DATABASE_URL if set)")
    parser.add_argument("--redis-url", default="", help="the cache (default: local memory)")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_one(args)))
        return 0
    if args.database_url:
        urls = [args.database_url]
    else:
        urls = [f"sqlite:///{tempfile.mkdtemp(prefix='bench-search-')}/bench.sqlite3"]
        if os.environ.get("DATABASE_URL", "").startswith(("mysql://", "mariadb://")):
            urls.append(os.environ["DATABASE_URL"])
    results = []
    for url in urls:
        command = [sys.executable, __file__, "--child", "--database-url", url, "--products", str(args.products),
                   "--runs", str(args.runs)] + (["--redis-url", args.redis_url] if args.redis_url else [])
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        sys.stderr.write(done.stderr[-5000:])
        if done.returncode != 0:
            raise SystemExit(f"the bench on {url.split('@')[-1]} failed (exit {done.returncode})")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print_figures(figures)
        results.append(figures)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
