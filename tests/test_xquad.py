"""The real external set (XQuAD, Russian paragraphs, RU and EN questions): hybrid retrieval vs dense-only."""
from __future__ import annotations

import pytest

from qa.eval import load_questions, metrics_by_language, run
from qa.index import Index
from tests.conftest import SHARED, make_settings, needs_shared

XQUAD = SHARED / "eval" / "xquad-dev"


@pytest.fixture(scope="module")
def xquad(tmp_path_factory, embedder):
    from ingest.pipeline import add
    from ingest.store import open_store

    needs_shared(XQUAD)
    settings = make_settings(tmp_path_factory.mktemp("xquad"))
    store = open_store(settings)
    summary = add([XQUAD / "statements"], store, embedder)
    assert not summary.failed and summary.added >= 24 + 120  # a paragraph over 500 tokens becomes two records
    questions = load_questions([XQUAD / "questions_ru.jsonl", XQUAD / "questions_en.jsonl"])
    return store, embedder, settings, questions


def _table(store, embedder, settings, questions) -> dict:
    index = Index(store, embedder, settings)
    index.refresh()
    return metrics_by_language(run(questions, index))


def test_hybrid_beats_dense_only_and_holds_floors(xquad):
    store, embedder, settings, questions = xquad
    hybrid = _table(store, embedder, settings, questions)
    dense = _table(store, embedder, settings.model_copy(update={"dense_only": True, "expand_queries": False}), questions)
    print({lang: (dense[lang]["R@1"], hybrid[lang]["R@1"]) for lang in ("ru", "en")})
    # Floors a little under the values measured (session 4: RU 0.972, EN 0.921; dense-only 0.940 / 0.889).
    assert hybrid["ru"]["R@1"] >= 0.96 and hybrid["en"]["R@1"] >= 0.915
    # dense-only here is the question's and its best sentence's cosines (measured RU 0.940, EN 0.891; hybrid 0.973 / 0.924)
    assert hybrid["ru"]["R@1"] >= dense["ru"]["R@1"] + 0.02 and hybrid["en"]["R@1"] >= dense["en"]["R@1"] + 0.02
    assert hybrid["all"]["verbatim_quotes"] == 1.0
    assert hybrid["all"]["answerable_refused"] <= 0.06
