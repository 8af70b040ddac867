"""Vectors as a kept file's mapped rows followed by the rows read since: a reload that adds a statement appends a few
rows instead of copying every mapped one into the process (390 MB and 1.3 s of page faults at 100k parts)."""
from __future__ import annotations

import numpy as np


class Rows:
    """Read-only rows of several 2-d float32 arrays, one after another, indexed as one array: an integer, a slice, or an
    array of row numbers; `@` a matrix of query vectors."""

    def __init__(self, parts: list[np.ndarray]):
        self.parts = [p for p in parts if len(p)] or parts[:1]
        self._ends = np.cumsum([len(p) for p in self.parts])
        self.shape = (int(self._ends[-1]) if len(self._ends) else 0, self.parts[0].shape[1])
        self.dtype = self.parts[0].dtype
        self.ndim = 2

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            key = int(key) + (self.shape[0] if key < 0 else 0)
            at = int(np.searchsorted(self._ends, key, side="right"))
            return self.parts[at][key - (int(self._ends[at - 1]) if at else 0)]
        if isinstance(key, slice):
            return self[np.arange(self.shape[0])[key]]
        rows = np.asarray(key)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        out = np.empty((len(rows), self.shape[1]), self.dtype)
        part = np.searchsorted(self._ends, rows, side="right")
        start = 0
        for i, p in enumerate(self.parts):
            mine = np.flatnonzero(part == i)
            if len(mine):
                out[mine] = p[rows[mine] - start]
            start = int(self._ends[i])
        return out

    def __matmul__(self, other: np.ndarray) -> np.ndarray:
        return np.concatenate([p @ other for p in self.parts])

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = np.concatenate(self.parts) if len(self.parts) > 1 else np.asarray(self.parts[0])
        return whole.astype(dtype) if dtype is not None and dtype != whole.dtype else whole


def appended(old, new: np.ndarray) -> Rows | np.ndarray:
    """`old` (an array, a mapped file's rows, or Rows) followed by `new`; a mapped `old` stays mapped."""
    if not len(new):
        return old
    if isinstance(old, Rows):  # the mapped rows, and one array of all rows read since
        return Rows([old.parts[0], np.vstack([*old.parts[1:], new])])
    if len(old) and _mapped(old):
        return Rows([old, new])
    return np.vstack([old, new])


def _mapped(array) -> bool:
    """Whether an array's memory is a mapped file (through however many views)."""
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = getattr(array, "base", None)
    return False
