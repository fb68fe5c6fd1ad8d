"""Benchmark: the product list API served by gunicorn on MariaDB + Redis, under concurrent load.

What it does (see bench/README.md):
1. creates the database if needed, migrates it and loads the demo shop (``manage.py seed_demo``);
2. counts the SQL queries of one list request per page size, in a separate Django process, with
   ``CaptureQueriesContext`` (the warm, steady-state request);
3. starts gunicorn (production settings, DEBUG off, throttles raised) on a free 127.0.0.1 port;
4. from this process, drives GET /api/v1/products/?page_size=N with threads, each holding one
   keep-alive ``http.client`` connection, at a few concurrency levels, bounded by request count
   and by time; prints requests/s, p50/p95 latency and queries per request;
5. stops gunicorn, whatever happened.

Traffic goes to 127.0.0.1 only.

    .venv/bin/python bench/product_list.py
    .venv/bin/python bench/product_list.py --concurrency 1,8 --duration 5 --page-sizes 10,100
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
    log,
    manage,
    percentile,
    server_env,
    start_gunicorn,
    stop,
    wait_until_up,
)

QUERY_COUNTER = """
import json, sys
import django
django.setup()
from django.test import Client

sys.path.insert(0, "bench")
from _common import sql_statements

client = Client(HTTP_HOST="127.0.0.1")
out = {}
for url in sys.argv[1:]:
    first = client.get(url)
    with sql_statements() as statements:
        response = client.get(url)
    body = response.json() if response.status_code == 200 else {}
    out[url] = {
        "status": response.status_code,
        "queries": len(statements),
        "results": len(body.get("results", [])) if isinstance(body, dict) else None,
        "count": body.get("count") if isinstance(body, dict) else None,
    }
print(json.dumps(out))
"""


@dataclass
class LevelResult:
    path: str
    concurrency: int
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    latencies_ms: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, int(p))


def count_queries(env: dict, urls: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", QUERY_COUNTER, *urls], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit("counting queries failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_level(port: int, path: str, concurrency: int, *, max_requests: int, duration: float) -> LevelResult:
    """``concurrency`` threads, one keep-alive connection each, until either bound is reached."""
    result = LevelResult(path=path, concurrency=concurrency)
    lock = threading.Lock()
    tickets = Tickets(limit=max_requests, threads=concurrency)

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies, statuses, errors = [], {}, 0
        tickets.gate.wait()
        while tickets.take():
            for attempt in (1, 2):  # the server may close an idle keep-alive connection: reconnect once
                began = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept": "application/json"})
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


def warm_up(port: int, paths: list[str], rounds: int = 20) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    for _ in range(rounds):
        for path in paths:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"GET {path} answered {response.status}; the bench needs 200")
    conn.close()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/commerce_bench"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--path", default="/api/v1/products/", help="endpoint under test (page_size is appended)")
    parser.add_argument("--page-sizes", default="10,100")
    parser.add_argument("--concurrency", default="1,4,16", help="comma-separated client thread counts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level at most")
    parser.add_argument("--max-requests", type=int, default=3000, help="requests per level at most")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (2-4 makes sense on 2 cores)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--skip-seed", action="store_true", help="don't migrate and seed (the database is ready)")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    page_sizes = [int(x) for x in args.page_sizes.split(",")]
    levels = [int(x) for x in args.concurrency.split(",")]
    paths = [f"{args.path}?page_size={size}" for size in page_sizes]
    env = server_env(args, cache_key_prefix="commerce-bench")

    if not args.skip_seed:
        ensure_database(args.database_url)
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo", "--allow-production")  # served with production settings; a bench database
    queries = count_queries(env, paths)
    for path, info in queries.items():
        if info["status"] != 200:
            raise SystemExit(f"GET {path} answered {info['status']} in process; the bench needs 200")

    port = free_port()
    server = start_gunicorn(env, port, ServerSpec("gthread", args.workers, args.threads),
                            label=f"{args.workers} workers x {args.threads} threads")
    results: list[LevelResult] = []
    try:
        wait_until_up(port, server)
        warm_up(port, paths)
        for path in paths:
            for concurrency in levels:
                result = run_level(port, path, concurrency, max_requests=args.max_requests, duration=args.duration)
                results.append(result)
                log(f"{path} c={concurrency}: {result.requests} requests in {result.seconds:.1f}s")
    finally:
        stop(server)

    print()
    print(f"product list API: gunicorn gthread {args.workers}x{args.threads} on {HOST}, "
          f"DB {urlparse(args.database_url).path.lstrip('/')} (MariaDB), cache Redis, DEBUG off; "
          f"{os.cpu_count()} CPUs shared with the load generator")
    header = f"{'endpoint':<34} {'items':>5} {'conc':>4} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'SQL/req':>7} {'non-200':>7}"
    print(header)
    print("-" * len(header))
    rows = []
    for result in results:
        info = queries[result.path]
        non_ok = result.errors + sum(n for status, n in result.statuses.items() if status != 200)
        row = {
            "path": result.path, "items": info["results"], "concurrency": result.concurrency, "requests": result.requests,
            "rps": round(result.rps, 1), "p50_ms": round(result.percentile(50), 2), "p95_ms": round(result.percentile(95), 2),
            "queries_per_request": info["queries"], "non_200": non_ok,
        }
        rows.append(row)
        print(f"{row['path']:<34} {row['items']:>5} {row['concurrency']:>4} {row['requests']:>8} {row['rps']:>8.1f} "
              f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['queries_per_request']:>7} {row['non_200']:>7}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "products": next(iter(queries.values()))["count"]}, indent=2))
    return 1 if any(r["non_200"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
