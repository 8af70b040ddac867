"""qa/rows.py: a kept file's mapped rows, less those removed and followed by those read since, read as one array."""
from __future__ import annotations

import numpy as np

from qa.rows import Rows, appended, taken


def test_rows_index_as_the_stacked_array(tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "kept.npy", rng.standard_normal((50, 8)).astype(np.float32))
    mapped = np.load(tmp_path / "kept.npy", mmap_mode="r")
    first, second = rng.standard_normal((3, 8)).astype(np.float32), rng.standard_normal((4, 8)).astype(np.float32)
    rows = appended(appended(mapped, first), second)
    whole = np.vstack([mapped, first, second])
    assert isinstance(rows, Rows) and rows.parts[0] is mapped and len(rows.parts) == 2  # one tail, however many reloads
    assert rows.shape == whole.shape and len(rows) == len(whole)
    for key in (0, 49, 50, 56, -1, np.int64(52)):
        assert np.array_equal(rows[key], whole[key])
    for key in (slice(48, 53), slice(None), [55, 1, 50, 49], np.array([], dtype=np.int64), whole[:, 0] > 0):
        assert np.array_equal(rows[key], whole[key])
    q = rng.standard_normal((8, 2)).astype(np.float32)
    assert np.allclose(rows @ q, whole @ q) and np.array_equal(np.asarray(rows), whole)
    assert appended(whole, second[:0]) is whole and isinstance(appended(whole, second), np.ndarray)  # in memory: one array


def test_removed_rows_are_left_out_without_reading_the_others(tmp_path):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "kept.npy", rng.standard_normal((40, 4)).astype(np.float32))
    mapped = np.load(tmp_path / "kept.npy", mmap_mode="r")
    new = rng.standard_normal((5, 4)).astype(np.float32)
    keep = np.ones(40, bool)
    keep[10:20] = False
    rows = appended(taken(mapped, np.flatnonzero(keep)), new)  # a statement replaced: its old rows out, new ones in
    whole = np.vstack([mapped[keep], new])
    assert isinstance(rows, Rows) and rows.parts[0] is mapped and rows.shape == whole.shape
    assert np.array_equal(np.asarray(rows), whole) and np.array_equal(rows[[0, 10, 30, 34]], whole[[0, 10, 30, 34]])
    again = appended(taken(rows, np.arange(1, len(rows))), new)
    assert np.array_equal(np.asarray(again), np.vstack([whole[1:], new]))
    q = rng.standard_normal((4, 1)).astype(np.float32)
    assert np.allclose(again @ q, np.vstack([whole[1:], new]) @ q)
    assert isinstance(taken(whole, [0, 2]), np.ndarray)  # rows in memory are simply copied
