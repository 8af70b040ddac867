"""The ranker over candidate features: a linear score fitted listwise (softmax over each question's pool) on the dev
sets, plus boosted trees (qa/trees.py) that learn what the linear score cannot — how features combine. Both live in
qa/models/ranker.json, written by `python -m qa.calibrate`."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.trees import Trees

MODELS = Path(__file__).resolve().parent / "models"
MODEL = MODELS / "ranker.json"
# The pair (ranker and refusal model) fitted with the dev questions also asked among the bench's 24k man-page paragraphs
# (`python -m qa.calibrate --large`): in a large store it ranks better, in a small one no better than the other pair.
LARGE = MODELS / "large"


def models_for(index) -> Path:
    """The folder of the ranker and refusal model for an index: settings.models_dir when set, otherwise qa/models/large/
    from settings.large_store_parts records on."""
    if index.settings.models_dir is not None:
        return Path(index.settings.models_dir)
    return LARGE if len(index.ids) >= index.settings.large_store_parts and (LARGE / "ranker.json").exists() else MODELS

# The hand-set fusion of earlier sessions, as weights: what the ranker starts from, and what it is without a model file.
HAND_WEIGHTS = {
    "dense": 0.5, "sentence": 0.5, "mixed_dense": 1.0, "mixed_sentence": 1.0,
    "residual_dense": 0.5, "residual_sentence": 0.5, "residual_bm25": 0.3, "header": 0.5,
    "bm25_same": 0.9, "bm25_cross": 0.3, "bm25_sentence_same": 1.8, "bm25_sentence_cross": 0.6,
    "prefix_same": 1.8, "prefix_cross": 0.6, "context_bm25": 0.0, "cosine": 0.0,
    "table-row": 0.0, "preamble": 0.0, "metadata": -8.0, "metadata_about": 8.0, "metadata_only": 4.0, "length": 0.0,
    "statement_best": 0.0, "within_dense": 0.0, "within_residual_dense": 0.0, "within_residual_bm25": 0.0, "within_bm25": 0.0,
    "phrases": 0.0, "gloss_cross": 0.0, "figure_asked": 0.0, "date_asked": 0.0, "person_asked": 0.0,
}


# The trees' log-odds count half in the score: blended 0.5 and 1.0 held out the same on the collection sets (0.697),
# and 0.5 held the linear score's scale, which the answer's margins (qa/answer.py) are set in, closer.
TREES_WEIGHT = 0.5


@dataclass
class Ranker:
    """score = features · weights (unknown features weigh nothing) + TREES_WEIGHT × the trees' log-odds, when fitted."""

    weights: dict[str, float] = field(default_factory=lambda: dict(HAND_WEIGHTS))
    meta: dict = field(default_factory=dict)
    trees: Trees | None = None

    def score(self, names: list[str], matrix: np.ndarray) -> np.ndarray:
        linear = matrix @ np.array([self.weights.get(n, 0.0) for n in names], dtype=np.float32)
        if self.trees is None:
            return linear
        return (linear + TREES_WEIGHT * self.trees.raw(names, matrix)).astype(np.float32)

    def save(self, path: Path = MODEL) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"weights": self.weights, **self.meta}, indent=1, ensure_ascii=False)
        if self.trees is not None:
            # last, one array a line: the weights and the report stay readable at the top, and a refit's diff is a few
            # lines rather than one per tree node (70,000)
            arrays = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in self.trees.to_json().items())
            text = text[:-2] + ',\n "trees": {\n' + arrays + "\n }\n}"
        path.write_text(text + "\n", encoding="utf-8")


def load_ranker(path: Path = MODEL) -> Ranker:
    """The fitted ranker, or the hand-set weights when no model file exists."""
    if not path.exists():
        return Ranker()
    data = json.loads(path.read_text(encoding="utf-8"))
    trees = Trees.from_json(data["trees"]) if "trees" in data else None
    return Ranker(dict(data["weights"]), {k: v for k, v in data.items() if k not in ("weights", "trees")}, trees)


def fit(groups: list[tuple[np.ndarray, np.ndarray]], names: list[str], l2: float = 0.05,
        start: dict[str, float] | None = None, sample_weight: list[float] | None = None) -> dict[str, float]:
    """Weights maximising, over questions, the log-probability the softmax over each pool gives its gold parts, with an
    L2 pull towards `start` (the hand weights), so features a small dev set says little about keep their prior."""
    from scipy.optimize import minimize

    w0 = np.array([(start or HAND_WEIGHTS).get(n, 0.0) for n in names], dtype=np.float64)
    sw = np.asarray(sample_weight if sample_weight is not None else [1.0] * len(groups), dtype=np.float64)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for (x, gold), weight in zip(groups, sw):
            s = x @ w
            s = s - s.max()
            p = np.exp(s) / np.exp(s).sum()
            pg = p[gold].sum()
            total -= weight * np.log(max(pg, 1e-12))
            grad -= weight * (x[gold].T @ p[gold] / max(pg, 1e-12) - x.T @ p)
        total /= sw.sum()
        grad /= sw.sum()
        d = w - w0
        return total + l2 * float(d @ d), grad + 2 * l2 * d

    result = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return {n: round(float(v), 4) for n, v in zip(names, result.x)}
