"""Gradient-boosted trees over the ranker's features, kept as plain arrays: fitted by scikit-learn in `qa.calibrate`,
evaluated here with numpy (a question's pool in well under a millisecond, no scikit-learn at answer time)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Measured leave-one-set-out over the five collection sets (session 17): depth 3 trees lost to the linear ranker
# (R@1 0.650 against 0.656), depth 4 and 400 rounds gained most blended with it (0.697); depth 5 no more (0.691).
PARAMS = {"max_depth": 4, "max_iter": 400, "learning_rate": 0.05, "l2_regularization": 1.0, "min_samples_leaf": 40}


# What a part's score means depends on its question: a cosine of 0.80 leads one pool and trails another. The trees also
# read each of these features as its gap to the best candidate of the same pool ("dense~best": 0 for the densest part),
# which they cannot form from a row alone (the linear score's softmax over the pool already sees only differences).
# Held out, one collection set at a time, ranker only (session 22): R@1 0.678 → 0.700; seed, UDHR, XQuAD-dev alike.
RELATIVE = ("dense", "sentence", "mixed_dense", "mixed_sentence", "residual_dense", "residual_sentence", "header",
            "bm25_same", "bm25_cross", "bm25_sentence_same", "bm25_sentence_cross", "prefix_same", "prefix_cross",
            "context_bm25", "residual_bm25", "phrases", "gloss_cross", "statement_idf")
BEST = "~best"


def with_relative(names: list[str], matrix: np.ndarray) -> tuple[list[str], np.ndarray]:
    """One question's pool with each RELATIVE feature's gap to its best in the pool appended."""
    columns = [i for i, n in enumerate(names) if n in RELATIVE]
    sub = matrix[:, columns]
    gaps = sub - sub.max(axis=0, keepdims=True) if len(matrix) else sub
    return [*names, *(names[i] + BEST for i in columns)], np.concatenate([matrix, gaps], axis=1)


@dataclass
class Trees:
    """Every tree's nodes in flat arrays; `left`/`right` index the same arrays, `roots` holds each tree's first node.
    A part's raw score is `baseline` plus the value of the leaf it reaches in each tree (the log-odds it is gold)."""

    names: list[str]
    baseline: float
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    depth: int

    def raw(self, names: list[str], matrix: np.ndarray) -> np.ndarray:
        """Each row's log-odds; a feature the trees split on that `names` lacks reads as missing."""
        if not len(matrix):
            return np.zeros(0, np.float64)
        if any(n.endswith(BEST) for n in self.names):
            names, matrix = with_relative(names, matrix)
        position = {n: i for i, n in enumerate(names)}
        x = np.full((len(matrix), len(self.names)), np.nan)
        for j, name in enumerate(self.names):
            if name in position:
                x[:, j] = matrix[:, position[name]]
        node = np.repeat(self.roots[None, :], len(x), axis=0)
        rows = np.arange(len(x))[:, None]
        for _ in range(self.depth):
            value = x[rows, self.feature[node]]
            go_left = np.where(np.isnan(value), self.missing_left[node], value <= self.threshold[node])
            node = np.where(self.leaf[node], node, np.where(go_left, self.left[node], self.right[node]))
        return self.baseline + self.value[node].sum(axis=1)

    def to_json(self) -> dict:
        return {"names": self.names, "baseline": self.baseline, "depth": self.depth,
                **{k: getattr(self, k).tolist() for k in _ARRAYS}}

    @classmethod
    def from_json(cls, data: dict) -> Trees:
        arrays = {k: np.asarray(data[k], dtype) for k, dtype in _ARRAYS.items()}
        return cls(list(data["names"]), float(data["baseline"]), depth=int(data["depth"]), **arrays)


_ARRAYS = {"roots": np.int64, "feature": np.int64, "threshold": np.float64, "missing_left": bool, "left": np.int64,
           "right": np.int64, "leaf": bool, "value": np.float64}


def fit_trees(x: np.ndarray, gold: np.ndarray, sample_weight: np.ndarray, names: list[str], seed: int = 0) -> Trees:
    """Boosted trees predicting whether a candidate is gold (log loss, every candidate weighted by its question's weight)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(**PARAMS, early_stopping=False, random_state=seed)
    model.fit(x, gold.astype(int), sample_weight=sample_weight)
    return from_sklearn(model, names)


def from_sklearn(model, names: list[str]) -> Trees:
    """The arrays of a fitted binary HistGradientBoostingClassifier (its leaf values already include the learning rate)."""
    parts: dict[str, list[np.ndarray]] = {k: [] for k in _ARRAYS if k != "roots"}
    roots, offset, depth = [], 0, 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        roots.append(offset)
        parts["feature"].append(nodes["feature_idx"].astype(np.int64))
        parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
        parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
        parts["left"].append(nodes["left"].astype(np.int64) + offset)
        parts["right"].append(nodes["right"].astype(np.int64) + offset)
        parts["leaf"].append(nodes["is_leaf"].astype(bool))
        parts["value"].append(np.where(nodes["is_leaf"], nodes["value"], 0.0).astype(np.float64))
        depth = max(depth, int(nodes["depth"].max()))
        offset += len(nodes)
    baseline = float(np.ravel(model._baseline_prediction)[0])
    return Trees(list(names), baseline, np.array(roots, np.int64), depth=depth,
                 **{k: np.concatenate(v) for k, v in parts.items()})
