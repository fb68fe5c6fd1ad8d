"""Recommendations bench: ``--parts training`` (this file's part so far; ``serving`` joins it later).

Training: for each size in ``--sizes`` (interactions; default 100k, 1M, 5M) a synthetic shop
(``--users`` scaled with the size, items with a long-tailed popularity, seed 7) is built as an
``InteractionMatrix`` and ALS is trained on it with the settings' parameters, each size in a fresh
child process so its peak resident memory (``ru_maxrss``) is its own. Printed per size: non-zeros,
customers x products (what memory must NOT grow with), matrix build and fit seconds, peak RSS, and
the MB per million non-zeros. Pure engine: no database.

    nice .venv/bin/python bench/recommendations.py --parts training --sizes 100000,1000000
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
PARTS = ("training",)


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


if __name__ == "__main__":
    main()
