"""Boosted trees as arrays: fitted by scikit-learn, evaluated with numpy exactly as scikit-learn would, kept in JSON,
and added to the linear score by the ranker."""
from __future__ import annotations

import json

import numpy as np

from qa.ranker import TREES_WEIGHT, Ranker, load_ranker
from qa.trees import PARAMS, Trees, fit_trees, from_sklearn


def _interaction(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gold when two features are high together: what no linear score over them can rank."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, (x[:, 0] > 0.3) & (x[:, 1] > 0.3)


def test_numpy_evaluation_equals_scikit_learn_and_round_trips_through_json():
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = _interaction(3000)
    model = HistGradientBoostingClassifier(**PARAMS, early_stopping=False, random_state=0).fit(x, y.astype(int))
    trees = from_sklearn(model, ["a", "b", "c"])
    test, _ = _interaction(500, seed=1)
    test[::17, 2] = np.nan  # a missing value follows the side scikit-learn sends it to
    assert np.allclose(trees.raw(["a", "b", "c"], test), model.decision_function(test), atol=1e-9)
    back = Trees.from_json(json.loads(json.dumps(trees.to_json())))
    assert np.array_equal(back.raw(["a", "b", "c"], test), trees.raw(["a", "b", "c"], test))
    # columns are found by name, in any order
    assert np.allclose(trees.raw(["c", "a", "b"], test[:, [2, 0, 1]]), trees.raw(["a", "b", "c"], test))


def test_trees_learn_an_interaction_the_linear_score_cannot(tmp_path):
    x, y = _interaction(3000)
    trees = fit_trees(x, y, np.ones(len(x)), ["a", "b", "c"])
    test, gold = _interaction(1000, seed=2)
    raw = trees.raw(["a", "b", "c"], test)
    assert (raw[gold] > 0).mean() > 0.9 and (raw[~gold] < 0).mean() > 0.9
    ranker = Ranker({"a": 1.0}, {"note": "test"}, trees)
    assert np.allclose(ranker.score(["a", "b", "c"], test), test[:, 0] + TREES_WEIGHT * raw, atol=1e-5)
    ranker.save(tmp_path / "r.json")
    back = load_ranker(tmp_path / "r.json")
    assert back.meta == {"note": "test"} and np.allclose(back.score(["a", "b", "c"], test), ranker.score(["a", "b", "c"], test))


def test_the_shipped_ranker_has_trees_over_its_own_features():
    """Its own features, and their gaps to the best of the pool (qa/trees.py RELATIVE)."""
    from qa.trees import BEST, RELATIVE

    ranker = load_ranker()
    assert ranker.trees is not None
    plain = [n for n in ranker.trees.names if not n.endswith(BEST)]
    gaps = [n[: -len(BEST)] for n in ranker.trees.names if n.endswith(BEST)]
    assert set(plain) <= set(ranker.weights) and set(gaps) == set(RELATIVE) & set(plain)


def test_trees_read_a_features_gap_to_the_best_of_its_own_pool():
    """Gold is the densest part of each question's pool, whatever the pool's level: no threshold on the raw cosine
    finds it, the gap to the pool's best ("dense~best") does; evaluation forms the gaps from the pool it is given."""
    from qa.trees import with_relative

    rng = np.random.default_rng(3)

    def pools(n: int):
        for _ in range(n):
            dense = rng.uniform(0.5, 0.9) + rng.normal(scale=0.03, size=8)  # one level per question
            x = np.stack([dense, rng.normal(size=8)], axis=1)
            yield x, dense == dense.max()

    names = ["dense", "noise"]
    train = list(pools(600))
    widened = [with_relative(names, x) for x, _ in train]
    assert widened[0][0] == ["dense", "noise", "dense~best"] and np.all(widened[0][1][:, 2] <= 0)
    trees = fit_trees(np.concatenate([x for _, x in widened]), np.concatenate([g for _, g in train]),
                      np.ones(600 * 8), widened[0][0])
    plain = fit_trees(np.concatenate([x for x, _ in train]), np.concatenate([g for _, g in train]), np.ones(600 * 8), names)
    test = list(pools(200))
    hits = np.mean([g[int(np.argmax(trees.raw(names, x)))] for x, g in test])
    plain_hits = np.mean([g[int(np.argmax(plain.raw(names, x)))] for x, g in test])
    assert hits > 0.95 and hits > plain_hits + 0.2
