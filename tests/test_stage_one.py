"""Stage one in the store: Chroma's HNSW query finds the candidates (filters as a where clause), stage two reads only
those, and the answers match the exact scan's."""
from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SEED, SHARED, make_settings


@pytest.fixture(scope="module")
def small_store(tmp_path_factory, embedder):
    """The seed and three XQuAD articles (Russian), ingested once."""
    from ingest.pipeline import add
    from ingest.store import open_store

    articles = sorted((SHARED / "eval/xquad-dev/statements").glob("*.txt"))[:3]
    if len(articles) < 3:
        pytest.skip("xquad-dev statements not available")
    tmp = tmp_path_factory.mktemp("stage-one")
    add([SEED, *articles], open_store(make_settings(tmp)), embedder)
    return tmp, [a.stem for a in articles]


def _index(tmp, embedder, mode: str, **overrides):
    from ingest.store import open_store
    from qa.index import Index

    settings = make_settings(tmp, stage_one=mode, **overrides)
    index = Index(open_store(settings), embedder, settings)
    index.refresh()
    return index


def test_stage_one_in_the_store_finds_what_the_scan_finds(small_store, embedder):
    import json

    from qa.answer import answer
    from qa.query import read_query
    from qa.retrieve import allowed_parts, search
    from qa.stage_one import nearest_rows, uses_store

    tmp, articles = small_store
    scan, store = _index(tmp, embedder, "scan"), _index(tmp, embedder, "store", stage_one_k=8)
    assert not uses_store(scan) and uses_store(store)
    result = answer("Which operations are named?", store)
    assert result.answered and result.citations[0].paragraph == 8

    # the store gives a few candidates, not every part
    query = read_query(store, "Кто выиграл Супербоул?")
    near = nearest_rows(store, [query.vector], allowed_parts(store, None, query))
    assert 0 < len(near) < len(store.ids) // 3

    questions = [json.loads(line)["question"] for name in ("questions_ru.jsonl", "questions_en.jsonl")
                 for line in (SHARED / "eval/xquad-dev" / name).read_text(encoding="utf-8").splitlines()
                 if json.loads(line)["gold"][0]["statement_id"] in articles][:40]
    same = [search(scan, q, 3).hits[0].paragraph == search(store, q, 3).hits[0].paragraph for q in questions]
    assert len(same) == 40 and np.mean(same) >= 0.9, np.mean(same)


def test_filters_reach_the_store_as_a_where_clause(small_store, embedder):
    from qa.query import read_query
    from qa.retrieve import Filters, allowed_parts, search
    from qa.stage_one import nearest_rows, where_clause

    tmp, articles = small_store
    store = _index(tmp, embedder, "store")
    query = read_query(store, "What did the statement say about terrorism?")
    assert where_clause(store, None, allowed_parts(store, None, query)) is None  # no filter: no clause
    one = Filters(statement_ids=[articles[1]])
    allowed = allowed_parts(store, one, query)
    assert where_clause(store, one, allowed) == {"statement_id": {"$in": [articles[1]]}}
    near = nearest_rows(store, [query.vector], allowed, one)
    assert len(near) and {store.metas[i]["statement_id"] for i in near} == {articles[1]}
    hits = search(store, query, 5, one).hits
    assert hits and {h.statement_id for h in hits} == {articles[1]}
    # a date range leaves the dated seed alone (the XQuAD articles carry no date)
    dated = Filters(since="2018-01-01")
    assert where_clause(store, dated, allowed_parts(store, dated, query)) == {"statement_id": {"$in": [SEED.stem]}}
    assert {h.statement_id for h in search(store, query, 5, dated).hits} == {SEED.stem}


def test_auto_takes_stage_one_from_the_store_once_it_is_large_and_reindexed(small_store, embedder, tmp_path):
    import shutil

    from ingest.reindex import reindex
    from ingest.store import open_store
    from qa.answer import answer
    from qa.stage_one import uses_store

    tmp, _ = small_store
    assert not uses_store(_index(tmp, embedder, "auto", stage_one_auto_parts=1))  # never centered: HNSW misses too much
    shutil.copytree(tmp / "store", tmp_path / "store")
    reindex(open_store(make_settings(tmp_path)), progress=lambda line: None)
    assert not uses_store(_index(tmp_path, embedder, "auto"))  # centered, but small: the scan is cheaper
    index = _index(tmp_path, embedder, "auto", stage_one_auto_parts=1)
    assert uses_store(index)
    result = answer("Which operations are named?", index)
    assert result.answered and result.citations[0].paragraph == 8


def test_a_first_load_has_chroma_read_its_hnsw_indexes_beside_it(small_store, embedder, caplog):
    import logging

    from qa.stage_one import warm

    tmp, _ = small_store
    assert warm(_index(tmp, embedder, "scan"), 10**6) is None  # stage one never asks the store: nothing to read
    auto = _index(tmp, embedder, "auto", stage_one_auto_parts=1)
    assert warm(auto, 10**6) is None  # never centered: auto scans however large
    caplog.set_level(logging.DEBUG, logger="qa.stage_one")
    store = _index(tmp, embedder, "store")
    thread = warm(store, len(store.ids))  # not centered: the probe's dimension comes from a stored vector
    assert thread is not None
    thread.join(timeout=60)
    assert not thread.is_alive() and "warming" not in caplog.text
