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
    p = 1 / (1 + np.exp(-np.clip(b[0] + x[:, 0] * b[1], -50, 50)))  # (l2=0 lets the weight grow past exp's range)
    assert (p[x[:, 0] > 0.7] > 0.5).all() and (p[x[:, 0] < 0.5] < 0.5).all()



def test_near_misses_weigh_a_tenth_of_their_set():
    from qa.calibrate import NEAR_MISS_WEIGHT, SET_CAP, _weights

    rows = [{"set": "seed"}] * 10 + [{"set": "seed near misses", "near_miss": True}] * 10 \
        + [{"set": "xquad-dev near misses", "near_miss": True}] * (SET_CAP * 2)
    weights = _weights(rows)
    assert weights[:10] == [1.0] * 10
    assert weights[10:20] == [NEAR_MISS_WEIGHT] * 10
    assert sum(weights[20:]) == pytest.approx(SET_CAP * NEAR_MISS_WEIGHT)  # a big set still weighs as SET_CAP questions


def test_collection_sets_weigh_alike_and_share_one_refusal_budget():
    """Each collection set weighs COLLECTION_WEIGHT (their near misses as any set's do), and the refusal threshold holds
    the budget over the collection sets pooled: one noisy set of 20 answerable questions does not set it alone."""
    from qa.calibrate import COLLECTION_WEIGHT, NEAR_MISS_WEIGHT, calibrate_refusal
    from qa.calibrate import _weights as weights_of
    from qa.refusal import FEATURES

    rows = [{"set": "collection-dev"}, {"set": "collection-dev5"}, {"set": "collection-dev near misses", "near_miss": True}]
    assert weights_of(rows) == [COLLECTION_WEIGHT, COLLECTION_WEIGHT, NEAR_MISS_WEIGHT]

    def row(name: str, cosine: float, answerable: bool) -> dict:
        return {"set": name, "answerable": answerable, "vetoed": False,
                "features": {f: (cosine if f == "cosine" else 0.0) for f in FEATURES}}

    rng = np.random.default_rng(0)
    # collection-dev2 alone, with two answerable questions far lower than the rest, would allow one refusal: the
    # threshold would drop under the higher of them and answer every unanswerable question above it
    rows = [row("collection-dev", c, True) for c in rng.uniform(0.5, 1.0, 40)]
    rows += [row("collection-dev2", c, True) for c in [*rng.uniform(0.5, 1.0, 20), 0.2, 0.25]]
    rows += [row(name, c, False) for name in ("collection-dev", "collection-dev2") for c in rng.uniform(0.3, 0.45, 10)]
    weights, report = calibrate_refusal(rows, folds=2)
    refused = report["collection-dev"]["heldout_answerable_refused"] * 40 + report["collection-dev2"]["heldout_answerable_refused"] * 22
    assert refused <= 0.05 * 62 + 1e-9
    assert report["collection-dev2"]["heldout_unanswerable_refused"] > 0.5


def test_a_large_store_ranks_and_refuses_with_the_pair_fitted_among_distractors(seed_index):
    """From settings.large_store_parts records on, the ranker and refusal model of qa/models/large/ are used (fitted with
    the dev questions also asked inside a 25k store); below it, the ones of qa/models/."""
    from qa.index import Index
    from qa.refusal import refusal_model
    from qa.retrieve import ranker, search

    parts = len(seed_index.ids)
    small = Index(seed_index.store, seed_index.embedder, seed_index.settings.model_copy(update={"large_store_parts": parts + 1}))
    large = Index(seed_index.store, seed_index.embedder, seed_index.settings.model_copy(update={"large_store_parts": parts}))
    for index in (small, large):
        index.refresh()
    assert "--large" not in ranker(small).meta["command"] and "--large" in ranker(large).meta["command"]
    assert any(a.startswith("collection-dev-in-") for a in ranker(large).meta["fitted_on"])
    assert refusal_model(small).weights != refusal_model(large).weights
    # an evaluation's provenance names the pair the store was ranked with
    from qa.provenance import provenance

    small_models, large_models = provenance(small, [])["model"], provenance(large, [])["model"]
    assert small_models["ranker"] != large_models["ranker"] and small_models["refusal"] != large_models["refusal"]
    for index in (small, large):
        assert search(index, "Which operations are named?", 3).hits[0].paragraph == 8


def test_models_dir_answers_with_the_pair_in_that_folder(seed_index, tmp_path):
    """QA_MODELS_DIR (what `python -m qa.heldout` answers a held-out set with) replaces qa/models/ for ranking and
    refusing: the same ranker with a refusal threshold no probability reaches refuses the example question that the
    shipped pair answers."""
    import json
    import shutil

    from qa.answer import answer
    from qa.index import Index
    from qa.provenance import provenance
    from qa.ranker import MODELS

    shutil.copy(MODELS / "ranker.json", tmp_path / "ranker.json")
    refusal = json.loads((MODELS / "refusal.json").read_text(encoding="utf-8"))
    refusal["weights"]["threshold"] = 1.01
    (tmp_path / "refusal.json").write_text(json.dumps(refusal), encoding="utf-8")
    strict = Index(seed_index.store, seed_index.embedder, seed_index.settings.model_copy(update={"models_dir": tmp_path}))
    strict.refresh()
    shipped = answer("Which operations are named?", seed_index)
    assert shipped.answered and shipped.citations[0].paragraph == 8
    held = answer("Which operations are named?", strict)
    assert not held.answered and held.retrieved[0].paragraph == 8  # ranked alike, refused by the folder's model
    assert provenance(strict, [])["model"]["refusal"] != provenance(seed_index, [])["model"]["refusal"]


def test_heldout_names_an_unknown_set_in_one_line(capsys):
    from qa.heldout import main

    with pytest.raises(SystemExit) as exit_:
        main(["--sets", "no-such-set"])
    assert exit_.value.code == 2 and "no such dev set: no-such-set" in capsys.readouterr().err
