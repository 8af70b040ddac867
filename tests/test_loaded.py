"""qa/loaded.py's vector segments (qa/segments.py): a save writes only rows no kept segment holds; segments no recent
save names are removed, other collections' files left alone."""
from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest

from qa import loaded, segments
from qa.rows import Rows, appended, taken


def test_segments_no_recent_save_names_are_removed_and_other_collections_left_alone(tmp_path):
    """Segments named by neither this save nor the file it replaced go, unless just written."""
    names = ["statements.aaaaaaaaaaaa.vectors.npy", "statements.aaaaaaaaaaaa.sentence_vectors.npy",
             "statements.bbbbbbbbbbbb.vectors.npy", "statements.cccccccccccc.vectors.npy",
             "statements.v2.dddddddddddd.vectors.npy", "statements.v2.npz"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (1000, 1000))
    (tmp_path / "statements.eeeeeeeeeeee.vectors.npy").write_bytes(b"x")  # just written: another process's save in progress
    names.append("statements.eeeeeeeeeeee.vectors.npy")
    segments.drop_unused(tmp_path / "statements.npz", ("vectors", "sentence_vectors"), {"bbbbbbbbbbbb", "cccccccccccc"})
    # a collection named statements.v2 is another collection's
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_a_save_writes_only_the_rows_read_since_and_a_mostly_removed_segment_is_rewritten(tmp_path):
    path = tmp_path / "statements.npz"
    first = np.arange(40, dtype=np.float32).reshape(10, 4)
    tokens, select = segments.written(path, "vectors", first)
    assert len(tokens) == 1 and select is None
    kept = segments.opened(path, tokens, "vectors", None)
    assert isinstance(kept, np.memmap) and np.array_equal(kept, first)
    # as an index holds it (a plain view of the mapping): still the same segment, not written again
    assert segments.written(path, "vectors", np.asarray(kept).reshape(10, -1)) == (tokens, None)
    assert segments.written(path, "vectors", np.asarray(kept)[1:])[0] != tokens  # part of it: written
    # one statement removed (rows 0-1), one added: the kept segment is named again, the new rows alone written
    grown = appended(taken(kept, np.arange(2, 10)), np.full((3, 4), 7, np.float32))
    tokens2, select2 = segments.written(path, "vectors", grown)
    assert tokens2[0] == tokens[0] and len(tokens2) == 2
    assert segments.side(path, tokens2[1], "vectors").stat().st_size < segments.side(path, tokens[0], "vectors").stat().st_size
    reopened = segments.opened(path, tokens2, "vectors", select2)
    assert isinstance(reopened, Rows) and np.array_equal(np.asarray(reopened), np.asarray(grown))
    # and grown again from the reopened segments: both stay mapped, only the newest rows are in memory
    again = appended(reopened, np.ones((1, 4), np.float32))
    assert len(again.parts) == 3 and all(isinstance(p, np.memmap) for p in again.parts[:2])
    # most rows removed since: one new segment of the served rows
    few = taken(reopened, np.arange(2))
    tokens3, select3 = segments.written(path, "vectors", few)
    assert len(tokens3) == 1 and tokens3[0] not in tokens2 and select3 is None
    assert np.array_equal(segments.opened(path, tokens3, "vectors", None), first[2:4])


def test_a_store_named_by_a_relative_path_shares_its_segments_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = segments.Path("index") / "statements.npz"
    path.parent.mkdir()
    tokens, _ = segments.written(path, "vectors", np.ones((3, 4), np.float32))
    kept = segments.opened(path, tokens, "vectors", None)
    assert segments.written(path, "vectors", appended(kept, np.zeros((1, 4), np.float32)))[0][0] == tokens[0]


def test_an_index_read_whole_from_the_store_then_serves_the_vectors_it_kept(tmp_path, embedder):
    """A process that read every record (no kept file yet) answers from the segments its save wrote, not from its own
    memory: their pages are shared, and its next save names them again instead of writing every vector once more."""
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.answer import answer
    from qa.index import Index
    from tests.conftest import ROOT, make_settings

    settings = make_settings(tmp_path)
    store = open_store(settings)
    add([ROOT / "data" / "statements"], store, embedder)
    index = Index(store, embedder, settings)
    index.refresh()
    assert not isinstance(index.vectors, np.memmap)  # read from Chroma into memory
    before = np.array(index.vectors), np.array(index.sentence_vectors)
    loaded.flush()
    for served in (index, index.snapshot()):
        assert isinstance(served.vectors, np.memmap) and isinstance(served.sentence_vectors, np.memmap)
        assert np.array_equal(served.vectors, before[0]) and np.array_equal(served.sentence_vectors, before[1])
    assert answer("Which operations are named?", index).citations[0].paragraph == 8


def test_a_kept_files_arrays_are_mapped_where_they_lie_and_read_back_equal(tmp_path):
    arrays = {"meta": np.frombuffer(b'{"format": 7}', dtype=np.uint8), "rows": np.arange(5000, dtype=np.int32),
              "tf": np.linspace(0, 1, 7, dtype=np.float32), "digest": np.array([b"ab", b"c"]), "empty": np.zeros((0, 2), np.int64),
              "matrix": np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4))}
    stored, packed = tmp_path / "kept.npz", tmp_path / "packed.npz"
    np.savez(stored, **arrays)
    np.savez_compressed(packed, **arrays)
    for path, mapped in ((stored, True), (packed, False)):  # a compressed member is read, not mapped
        found = segments.members(path)
        assert sorted(found) == sorted(arrays)
        for name, values in arrays.items():
            assert found[name].dtype == values.dtype and found[name].shape == values.shape
            assert np.array_equal(found[name], values)
        assert isinstance(found["rows"], np.memmap) == mapped and not found["rows"].flags.writeable
    mapped_rows = segments.members(stored)["rows"]
    # replaced by the next save (a new file renamed over it): the maps already made still read the old one
    segments.atomic(stored, lambda f: np.savez(f, rows=np.zeros(3, np.int32)))
    assert np.array_equal(mapped_rows, arrays["rows"])
    cut = tmp_path / "cut.npz"
    cut.write_bytes(stored.read_bytes()[:200])
    with pytest.raises(zipfile.BadZipFile):
        segments.members(cut)
    assert loaded.load(cut, glossed=True) is None  # a damaged kept file is only a cache: the store is read instead


def test_a_kept_file_names_the_changes_token_it_was_read_at_and_a_newer_token_reads_what_changed(tmp_path, embedder):
    """A process starting from a kept file whose token is the store's takes the statements from the file (no manifest
    read); once another process has committed, the token differs and the new statement is read from the store."""
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index
    from tests.conftest import SEED, make_settings

    settings = make_settings(tmp_path)
    store = open_store(settings)
    add([SEED], store, embedder)
    index = Index(store, embedder, settings)
    index.refresh()
    loaded.flush()
    kept = loaded.load(loaded.location(settings), index._glossed, store.generation())
    assert kept is not None and kept.token == store.changes()
    manifest = store.manifests()[SEED.stem]
    assert kept.manifests() == {SEED.stem: {k: manifest.get(k) for k in loaded.SERVED_KEYS}}
    checking = make_settings(tmp_path, refresh_seconds=0.0)  # each question checks the store, in the question
    again = Index(open_store(checking), embedder, checking)
    again.refresh()
    assert again.ids == index.ids and again._token == kept.token
    path = tmp_path / "council.txt"
    path.write_text("ЗАЯВЛЕНИЕ Совета по испытаниям\n\nМосква, 1 июня 2020 года\n\n1. Совет поддерживает мир и диалог.\n",
                    encoding="utf-8")
    add([path], open_store(settings), embedder)  # another process; the kept file is the old one
    third = Index(open_store(settings), embedder, settings)
    third.refresh()
    assert {sid for sid, _ in third.by_paragraph} == {SEED.stem, "council"} and third._token == store.changes() != kept.token
    again.refresh()
    assert {sid for sid, _ in again.by_paragraph} == {SEED.stem, "council"}
