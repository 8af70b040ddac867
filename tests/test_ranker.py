"""The fitted models' machinery: the listwise ranker learns which feature finds gold, the logistic refusal model
separates what it can, model files round-trip."""
from __future__ import annotations

import numpy as np
import pytest

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



def test_near_misses_weigh_a_tenth_of_their_set():
    from qa.calibrate import NEAR_MISS_WEIGHT, SET_CAP, _weights

    rows = [{"set": "seed"}] * 10 + [{"set": "seed near misses", "near_miss": True}] * 10 \
        + [{"set": "xquad-dev near misses", "near_miss": True}] * (SET_CAP * 2)
    weights = _weights(rows)
    assert weights[:10] == [1.0] * 10
    assert weights[10:20] == [NEAR_MISS_WEIGHT] * 10
    assert sum(weights[20:]) == pytest.approx(SET_CAP * NEAR_MISS_WEIGHT)  # a big set still weighs as SET_CAP questions
