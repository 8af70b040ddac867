"""The fitted models' machinery: the listwise ranker learns which feature finds gold, the logistic refusal model
separates what it can, model files round-trip."""
from __future__ import annotations

import numpy as np

from qa.calibrate import fit_logistic
from qa.ranker import HAND_WEIGHTS, Ranker, fit, load_ranker


def test_listwise_fit_learns_the_feature_that_marks_gold():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(200):
        x = rng.normal(size=(10, 2))
        gold = np.zeros(10, dtype=bool)
        gold[int(np.argmax(x[:, 1]))] = True  # the second feature finds gold; the first is noise
        groups.append((x, gold))
    weights = fit(groups, ["noise", "signal"], l2=0.001, start={"noise": 0.0, "signal": 0.0})
    assert weights["signal"] > 2.0 and abs(weights["noise"]) < 0.5


def test_ranker_scores_by_named_weights_and_round_trips(tmp_path):
    ranker = Ranker({"a": 2.0, "b": -1.0}, {"note": "test"})
    assert ranker.score(["b", "a", "unknown"], np.array([[1.0, 1.0, 5.0]], np.float32)).tolist() == [1.0]
    ranker.save(tmp_path / "r.json")
    back = load_ranker(tmp_path / "r.json")
    assert back.weights == ranker.weights and back.meta == {"note": "test"}
    assert load_ranker(tmp_path / "missing.json").weights == HAND_WEIGHTS


def test_logistic_refusal_fit_separates_a_threshold():
    x = np.linspace(0, 1, 100)[:, None]
    y = (x[:, 0] > 0.6).astype(float)
    b = fit_logistic(x, y, np.ones(100), l2=0.0)
    p = 1 / (1 + np.exp(-(b[0] + x[:, 0] * b[1])))
    assert (p[x[:, 0] > 0.7] > 0.5).all() and (p[x[:, 0] < 0.5] < 0.5).all()


def test_near_miss_report_counts_the_model_and_the_rules():
    from qa.calibrate import near_miss_report

    weights = {"bias": -10.0, "cosine": 12.5, "threshold": 0.5}  # answers from cosine 0.8 up
    near = [{"set": "a", "features": {"cosine": 0.9}, "vetoed": False},   # answered: a near miss let through
            {"set": "a", "features": {"cosine": 0.7}, "vetoed": False},   # refused by the model
            {"set": "a", "features": {"cosine": 0.95}, "vetoed": True},   # refused by a rule
            {"set": "b", "features": {"cosine": 0.99}, "vetoed": False}]
    assert near_miss_report(near, weights) == {"a": {"near_misses": 3, "refused": 0.6667},
                                                "b": {"near_misses": 1, "refused": 0.0}}
