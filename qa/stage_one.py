"""Stage one in the store: the parts nearest to the question's vectors by Chroma's HNSW index (filters as a where
clause), and the dot products of those candidates alone — instead of a scan of every vector in memory."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from qa.index import Index

log = logging.getLogger(__name__)


def uses_store(index: Index, parts: int | None = None) -> bool:
    """Whether this index takes stage one from the store: QA_STAGE_ONE=store, or `auto` once the store is large enough
    for the scan to cost more than the HNSW queries and its index is centered with its distinct vectors complete (what
    `python -m ingest reindex` makes: before it, HNSW misses too many nearest parts). `parts`: the count it will hold."""
    mode, store = index.settings.stage_one, index.store
    parts = len(index.ids) if parts is None else parts
    return mode == "store" or mode == "auto" and parts >= index.settings.stage_one_auto_parts \
        and store.centers[0] is not None and store.distinct_ready


def warm(index: Index, parts: int) -> threading.Thread | None:
    """Have Chroma read the HNSW indexes stage one will ask while the process loads the rest, not in its first question
    (0.66 s at 100k parts, most of it outside the GIL); None when stage one will not ask the store."""
    if not uses_store(index, parts):
        return None
    store = index.store

    def ask() -> None:
        try:
            for which in (0, 1):
                collection = store.distinct[which] if store.distinct_ready else (store.collection, store.sentences)[which]
                center = store.centers[which]
                if center is None:  # not centered: any stored vector tells the dimension
                    stored = collection.peek(1).get("embeddings")
                    center = stored[0] if stored is not None and len(stored) else []
                if len(center):
                    probe = [1.0] + [0.0] * (len(center) - 1)
                    collection.query(query_embeddings=[probe], n_results=1, include=[])
        except Exception as exc:  # only a head start: the first question asks again, and reports what fails
            log.debug("warming the store's HNSW indexes failed: %s", exc)

    thread = threading.Thread(target=ask, name="hnsw-warm")  # not a daemon: Chroma reads natively (ingest/onnx_encoder.py)
    thread.start()
    return thread


def where_clause(index: Index, filters, allowed: np.ndarray) -> dict | None:
    """The filters (qa.retrieve.Filters) as a where clause both collections can answer: the statements they leave, for
    sentences carry the statement id but not its date or issuer. None without filters (part kinds are dropped from what
    the store gives by `allowed`)."""
    if filters is None or not (filters.statement_ids or filters.since or filters.until or filters.issuer):
        return None
    return {"statement_id": {"$in": list(dict.fromkeys(index.statement_of[allowed].tolist()))}}


def nearest_rows(index: Index, vectors: list[np.ndarray], allowed: np.ndarray, filters=None) -> np.ndarray | None:
    """Rows of the QA_STAGE_ONE_K parts nearest to each vector and of the parts whose sentences are nearest, within the
    filters (`allowed` is their mask); None when the store cannot be asked (the caller scans memory instead)."""
    return asked(index, vectors, allowed, filters)()


def asked(index: Index, vectors: list[np.ndarray], allowed: np.ndarray, filters=None) -> Callable[[], np.ndarray | None]:
    """nearest_rows, asked of the store now and collected by calling the result: the paragraph and sentence queries
    run side by side and outside the GIL, while the caller scores the question's words (100k parts: about 8 ms each)."""
    k, where, row_of, store = index.settings.stage_one_k, where_clause(index, filters, allowed), index.row_of, index.store
    sentences = bool(len(index.sentence_owner))
    try:
        # ids only: fetching metadata costs Chroma ~0.5 ms a result (35 ms for 60 at 100k parts), the search itself ~2 ms
        maps = _digest_maps(index) if where is None and store.distinct_ready else None
        distinct = maps is not None and maps[0] is not None and (maps[1] is not None or not sentences)
        asks = [_POOL.submit(store.nearest, vectors, k, None if distinct else where, which, distinct)
                for which in (False, True)[:1 + sentences]]
    except Exception as exc:
        return _failed(exc)

    def collect() -> np.ndarray | None:
        try:
            found = [ask.result() for ask in asks]
            if distinct:
                rows = set(maps[0].rows(found[0]).tolist())  # each distinct vector once
                if sentences:
                    rows |= set(index.sentence_owner[maps[1].rows(found[1])].tolist())
            else:
                rows = {row_of[rid] for ids in found[0] for rid in ids if rid in row_of}
                if sentences:
                    owners = (sid.rpartition("#")[0] for ids in found[1] for sid in ids)  # a sentence id is {part id}#{n}
                    rows |= {row_of[rid] for rid in owners if rid in row_of}
        except Exception as exc:
            return _failed(exc)()
        rows_array = np.fromiter(rows, dtype=np.int64, count=len(rows))
        return rows_array[allowed[rows_array]]

    return collect


def _failed(exc: Exception) -> Callable[[], None]:
    """A server gone away, say: the vectors in memory still answer."""
    log.warning("stage one from the store failed (%s); scanning the vectors in memory", exc)
    return lambda: None


# Two workers: a question's paragraph and sentence queries at once (threads start on first use).
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stage-one")


def _digest_maps(index: Index) -> tuple[Digests, Digests]:
    """The part rows, and the sentence rows, by their vectors' digests (None: records loaded without one)."""
    cached = index.__dict__.get("_digest_rows")
    if cached is None or cached[0] is not index.metas:  # first use, or a reload made new lists: sort them (once)
        cached = index.__dict__["_digest_rows"] = (index.metas, Digests.of(index.metas.digest), Digests.of(index.sentences.digest))
    return cached[1], cached[2]


@dataclass
class Digests:
    """Rows sorted by their vectors' digests: every row with a given digest, by binary search."""

    order: np.ndarray
    sorted: np.ndarray

    @classmethod
    def of(cls, digests: np.ndarray) -> Digests | None:
        if not len(digests) or (digests == b"").any():
            return None
        order = np.argsort(digests, kind="stable")
        return cls(order, digests[order])

    def rows(self, found: list[list[str]]) -> np.ndarray:
        """The rows whose vectors have these digests: every copy of each."""
        wanted = np.array([d.encode() for digests in found for d in digests], dtype="S")
        if not len(wanted):
            return np.zeros(0, np.int64)
        lo, hi = np.searchsorted(self.sorted, wanted, "left"), np.searchsorted(self.sorted, wanted, "right")
        return np.unique(np.concatenate([self.order[a:b] for a, b in zip(lo, hi)]).astype(np.int64))


def partial_products(index: Index, vectors: list[np.ndarray],
                     rows: np.ndarray) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """qa.features.products for `rows`, their statements' headers and their sentences only (zero elsewhere): what
    stage two reads of the candidates the store found; and those sentence rows."""
    rows = np.unique(np.concatenate([rows, index.header_of[rows]]))
    q = np.stack(vectors, axis=1)
    sentences = index.sentences_of(rows)
    parts = np.zeros((len(index.ids), len(vectors)), np.float32)
    sents = np.zeros((len(index.sentence_owner), len(vectors)), np.float32)
    parts[rows] = index.vectors[rows] @ q
    if len(sentences):
        sents[sentences] = index.sentence_vectors[sentences] @ q
    return [(np.ascontiguousarray(parts[:, j]), np.ascontiguousarray(sents[:, j])) for j in range(len(vectors))], sentences
