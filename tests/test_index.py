"""Readers beside writers: a running app keeps answering while other processes add and remove statements in the same
embedded store, and serves the change within seconds, without a restart."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import httpx
import numpy as np

from tests.conftest import MODEL_CACHE, ROOT, SEED, SHARED

NEW = ("ЗАЯВЛЕНИЕ Совета по морскому рыболовству\n\nМосква, 3 марта 2021 года\n\n"
       "1. Квота на вылов трески в Баренцевом море на 2022 год устанавливается в размере 12 тысяч тонн.\n\n"
       "2. Совет соберется вновь осенью.\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask(client: httpx.Client, question: str) -> dict:
    response = client.post("/api/ask", json={"question": question}, timeout=60)
    response.raise_for_status()
    return response.json()


def test_the_app_answers_throughout_and_serves_statements_other_processes_add(tmp_path):
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    shutil.copy(SEED, bundled / SEED.name)
    (tmp_path / "cod.txt").write_text(NEW, encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "QA_PERSIST_DIR": str(tmp_path / "store"), "QA_MODEL_CACHE": str(MODEL_CACHE),
           "QA_STATEMENTS_DIR": str(bundled), "QA_PORT": str(port), "QA_REFRESH_SECONDS": "0.5"}
    app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}")
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if client.get("/api/health", timeout=2).json()["statements"] == 1:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError("the app did not start")

        outcomes: list[object] = []
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                try:
                    outcomes.append(_ask(client, "Which operations are named?")["citations"][0]["paragraph"])
                except Exception as exc:  # any error while the other process writes is a failure of this test
                    outcomes.append(exc)

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            added = subprocess.run([sys.executable, "-m", "ingest", "add", str(tmp_path / "cod.txt")], cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=300)
            assert added.returncode == 0, added.stderr
            question = "What is the cod quota in the Barents Sea?"
            deadline = time.time() + 20
            while time.time() < deadline and not [c for c in _ask(client, question)["citations"] if c["statement_id"] == "cod"]:
                time.sleep(0.5)
            assert _ask(client, question)["citations"][0]["paragraph"] == 1

            removed = subprocess.run([sys.executable, "-m", "ingest", "remove", "cod"], cwd=ROOT, env=env,
                                     capture_output=True, text=True, timeout=300)
            assert removed.returncode == 0, removed.stderr
            deadline = time.time() + 20
            while time.time() < deadline and client.get("/api/health").json()["statements"] != 1:
                time.sleep(0.5)
            assert client.get("/api/health").json()["statements"] == 1
        finally:
            stop.set()
            asker.join(timeout=120)
        assert outcomes and all(o == 8 for o in outcomes), [o for o in outcomes if o != 8][:3]
    finally:
        client.close()
        app.terminate()
        app.wait(timeout=30)


def test_answers_read_one_snapshot_while_another_thread_reloads(seed_index):
    """A reload swaps the whole index at once; an answer in flight keeps the snapshot it started with."""
    from qa.answer import answer

    outcomes: list[object] = []

    def ask() -> None:
        for _ in range(25):
            try:
                outcomes.append(answer("Which operations are named?", seed_index).citations[0].paragraph)
            except Exception as exc:  # a mixed old/new index raised here (shape mismatches) before snapshots
                outcomes.append(exc)

    askers = [threading.Thread(target=ask) for _ in range(2)]
    for t in askers:
        t.start()
    for _ in range(8):
        seed_index.refresh(force=True)
    for t in askers:
        t.join(timeout=300)
    assert len(outcomes) == 50 and all(o == 8 for o in outcomes), [o for o in outcomes if o != 8][:3]


def test_a_reload_reads_only_the_statements_that_changed_and_equals_a_full_load(tmp_path, embedder, caplog):
    """Another process adds one statement and removes one: the reader fetches only the added one from the store, and
    what it then serves is record for record what a fresh full load of the store gives."""
    import logging

    from ingest.catalog import remove
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index
    from tests.conftest import make_settings

    statements = sorted((SHARED / "eval/xquad-dev/statements").glob("*.txt"))[:5]
    if len(statements) < 5:
        import pytest

        pytest.skip("xquad-dev statements not available")
    folder = tmp_path / "in"
    folder.mkdir()
    for f in statements[:4]:
        shutil.copy(f, folder / f.name)
    settings = make_settings(tmp_path, refresh_seconds=0.0)
    add([folder], open_store(settings), embedder)
    reader = Index(open_store(settings), embedder, settings)
    reader.refresh()
    before = set(reader.ids)

    writer = open_store(settings)  # as another process would: its own client
    shutil.copy(statements[4], tmp_path / statements[4].name)
    add([tmp_path / statements[4].name], writer, embedder)
    remove(statements[0].stem, writer)
    with caplog.at_level(logging.INFO, logger="qa.index"):
        reader.refresh()
    assert "1 statement(s) read from the store" in caplog.text
    fresh = Index(open_store(settings), embedder, settings)
    fresh.refresh(force=True)
    assert set(reader.ids) == set(fresh.ids) != before
    assert statements[4].stem in set(reader.statement_of) and statements[0].stem not in set(reader.statement_of)
    order = {rid: i for i, rid in enumerate(fresh.ids)}
    rows = [order[rid] for rid in reader.ids]
    assert [fresh.metas[i] for i in rows] == list(reader.metas) and [fresh.docs[i] for i in rows] == reader.docs
    assert np.allclose(fresh.vectors[rows], reader.vectors)
    assert _spans(reader) == _spans(fresh)
    assert len(reader.sentence_owner) == len(fresh.sentence_owner)
    # the BM25 fields, grown from the loaded ones rather than rebuilt, score every part as a rebuild does
    _same_bm25(reader, fresh, rows)


def _spans(index) -> list[tuple]:
    """Each sentence as its part's id and its span there."""
    return sorted(zip((index.ids[o] for o in index.sentences.owner), index.sentences.start.tolist(), index.sentences.stop.tolist()))


def _same_bm25(grown_index, rebuilt_index, rows: list[int]) -> None:
    for question in ("How many points did the defense surrender?", "Сколько очков пропустила защита?",
                     "Has everyone the right to seek asylum?"):
        grown, rebuilt = grown_index.lexical.scores(question), rebuilt_index.lexical.scores(question)
        for name in ("paragraph", "sentence", "prefix", "context", "residual"):
            assert np.allclose(getattr(rebuilt, name)[rows], getattr(grown, name), atol=1e-5), name
        assert grown.coverage == rebuilt.coverage
        assert np.allclose(rebuilt_index.gloss_scores(question)[rows], grown_index.gloss_scores(question), atol=1e-5)


def test_a_due_check_serves_the_loaded_snapshot_while_another_thread_reloads(seed_index):
    """A reload at 100k parts takes seconds: a question that comes due for a check meanwhile answers from what is
    loaded instead of queueing behind the reload."""
    with seed_index._lock:  # as if another thread were reloading
        seed_index._checked = float("-inf")
        asker = threading.Thread(target=seed_index.refresh)
        asker.start()
        asker.join(timeout=10)
        assert not asker.is_alive()


def test_a_new_process_starts_from_the_records_the_last_one_kept(tmp_path, embedder, caplog):
    """An index keeps what it loaded beside the store; the next one reads that file and asks Chroma only for what was
    committed since — and serves exactly what a full read of the store gives. A damaged file is only ignored."""
    import logging

    from ingest.pipeline import add
    from ingest.store import open_store
    from qa import loaded
    from qa.index import Index
    from qa.rows import Rows
    from tests.conftest import make_settings

    # the UDHR in two languages are parallel statements: the second process aligns the new one with the kept one
    statements = sorted((SHARED / "eval/xquad-dev/statements").glob("*.txt"))[:1] + \
        [SHARED / "corpus" / "udhr_ru.txt", SHARED / "corpus" / "udhr_en.txt"]
    if not all(p.exists() for p in statements):
        import pytest

        pytest.skip("xquad-dev statements or the corpus not available")
    settings = make_settings(tmp_path)
    add(statements[:2], open_store(settings), embedder)
    first = Index(open_store(settings), embedder, settings)
    first.refresh()
    kept = loaded.location(settings)
    loaded.flush()  # written in the background
    assert kept.exists()

    add(statements[2:], open_store(settings), embedder)  # committed after the file was kept
    with caplog.at_level(logging.INFO, logger="qa.index"):
        second = Index(open_store(settings), embedder, settings)
        second.refresh()
    assert "1 statement(s) read from the store" in caplog.text
    full = Index(open_store(settings), embedder, settings)
    full.refresh(force=True)
    assert sorted(second.ids) == sorted(full.ids) and statements[2].stem in set(second.statement_of)
    order = {rid: i for i, rid in enumerate(full.ids)}
    rows = [order[rid] for rid in second.ids]
    assert [full.metas[i] for i in rows] == list(second.metas) and [full.docs[i] for i in rows] == second.docs
    assert np.allclose(full.vectors[rows], second.vectors)
    assert len(second.sentence_owner) == len(full.sentence_owner)
    assert np.array_equal(full.russian[rows], second.russian)  # kept with the records, read for the new ones only
    # what is derived from every vector was kept for the old rows and computed for the new: as a full load has it
    assert np.allclose(full.header_dot[rows], second.header_dot, atol=1e-5)
    spot = {(full.ids[o], a): v for o, a, v in zip(full.sentences.owner, full.sentences.start, full.sentence_header_dot)}
    assert np.allclose([spot[(second.ids[o], a)] for o, a in zip(second.sentences.owner, second.sentences.start)],
                       second.sentence_header_dot, atol=1e-5)
    # so are the facts, by row, and the sentences' digests
    assert np.array_equal(full.has_number[rows], second.has_number) and [full.facts.names[i] for i in rows] == second.facts.names
    assert sorted(full.sentences.digest.tolist()) == sorted(second.sentences.digest.tolist())
    pairs = {(full.ids[i], full.ids[j]) for i, js in full.parallel.items() for j in js}
    assert len(pairs) > 40 and pairs == {(second.ids[i], second.ids[j]) for i, js in second.parallel.items() for j in js}
    # the file keeps the BM25 fields too: the second process grew them by the one new statement, not rebuilt them
    assert set(loaded.load(kept, second._glossed, second.store.generation()).fields) >= {"paragraphs", "prefixes", "sentences", "contexts"}
    _same_bm25(second, full, rows)

    loaded.flush()
    kept.unlink()  # a file under a minute old is not rewritten: the second's own is wanted here
    loaded.save(kept, second._loaded(), background=False)
    unchanged = Index(open_store(settings), embedder, settings)
    unchanged.refresh()  # nothing committed since the second kept its file: the vectors are mapped from it, not read
    assert _mapped(unchanged.vectors) and _mapped(unchanged.sentence_vectors)
    # the second's save named the first's segment again and wrote only the rows it read since (qa/segments.py)
    assert len(unchanged.vectors.parts) == 2 and unchanged.vectors.parts[0].filename == second.vectors.parts[0].filename
    # the second mapped the first's rows, and holds only those of the statement it read (qa/rows.py)
    assert isinstance(second.vectors, Rows) and _mapped(second.vectors.parts[0]) and len(second.vectors.parts[1]) < len(second.ids)
    assert unchanged.ids == second.ids and np.array_equal(unchanged.vectors, second.vectors)
    assert unchanged.parallel == second.parallel and np.array_equal(unchanged.header_dot, second.header_dot)
    _same_bm25(unchanged, full, [order[rid] for rid in unchanged.ids])
    unchanged.refresh(force=True)  # all read again: the glosses the file does not keep (its gloss field has them) too
    _same_bm25(unchanged, full, [order[rid] for rid in unchanged.ids])

    kept.write_bytes(b"not an npz")
    with caplog.at_level(logging.WARNING, logger="qa.loaded"):
        third = Index(open_store(settings), embedder, settings)
        third.refresh()
    assert "ignoring the index cache" in caplog.text and sorted(third.ids) == sorted(full.ids)


def _mapped(array) -> bool:
    """Whether an array's memory is a mapped file (through however many views; every segment of qa.rows.Rows)."""
    from qa.rows import Rows
    from qa.rows import _mapped as mapped

    return all(mapped(p) for p in array.parts) if isinstance(array, Rows) else mapped(array)


def test_a_periodic_check_runs_beside_the_question(tmp_path, embedder):
    """A due check of the store is made by a thread of its own: the question that found it due answers from what is
    loaded, and the statement another process added is served shortly after without another call."""
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, refresh_seconds=0.2)
    add([SEED], open_store(settings), embedder)
    index = Index(open_store(settings), embedder, settings)
    index.refresh()
    (tmp_path / "cod.txt").write_text(NEW, encoding="utf-8")
    add([tmp_path / "cod.txt"], open_store(settings), embedder)  # as another process: its own client
    time.sleep(0.3)
    index.refresh()  # due: starts the check and returns before it (a reload reads the store: tens of ms at least)
    assert "cod" not in set(index.statement_of)
    deadline = time.time() + 60
    while "cod" not in set(index.statement_of) and time.time() < deadline:
        time.sleep(0.1)  # no further refresh() from this thread
    assert "cod" in set(index.statement_of)
