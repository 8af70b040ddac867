"""Answering over the real seed store: the example question, refusal, verbatim quotes, CLI, eval metrics."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from qa.answer import answer
from qa.eval import load_questions, metrics, metrics_by_language, run
from qa.retrieve import Filters, retrieve
from tests.conftest import MODEL_CACHE, ROOT, SEED, SHARED

SEED_ID = SEED.stem


def test_example_question_quotes_paragraph_8(seed_index):
    a = answer("Which operations are named?", seed_index)
    assert a.answered
    first = a.citations[0]
    assert (first.statement_id, first.paragraph) == (SEED_ID, 8)
    assert "ПРОКСИ" in first.quote and "Наемник" in first.quote
    assert first.quote in seed_index.paragraph_text(SEED_ID, 8)
    assert first.date == "2018-11-08"
    if seed_index.dictionary is not None:  # installed by `make setup` (mueller7-dict)
        assert "операция" in a.translations["operations"]
        assert a.to_json()["translations"] == a.translations


def test_russian_question_and_header(seed_index):
    a = answer("Когда и где было принято заявление?", seed_index)
    assert a.answered and a.citations[0].paragraph == 0
    assert "Астана" in a.citations[0].quote


@pytest.mark.parametrize("question", ["What did NATO decide about Afghanistan?", "Что было решено на саммите 2020 года?",
                                      "Упоминается ли операция «Гроза»?", "How many fighters returned home in 2018?",
                                      "Сколько средств выделено на операцию «ПРОКСИ»?"])
def test_near_misses_are_refused_with_closest_paragraphs(seed_index, question):
    a = answer(question, seed_index)
    assert not a.answered and not a.citations
    assert a.retrieved and a.reason


def test_figures_are_asked_only_of_paragraphs_that_give_one():
    from qa.parts import gives_figure
    from qa.query import _ASKS_QUANTITY

    assert _ASKS_QUANTITY.search("How many Grammys has she won?") and _ASKS_QUANTITY.search("Сколько денег выделено?")
    assert not _ASKS_QUANTITY.search("Which operations are named?")
    for text in ["308 очков", "Шестикратный обладатель", "двести человек", "много раз", "twelve members", "a threefold rise"]:
        assert gives_figure(text), text
    for text in ["на стороне международных организаций", "в политических целях", "the Council states"]:
        assert not gives_figure(text), text


def test_filters_restrict_retrieval(seed_index):
    assert retrieve(seed_index, "операция ПРОКСИ", filters=Filters(since="2019-01-01")) == []
    hits = retrieve(seed_index, "операция ПРОКСИ", filters=Filters(statement_ids=[SEED_ID], until="2018-12-31"))
    assert hits and hits[0].paragraph == 8


def test_hidden_records_are_never_returned(seed_index):
    """qa.calibrate's near misses: with paragraph 8 hidden, the example question gets the next-best paragraphs."""
    from qa.retrieve import search

    hidden = np.array([m["paragraph"] == 8 for m in seed_index.metas])
    hits = search(seed_index, "Which operations are named?", 5, exclude=hidden).hits
    assert hits and all(h.paragraph != 8 for h in hits)
    assert search(seed_index, "Which operations are named?", 5).hits[0].paragraph == 8


def test_seed_set_quality_floor(seed_index):
    """Regression guard: floors set just under the values measured when this test was written."""
    results = run(load_questions([ROOT / "data" / "eval" / "seed.jsonl"]), seed_index)
    table = metrics_by_language(results)
    assert table["all"]["verbatim_quotes"] == 1.0
    # measured (session 4, fitted ranker and refusal model): R@3 0.964; cited correct RU 0.963 / EN 0.893;
    # unanswerable refused 0.867; answerable refused 0.0. Session 16: R@3 0.945 — one question's gold (seed-008-en)
    # went from second to fourth as another seed set's came to the top; cited correct unchanged.
    assert table["all"]["R@3"] >= 0.94
    assert table["ru"]["cited_correct"] >= 0.92 and table["en"]["cited_correct"] >= 0.85
    assert table["all"]["unanswerable_refused"] >= 0.85
    assert table["all"]["answerable_refused"] <= 0.04
    # metrics are a pure function of the printed results: recompute R@1 by hand
    answerable = [r for r in results if r["gold"]]
    r1 = sum((r["retrieved"][0]["statement_id"], r["retrieved"][0]["paragraph"]) in
             {(g["statement_id"], g["paragraph"]) for g in r["gold"]} for r in answerable) / len(answerable)
    assert metrics(results)["R@1"] == round(r1, 4)


def test_second_seed_set_quality_floor(seed_index):
    """seed_dev2.jsonl: other wording of the same statement (measured: cited correct EN 0.833 / RU 0.833, unanswerable
    refused 0.5, answerable refused 0.0 — the refusal threshold now keeps answerable refusals ≤ 5% on the collection too,
    and this set's near misses pay for it)."""
    table = metrics_by_language(run(load_questions([ROOT / "data" / "eval" / "seed_dev2.jsonl"]), seed_index))
    assert table["all"]["verbatim_quotes"] == 1.0
    assert table["en"]["cited_correct"] >= 0.79 and table["ru"]["cited_correct"] >= 0.79
    assert table["all"]["unanswerable_refused"] >= 0.45 and table["all"]["answerable_refused"] <= 0.05


def test_cli_ask_json_and_empty_store(tmp_path, seed_index):
    env = {**os.environ, "QA_PERSIST_DIR": str(seed_index.settings.persist_dir), "QA_MODEL_CACHE": str(MODEL_CACHE)}
    out = subprocess.run([sys.executable, "-m", "qa", "ask", "Which operations are named?", "--json"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    data = json.loads(out.stdout)
    assert set(data) >= {"question", "answered", "answer", "citations", "retrieved", "latency_ms"}
    assert data["citations"][0]["paragraph"] == 8
    assert set(data["citations"][0]) >= {"statement_id", "title", "date", "paragraph", "label", "quote"}
    env["QA_PERSIST_DIR"] = str(tmp_path / "empty")
    empty = subprocess.run([sys.executable, "-m", "qa", "ask", "anything"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert empty.returncode == 1 and "python -m ingest add" in empty.stderr


def test_header_questions_in_a_collection(tmp_path, embedder):
    """With other texts in the store, 'when/where/who made the statement' is still answered by a header, not by a body
    paragraph that mentions some other city or year (Warsaw's districts, Tesla's 1937 article)."""
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index
    from tests.conftest import make_settings, needs_shared

    xquad = SHARED / "eval" / "xquad-dev" / "statements"
    others = [needs_shared(xquad / "02_Warsaw.txt"), needs_shared(xquad / "04_Nikola_Tesla.txt")]
    settings = make_settings(tmp_path)
    store = open_store(settings)
    assert not add([SEED, *others], store, embedder).failed
    index = Index(store, embedder, settings)
    for question in ["В каком городе принято заявление?", "Когда было принято заявление?", "Which city was the statement signed in?"]:
        a = answer(question, index)
        assert a.answered and (a.citations[0].statement_id, a.citations[0].paragraph) == (SEED_ID, 0), question


def test_overlong_question_is_refused_at_once(seed_index):
    import time

    started = time.perf_counter()
    a = answer("when " * 20_000, seed_index)  # 100 KB: no regex or word loop may see it
    assert not a.answered and "too long (99999 characters; at most 1000)" in a.reason  # stripped of its last space
    assert time.perf_counter() - started < 2.0


def test_malformed_auth_refuses_to_start_in_one_line(tmp_path):
    env = {**os.environ, "QA_AUTH": "supersecret", "QA_PERSIST_DIR": str(tmp_path / "store")}
    out = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.strip() == "QA_AUTH: QA_AUTH must be 'user:password'"
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("command", [["-m", "qa", "ask", "Which operations are named?"], ["-m", "ingest", "list"],
                                     ["-m", "qa.eval", "data/eval/seed.jsonl"]])
def test_a_bad_setting_stops_each_command_in_one_line(tmp_path, command):
    """A QA_* value that cannot work is one line naming it, from the CLIs as from the app: here a models folder without
    the fitted pair (which would otherwise rank and refuse with the hand-set weights, quietly)."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "ranker.json").write_text("{}", encoding="utf-8")
    env = {**os.environ, "QA_MODELS_DIR": str(tmp_path / "models"), "QA_PERSIST_DIR": str(tmp_path / "store")}
    out = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr
    assert out.stderr.strip() == (f"error: QA_MODELS_DIR: {tmp_path / 'models'} holds no refusal.json (a folder written "
                                  "by python -m qa.heldout or qa.calibrate)")
    assert not (tmp_path / "store").exists()
