"""Item-item nearest neighbours (implicit's cosine or BM25 all-pairs k-NN) and the popularity baseline.

k-NN keeps, per product, its ``K`` most similar products (a sparse items x items matrix): a
customer's score for a product is the sum of their interactions' similarities to it, so it serves
anyone from their interactions alone, like the factor models.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping

import numpy as np
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
from implicit.utils import ParameterWarning

from recommendations.engine.base import InteractionMatrix, ItemIndex, Progress, csr_arrays, csr_from, dump
from recommendations.engine.weighting import Weighting

KNN_DEFAULTS = {"neighbours": 50, "similarity": "cosine", "weighting": "none"}
POPULARITY_DEFAULTS = {"weighting": "none"}


class ItemKnnRecommender:
    algorithm = "item_knn"

    def __init__(self, *, params: dict, items: ItemIndex, similarity, weighting: Weighting):
        self.params, self.items, self.similarity, self.weighting = params, items, similarity.tocsr(), weighting

    @classmethod
    def fit(cls, data: InteractionMatrix, params: dict | None = None, progress: Progress | None = None) -> ItemKnnRecommender:
        params = {**KNN_DEFAULTS, **(params or {})}
        if params["similarity"] not in ("cosine", "bm25"):
            raise ValueError("similarity must be cosine or bm25")
        weighting = Weighting.fitted(params["weighting"], data.matrix)
        kind = CosineRecommender if params["similarity"] == "cosine" else BM25Recommender
        model = kind(K=int(params["neighbours"]), num_threads=int(params.get("num_threads", 0)))
        with warnings.catch_warnings():  # implicit's own weighting hands its k-NN a COO matrix, and says so
            warnings.simplefilter("ignore", ParameterWarning)
            model.fit(weighting.apply(data.matrix), show_progress=False)
        if progress is not None:
            progress(1, 1)
        return cls(params={**params, **weighting.params()}, items=ItemIndex(data.item_ids), similarity=model.similarity,
                   weighting=weighting)

    def knows(self, product_id: int) -> bool:
        return self.items.knows(product_id)

    @property
    def product_ids(self) -> np.ndarray:
        return self.items.item_ids

    def recommend(self, interactions: Mapping[int, float], n: int = 10, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        row = self.weighting.apply_row(self.items.row(interactions))
        if row.nnz == 0:
            return []
        scores = (row @ self.similarity).toarray().ravel()
        scores[scores == 0] = -np.inf  # nothing in common: not a recommendation
        return self.items.top(scores, n, self.items.excluded(interactions, exclude))

    def similar(self, product_id: int, n: int = 10, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        index = self.items.index(product_id)
        if index is None:
            return []
        scores = self.similarity[index].toarray().ravel().astype(np.float64)
        scores[scores == 0] = -np.inf
        return self.items.top(scores, n, self.items.excluded([product_id], exclude))

    def to_bytes(self) -> bytes:
        return dump(self.algorithm, self.params, {"item_ids": self.items.item_ids,
                                                  **csr_arrays("similarity", self.similarity), **self.weighting.arrays()})

    @classmethod
    def from_arrays(cls, params: dict, arrays: dict) -> ItemKnnRecommender:
        return cls(params=params, items=ItemIndex(arrays["item_ids"]), similarity=csr_from("similarity", arrays),
                   weighting=Weighting.read(params, arrays))


class PopularityRecommender:
    """The baseline: the products most interacted with (customers counted, not weights), for everyone."""

    algorithm = "popularity"

    def __init__(self, *, params: dict, items: ItemIndex, counts: np.ndarray):
        self.params, self.items, self.counts = params, items, np.asarray(counts, dtype=np.float64)

    @classmethod
    def fit(cls, data: InteractionMatrix, params: dict | None = None, progress: Progress | None = None) -> PopularityRecommender:
        counts = np.bincount(data.matrix.indices, minlength=data.matrix.shape[1])
        if progress is not None:
            progress(1, 1)
        return cls(params={**POPULARITY_DEFAULTS, **(params or {})}, items=ItemIndex(data.item_ids), counts=counts)

    def knows(self, product_id: int) -> bool:
        return self.items.knows(product_id)

    @property
    def product_ids(self) -> np.ndarray:
        return self.items.item_ids

    def recommend(self, interactions: Mapping[int, float], n: int = 10, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        return self.items.top(self.counts, n, self.items.excluded(interactions, exclude))

    def similar(self, product_id: int, n: int = 10, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        return []  # popularity knows no likeness

    def to_bytes(self) -> bytes:
        return dump(self.algorithm, self.params, {"item_ids": self.items.item_ids, "counts": self.counts})
