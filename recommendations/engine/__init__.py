"""The recommender engine: pure (numpy, scipy, implicit; no Django), tested and benchmarked alone.

- ``base``: the ``InteractionMatrix`` (customers x products, CSR, with both id maps), the
  ``Recommender`` protocol every model answers (``recommend``, ``similar``, ``knows``,
  ``to_bytes``), the ``.npz`` file layout.
- ``factors``: ALS and BPR (implicit), a customer's factors recalculated from the interactions
  passed in, so the model serves in real time and serves customers it never saw.
- ``neighbours``: item-item k-NN (implicit's cosine or BM25) and the popularity baseline.
- ``weighting``: raw weights to confidences (none, log, BM25), the same for training and serving.
- ``evaluate``: the per-user random hold-out, precision@k, ndcg@k, coverage, as a table.

``fit(algorithm, data, params, progress)`` trains one; ``load(bytes)`` reads any back. The Django
side (``recommendations.services.training``) builds the matrix from the shop's data, stores the
file through the storage API and swaps the active version.
"""

from __future__ import annotations

from recommendations.engine.base import InteractionMatrix, ItemIndex, ModelFormatError, Progress, Recommender, read
from recommendations.engine.factors import AlsRecommender, BprRecommender
from recommendations.engine.neighbours import ItemKnnRecommender, PopularityRecommender
from recommendations.engine.weighting import Weighting

ALGORITHMS = {
    "als": AlsRecommender,
    "bpr": BprRecommender,
    "item_knn": ItemKnnRecommender,
    "popularity": PopularityRecommender,
}


def fit(algorithm: str, data: InteractionMatrix, params: dict | None = None, progress: Progress | None = None) -> Recommender:
    """Train ``algorithm`` (a key of ``ALGORITHMS``) on ``data`` with ``params`` over its defaults."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}")
    if data.nnz == 0:
        raise ValueError("no interactions to train on")
    return ALGORITHMS[algorithm].fit(data, params, progress)


def load(data: bytes) -> Recommender:
    """A model written by ``to_bytes``; ``ModelFormatError`` for anything else."""
    algorithm, params, arrays = read(data)
    try:
        if algorithm in ("als", "bpr"):
            return ALGORITHMS[algorithm](params=params, items=ItemIndex(arrays["item_ids"]),
                                         item_factors=arrays["item_factors"], weighting=Weighting.read(params, arrays))
        if algorithm == "item_knn":
            return ItemKnnRecommender.from_arrays(params, arrays)
        if algorithm == "popularity":
            return PopularityRecommender(params=params, items=ItemIndex(arrays["item_ids"]), counts=arrays["counts"])
    except (KeyError, ValueError, TypeError) as error:
        raise ModelFormatError(f"a damaged {algorithm} model: {error}") from error
    raise ModelFormatError(f"unknown algorithm {algorithm!r}")


__all__ = [
    "ALGORITHMS",
    "AlsRecommender",
    "BprRecommender",
    "InteractionMatrix",
    "ItemKnnRecommender",
    "ModelFormatError",
    "PopularityRecommender",
    "Progress",
    "Recommender",
    "fit",
    "load",
]
