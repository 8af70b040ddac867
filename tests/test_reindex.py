"""`python -m ingest reindex`: the vector collections are remade with the configured HNSW graph in inner-product space,
shifted by their mean; nothing is lost or changed for readers, also when it is stopped midway, and old stores still work."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import MODEL_CACHE, ROOT, SEED, make_settings

SECOND = ("ЗАЯВЛЕНИЕ Совета по испытаниям\n\nМосква, 1 июня 2020 года\n\n1. Совет поддерживает мир и диалог.\n\n"
          "2. Совет призывает к сотрудничеству в области образования. Совет одобряет программу обменов.\n")


@pytest.fixture
def two_statements(tmp_path, embedder):
    from ingest.pipeline import add
    from ingest.store import open_store

    other = tmp_path / "council.txt"
    other.write_text(SECOND, encoding="utf-8")
    settings = make_settings(tmp_path)
    store = open_store(settings)
    add([SEED, other], store, embedder)
    return settings, store


def _contents(store) -> dict:
    """Every record and sentence as readers get it: id → (text, metadata, vector)."""
    return {name: {rid: (doc, meta, np.asarray(vec, np.float32))
                   for rid, doc, meta, vec in zip(data["ids"], data["documents"], data["metadatas"], data["embeddings"])}
            for name, data in (("records", store.records(include_embeddings=True)),
                               ("sentences", store.sentence_records(include_embeddings=True)))}


def _same(before: dict, after: dict) -> None:
    for name in before:
        assert before[name].keys() == after[name].keys(), name
        for rid, (doc, meta, vec) in before[name].items():
            assert after[name][rid][:2] == (doc, meta), rid
            assert np.allclose(after[name][rid][2], vec, atol=1e-6), rid


def _index(settings, embedder):
    from ingest.store import open_store
    from qa.index import Index

    index = Index(open_store(settings), embedder, settings)
    index.refresh(force=True)
    return index


def _reindex(settings, fault: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "QA_PERSIST_DIR": str(settings.persist_dir), "QA_MODEL_CACHE": str(MODEL_CACHE),
           "STATEMENT_QA_FAULT": fault}
    return subprocess.run([sys.executable, "-m", "ingest", "reindex"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_new_store_is_inner_product_with_the_configured_graph(tmp_path):
    from ingest.store import open_store

    store = open_store(make_settings(tmp_path, hnsw_max_neighbors=24, hnsw_ef_construction=150, hnsw_ef_search=300))
    for collection in (store.collection, store.sentences):
        config = collection.configuration_json["hnsw"]
        assert (config["space"], config["max_neighbors"], config["ef_construction"], config["ef_search"]) == ("ip", 24, 150, 300)
    assert store.centers == (None, None)  # nothing measured yet: vectors stored as embedded
    assert store.distinct_ready  # made with the store, so it will hold every vector written


def test_identical_vectors_are_indexed_once_and_stage_one_finds_every_copy(tmp_path, embedder):
    from ingest.pipeline import add, parse_paths
    from ingest.store import open_store
    from qa.query import read_query
    from qa.retrieve import allowed_parts
    from qa.stage_one import nearest_rows

    operations = parse_paths([SEED])[0][0].paragraphs[8].text
    copy = tmp_path / "copy.txt"  # another statement quoting the seed's paragraph on operations word for word
    copy.write_text("ЗАЯВЛЕНИЕ Совета по испытаниям\n\nМосква, 1 июня 2020 года\n\nСовет поддерживает мир и диалог.\n\n"
                    f"{operations}\n", encoding="utf-8")
    settings = make_settings(tmp_path, stage_one="store", stage_one_k=3)
    store = open_store(settings)
    add([SEED, copy], store, embedder)
    records = store.records(include_embeddings=True)
    digests = [m["vector_digest"] for m in records["metadatas"]]
    assert len(set(digests)) < len(digests) and store.distinct[0].count() == len(set(digests))
    index = _index(settings, embedder)
    query = read_query(index, "Which operations are named?")
    near = nearest_rows(index, [query.vector], allowed_parts(index, None, query))
    found = {(index.metas[i]["statement_id"], index.metas[i]["paragraph"]) for i in near}
    assert {(SEED.stem, 8), ("copy", 2)} <= found  # three nearest distinct vectors, each copy of them


def test_reindex_centers_the_vectors_and_readers_see_the_same_store(two_statements, embedder):
    from ingest.store import open_store
    from qa import loaded
    from qa.answer import answer
    from qa.index import Index

    settings, store = two_statements
    before = _contents(store)
    running = _index(make_settings(settings.persist_dir.parent, refresh_seconds=0), embedder)
    loaded.flush()  # what it kept on disk for the next process
    running.metas.digest = np.zeros(len(running.metas), "S1")  # as records loaded before digests were kept
    done = _reindex(settings)
    assert done.returncode == 0 and f"statements: {len(before['records'])} records reindexed" in done.stdout, done.stderr[-2000:]
    again = open_store(settings)
    _same(before, _contents(again))
    vectors = np.stack([v for *_, v in before["records"].values()])
    assert np.allclose(again.centers[0], vectors.mean(axis=0), atol=1e-5)
    stored = again.collection.get(ids=list(before["records"])[:1], include=["embeddings"])["embeddings"][0]
    assert np.allclose(stored, vectors[0] - again.centers[0], atol=1e-6)  # kept shifted, read back as embedded
    assert len(again.manifests()) == 2
    # the nearest part by the index is the exact nearest (dot products shift by the same amount for every record)
    ids = list(before["records"])
    for i in range(0, len(ids), 3):
        assert again.nearest([vectors[i]], 1)[0] == [ids[int(np.argmax(vectors @ vectors[i]))]]
    assert store.nearest([vectors[0]], 1)[0] == [ids[0]]  # a handle to the replaced collection reopens it by name
    # a running index sees the new collections and reads every record again; a new one ignores the file kept before
    running.refresh()
    assert all("vector_digest" in m for m in running.snapshot().metas) and running.snapshot().metas.digest.all()
    assert all("vector_digest" in m for m in _index(settings, embedder).metas)
    for mode in ("scan", "store"):
        s = make_settings(settings.persist_dir.parent, stage_one=mode)
        index = Index(open_store(s), embedder, s)
        index.refresh(force=True)  # read from Chroma, not from the kept file
        result = answer("Which operations are named?", index)
        assert result.answered and result.citations[0].paragraph == 8, mode


@pytest.mark.parametrize("point", ["reindex-copied", "reindex-dropped"])
def test_a_reindex_stopped_midway_loses_nothing(two_statements, point):
    from ingest.store import open_store

    settings, store = two_statements
    before = _contents(store)
    killed = _reindex(settings, point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    store = open_store(settings)  # the original intact, or the complete copy in its place
    _same(before, _contents(store))
    assert store.collection.count() == len(before["records"])
    assert _reindex(settings).returncode == 0  # drops what the stopped one left and does it all
    store = open_store(settings)
    _same(before, _contents(store))
    names = {c if isinstance(c, str) else c.name for c in store.client.list_collections()}
    assert not any(n.endswith("__reindex") for n in names) and store.distinct_ready


def test_a_store_made_before_centering_is_read_and_reindexed(tmp_path, embedder):
    """A cosine-space collection (how stores were made before) keeps being served; reindexing moves it."""
    import chromadb

    from ingest.pipeline import add
    from ingest.store import open_store

    settings = make_settings(tmp_path)
    client = chromadb.PersistentClient(path=str(settings.persist_dir))
    for name in (settings.collection, f"{settings.collection}__sentences"):
        client.create_collection(name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    del client
    store = open_store(settings)
    assert store.centers == (None, None) and store.collection.configuration_json["hnsw"]["space"] == "cosine"
    add([SEED], store, embedder)
    before = _contents(store)
    assert _reindex(settings).returncode == 0
    store = open_store(settings)
    assert store.collection.configuration_json["hnsw"]["space"] == "ip" and store.centers[0] is not None
    _same(before, _contents(store))


def test_distinct_vectors_are_asked_only_once_they_hold_every_record(tmp_path, embedder):
    """A store whose records were written before it had distinct vectors asks the records' own index until a reindex
    fills them."""
    from ingest.hnsw import DISTINCT
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.answer import answer

    settings = make_settings(tmp_path, stage_one="store")
    store = open_store(settings)
    add([SEED], store, embedder)
    for name in (settings.collection, f"{settings.collection}__sentences"):
        store.client.delete_collection(name + DISTINCT)
    store = open_store(settings)
    assert store.distinct[0].count() == 0 and not store.distinct_ready
    result = answer("Which operations are named?", _index(settings, embedder))
    assert result.answered and result.citations[0].paragraph == 8
    assert "10 distinct vectors" in _reindex(settings).stdout
    store = open_store(settings)
    assert store.distinct_ready and store.distinct[0].count() == store.count()
    result = answer("Which operations are named?", _index(settings, embedder))
    assert result.answered and result.citations[0].paragraph == 8
