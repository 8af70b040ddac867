"""qa/loaded.py's vector files: each save writes its own, and only the last two saves' are kept."""
from __future__ import annotations

import os

from qa.loaded import _drop_old_sides


def test_old_saves_vectors_are_removed_and_other_collections_left_alone(tmp_path):
    names = ["statements.aaaaaaaaaaaa.vectors.npy", "statements.aaaaaaaaaaaa.sentence_vectors.npy",
             "statements.bbbbbbbbbbbb.vectors.npy", "statements.cccccccccccc.vectors.npy",
             "statements.v2.dddddddddddd.vectors.npy", "statements.v2.npz"]
    for age, name in enumerate(names):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (1000 + age, 1000 + age))
    _drop_old_sides(tmp_path / "statements.npz", "cccccccccccc")
    # this save's and the one before it stay (a process may be about to map them); a collection named statements.v2 is
    # another collection's
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])
