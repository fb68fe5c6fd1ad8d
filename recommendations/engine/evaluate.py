"""Offline measurement: a per-user random hold-out, precision@k, ndcg@k and coverage, as a table.

The protocol (``/work/shared/data/README.md``, the reference figures' own): every customer with at
least ``min_items`` products has ``fraction`` of them (at least one), drawn with ``seed``, held out;
the model trains on the rest; each such customer gets ``k`` recommendations from their training
interactions (through ``Recommender.recommend``, the path that serves, so a customer's factors are
recalculated as in production), never one of those. The metrics are implicit's
``ranking_metrics_at_k``: precision = hits / sum of min(k, held out) over the customers; ndcg@k
averaged over them (binary gains, ideal = min(k, held out) hits first); coverage = the share of
the trained products recommended to anyone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from recommendations.engine.base import InteractionMatrix, Recommender


@dataclass(frozen=True)
class Split:
    train: InteractionMatrix
    test: sparse.csr_matrix  # same rows and columns as train.matrix: the held-out products


def holdout_split(data: InteractionMatrix, *, fraction: float = 0.2, seed: int = 42, min_items: int = 5) -> Split:
    if not 0 < fraction < 1:
        raise ValueError("fraction must be between 0 and 1")
    rng = np.random.default_rng(seed)
    matrix = data.matrix.tocsr()
    keep = np.ones(matrix.nnz, dtype=bool)
    for user in range(matrix.shape[0]):
        start, end = matrix.indptr[user], matrix.indptr[user + 1]
        count = end - start
        if count < min_items:
            continue
        held = rng.choice(count, size=max(1, int(round(count * fraction))), replace=False)
        keep[start + held] = False
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    def part(mask):
        return sparse.csr_matrix((matrix.data[mask], (rows[mask], matrix.indices[mask])), shape=matrix.shape,
                                 dtype=np.float32)
    return Split(InteractionMatrix(part(keep), data.user_ids, data.item_ids), part(~keep))


@dataclass(frozen=True)
class Scores:
    name: str
    precision: float
    ndcg: float
    coverage: float
    users: int
    fit_seconds: float
    recommend_ms: float  # mean per customer

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "ndcg": round(self.ndcg, 4), "coverage": round(self.coverage, 4),
                "users": self.users, "fit_seconds": round(self.fit_seconds, 3), "recommend_ms": round(self.recommend_ms, 3)}

    def row(self) -> list[str]:
        return [self.name, f"{self.precision:.3f}", f"{self.ndcg:.3f}", f"{self.coverage:.3f}", str(self.users),
                f"{self.fit_seconds:.2f}", f"{self.recommend_ms:.2f}"]


HEADER = ["model", "precision@k", "ndcg@k", "coverage", "users", "fit s", "ms/user"]


def score(model: Recommender, split: Split, *, k: int = 10, name: str = "", fit_seconds: float = 0.0,
          similar: bool = False) -> Scores:
    """The hold-out figures of ``model``'s ``recommend`` (or, with ``similar``, of ``similar`` asked
    for the product each customer weighed most in training: how well "products like this" finds
    what they went on to take)."""
    train, test = split.train, split.test
    item_ids = train.item_ids
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)
    relevant = total = 0
    ndcg = 0.0
    users = 0
    shown: set[int] = set()
    started = time.perf_counter()
    for user in np.flatnonzero(np.diff(test.indptr)):
        held = set(item_ids[test.indices[test.indptr[user]:test.indptr[user + 1]]].tolist())
        start, end = train.matrix.indptr[user], train.matrix.indptr[user + 1]
        interactions = dict(zip(item_ids[train.matrix.indices[start:end]].tolist(),
                                train.matrix.data[start:end].tolist(), strict=True))
        if similar:
            seed = max(interactions, key=lambda pid: (interactions[pid], -pid)) if interactions else None
            found = model.similar(seed, k, exclude=interactions) if seed is not None else []
            answer = [pid for pid, _ in found]
        else:
            answer = [pid for pid, _ in model.recommend(interactions, k)]
        shown.update(answer)
        hits = [rank for rank, pid in enumerate(answer[:k]) if pid in held]
        relevant += len(hits)
        total += min(k, len(held))
        ndcg += float(discount[hits].sum()) / ideal[min(k, len(held)) - 1]
        users += 1
    elapsed = time.perf_counter() - started
    return Scores(name or model.algorithm, relevant / total if total else 0.0, ndcg / users if users else 0.0,
                  len(shown) / len(item_ids) if len(item_ids) else 0.0, users, fit_seconds,
                  1000 * elapsed / users if users else 0.0)


def compare(split: Split, candidates: Iterable[tuple[str, Callable[[InteractionMatrix], Recommender]]], *,
            k: int = 10, similar: bool = False) -> list[Scores]:
    """Train each candidate (``name, train -> model``) on the split's training part and score it."""
    results = []
    for name, train in candidates:
        started = time.perf_counter()
        model = train(split.train)
        results.append(score(model, split, k=k, name=name, fit_seconds=time.perf_counter() - started, similar=similar))
    return results


def table(results: Iterable[Scores], *, k: int = 10) -> str:
    rows = [[h.replace("@k", f"@{k}") for h in HEADER], *(r.row() for r in results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def read_movielens(lines: Iterable[str], *, min_rating: float = 0.0) -> InteractionMatrix:
    """MovieLens ``u.data`` (``user item rating timestamp``, tab-separated): each rating of at least
    ``min_rating`` as one interaction of weight 1 (the reference protocol)."""
    users, items = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) < 3:
            raise ValueError(f"line {number}: expected user, item, rating, timestamp")
        try:
            user, item, rating = int(parts[0]), int(parts[1]), float(parts[2])
        except ValueError as error:
            raise ValueError(f"line {number}: {error}") from error
        if rating >= min_rating:
            users.append(user)
            items.append(item)
    if not users:
        raise ValueError("no interactions in the file")
    data = InteractionMatrix.from_triples(users, items, np.ones(len(users), dtype=np.float32))
    data.matrix.data[:] = 1.0  # a rating counts once, however often a pair repeats
    return data
