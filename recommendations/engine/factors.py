"""Matrix factorisation models: implicit's ALS and BPR, served from their item factors.

A customer's factors are never looked up by row: they are recalculated from the trained item
factors and the interactions passed in (ALS: implicit's ``recalculate_user``, one small least
squares; BPR: the confidence-weighted mean of the items' factors, with its bias term). So one path
serves a customer seen in training, one whose last click came after it, and an anonymous session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from implicit.cpu.als import AlternatingLeastSquares
from implicit.cpu.bpr import BayesianPersonalizedRanking

from recommendations.engine.base import InteractionMatrix, ItemIndex, Progress, dump
from recommendations.engine.weighting import Weighting

ALS_DEFAULTS = {"factors": 64, "regularization": 0.05, "alpha": 1.0, "iterations": 15, "weighting": "none",
                "random_state": 42}
BPR_DEFAULTS = {"factors": 64, "learning_rate": 0.01, "regularization": 0.01, "iterations": 100, "weighting": "none",
                "random_state": 42}


def _callback(progress: Progress | None, total: int):
    if progress is None:
        return None
    return lambda iteration, *_: progress(iteration + 1, total)


class _Factors:
    algorithm = ""

    def __init__(self, *, params: dict, items: ItemIndex, item_factors: np.ndarray, weighting: Weighting):
        self.params, self.items, self.item_factors, self.weighting = params, items, item_factors, weighting
        norms = np.linalg.norm(item_factors, axis=1)
        self._unit = item_factors / np.where(norms > 0, norms, 1.0)[:, None]

    def knows(self, product_id: int) -> bool:
        return self.items.knows(product_id)

    @property
    def product_ids(self) -> np.ndarray:
        return self.items.item_ids

    def user_factors(self, interactions: Mapping[int, float]) -> np.ndarray | None:
        raise NotImplementedError

    def recommend(self, interactions: Mapping[int, float], n: int = 10, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        user = self.user_factors(interactions)
        if user is None:
            return []
        return self.items.top(self.item_factors @ user, n, self.items.excluded(interactions, exclude))

    def similar(self, product_id: int, n: int = 10, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        index = self.items.index(product_id)
        if index is None:
            return []
        return self.items.top(self._unit @ self._unit[index], n, self.items.excluded([product_id], exclude))

    def to_bytes(self) -> bytes:
        return dump(self.algorithm, self.params, {"item_ids": self.items.item_ids, "item_factors": self.item_factors,
                                                  **self.weighting.arrays()})


class AlsRecommender(_Factors):
    algorithm = "als"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._model = AlternatingLeastSquares(
            factors=self.item_factors.shape[1], regularization=self.params["regularization"], alpha=self.params["alpha"],
            num_threads=1)
        self._model.item_factors = self.item_factors

    @classmethod
    def fit(cls, data: InteractionMatrix, params: dict | None = None, progress: Progress | None = None) -> AlsRecommender:
        params = {**ALS_DEFAULTS, **(params or {})}
        weighting = Weighting.fitted(params["weighting"], data.matrix, k1=params.get("bm25_k1", 100.0),
                                     b=params.get("bm25_b", 0.8))
        model = AlternatingLeastSquares(
            factors=int(params["factors"]), regularization=float(params["regularization"]), alpha=float(params["alpha"]),
            iterations=int(params["iterations"]), random_state=params["random_state"],
            num_threads=int(params.get("num_threads", 0)))
        model.fit(weighting.apply(data.matrix), show_progress=False,
                  callback=_callback(progress, int(params["iterations"])))
        params = {**params, **weighting.params()}
        return cls(params=params, items=ItemIndex(data.item_ids), item_factors=np.ascontiguousarray(model.item_factors),
                   weighting=weighting)

    def user_factors(self, interactions: Mapping[int, float]) -> np.ndarray | None:
        row = self.items.row(interactions)
        if row.nnz == 0:
            return None
        return self._model.recalculate_user(0, self.weighting.apply_row(row))


class BprRecommender(_Factors):
    """implicit's BPR keeps each item's bias in the last column of its factors (and a 1 in the users')."""

    algorithm = "bpr"

    @classmethod
    def fit(cls, data: InteractionMatrix, params: dict | None = None, progress: Progress | None = None) -> BprRecommender:
        params = {**BPR_DEFAULTS, **(params or {})}
        weighting = Weighting.fitted(params["weighting"], data.matrix)
        model = BayesianPersonalizedRanking(
            factors=int(params["factors"]), learning_rate=float(params["learning_rate"]),
            regularization=float(params["regularization"]), iterations=int(params["iterations"]),
            random_state=params["random_state"], num_threads=int(params.get("num_threads", 0)))
        model.fit(weighting.apply(data.matrix), show_progress=False,
                  callback=_callback(progress, int(params["iterations"])))
        params = {**params, **weighting.params()}
        return cls(params=params, items=ItemIndex(data.item_ids), item_factors=np.ascontiguousarray(model.item_factors),
                   weighting=weighting)

    def user_factors(self, interactions: Mapping[int, float]) -> np.ndarray | None:
        row = self.weighting.apply_row(self.items.row(interactions))
        if row.nnz == 0:
            return None
        weights = row.data / row.data.sum()
        user = weights @ self.item_factors[row.indices]
        user[-1] = 1.0  # the bias column
        return user

