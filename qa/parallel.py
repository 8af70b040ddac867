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


def align(vectors: np.ndarray, statement_ids: list[str], answers: np.ndarray, russian: np.ndarray) -> dict[int, list[int]]:
    """record row → rows of the matching paragraph in each parallel statement."""
    grouped: dict[str, list[int]] = {sid: [] for sid in statement_ids}
    for row, sid in enumerate(statement_ids):  # one pass: a mask per statement was statements × records
        if answers[row]:
            grouped[sid].append(row)
    rows_of = {sid: np.array(rows, dtype=np.int64) for sid, rows in grouped.items()}
    kept = [s for s, r in rows_of.items() if len(r) >= MIN_PAIRS]
    if len(kept) < 2:
        return {}
    centroids = np.stack([vectors[rows_of[s]].mean(0) for s in kept])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-9
    near = centroids @ centroids.T
    out: dict[int, list[int]] = {}
    compared: set[tuple[int, int]] = set()
    for a in range(len(kept)):
        for b in (int(x) for x in np.argsort(-near[a])[1 : CANDIDATES + 1]):
            if (min(a, b), max(a, b)) in compared:
                continue
            compared.add((min(a, b), max(a, b)))
            for i, j in _pairs(vectors, rows_of[kept[a]], rows_of[kept[b]], russian):
                out.setdefault(i, []).append(j)
                out.setdefault(j, []).append(i)
    return out


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
