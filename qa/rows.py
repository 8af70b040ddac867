"""Vectors as a kept file's mapped rows followed by the rows read since, less the rows of statements removed since: a
reload that adds or removes a statement touches its rows instead of copying every mapped one into the process (390 MB
and 1.3 s of page faults at 100k parts)."""
from __future__ import annotations

import mmap

import numpy as np


class Rows:
    """Read-only rows of several 2-d float32 arrays, one after another, indexed as one array (an integer, a slice, an
    array of row numbers or a mask; `@` a matrix of query vectors). With `select`, only those rows, in that order."""

    def __init__(self, parts: list[np.ndarray], select: np.ndarray | None = None):
        self.parts = parts
        self._ends = np.cumsum([len(p) for p in parts])
        self.select = select
        self.shape = (len(select) if select is not None else int(self._ends[-1]), parts[0].shape[1])
        self.dtype = parts[0].dtype
        self.ndim = 2

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            key = int(key) + (self.shape[0] if key < 0 else 0)
            return self._gather(self._underlying(np.array([key])))[0]
        if isinstance(key, slice):
            return self[np.arange(self.shape[0])[key]]
        return self._gather(self._underlying(key))

    def taken(self, rows) -> Rows:
        """These rows (numbers or a mask), without reading them."""
        return Rows(self.parts, self._underlying(rows))

    def _underlying(self, rows) -> np.ndarray:
        rows = np.asarray(rows)
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.int64)
        return self.select[rows] if self.select is not None else rows

    def _gather(self, rows: np.ndarray) -> np.ndarray:
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
        out = np.concatenate([p @ other for p in self.parts])
        return out[self.select] if self.select is not None else out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = np.concatenate(self.parts) if len(self.parts) > 1 else np.asarray(self.parts[0])
        whole = whole[self.select] if self.select is not None else whole
        return whole.astype(dtype) if dtype is not None and dtype != whole.dtype else whole


def appended(old, new: np.ndarray) -> Rows | np.ndarray:
    """`old` (an array, a mapped file's rows, or Rows) followed by `new`; mapped rows stay mapped."""
    if not len(new):
        return old
    if isinstance(old, Rows):  # the mapped segments, and one array of all rows read since
        total = int(old._ends[-1])
        select = None if old.select is None else np.concatenate([old.select, np.arange(total, total + len(new))])
        last = old.parts[-1]
        return Rows([*old.parts, new] if _mapped(last) else [*old.parts[:-1], np.vstack([last, new])], select)
    if len(old) and _mapped(old):
        return Rows([old, new])
    return np.vstack([old, new])


def taken(old, rows: np.ndarray):
    """Rows `rows` of `old`: still mapped if they were, else copied."""
    if isinstance(old, Rows):
        return old.taken(rows)
    return Rows([old], np.asarray(rows, dtype=np.int64)) if _mapped(old) else old[rows]


def rowwise_dot(a, b) -> np.ndarray:
    """Each row of `a` dotted with the same row of `b`."""
    return np.einsum("ij,ij->i", a, b).astype(np.float32) if len(a) else np.zeros(0, np.float32)


def _mapped(array) -> bool:
    """Whether an array's memory is a mapped file (through however many views)."""
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = getattr(array, "base", None)
    return False


def mapping_of(array) -> np.memmap | None:
    """The whole-file mapping `array` is, under however many views of it that cover it all (np.asarray, a reshape);
    None when it is not one, or only part of one."""
    root = array
    while root is not None and not (isinstance(root, np.memmap) and isinstance(root.base, mmap.mmap)):
        root = getattr(root, "base", None)
    if root is None or root.shape != array.shape or \
            root.__array_interface__["data"][0] != array.__array_interface__["data"][0]:
        return None
    return root
