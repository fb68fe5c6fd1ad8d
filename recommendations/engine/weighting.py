"""How raw interaction weights become the confidences a model trains on.

The same transform is applied to the training matrix and, at serving time, to one customer's row
(``apply_row``), so a recalculated customer is weighed as the trained ones were. ``bm25`` keeps
what it needs for that (each product's idf and the mean row length) in the model file.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

KINDS = ("none", "log", "bm25")


class Weighting:
    def __init__(self, kind: str = "none", *, k1: float = 100.0, b: float = 0.8, idf: np.ndarray | None = None,
                 mean_length: float = 1.0):
        if kind not in KINDS:
            raise ValueError(f"weighting must be one of {', '.join(KINDS)}")
        self.kind, self.k1, self.b = kind, float(k1), float(b)
        self.idf, self.mean_length = idf, float(mean_length)

    @classmethod
    def fitted(cls, kind: str, matrix: sparse.csr_matrix, *, k1: float = 100.0, b: float = 0.8) -> Weighting:
        if kind != "bm25":
            return cls(kind)
        users = float(max(matrix.shape[0], 1))
        idf = (np.log(users) - np.log1p(np.bincount(matrix.indices, minlength=matrix.shape[1]))).astype(np.float32)
        lengths = np.asarray(matrix.sum(axis=1)).ravel()
        return cls(kind, k1=k1, b=b, idf=np.maximum(idf, 0.0), mean_length=float(lengths.mean()) if len(lengths) else 1.0)

    def apply(self, matrix: sparse.csr_matrix) -> sparse.csr_matrix:
        matrix = matrix.astype(np.float32, copy=True)
        if self.kind == "log":
            matrix.data = np.log1p(matrix.data)
        elif self.kind == "bm25":
            lengths = np.asarray(matrix.sum(axis=1)).ravel()
            norm = (1.0 - self.b) + self.b * lengths / max(self.mean_length, 1e-9)
            rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
            data = matrix.data
            matrix.data = (data * (self.k1 + 1.0) / (self.k1 * norm[rows] + data) * self.idf[matrix.indices]).astype(np.float32)
        return matrix

    apply_row = apply  # one customer's 1 x items row: the same arithmetic

    def arrays(self) -> dict[str, np.ndarray]:
        if self.kind != "bm25":
            return {}
        return {"bm25_idf": self.idf, "bm25_mean_length": np.array(self.mean_length)}

    def params(self) -> dict:
        return {"weighting": self.kind, **({"bm25_k1": self.k1, "bm25_b": self.b} if self.kind == "bm25" else {})}

    @classmethod
    def read(cls, params: dict, arrays: dict[str, np.ndarray]) -> Weighting:
        kind = params.get("weighting", "none")
        if kind != "bm25":
            return cls(kind)
        return cls(kind, k1=params.get("bm25_k1", 100.0), b=params.get("bm25_b", 0.8), idf=arrays["bm25_idf"],
                   mean_length=float(arrays["bm25_mean_length"]))
