"""Evaluation a team can trust: provenance, checks before scoring, breakdowns, saved runs and their comparison,
the chart, and metrics recomputed from the saved per-question results."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from qa.compare import compare, mcnemar
from qa.eval import load_questions
from qa.metrics import breakdown, confusion, metrics, right
from tests.conftest import MODEL_CACHE, ROOT


def _row(qid: str, ok: bool, answerable: bool = True) -> dict:
    gold = [{"statement_id": "s", "paragraph": 1}] if answerable else []
    cited = [{"statement_id": "s", "paragraph": 1 if ok else 2, "quote": "q", "verbatim": True, "text": "t"}]
    return {"id": qid, "lang": "en", "question": f"question {qid}?", "gold": gold, "kind": "content" if answerable else "unanswerable",
            "answered": answerable or not ok, "citations": cited if (answerable or not ok) else [], "retrieved": cited,
            "latency_ms": 1.0, "reason": ""}


def test_compare_lists_exactly_the_question_that_flipped():
    a = {"results": [_row("q1", True), _row("q2", True), _row("q3", False, answerable=False)]}
    b = {"results": [_row("q1", True), _row("q2", False), _row("q3", False, answerable=False)]}
    cmp = compare(a, b)
    assert (cmp["fixed"], cmp["broken"]) == ([], ["q2"])
    assert cmp["metrics"]["all"]["cited_correct"] == (1.0, 0.5)
    assert mcnemar(0, 0) == 1.0 and mcnemar(0, 10) < 0.01 and mcnemar(5, 5) == 1.0


def test_breakdowns_and_confusions():
    rows = [_row("q1", True), _row("q2", False), _row("q3", False, answerable=False)]
    table = breakdown(rows)
    assert set(table) >= {"all", "en", "content", "unanswerable"}
    assert table["unanswerable"]["unanswerable_refused"] == 0.0
    assert confusion(rows)[("s ¶1", "s ¶2")] == 1 and confusion(rows)[("(refusal)", "s ¶2")] == 1


def test_malformed_question_lines_are_named(tmp_path):
    for line, reason in [("null", "expected a JSON object"), ("[1, 2]", "expected a JSON object"),
                         ('{"question": "x", "gold": [{"statement": "s"}]}', "each gold needs")]:
        path = tmp_path / "q.jsonl"
        path.write_text(line + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=rf"q.jsonl:1: {reason}"):
            load_questions([path])


def _eval(args: list[str], store, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QA_PERSIST_DIR": str(store), "QA_MODEL_CACHE": str(MODEL_CACHE)}
    return subprocess.run([sys.executable, "-m", "qa.eval", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_saved_run_has_provenance_checks_and_recomputable_metrics(seed_index, tmp_path):
    store = seed_index.settings.persist_dir
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "Which operations are named?", "gold": [{"statement": "no_such_statement", "contains": "x" * 12}]})
                   + "\n", encoding="utf-8")
    strict = _eval([str(bad), "--strict"], store, tmp_path)
    assert strict.returncode == 2 and "gold statements missing from the store: bad-1: no_such_statement" in strict.stderr

    saved, report = tmp_path / "runs" / "a.json", tmp_path / "report.md"
    out = _eval([str(ROOT / "data" / "eval" / "seed.jsonl"), "--save", str(saved), "--report", str(report), "--k", "3"], store, tmp_path)
    assert out.returncode == 0, out.stderr
    run = json.loads(saved.read_text(encoding="utf-8"))
    p = run["provenance"]
    assert {"store", "collection", "statements", "statement_hashes", "settings", "model", "git", "date", "machine", "questions"} <= set(p)
    assert p["statement_hashes"] and p["settings"]["QA_PERSIST_DIR"] == str(store) and p["model"]["hash"] and p["questions"][0]["hash"]
    assert all(len(r["retrieved"]) <= 3 for r in run["results"])  # --k is honoured
    assert metrics(run["results"]) == run["metrics"]["all"]
    answerable = [r for r in run["results"] if r["gold"]]
    by_hand = sum(bool(r["citations"]) and right(r["citations"][0], r["gold"]) for r in answerable) / len(answerable)
    assert run["metrics"]["all"]["cited_correct"] == round(by_hand, 4)
    png = report.with_suffix(".png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000 and "![metrics](report.png)" in report.read_text(encoding="utf-8")

    same = _eval(["diff", str(saved), str(saved)], store, tmp_path)
    assert same.returncode == 0 and "0 fixed, 0 broken" in same.stdout


def test_feedback_votes_become_a_scored_question_set(seed_index, tmp_path):
    """`--from-feedback`: a 👍 answer is a gold question anchored by its cited text, a 👎 one goes to review."""
    from qa.answer import answer
    from qa.feedback import record

    result = answer("Which operations are named?", seed_index)
    votes = tmp_path / "feedback.jsonl"
    cited = [{"statement_id": c.statement_id, "paragraph": c.paragraph, "label": c.label, "text": c.text}
             for c in result.citations]
    record(votes, {"question": result.question, "answered": True, "cited": cited}, "up")
    record(votes, {"question": "Who signed it?", "answered": False, "cited": []}, "down", "wrong")
    saved = tmp_path / "run.json"
    out = _eval(["--from-feedback", str(votes), "--save", str(saved)], seed_index.settings.persist_dir, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "1 gold question(s)" in out.stderr and "1 to review" in out.stderr
    run = json.loads(saved.read_text(encoding="utf-8"))
    assert [r["question"] for r in run["results"]] == ["Which operations are named?"]
    assert run["metrics"]["all"]["cited_correct"] == 1.0
