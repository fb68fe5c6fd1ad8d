"""The engine's vocabulary: the interaction matrix, the ``Recommender`` protocol, serialisation.

A recommender is trained on an ``InteractionMatrix`` (customers x products, summed weights, in a
scipy CSR matrix, with the product ids of its columns and the customer ids of its rows) and
answers in product ids, never in matrix indices: callers pass a customer's interactions as
``{product_id: weight}`` so the same call serves a customer seen in training, one who interacted
since (real time) and one never seen (an anonymous session).

A trained recommender is written as bytes: a numpy ``.npz`` archive of plain arrays and one JSON
header (``meta``), read back with ``allow_pickle=False``, so loading a model file runs no code.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from scipy import sparse

#: the version of the file layout; ``load`` refuses another
FORMAT = 1

#: ``progress(done, total)``: called by ``fit`` between iterations (the admin shows it)
Progress = Callable[[int, int], None]


class ModelFormatError(ValueError):
    """Bytes that are not a model this engine wrote (another format, another algorithm, damaged)."""


@dataclass(frozen=True)
class InteractionMatrix:
    """Customers x products: ``matrix[u, i]`` is the summed (decayed) weight of what customer
    ``user_ids[u]`` did with product ``item_ids[i]``."""

    matrix: sparse.csr_matrix
    user_ids: np.ndarray  # int64, one per row
    item_ids: np.ndarray  # int64, one per column

    @classmethod
    def from_triples(cls, users: Sequence[int] | np.ndarray, items: Sequence[int] | np.ndarray,
                     weights: Sequence[float] | np.ndarray) -> InteractionMatrix:
        """Duplicate (user, item) pairs are summed. Memory: a few arrays of the triples' length."""
        users = np.asarray(users, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float32)
        user_ids, rows = np.unique(users, return_inverse=True)
        item_ids, cols = np.unique(items, return_inverse=True)
        matrix = sparse.coo_matrix((weights, (rows, cols)), shape=(len(user_ids), len(item_ids))).tocsr()
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        return cls(matrix.astype(np.float32), user_ids, item_ids)

    @property
    def nnz(self) -> int:
        return int(self.matrix.nnz)

    def row_of(self, user_id: int) -> dict[int, float]:
        """One customer's interactions as ``{product_id: weight}`` (empty when unknown)."""
        found = np.searchsorted(self.user_ids, user_id)
        if found >= len(self.user_ids) or self.user_ids[found] != user_id:
            return {}
        start, end = self.matrix.indptr[found], self.matrix.indptr[found + 1]
        return dict(zip(self.item_ids[self.matrix.indices[start:end]].tolist(), self.matrix.data[start:end].tolist(), strict=True))


@runtime_checkable
class Recommender(Protocol):
    """What every trained model answers. Scores are comparable within one answer only."""

    algorithm: str
    params: dict

    def knows(self, product_id: int) -> bool:
        """Whether the product was in the training data (a cold product has no neighbours)."""

    def recommend(self, interactions: Mapping[int, float], n: int = 10,
                  exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        """The ``n`` best products for someone with these interactions, best first; never one of
        the interactions' own products nor one of ``exclude``. Unknown products are ignored; no
        known product gives an empty list (the caller falls back to popularity)."""

    def similar(self, product_id: int, n: int = 10, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        """The ``n`` products most like ``product_id`` (never itself); empty when it is unknown."""

    def to_bytes(self) -> bytes:
        """The model as a ``.npz`` archive (``engine.load`` reads it back)."""


class ItemIndex:
    """Product ids <-> column indices, shared by every implementation."""

    def __init__(self, item_ids: np.ndarray):
        self.item_ids = np.asarray(item_ids, dtype=np.int64)
        self._index = {int(pid): i for i, pid in enumerate(self.item_ids.tolist())}

    def __len__(self) -> int:
        return len(self.item_ids)

    def knows(self, product_id: int) -> bool:
        return int(product_id) in self._index

    def index(self, product_id: int) -> int | None:
        return self._index.get(int(product_id))

    def row(self, interactions: Mapping[int, float]) -> sparse.csr_matrix:
        """A 1 x items CSR row of the known products' weights (duplicates impossible: a mapping)."""
        pairs = sorted((self._index[int(p)], float(w)) for p, w in interactions.items()
                       if int(p) in self._index and w > 0)
        cols = np.array([c for c, _ in pairs], dtype=np.int32)
        data = np.array([w for _, w in pairs], dtype=np.float32)
        return sparse.csr_matrix((data, cols, np.array([0, len(cols)], dtype=np.int32)), shape=(1, len(self)))

    def excluded(self, *groups: Iterable[int]) -> np.ndarray:
        return np.array(sorted({self._index[int(p)] for group in groups for p in group if int(p) in self._index}),
                        dtype=np.int64)

    def top(self, scores: np.ndarray, n: int, excluded: np.ndarray) -> list[tuple[int, float]]:
        """The ``n`` best-scored products not excluded, best first; ties by product id."""
        scores = np.asarray(scores, dtype=np.float64).copy()
        if len(excluded):
            scores[excluded] = -np.inf
        n = max(0, min(int(n), int(np.isfinite(scores).sum())))
        if n == 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        best = best[np.lexsort((self.item_ids[best], -scores[best]))]
        return [(int(self.item_ids[i]), float(scores[i])) for i in best if np.isfinite(scores[i])]


# --- serialisation ----------------------------------------------------------------------------------
def dump(algorithm: str, params: dict, arrays: dict[str, np.ndarray]) -> bytes:
    meta = json.dumps({"format": FORMAT, "algorithm": algorithm, "params": params}, sort_keys=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.array(meta), **arrays)
    return buffer.getvalue()


def read(data: bytes) -> tuple[str, dict, dict[str, np.ndarray]]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(str(arrays.pop("meta")))
    except Exception as error:  # a zip, npy or JSON error: all mean "not one of ours"
        raise ModelFormatError(f"not a model file: {error}") from error
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFormatError("a model file of another format")
    return meta["algorithm"], meta.get("params") or {}, arrays


def csr_arrays(prefix: str, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
    return {f"{prefix}_data": matrix.data, f"{prefix}_indices": matrix.indices, f"{prefix}_indptr": matrix.indptr,
            f"{prefix}_shape": np.array(matrix.shape, dtype=np.int64)}


def csr_from(prefix: str, arrays: dict[str, np.ndarray]) -> sparse.csr_matrix:
    return sparse.csr_matrix((arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]),
                             shape=tuple(int(v) for v in arrays[f"{prefix}_shape"]))
