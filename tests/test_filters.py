"""Filters and arguments at the CLI edge, run for real (python -m qa, python -m qa.eval on a real store): a date range
leaves undated statements out and says so; impossible dates and k < 1 are refused in one line naming the argument;
an unknown statement id is named; a malformed question line is named as file:line."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from qa.metas import Metas
from qa.retrieve import Filters, iso_date
from tests.conftest import MODEL_CACHE, ROOT, SEED, make_settings

QUESTION = "What ban does the working group call for?"
UNDATED = ("STATEMENT OF THE ARCTIC COUNCIL WORKING GROUP ON SHIPPING SAFETY\n\n"
           "The working group calls for a complete ban on heavy fuel oil for all vessels sailing in Arctic waters.\n\n"
           "The members agree to share ice charts and search-and-rescue plans with every coastal state.\n")


@pytest.fixture(scope="module")
def store(embedder, tmp_path_factory):
    """The bundled (dated) statement and an undated one, in a real Chroma store."""
    from ingest.pipeline import add
    from ingest.store import open_store

    tmp = tmp_path_factory.mktemp("undated")
    (tmp / "council_note.txt").write_text(UNDATED, encoding="utf-8")
    settings = make_settings(tmp)
    add([SEED, tmp / "council_note.txt"], open_store(settings), embedder)
    return settings.persist_dir


def _run(module: str, *args: str, store) -> subprocess.CompletedProcess:
    env = {**os.environ, "QA_MODEL_CACHE": str(MODEL_CACHE), "QA_PERSIST_DIR": str(store)}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_date_range_leaves_undated_statements_out_and_says_so(store):
    everything = json.loads(_run("qa", "ask", QUESTION, "--json", store=store).stdout)
    assert everything["citations"][0]["statement_id"] == "council_note"  # unfiltered, the undated statement answers

    until = _run("qa", "ask", QUESTION, "--until", "2030-01-01", "--json", store=store)
    filtered = json.loads(until.stdout)
    assert not filtered["answered"] and {h["statement_id"] for h in filtered["retrieved"]} == {SEED.stem}
    assert filtered["note"] == "1 undated statement(s) left out by the date filter (nothing says they fall within it)"

    since = _run("qa", "ask", QUESTION, "--since", "2000-01-01", store=store)
    assert since.returncode == 0 and "(1 undated statement(s) left out by the date filter" in since.stdout


def test_an_unknown_statement_is_named(store):
    out = _run("qa", "ask", QUESTION, "--statement", "nope", store=store)
    assert out.returncode == 2 and out.stderr.startswith("error: no statement 'nope' in the store")
    assert "empty" not in out.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--until", "2018-13-45"], "error: --until: 2018-13-45 is not a calendar date"),
    (["--since", "2019-02-29"], "error: --since: 2019-02-29 is not a calendar date"),
    (["--since", "2018-1-1"], "error: --since: expected a date like 2018-11-08, got '2018-1-1'"),
])
def test_impossible_dates_are_refused_in_one_line(tmp_path, args, message):
    out = _run("qa", "ask", QUESTION, *args, store=tmp_path)
    assert out.returncode == 2 and out.stderr.strip() == message


@pytest.mark.parametrize("k", ["-5", "0"])
def test_k_below_one_is_refused(tmp_path, k):
    out = _run("qa", "ask", QUESTION, "--k", k, store=tmp_path)
    assert out.returncode == 2 and f"argument --k: must be at least 1, got {k}" in out.stderr


def test_filters_check_dates_and_leave_undated_statements_out():
    assert iso_date("until", " 2018-11-08 ") == "2018-11-08" and iso_date("until", None) == ""
    with pytest.raises(ValueError, match="^since: 2018-13-45 is not a calendar date$"):
        Filters(since="2018-13-45")
    undated, dated = {"statement_id": "a", "date_int": 0}, {"statement_id": "b", "date_int": 20181108}
    assert Filters().allows(undated) and not Filters(until="2030-01-01").allows(undated)
    assert Filters(until="2030-01-01").allows(dated) and not Filters(since="2019-01-01").allows(dated)
    parts = Metas.of([{**undated, "paragraph": 1}, {**dated, "paragraph": 1}])
    assert Filters(["a", "c"]).unknown_statements(parts) == ["c"]
    assert Filters(since="2018-01-01").undated_note(parts).startswith("1 undated statement(s)")
    assert Filters(["b"], since="2018-01-01").undated_note(parts) == ""


@pytest.mark.parametrize(("line", "reason"), [("null", "expected a JSON object"), ("[1, 2]", "expected a JSON object"),
                                              ('{"question": "x", "gold": [{"statement": "s"}]}', "each gold needs")])
def test_eval_names_a_malformed_line(tmp_path, line, reason):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Which operations are named?"}\n' + line + "\n", encoding="utf-8")
    out = _run("qa.eval", str(questions), store=tmp_path / "store")
    assert out.returncode == 2 and out.stderr.startswith(f"error: {questions}:2: {reason}") and "Traceback" not in out.stderr
