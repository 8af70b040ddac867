"""python -m qa.calibrate — fit the ranker (linear weights, then boosted trees) and the refusal model on the dev sets,
with cross-validated numbers.

Each dev set is asked of its own store (built once under .cache/calibrate/): the seed sets of the bundled statement,
collection-dev of the corpus plus the seed, XQuAD-dev of its articles, the UDHR set of the English UDHR. Folds are
by question; the report gives held-out-fold numbers per set next to the linear part alone and the hand-set weights on
the same candidates. The refusal model also learns from near misses: every answerable question asked again with its
gold paragraphs hidden."""
from __future__ import annotations

import argparse
import json
import logging
import sys

import numpy as np

from config import Settings, get_settings
from qa.devsets import DISTRACTED, DevSet, dev_sets, index_for
from qa.eval import load_questions, matches

L2 = 0.001  # pull of the ranker's weights towards the hand-set ones (chosen by held-out R@1 over 0.05 … 0.0003)
# How much a collection set weighs against the others (a store of many structured documents is what the product is
# judged on; XQuAD's English questions are what a heavier weight costs). A set weighs
# as at most SET_CAP questions: 200 gave held-out R@1 0.641 on the collection but XQuAD EN 0.919, 400 gave 0.609 and
# 0.927, 300 gives 0.625 and 0.921 (session 13, collection-dev alone at weight 3). With five collection sets (session
# 15), held-out R@1 on collection-dev3 and -dev5, fitted on the other sets, at weight 0.5 / 1 / 2 / 3: 0.609 / 0.641 /
# 0.641 / 0.641 and 0.594 / 0.609 / 0.625 / 0.625; XQuAD (cross-validated) 0.953 / 0.951 / 0.946 / 0.945. With the
# answer-kind features (session 16), weight 2 / 1: held-out R@1 over the five collection sets 0.681 / 0.666, their
# unanswerable refused 0.53 / 0.58 (answerable 0.05 both), and XQuAD EN asked end to end 0.913 / 0.921 (floor 0.915).
COLLECTION_WEIGHT = 1.0
SET_CAP = 300
# Near misses (answerable questions asked with their gold hidden) teach the refusal model what a missing answer looks
# like beside the sets' few dozen real unanswerable questions, at a tenth of a set's weight: they are worded as
# answerable questions are. Held-out, mean of 5 fold draws (session 13), weight 0.03 / 0.1 / 0.3: collection-dev
# unanswerable refused 0.66 / 0.73 / 0.66, XQuAD near misses refused 0.11 / 0.24 / 0.34, seed answerable refused
# 0.012 / 0.015 / 0.035.
NEAR_MISS_WEIGHT = 0.1
DRAWS = 5  # fold draws the refusal threshold is the median of


def collect(dev: DevSet, base: Settings) -> list[dict]:
    """Per question: its candidates' features and which candidates are gold."""
    from qa.features import candidates
    from qa.query import read_query
    from qa.retrieve import allowed_parts

    index = index_for(dev, base)
    rows = []
    for q in load_questions(dev.questions):
        query = read_query(index, q["question"])
        q["_query"], q["_index"] = query, index
        found = candidates(index, query, allowed_parts(index, None, query), base.fusion_pool)
        items = [{"statement_id": index.metas[i]["statement_id"], "paragraph": index.metas[i]["paragraph"],
                  "text": index.paragraph_text(index.metas[i]["statement_id"], index.metas[i]["paragraph"])} for i in found.rows]
        gold = np.array([any(matches(item, g) for g in q["gold"]) for item in items], dtype=bool)
        rows.append({"set": dev.name, "id": q["id"], "lang": q["lang"], "answerable": bool(q["gold"]), "q": q,
                     "ranker_only": dev.ranker_only,
                     "names": found.names, "x": found.matrix.astype(np.float64), "gold": gold})
    return rows


def fit_ranker(train: list[dict]):
    """The linear weights, then trees on the same candidates and question weights (rows whose pool holds a gold part)."""
    from qa.ranker import Ranker, fit
    from qa.trees import fit_trees, with_relative

    train = [r for r in train if r["gold"].any()]
    question_weights = _weights(train)
    weights = fit([(r["x"], r["gold"]) for r in train], train[0]["names"], l2=L2, sample_weight=question_weights)
    per_candidate = np.concatenate([np.full(len(r["x"]), w) for r, w in zip(train, question_weights)])
    pools = [with_relative(r["names"], r["x"]) for r in train]  # the gaps are taken within each question's pool
    trees = fit_trees(np.concatenate([x for _, x in pools]), np.concatenate([r["gold"] for r in train]), per_candidate,
                      pools[0][0])
    return Ranker(weights, trees=trees)


def _r_at_1(ranker, rows: list[dict]) -> float:
    hits = [bool(r["gold"][int(np.argmax(ranker.score(r["names"], r["x"])))]) for r in rows if r["answerable"]]
    return round(float(np.mean(hits)), 4) if hits else float("nan")


def cross_validate(rows: list[dict], folds: int = 5, seed: int = 0) -> dict:
    """Held-out-fold R@1 (top candidate is gold) per set: the fitted ranker, its linear part alone, and the hand-set
    weights."""
    from qa.ranker import HAND_WEIGHTS, Ranker

    rng = np.random.default_rng(seed)
    # by question, so that a question asked of two stores (xquad-dev and xquad-dev-in-25k) is held out of both at once
    questions = sorted({r["id"] for r in rows})
    fold_by_question = dict(zip(questions, rng.permutation(len(questions)) % folds))
    fold_of = {id(r): fold_by_question[r["id"]] for r in rows}
    predictions: dict[str, list[bool]] = {}
    linear: dict[str, list[bool]] = {}
    for f in range(folds):
        ranker = fit_ranker([r for r in rows if fold_of[id(r)] != f])
        alone = Ranker(ranker.weights)
        for r in (r for r in rows if fold_of[id(r)] == f and r["answerable"]):
            predictions.setdefault(r["set"], []).append(bool(r["gold"][int(np.argmax(ranker.score(r["names"], r["x"])))]))
            linear.setdefault(r["set"], []).append(bool(r["gold"][int(np.argmax(alone.score(r["names"], r["x"])))]))
    sets = sorted({r["set"] for r in rows})
    return {s: {"heldout_R@1": round(float(np.mean(predictions[s])), 4),
                "heldout_linear_R@1": round(float(np.mean(linear[s])), 4),
                "hand_R@1": _r_at_1(Ranker(HAND_WEIGHTS), [r for r in rows if r["set"] == s]),
                "answerable": len(predictions[s])} for s in sets if s in predictions}


def refusal_rows(rows: list[dict], ranker) -> list[dict]:
    """Per question, the evidence features of the paragraph the fitted ranker finds to answer (the top one, or the best
    of the kind asked: qa.refusal.answering_evidence), and whether it is answerable."""
    from qa.refusal import HAND, RefusalModel, answering_evidence, vetoed
    from qa.retrieve import search

    out, hand = [], RefusalModel(dict(HAND))
    for r in rows:
        q = r["q"]
        found = search(q["_index"], q["_query"], 10, model=ranker)
        if found.hits:
            ev = answering_evidence(q["_query"], found, q["_index"], hand)[1]
            out.append({"set": r["set"], "answerable": r["answerable"], "features": ev.features, "vetoed": bool(vetoed(ev))})
    return out


def near_miss_rows(rows: list[dict], ranker) -> list[dict]:
    """Unanswerable questions made from answerable ones: each asked again with its gold paragraphs hidden, so the best
    paragraph left is a near miss (its statement, or another, on the topic; not the answer). Some 1,500 rows for the
    refusal model to learn from and be measured on, beside the dev sets' few dozen real unanswerable questions."""
    from qa.metrics import gold_statement, matches, same_statement
    from qa.refusal import HAND, RefusalModel, answering_evidence, vetoed
    from qa.retrieve import search

    out, hand = [], RefusalModel(dict(HAND))
    for r in rows:
        if not r["answerable"] or r["ranker_only"]:
            continue
        q, index = r["q"], r["q"]["_index"]
        hidden = np.zeros(len(index.ids), dtype=bool)
        for i, (sid, paragraph) in enumerate(zip(index.statement_of.tolist(), index.metas.paragraph.tolist())):
            golds = [g for g in q["gold"] if same_statement(sid, gold_statement(g))]  # reads a text only where it may match
            item = {"statement_id": sid, "paragraph": paragraph, "text": index.paragraph_text(sid, paragraph) if golds else ""}
            hidden[i] = any(matches(item, g) for g in golds)
        found = search(index, q["_query"], 10, model=ranker, exclude=hidden)
        if hidden.any() and found.hits:
            ev = answering_evidence(q["_query"], found, index, hand)[1]
            out.append({"set": f"{r['set']} near misses", "answerable": False, "near_miss": True, "features": ev.features,
                        "vetoed": bool(vetoed(ev))})
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 0.01) -> np.ndarray:
    """Weighted L2-regularised logistic regression (bias first), by L-BFGS."""
    from scipy.optimize import minimize

    X = np.hstack([np.ones((len(x), 1)), x])

    def loss(b: np.ndarray) -> tuple[float, np.ndarray]:
        z = X @ b
        p = 1 / (1 + np.exp(-np.clip(z, -50, 50)))
        nll = -(w * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum() / w.sum()
        grad = X.T @ (w * (p - y)) / w.sum()
        reg = b.copy()
        reg[0] = 0
        return nll + l2 * float(reg @ reg), grad + 2 * l2 * reg

    return minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B").x


def calibrate_refusal(rows: list[dict], folds: int = 5, max_answerable_refused: float = 0.05) -> tuple[dict, dict]:
    """Fit P(answerable | evidence) with cross-validation on the questions the rules leave to it; the threshold is the
    median over fold draws of the highest that refuses, held out, at most max_answerable_refused of the answerable
    questions of every kind of set. The report (means over the draws) counts the rules' refusals too."""
    from qa.refusal import FEATURES

    ruled = [r for r in rows if r["vetoed"]]
    rows = [r for r in rows if not r["vetoed"]]
    x = np.array([[r["features"][f] for f in FEATURES] for r in rows])
    mean, std = x.mean(0), x.std(0) + 1e-9
    xs = (x - mean) / std
    y = np.array([float(r["answerable"]) for r in rows])
    # Each set weighs as at most 200 questions; the unanswerable ones weigh as much as the answerable ones in total.
    w = np.array(_weights(rows))
    w = np.where(y == 0, w * (w[y == 1].sum() / max(w[y == 0].sum(), 1e-9)), w)
    # Held-out probabilities and the threshold they allow, over DRAWS fold draws: at the threshold a single draw moves
    # it by a few questions (session 15: the seed sets' unanswerable refused 0.78 or 0.86 by the draw alone).
    draws = [_heldout(xs, y, w, np.random.default_rng(seed).permutation(len(rows)) % folds, folds) for seed in range(1, DRAWS + 1)]
    thresholds = [_threshold(p, rows, ruled, y, max_answerable_refused) for p in draws]
    threshold = float(np.median(thresholds))
    report = {}
    for name in sorted({r["set"] for r in rows + ruled}):
        m = np.array([r["set"] == name for r in rows])
        by_rule = [r for r in ruled if r["set"] == name]
        rates = {label: [_rate(np.array(list(p[m & (y == label)] < t) + [True] * sum(r["answerable"] == bool(label) for r in by_rule)))
                         for p, t in zip(draws, thresholds)] for label in (0, 1)}
        report[name] = {"heldout_unanswerable_refused": _mean(rates[0]), "heldout_answerable_refused": _mean(rates[1]),
                        "refused_by_rule": len(by_rule), "unanswerable": sum(1 for r in rows + ruled if r["set"] == name and not r["answerable"]),
                        "answerable": sum(1 for r in rows + ruled if r["set"] == name and r["answerable"])}
    b = fit_logistic(xs, y, w)
    # Fold the standardisation into the weights, so the model file reads on raw features.
    weights = {f: float(b[1 + i] / std[i]) for i, f in enumerate(FEATURES)}
    weights["bias"] = float(b[0] - sum(b[1 + i] * mean[i] / std[i] for i in range(len(FEATURES))))
    weights["threshold"] = round(threshold, 4)
    return {k: round(v, 4) for k, v in weights.items()}, report


def _heldout(xs: np.ndarray, y: np.ndarray, w: np.ndarray, fold: np.ndarray, folds: int) -> np.ndarray:
    """Each row's P(answerable) from the model fitted on the other folds."""
    p = np.zeros(len(y))
    for f in range(folds):
        b = fit_logistic(xs[fold != f], y[fold != f], w[fold != f])
        p[fold == f] = 1 / (1 + np.exp(-(b[0] + xs[fold == f] @ b[1:])))
    return p


def _threshold(p: np.ndarray, rows: list[dict], ruled: list[dict], y: np.ndarray, max_answerable_refused: float) -> float:
    """The highest threshold that keeps, in every kind of set, the answerable questions refused (by the model or the
    rules, held out) at or under max_answerable_refused. The collection sets are one kind: the lowest of five draws of
    64 questions each would set the threshold by the noisiest."""
    threshold = 1.0
    for name in sorted({_kind(r["set"]) for r in rows}):
        m = np.array([_kind(r["set"]) == name for r in rows]) & (y == 1)
        ruled_answerable = sum(1 for r in ruled if _kind(r["set"]) == name and r["answerable"])
        allowed = int(max_answerable_refused * (m.sum() + ruled_answerable)) - ruled_answerable
        ranked = np.sort(p[m])
        if len(ranked):
            threshold = min(threshold, float(ranked[max(0, min(allowed, len(ranked) - 1))]) if allowed >= 0 else float(ranked[0]))
    return threshold


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(float(np.mean(known)), 4) if known else None


def _rate(values: np.ndarray) -> float | None:
    return round(float(values.mean()), 4) if values.size else None


def _weights(rows: list[dict]) -> list[float]:
    """Each set weighs as at most SET_CAP questions, so XQuAD's 1,264 do not drown the collection's 64."""
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r["set"]] = sizes.get(r["set"], 0) + 1
    return [min(1.0, SET_CAP / sizes[r["set"]]) * (COLLECTION_WEIGHT if _collection(r) else 1.0)
            * (NEAR_MISS_WEIGHT if r.get("near_miss") else 1.0) for r in rows]


def _kind(name: str) -> str:
    """The kind of question set: collection-dev2 is collection-dev's kind."""
    return name.rstrip("0123456789")


def _collection(row: dict) -> bool:
    """A question of a collection set itself (its near misses weigh as the other sets' do)."""
    return _kind(row["set"]) == "collection-dev" and not row.get("near_miss")


def main(argv: list[str] | None = None) -> int:
    from qa.ranker import LARGE, MODELS, load_ranker

    parser = argparse.ArgumentParser(prog="python -m qa.calibrate", description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", help="dev set names to use (default: all present; with --large, also the "
                        "*-in-25k sets, the dev questions asked inside the bench's 25k man-page store, which train the ranker only)")
    parser.add_argument("--large", action="store_true", help="fit the pair for large stores (qa/models/large/), the ranker "
                        "also learning from the *-in-25k sets")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the model files")
    parser.add_argument("--refusal-only", action="store_true", help="keep the ranker in qa/models and refit the refusal "
                        "model on what it retrieves (a new refusal feature need not move the ranking)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    base = get_settings()
    if args.large and not (DISTRACTED / ".complete").exists():
        parser.error(f"{DISTRACTED} is not built: `python -m bench scale --sizes 25000 --build-only` builds it")
    folder = LARGE if args.large else MODELS
    rows = []
    for dev in dev_sets():
        if (args.sets and dev.name not in args.sets) or (not args.sets and dev.ranker_only and not args.large):
            continue
        print(f"collecting {dev.name} …", file=sys.stderr)
        rows += collect(dev, base)
    if args.refusal_only:
        ranker, report = load_ranker(folder / "ranker.json"), {}
    else:
        report = {"ranker": cross_validate(rows, args.folds)}
        ranker = fit_ranker(rows)
        report["ranker"]["all (in-sample)"] = {"R@1": _r_at_1(ranker, rows)}
    asked = [r for r in rows if not r["ranker_only"]]
    refusal_weights, report["refusal"] = calibrate_refusal(refusal_rows(asked, ranker) + near_miss_rows(asked, ranker),
                                                           args.folds)
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if not args.dry_run:
        folder.mkdir(exist_ok=True)
        command = "python -m qa.calibrate" + (" --large" if args.large else "") + (f" --sets {' '.join(args.sets)}" if args.sets else "")
        meta = {"fitted_on": sorted({r["set"] for r in rows}), "questions": len(rows), "command": command}
        if not args.refusal_only:
            ranker.meta = {**meta, "cross_validation": report["ranker"]}
            ranker.save(folder / "ranker.json")
        command += " --refusal-only" if args.refusal_only else ""
        (folder / "refusal.json").write_text(json.dumps({"weights": refusal_weights, **meta, "command": command,
                                                         "cross_validation": report["refusal"]}, indent=1,
                                                        ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {folder / 'refusal.json'}" + ("" if args.refusal_only else " and ranker.json"), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
