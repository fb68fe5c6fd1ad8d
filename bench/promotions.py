"""Benchmark: the promotions engine alone, then the cart summary through Django with promotions live.

What it does (see bench/README.md):
1. engine: builds ``--scenarios`` (20) random but seeded scenarios, each a ``--lines`` (50) line
   cart and ``--rules`` (200) live promotions mixing every benefit type, discount class, target
   kind, condition and combination profile (some exclusive, some needing a coupon that the cart
   holds), then times ``--runs`` (2000) calls of ``promotions.engine.evaluate`` cycling over the
   scenarios; prints p50/p95/mean/max in ms against the target (p95 < 5 ms);
2. cart summary: in this process, with Django set up on a throwaway SQLite database (``--database-url``
   to use another one), creates a catalog and promotions through the services, then counts the
   SQL queries and times ``orders.selectors.cart_summary`` for carts of ``--summary-lines``
   (1, 10, 50) lines against ``--summary-promotions`` (10, 200) active promotions; prints the
   query counts (which must not grow with lines or promotions) and the latency.

    .venv/bin/python bench/promotions.py
    .venv/bin/python bench/promotions.py --runs 5000 --skip-summary
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

from _common import ROOT, loadavg, log, percentile, sql_statements

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 5.0
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)


# --- 1. the engine alone -----------------------------------------------------------------------

CATALOG_PRODUCTS = 1000
ROOT_CATEGORIES = 8
LEAF_CATEGORIES = 40
MANUFACTURERS = 25
SEGMENTS = 6


PROD, ORD, SHIP = "product", "order", "shipping"
# (combines_with, weight) per discount class; None = exclusive
PRESETS = {
    PROD: [(frozenset({ORD, SHIP}), 45), (frozenset({PROD, ORD, SHIP}), 30), (frozenset({SHIP}), 15), (frozenset(), 5), (None, 5)],
    ORD: [(frozenset({PROD, SHIP}), 50), (frozenset({PROD, ORD, SHIP}), 20), (frozenset({SHIP}), 15), (frozenset(), 10), (None, 5)],
    SHIP: [(frozenset({PROD, ORD}), 75), (frozenset({PROD, ORD, SHIP}), 10), (frozenset(), 10), (None, 5)],
}


def engine_catalog(rng: random.Random) -> dict[int, tuple[int, frozenset[int], int]]:
    """product id -> (unit price in cents, category ids with ancestors, manufacturer id)."""
    parent = {100 + leaf: 1 + leaf % ROOT_CATEGORIES for leaf in range(LEAF_CATEGORIES)}
    products = {}
    for pid in range(1, CATALOG_PRODUCTS + 1):
        leaf = 100 + rng.randrange(LEAF_CATEGORIES)
        products[pid] = (rng.choice([199, 499, 999, 1450, 2500, 4999, 8900, 12900, 34900]), frozenset({leaf, parent[leaf]}),
                         1 + rng.randrange(MANUFACTURERS))
    return products


def engine_scenario(rng: random.Random, catalog: dict, n_lines: int, n_rules: int, mix: str):
    from promotions import engine as e

    in_cart = rng.sample(sorted(catalog), n_lines)
    lines = tuple(
        e.Line(index=i, product_id=pid, quantity=rng.choice([1, 1, 1, 2, 2, 3, 4, 6]), unit_price=catalog[pid][0],
               category_ids=catalog[pid][1], manufacturer_id=catalog[pid][2])
        for i, pid in enumerate(in_cart)
    )
    benefits = [e.PERCENTAGE, e.FIXED_AMOUNT, e.BUY_X_GET_Y, e.QUANTITY_TIERS, e.FREE_SHIPPING, e.BUNDLE_PRICE]
    classes = list(e.CLASS_ORDER)
    rules = []
    coupons = []
    for rid in range(1, n_rules + 1):
        benefit = benefits[rid % len(benefits)]
        if benefit == e.FREE_SHIPPING:
            klass = e.SHIPPING
        elif benefit in (e.PERCENTAGE, e.FIXED_AMOUNT):
            klass = rng.choice(classes)
        else:
            klass = rng.choice([e.PRODUCT, e.PRODUCT, e.ORDER])
        fields = {}
        target = rng.random()
        if target < 0.45:
            fields["category_ids"] = frozenset(rng.sample(range(100, 100 + LEAF_CATEGORIES), rng.randint(1, 3)))
        elif target < 0.6:
            fields["category_ids"] = frozenset({1 + rng.randrange(ROOT_CATEGORIES)})
        elif target < 0.75:
            fields["manufacturer_ids"] = frozenset(rng.sample(range(1, MANUFACTURERS + 1), rng.randint(1, 2)))
        elif target < 0.9:
            picked = set(rng.sample(sorted(catalog), rng.randint(1, 8)))
            picked.add(rng.choice(in_cart))  # product-targeted offers often hit the cart
            fields["product_ids"] = frozenset(picked)
        if benefit == e.PERCENTAGE:
            fields["percent_bp"] = rng.choice([500, 1000, 1500, 2000, 1250])
        elif benefit == e.FIXED_AMOUNT:
            fields["amount"] = rng.choice([300, 500, 1000, 2000, 5000])
        elif benefit == e.BUY_X_GET_Y:
            fields.update(buy_quantity=rng.choice([1, 2, 3]), get_quantity=1, get_percent_bp=rng.choice([10000, 10000, 5000]))
            if rng.random() < 0.3:
                fields["get_product_ids"] = frozenset({rng.choice(in_cart), *rng.sample(sorted(catalog), 2)})
        elif benefit == e.QUANTITY_TIERS:
            fields["tiers"] = (e.Tier(3, 500), e.Tier(5, 1000), e.Tier(10, 1500))
        elif benefit == e.BUNDLE_PRICE:  # "3 for the price of 2.5" of one product, and its look-alikes
            anchor = rng.choice(in_cart)
            size = rng.choice([2, 3])
            fields.update(product_ids=frozenset({anchor, *rng.sample(sorted(catalog), 3)}), bundle_quantity=size,
                          amount=catalog[anchor][0] * size * rng.choice([75, 85]) // 100)
            fields.pop("category_ids", None)
            fields.pop("manufacturer_ids", None)
        condition = rng.random()
        if condition < 0.15:
            fields["min_subtotal"] = rng.choice([2000, 5000, 10000, 50000])
        elif condition < 0.25:
            fields["min_quantity"] = rng.choice([2, 3, 5])
        elif condition < 0.3:
            fields["valid_to"] = NOW - datetime.timedelta(days=1)
        elif condition < 0.35:
            fields["segment_ids"] = frozenset({1 + rng.randrange(SEGMENTS)})
        elif condition < 0.4:
            fields["budget_left"] = rng.choice([0, 1500, 100000])
            fields["campaign_id"] = 1 + rng.randrange(5)
        if mix == "stress":  # any subset of the classes: up to 24 combination profiles, discounts piling up
            if rng.random() < 0.05:
                fields["exclusive"] = True
            else:
                fields["combines_with"] = frozenset(c for c in classes if rng.random() < 0.7)
        else:  # the settings merchandisers pick: a few presets per class
            preset = rng.choices(*zip(*PRESETS[klass], strict=True))[0]
            if preset is None:
                fields["exclusive"] = True
            else:
                fields["combines_with"] = preset
        if rng.random() < 0.1:
            fields["requires_coupon"] = True
            if len(coupons) < 3:
                coupons.append(e.CouponInfo(code=f"code{rid}", promotion_id=rid))
        rules.append(e.Rule(id=rid, name=f"Promotion {rid}", discount_class=klass, benefit=benefit,
                            priority=rng.randrange(10), valid_from=NOW - datetime.timedelta(days=10), **fields))
    cart = e.Cart(lines=lines, currency="EUR", shipping=495, customer_id=7,
                  segment_ids=frozenset({1, 3}), coupons=tuple(coupons), now=NOW)
    return cart, rules


def bench_engine(args, mix: str) -> dict:
    from promotions import engine as e

    rng = random.Random(f"{args.seed}-{mix}")  # noqa: S311 - reproducible scenarios, not secrets
    catalog = engine_catalog(rng)
    scenarios = [engine_scenario(rng, catalog, args.lines, args.rules, mix) for _ in range(args.scenarios)]
    results = [e.evaluate(cart, rules) for cart, rules in scenarios]  # warm up; what the scenarios exercise
    timings, cpu = [], []
    for run in range(args.runs):
        cart, rules = scenarios[run % len(scenarios)]
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        e.evaluate(cart, rules)
        cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
        timings.append((time.perf_counter_ns() - started) / 1e6)
    reasons: dict[str, int] = {}
    benefits: dict[str, int] = {}
    for (_cart, rules), result in zip(scenarios, results, strict=True):
        by_id = {rule.id: rule for rule in rules}
        for miss in result.not_applied:
            reasons[miss.reason] = reasons.get(miss.reason, 0) + 1
        for applied in result.applied:
            benefit = by_id[applied.rule_id].benefit
            benefits[benefit] = benefits.get(benefit, 0) + 1
    saved = [
        result.total / (sum(line.quantity * line.unit_price for line in cart.lines) + cart.shipping)
        for (cart, _), result in zip(scenarios, results, strict=True)
    ]
    return {
        "mix": mix,
        "runs": args.runs,
        "scenarios": args.scenarios,
        "lines": args.lines,
        "rules": args.rules,
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
        "mean_ms": statistics.fmean(timings),
        "max_ms": max(timings),
        "cpu_p50_ms": percentile(cpu, 50),
        "cpu_p95_ms": percentile(cpu, 95),
        "applied_per_cart": statistics.fmean(len(r.applied) for r in results),
        "saved_share": statistics.fmean(saved),
        "applied_by_benefit": dict(sorted(benefits.items())),
        "not_applied_by_reason": dict(sorted(reasons.items())),
        "loadavg": loadavg(),
    }


def print_engine(rows: list[dict]) -> None:
    first = rows[0]
    print()
    print(f"Engine alone: {first['lines']}-line cart, {first['rules']} live promotions, {first['runs']} evaluations "
          f"per mix over {first['scenarios']} scenarios (load average {first['loadavg']})")
    print(f"  {'mix':<10} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8} {'CPU p50':>8} {'CPU p95':>8} "
          f"{'applied':>8} {'saved':>6}  p95 < {TARGET_P95_MS:g} ms")
    for row in rows:
        verdict = "met" if row["p95_ms"] < TARGET_P95_MS else "MISSED"
        if row["p95_ms"] >= TARGET_P95_MS and row["cpu_p95_ms"] < TARGET_P95_MS:
            verdict += " (CPU time met: a busy machine?)"
        print(f"  {row['mix']:<10} {row['p50_ms']:8.3f} {row['p95_ms']:8.3f} {row['mean_ms']:8.3f} {row['max_ms']:8.3f} "
              f"{row['cpu_p50_ms']:8.3f} {row['cpu_p95_ms']:8.3f} {row['applied_per_cart']:8.1f} {row['saved_share']:6.0%}  {verdict}")
    for row in rows:
        print(f"  {row['mix']}: applied by benefit: " + ", ".join(f"{k} {v}" for k, v in row["applied_by_benefit"].items()))
        print(f"  {row['mix']}: not applied by reason: " + ", ".join(f"{k} {v}" for k, v in row["not_applied_by_reason"].items()))


# --- 2. the cart summary through Django ---------------------------------------------------------

SUMMARY_PREFIX = "BENCH-PROMO-"


def django_setup(args) -> str:
    """Point Django at a throwaway SQLite database (or ``--database-url``), set it up and migrate it."""
    import tempfile

    if args.database_url:
        database_url = args.database_url
    else:
        workdir = tempfile.mkdtemp(prefix="bench-promotions-")
        database_url = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "commerce.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DEBUG"] = "false"  # as served: no query log kept in memory
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("OTEL_TRACES_EXPORTER", "none")
    os.environ.pop("DATABASE_REPLICA_URL", None)
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
        os.environ["CACHE_KEY_PREFIX"] = "bench-promotions"
    else:
        os.environ.pop("REDIS_URL", None)  # the local-memory cache: nothing shared is touched
    import django

    django.setup()
    from django.core.management import call_command

    log(f"migrating {database_url.split('@')[-1]}")
    call_command("migrate", verbosity=0, interactive=False)
    return database_url


def summary_shop(n_products: int, n_promotions: int, rng: random.Random) -> dict:
    """Categories, manufacturers, products, a customer in a segment, a campaign and promotions of every
    type (all through the services), created as drafts; the caller activates as many as it measures."""
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers_by_algorithm
    from django.test.utils import override_settings
    from django.utils import timezone

    from commerce.accounts import services as accounts
    from commerce.catalog import services as catalog
    from commerce.catalog.management.commands.seed_demo import QuickDemoHasher
    from commerce.money import Money
    from promotions import services as promos

    roots = [catalog.category_create(name=f"Bench promo root {i}", slug=f"bench-promo-root-{i}") for i in range(4)]
    leaves = [catalog.category_create(name=f"Bench promo leaf {i}", slug=f"bench-promo-leaf-{i}", parent=roots[i % 4])
              for i in range(12)]
    makers = [catalog.manufacturer_create(name=f"Bench promo maker {i}", slug=f"bench-promo-maker-{i}") for i in range(6)]
    products = [
        catalog.product_create(
            code=f"{SUMMARY_PREFIX}{i:04d}", name=f"Bench promo item {i:04d}", category=leaves[i % len(leaves)],
            manufacturer=makers[i % len(makers)], price=Money.of(Decimal(rng.choice([199, 499, 999, 2500, 4999])) / 100,
                                                                 settings.DEFAULT_CURRENCY),
        )
        for i in range(n_products)
    ]
    hashers = list(settings.PASSWORD_HASHERS)
    if QuickDemoHasher.algorithm in get_hashers_by_algorithm():
        hashers.insert(0, f"{QuickDemoHasher.__module__}.{QuickDemoHasher.__qualname__}")
    with override_settings(PASSWORD_HASHERS=hashers):
        customer = accounts.customer_register(username="bench-promo-shopper", password=secrets.token_urlsafe(16),
                                              email="bench-promo@example.com")
    segment = promos.segment_create(code="bench-promo-vip", name="Bench VIPs", kind="manual")
    promos.segment_members_set(segment=segment, customers=[customer])
    now = timezone.now()
    campaign = promos.campaign_create(name="Bench campaign", starts_at=now - datetime.timedelta(days=1),
                                      budget_amount=Decimal("100000.00"))
    promos.campaign_launch(campaign=campaign)

    benefits = ["percentage", "fixed_amount", "buy_x_get_y", "quantity_tiers", "free_shipping", "bundle_price"]
    promotions = []
    for i in range(n_promotions):
        benefit = benefits[i % len(benefits)]
        if benefit == "free_shipping":
            klass = "shipping"
        elif benefit in ("percentage", "fixed_amount"):
            klass = rng.choice(["product", "product", "order", "shipping"])
        else:
            klass = "product"  # the services accept these benefits on product lines only
        preset = rng.choices(*zip(*PRESETS[klass], strict=True))[0]
        fields = {"priority": rng.randrange(10), "exclusive": preset is None, "combines_with": sorted(preset or ())}
        target = rng.random()
        if target < 0.4 or benefit == "bundle_price":
            fields["target_products"] = rng.sample(products, rng.randint(1, 4))
        elif target < 0.7:
            fields["target_categories"] = [rng.choice(roots + leaves)]
        elif target < 0.85:
            fields["target_manufacturers"] = [rng.choice(makers)]
        tiers = ()
        if benefit == "percentage":
            fields["percent"] = Decimal(rng.choice([5, 10, 15, 20]))
        elif benefit == "fixed_amount":
            fields["amount"] = Decimal(rng.choice([3, 5, 10]))
        elif benefit == "buy_x_get_y":
            fields.update(buy_quantity=rng.choice([1, 2]), get_quantity=1)
            if rng.random() < 0.3:
                fields["get_products"] = [rng.choice(products)]
        elif benefit == "quantity_tiers":
            tiers = [(3, Decimal(5)), (6, Decimal(10))]
        elif benefit == "bundle_price":
            size = rng.choice([2, 3])
            anchor = fields["target_products"][0]
            fields.update(bundle_quantity=size, amount=(anchor.price.amount * size * Decimal("0.8")).quantize(Decimal("0.01")))
        condition = rng.random()
        if condition < 0.15:
            fields["min_subtotal"] = Decimal(rng.choice([20, 50, 100]))
        elif condition < 0.25:
            fields["min_quantity"] = rng.choice([2, 4])
        elif condition < 0.35:
            fields["segments"] = [segment]
        elif condition < 0.45:
            fields["campaign"] = campaign
        elif condition < 0.5:
            fields["usage_limit"] = 1000
            fields["usage_limit_per_customer"] = 5
        if rng.random() < 0.08:
            fields["requires_coupon"] = True
        promotion = promos.promotion_create(name=f"Bench promotion {i:03d}", discount_class=klass, benefit_type=benefit,
                                            tiers=tiers, **fields)
        promotions.append(promotion)
    # one code a shopper would keep on the cart (an order discount that combines with everything), one random
    welcome = promos.promotion_create(name="Bench welcome code", discount_class="order", benefit_type="percentage",
                                      percent=Decimal(10), combines_with=["product", "order", "shipping"], requires_coupon=True)
    promotions.insert(0, welcome)
    coupons = [promos.coupon_create(promotion=p, code=f"BENCH{p.pk}").code for p in promotions if p.requires_coupon][:2]
    return {"products": [p.pk for p in products], "promotions": promotions, "customer": customer, "coupons": coupons}


def summary_figures(shop: dict, line_counts: list[int], promotion_counts: list[int], runs: int) -> list[dict]:
    """Per (promotions, lines): SQL queries of one cart summary, cold (rules just changed) and warm, and latency."""
    from commerce.errors import DomainError
    from orders import selectors as order_selectors
    from orders.services.cart import cart_apply_coupon, cart_get_or_create, cart_set_lines
    from promotions import services as promos
    from promotions.models import Promotion

    rows = []
    active = 0
    cart = cart_get_or_create(customer=shop["customer"])
    for count in sorted(promotion_counts):
        for promotion in shop["promotions"][active:count]:
            promos.promotion_activate(promotion=promotion)
        active = count
        live = Promotion.objects.filter(status=Promotion.Status.ACTIVE).count()
        for n_lines in line_counts:
            cart_set_lines(cart=cart, lines=[(pid, 1 + k % 4) for k, pid in enumerate(shop["products"][:n_lines])])
            cart.refresh_from_db()
            for code in shop["coupons"]:
                if code not in cart.coupon_codes:
                    try:
                        cart = cart_apply_coupon(cart=cart, code=code)
                    except DomainError as error:  # refused on this cart: the summary is measured without it
                        log(f"coupon {code} refused: {error}")
            promos.promotion_update(promotion=shop["promotions"][0], data={"priority": n_lines})  # rules changed: cold
            with sql_statements() as cold:
                order_selectors.cart_summary(cart=cart)
            with sql_statements() as warm:
                pricing = order_selectors.cart_summary(cart=cart)
            timings = []
            for _ in range(runs):
                started = time.perf_counter_ns()
                order_selectors.cart_summary(cart=cart)
                timings.append((time.perf_counter_ns() - started) / 1e6)
            rows.append({
                "promotions": live, "lines": n_lines, "coupons": len(cart.coupon_codes), "cold_queries": len(cold),
                "warm_queries": len(warm), "applied": len(pricing.discounts),
                "hints": len(pricing.hints), "p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95),
            })
            log(f"{live} promotions, {n_lines} lines: {rows[-1]['warm_queries']} queries warm")
    return rows


def bench_summary(args) -> dict:
    started = time.perf_counter()
    database_url = django_setup(args)
    rng = random.Random(f"{args.seed}-summary")  # noqa: S311 - reproducible scenarios, not secrets
    counts = [int(n) for n in args.summary_promotions.split(",")]
    lines = [int(n) for n in args.summary_lines.split(",")]
    shop = summary_shop(max(60, max(lines)), max(counts) - 1, rng)
    log(f"shop ready in {time.perf_counter() - started:.0f} s")
    rows = summary_figures(shop, lines, counts, args.summary_runs)
    return {"database": database_url.split("://")[0], "rows": rows, "runs": args.summary_runs}


def print_summary(figures: dict) -> None:
    print()
    print(f"Cart summary (orders.selectors.cart_summary, {figures['database']}, locmem cache unless --redis-url; "
          f"latency over {figures['runs']} warm calls)")
    print(f"  {'promotions':>10} {'lines':>6} {'codes':>6} {'SQL cold':>9} {'SQL warm':>9} {'applied':>8} {'hints':>6} "
          f"{'p50 ms':>8} {'p95 ms':>8}")
    for row in figures["rows"]:
        print(f"  {row['promotions']:>10} {row['lines']:>6} {row['coupons']:>6} {row['cold_queries']:>9} {row['warm_queries']:>9} "
              f"{row['applied']:>8} "
              f"{row['hints']:>6} {row['p50_ms']:8.2f} {row['p95_ms']:8.2f}")
    warm = {row["warm_queries"] for row in figures["rows"]}
    cold = {row["cold_queries"] for row in figures["rows"]}
    print(f"  warm query count {'constant' if len(warm) == 1 else 'VARIES'} ({', '.join(map(str, sorted(warm)))}); "
          f"cold {'constant' if len(cold) == 1 else 'VARIES'} ({', '.join(map(str, sorted(cold)))})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2000, help="engine evaluations timed")
    parser.add_argument("--scenarios", type=int, default=20, help="distinct random carts and rule sets cycled through")
    parser.add_argument("--lines", type=int, default=50, help="lines per engine cart")
    parser.add_argument("--rules", type=int, default=200, help="live promotions per engine scenario")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--mixes", default="presets,stress",
                        help="combination settings: presets (a few per class, as merchandisers set them) and/or "
                             "stress (any subset of classes: up to 24 profiles, discounts piling up)")
    parser.add_argument("--skip-summary", action="store_true", help="only the engine part (no Django)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_PROMOTIONS_DATABASE_URL", ""),
                        help="database for the cart summary part (default: a throwaway SQLite file); it is migrated "
                             "and gets bench rows")
    parser.add_argument("--redis-url", default="", help="Redis cache for the cart summary part (default: local memory)")
    parser.add_argument("--summary-lines", default="1,10,50", help="cart sizes of the cart summary part")
    parser.add_argument("--summary-promotions", default="10,200", help="active promotions of the cart summary part")
    parser.add_argument("--summary-runs", type=int, default=50, help="timed cart summaries per row")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    figures = {"engine": [bench_engine(args, mix) for mix in args.mixes.split(",")]}
    print_engine(figures["engine"])
    if not args.skip_summary:
        figures["summary"] = bench_summary(args)
        print_summary(figures["summary"])
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
