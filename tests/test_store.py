"""Atomic statements: ingestion killed at every write point leaves readers a complete statement or none, and a re-run
equals a clean run."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import add
from ingest.store import open_store
from qa.index import Index
from tests.conftest import MODEL_CACHE, ROOT, make_settings

V1 = "ЗАЯВЛЕНИЕ Совета по испытаниям\n\nМосква, 1 июня 2020 года\n\n1. Совет поддерживает мир и диалог.\n\n" \
     "2. Совет призывает к сотрудничеству в области образования. Совет одобряет программу обменов.\n"
V2 = V1.replace("мир и диалог", "мир, диалог и торговлю") + "\n3. Совет соберется вновь в 2021 году.\n"


def _many(n: int) -> str:
    """A statement of more than one write page (1,000 records)."""
    return "ЗАЯВЛЕНИЕ Совета по длинным перечням\n\nМосква, 2 июня 2020 года\n\n" + "\n\n".join(
        f"{i}. Пункт номер {i} о сотрудничестве в области {('науки', 'культуры', 'спорта')[i % 3]}." for i in range(1, n + 1))


def _snapshot(store) -> dict:
    """Everything a clean run writes, minus nothing: records, sentences and the manifest."""
    def rows(data):
        return sorted(zip(data["ids"], data["documents"], [sorted(m.items()) for m in data["metadatas"]]))

    return {"records": rows(store.records()), "sentences": rows(store.sentence_records()),
            "manifest": sorted((k, sorted(v.items())) for k, v in store.manifests().items())}


def _killed_add(path: Path, persist: Path, point: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QA_PERSIST_DIR": str(persist), "QA_MODEL_CACHE": str(MODEL_CACHE), "STATEMENT_QA_FAULT": point}
    return subprocess.run([sys.executable, "-m", "ingest", "add", str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _served(store, embedder, settings) -> dict[str, list[str]]:
    index = Index(store, embedder, settings)
    index.refresh()
    out: dict[str, list[str]] = {}
    for sid, n in sorted(index.by_paragraph):
        out.setdefault(sid, []).append(index.paragraph_text(sid, n))
    return out


@pytest.mark.parametrize("point, before, after", [
    ("after-paragraphs", None, V1),  # a new statement: paragraphs written, sentences and commit not
    ("before-commit", V1, V2),  # a changed statement: the new version fully written but not committed
    ("after-commit", V1, V2),  # committed; the superseded version's records not yet deleted
])
def test_a_killed_ingest_serves_all_or_nothing_and_a_rerun_equals_a_clean_run(tmp_path, embedder, point, before, after):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "council.txt"
    settings = make_settings(tmp_path / "a")
    store = open_store(settings)
    if before:
        path.write_text(before, encoding="utf-8")
        add([path], store, embedder)
    served_before = _served(store, embedder, settings)
    path.write_text(after, encoding="utf-8")

    killed = _killed_add(path, settings.persist_dir, point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    served = _served(open_store(settings), embedder, settings)
    if point == "after-commit":
        assert served["council"][-1] == "3. Совет соберется вновь в 2021 году."
    else:
        assert served == served_before  # the old version whole, or no statement at all

    rerun = add([path], open_store(settings), embedder)
    assert not rerun.failed and rerun.statements == ["council"]
    clean_settings = make_settings(tmp_path / "clean")
    add([path], open_store(clean_settings), embedder)
    assert _snapshot(open_store(settings)) == _snapshot(open_store(clean_settings))


def test_a_statement_killed_between_write_pages_is_repaired(tmp_path, embedder):
    path = tmp_path / "long.txt"
    path.write_text(_many(1005), encoding="utf-8")
    settings = make_settings(tmp_path / "a")
    killed = _killed_add(path, settings.persist_dir, "between-pages")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    store = open_store(settings)
    assert store.count() == 1000 and not store.manifests()
    assert _served(store, embedder, settings) == {}  # 1,000 of 1,006 records written: not served

    again = add([path], store, embedder)
    # Not "unchanged": completeness is checked, not only hashes.
    assert (again.unchanged, again.added, again.repaired) == (0, 1006, ["long"])
    index = Index(store, embedder, settings)
    index.refresh()
    assert len(index.ids) == 1006 and len({n for _, n in index.by_paragraph}) == 1006
    assert add([path], store, embedder).unchanged == 1006


def test_a_store_from_before_manifests_is_served_and_upgraded_by_a_rerun(tmp_path, embedder):
    from ingest.store import LEGACY_KEY
    from tests.conftest import SEED

    settings = make_settings(tmp_path)
    store = open_store(settings)
    add([SEED], store, embedder)
    # What an older version left: records and sentences, no manifest collection.
    store.client.delete_collection(f"{settings.collection}__manifest")
    old = open_store(settings)
    assert old.legacy and old.manifest.metadata[LEGACY_KEY] == 1
    assert len(_served(old, embedder, settings)[SEED.stem]) == 10
    assert add([SEED], old, embedder).added == 10
    assert not old.legacy and not open_store(settings).legacy
    assert len(_served(old, embedder, settings)[SEED.stem]) == 10 and old.count() == 10


def test_a_statement_made_differently_is_a_new_revision(tmp_path, embedder):
    """The same file embedded with another context (or parsed by a better parser) is re-embedded, not 'unchanged'."""
    from tests.conftest import SEED

    settings = make_settings(tmp_path)
    store = open_store(settings)
    assert add([SEED], store, embedder).added == 10
    assert add([SEED], store, embedder).unchanged == 10
    again = add([SEED], store, embedder, context="none")
    assert (again.replaced, again.unchanged) == (10, 0) and store.count() == 10
    assert add([SEED], store, embedder, context="none").unchanged == 10


def test_a_store_larger_than_one_chroma_get_is_read_whole_in_pages(tmp_path):
    """One get() of every record fails above Chroma's 32,766 SQL variables ("too many SQL variables"); the store reads in
    pages, so the index loader (`committed`) and `Store.ids` return every record, sentence and vector. Synthetic records
    (random unit vectors): this is about the store's paging, written and read through the real Store and Chroma."""
    import numpy as np

    from ingest.store import PAGE, committed

    store = open_store(make_settings(tmp_path))
    rng = np.random.default_rng(7)
    sizes = {"big": 32_800, "small": 300}  # records; "big" alone is over the limit
    revision = {sid: f"{sid[0]}{i}" * 8 for i, sid in enumerate(sizes)}
    written, sentence_ids = {}, []
    for sid, n in sizes.items():
        vectors = rng.normal(size=(n, 16)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [f"{sid}/{revision[sid][:8]}/{p}" for p in range(n)]
        store.upsert(ids, vectors.tolist(), [f"{sid} paragraph {p}" for p in range(n)],
                     [{"statement_id": sid, "paragraph": p, "kind": "item"} for p in range(n)])
        written.update(zip(ids, vectors))
        # sentences: 20 per paragraph of the small statement, more than one read page of them
        sents = [(rid, p, k) for p, rid in enumerate(ids) for k in range(20)] if sid == "small" else []
        store.upsert_sentences([f"{rid}#{k}" for rid, _, k in sents], rng.normal(size=(len(sents), 16)).tolist(),
                               [f"sentence {k}" for *_, k in sents],
                               [{"chunk_id": rid, "statement_id": sid, "paragraph": p, "start": k, "stop": k + 1}
                                for rid, p, k in sents])
        sentence_ids += [f"{rid}#{k}" for rid, _, k in sents]
        store.commit(sid, {"revision": revision[sid], "records": n, "sentences": len(sents), "title": sid})
    assert store.count() == sum(sizes.values()) > 32_766 and len(sentence_ids) > PAGE

    records, sentences, incomplete = committed(store, store.manifests())
    assert incomplete == set()
    assert len(records["ids"]) == len(written) and set(records["ids"]) == set(written)  # each once, none missing
    assert all(d and m for d, m in zip(records["documents"], records["metadatas"]))
    assert np.allclose(np.asarray(records["embeddings"]), np.stack([written[i] for i in records["ids"]]), atol=1e-6)
    assert sorted(sentences["ids"]) == sorted(sentence_ids)
    big = store.ids({"statement_id": "big"})
    assert len(big) == sizes["big"] and set(big) == {i for i in written if i.startswith("big/")}


def test_every_commit_and_removal_leaves_a_new_changes_token_that_is_no_statement(tmp_path, embedder):
    """A reader learns that nothing changed from one record (ingest/store.py Store.changes) instead of every manifest:
    each commit and removal replaces the token, other processes read the same one, and it is never listed as a
    statement."""
    from ingest.catalog import list_statements, remove
    from tests.conftest import SEED

    settings = make_settings(tmp_path)
    store = open_store(settings)
    assert store.changes() is None  # no writer has changed this store yet
    add([SEED], store, embedder)
    first = store.changes()
    assert first and open_store(settings).changes() == first
    assert set(store.manifests()) == {SEED.stem} and [s["id"] for s in list_statements(store)] == [SEED.stem]
    assert add([SEED], store, embedder).unchanged == 10 and store.changes() == first  # nothing committed
    path = tmp_path / "council.txt"
    path.write_text(V1, encoding="utf-8")
    add([path], open_store(settings), embedder)  # another process
    second = store.changes()
    assert second not in (None, first) and set(store.manifests()) == {SEED.stem, "council"}
    remove("council", open_store(settings))
    assert store.changes() not in (None, first, second) and set(store.manifests()) == {SEED.stem}


def test_a_removal_stopped_after_its_manifest_went_is_finished_by_running_it_again(tmp_path, embedder):
    """A writer killed between a removal's manifest delete and its new changes token leaves readers the old token (they
    would serve the statement on); running the removal again writes the token and deletes the records."""
    from ingest.catalog import remove
    from tests.conftest import SEED

    settings = make_settings(tmp_path)
    store = open_store(settings)
    add([SEED], store, embedder)
    before = store.changes()
    store.manifest.delete(ids=[SEED.stem])  # what the stopped removal did, and no more
    assert store.changes() == before and store.count() == 10
    assert remove(SEED.stem, open_store(settings)) == 10
    assert store.changes() not in (None, before) and store.count() == 0 and not store.manifests()
