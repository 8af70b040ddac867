"""Parallel statements: the same text in two statements (a translation, or a copy inside a compendium), found by many
mutually closest paragraph pairs in the same order; an answer quoting one also cites the matching paragraph of the other."""
from __future__ import annotations

import bisect

import numpy as np

# A paragraph pair matches when each is the other's closest in the other statement and their cosine reaches this: a
# copy (same language) is nearly identical, a translation (e5 across languages) less so. Measured on the corpus: the
# English and Russian UDHR align 58 of 59 articles at 0.85; decrees of one genre share at most 5 boilerplate pairs.
SAME_LANGUAGE, CROSS_LANGUAGE = 0.95, 0.85
MIN_PAIRS = 8  # and at least this many pairs,
MIN_SHARE = 0.5  # covering this share of the shorter statement's answering parts,
MIN_ORDER = 0.8  # most of them in the same order (the longest increasing run of the pairs)
CANDIDATES = 8  # statements compared with each, the closest by their mean part vector (bounded work per statement)


class Parallel:
    """The matching paragraph pairs, both ways round, as (row, row) sorted by the first: compact at 100k parts (hundreds
    of thousands of pairs among man-page copies), kept in a file and remapped after a reload without a Python loop."""

    def __init__(self, pairs: np.ndarray | None = None):
        pairs = np.zeros((0, 2), np.int64) if pairs is None else np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        self.pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        self._start = self.pairs[:, 0]

    def get(self, row: int, default=()) -> list[int]:
        """The rows matching `row`."""
        lo, hi = np.searchsorted(self._start, [row, row + 1])
        return self.pairs[lo:hi, 1].tolist() if hi > lo else list(default)

    def items(self):
        for row in np.unique(self._start).tolist():
            yield row, self.get(row)

    def __len__(self) -> int:
        return len(self.pairs)

    def __eq__(self, other) -> bool:
        return isinstance(other, Parallel) and np.array_equal(self.pairs, other.pairs)

    def kept(self, keep: np.ndarray) -> Parallel:
        """The pairs whose rows are both kept, renumbered as rows are once the others are dropped."""
        row = np.cumsum(keep) - 1
        both = keep[self.pairs[:, 0]] & keep[self.pairs[:, 1]] if len(self.pairs) else np.zeros(0, bool)
        return Parallel(row[self.pairs[both]])


def align(vectors: np.ndarray, statement_ids: list[str], answers: np.ndarray, russian: np.ndarray,
          previous: Parallel | None = None, known: int = 0) -> Parallel:
    """The paragraphs that match across parallel statements. With `previous` (the pairs already found among the first
    `known` rows, which are whole statements kept from the last load), only pairs of statements that involve a
    statement new since then are compared: a reload after one statement changed reads that one's vectors, not all."""
    grouped: dict[str, list[int]] = {sid: [] for sid in statement_ids}
    for row, sid in enumerate(statement_ids):  # one pass: a mask per statement was statements × records
        if answers[row]:
            grouped[sid].append(row)
    rows_of = {sid: np.array(rows, dtype=np.int64) for sid, rows in grouped.items()}
    kept = [s for s, r in rows_of.items() if len(r) >= MIN_PAIRS]
    fresh = {i for i, s in enumerate(kept) if rows_of[s][-1] >= known} if previous is not None else set(range(len(kept)))
    if len(kept) < 2 or not fresh:
        return previous if previous is not None else Parallel()
    centroids = np.stack([vectors[rows_of[s]].mean(0) for s in kept])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-9
    closest = np.argsort(-(centroids @ centroids.T), axis=1)[:, 1 : CANDIDATES + 1]
    compared: set[tuple[int, int]] = set()
    found: list[tuple[int, int]] = []
    for a in range(len(kept)):
        for b in (int(x) for x in closest[a]):
            if (min(a, b), max(a, b)) in compared or (a not in fresh and b not in fresh):
                continue
            compared.add((min(a, b), max(a, b)))
            for i, j in _pairs(vectors, rows_of[kept[a]], rows_of[kept[b]], russian):
                found += [(i, j), (j, i)]
    old = previous.pairs if previous is not None else np.zeros((0, 2), np.int64)
    return Parallel(np.vstack([old, np.array(found, dtype=np.int64).reshape(-1, 2)]))


def _pairs(vectors: np.ndarray, ra: np.ndarray, rb: np.ndarray, russian: np.ndarray) -> list[tuple[int, int]]:
    """The matching (row, row) pairs of two statements, or none when they are not parallel."""
    floor = CROSS_LANGUAGE if (russian[ra].mean() >= 0.5) != (russian[rb].mean() >= 0.5) else SAME_LANGUAGE
    block = vectors[ra] @ vectors[rb].T
    best_b, best_a = block.argmax(1), block.argmax(0)
    pairs = [(i, int(best_b[i])) for i in range(len(ra)) if best_a[best_b[i]] == i and block[i, best_b[i]] >= floor]
    if len(pairs) < MIN_PAIRS or len(pairs) < MIN_SHARE * min(len(ra), len(rb)):
        return []
    if _increasing_run([j for _, j in pairs]) < MIN_ORDER * len(pairs):
        return []
    return [(int(ra[i]), int(rb[j])) for i, j in pairs]


def _increasing_run(values: list[int]) -> int:
    """Length of the longest strictly increasing subsequence."""
    tails: list[int] = []
    for v in values:
        at = bisect.bisect_left(tails, v)
        tails[at:at + 1] = [v]
    return len(tails)
