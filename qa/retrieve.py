"""Hybrid retrieval: dense e5 (Chroma) ∥ BM25, fused by weighted RRF and deduplicated to paragraphs."""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.embedder import Embedder
from ingest.store import Store
from qa.lexical import LexicalIndex

log = logging.getLogger(__name__)


@dataclass
class Filters:
    """Restrict retrieval to statements, a date range (ISO dates, inclusive) or an issuer."""

    statement_ids: list[str] = field(default_factory=list)
    since: str = ""
    until: str = ""
    issuer: str = ""

    def where(self) -> dict | None:
        clauses: list[dict] = []
        if self.statement_ids:
            clauses.append({"statement_id": {"$in": list(self.statement_ids)}})
        if self.since:
            clauses.append({"date_int": {"$gte": int(self.since.replace("-", ""))}})
        if self.until:
            clauses.append({"date_int": {"$lte": int(self.until.replace("-", ""))}})
        if self.issuer:
            clauses.append({"issuer": self.issuer})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def allows(self, meta: dict) -> bool:
        if self.statement_ids and meta["statement_id"] not in self.statement_ids:
            return False
        date = meta.get("date_int", 0)
        if self.since and date < int(self.since.replace("-", "")):
            return False
        if self.until and date > int(self.until.replace("-", "")):
            return False
        return not self.issuer or meta.get("issuer") == self.issuer


@dataclass
class Hit:
    """One retrieved paragraph with the scores that ranked it."""

    statement_id: str
    paragraph: int
    score: float
    dense: float
    lexical: float
    meta: dict
    text: str


class Index:
    """The store, the embedder and the BM25 index, loaded once and refreshed only when the store changes."""

    def __init__(self, store: Store, embedder: Embedder, settings):
        self.store, self.embedder, self.settings = store, embedder, settings
        self._lock = threading.Lock()
        self.version = -1
        self.ids: list[str] = []
        self.metas: list[dict] = []
        self.docs: list[str] = []
        self.lexical: LexicalIndex | None = None
        self.vectors = np.zeros((0, 1), np.float32)
        self._query_cache: dict[str, np.ndarray] = {}

    def refresh(self, force: bool = False) -> None:
        version = self.store.version
        with self._lock:
            if version == self.version and not force:
                return
            data = self.store.records(include_embeddings=True)
            self.ids, self.metas, self.docs = data["ids"], data["metadatas"], data["documents"]
            self.vectors = np.asarray(data["embeddings"], dtype=np.float32) if self.ids else np.zeros((0, 1), np.float32)
            safe_name = re.sub(r"[^\w.-]", "_", self.embedder.name)
            cache = Path(self.settings.model_cache) / f"terms-{safe_name}.npz"
            self.lexical = LexicalIndex.build(
                [m.get("terms", "") for m in self.metas], self.embedder if self.settings.expand_queries else None, cache
            ) if self.ids else None
            self.version = version
            log.info("index loaded: %d records (store version %d)", len(self.ids), version)

    def query_vectors(self, texts: list[str]) -> np.ndarray:
        """Query embeddings, remembered per text: answer() reuses retrieve()'s, and query words repeat across questions."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._query_cache]
        if missing:
            if len(self._query_cache) > 5000:
                self._query_cache.clear()
            self._query_cache.update(zip(missing, self.embedder.encode_queries(missing)))
        return np.stack([self._query_cache[t] for t in texts])

    def paragraph_text(self, statement_id: str, paragraph: int) -> str:
        """A paragraph's full text, re-joined from its parts."""
        parts = sorted(
            (m["part"], d) for m, d in zip(self.metas, self.docs)
            if m["statement_id"] == statement_id and m["paragraph"] == paragraph
        )
        return " ".join(d for _, d in parts)

    def statement(self, statement_id: str) -> tuple[dict, list[tuple[int, str, str]]]:
        """Header metadata and every (n, label, text) paragraph of one statement, in order."""
        rows = [(m, d) for m, d in zip(self.metas, self.docs) if m["statement_id"] == statement_id]
        if not rows:
            raise KeyError(statement_id)
        paragraphs: dict[int, list] = {}
        for m, d in sorted(rows, key=lambda r: (r[0]["paragraph"], r[0]["part"])):
            paragraphs.setdefault(m["paragraph"], [m.get("label", ""), []])[1].append(d)
        return rows[0][0], [(n, label, " ".join(texts)) for n, (label, texts) in sorted(paragraphs.items())]


def retrieve(index: Index, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """Top-k paragraphs for a question: weighted reciprocal-rank fusion of dense and BM25 rankings."""
    index.refresh()
    if not index.ids:
        return []
    s = index.settings
    filters = filters or Filters()
    unknown = index.lexical.unknown_words(question) if s.expand_queries else []
    vectors = index.query_vectors([question, *unknown])
    query_vec = vectors[0]
    expansion = index.lexical.expand(unknown, vectors[1:])
    n_dense = min(max(s.dense_candidates, k * 3), len(index.ids))
    result = index.store.query(query_vec.tolist(), n_dense, filters.where())
    dense = {rid: 1.0 - dist for rid, dist in zip(result["ids"][0], result["distances"][0])}

    lex_scores, coverage = index.lexical.scores(question, expansion)
    allowed = np.array([filters.allows(m) for m in index.metas]) if filters.where() else None
    if allowed is not None:
        lex_scores = np.where(allowed, lex_scores, 0.0)
    order = np.argsort(-lex_scores, kind="stable")[: s.lexical_candidates]
    lexical = {index.ids[i]: float(lex_scores[i]) for i in order if lex_scores[i] > 0}

    position = {rid: i for i, rid in enumerate(index.ids)}
    fused: dict[str, float] = {}
    # Rank-based fusion (txtai/pyserini style); BM25 counts in proportion to how much of the question it can read.
    for weight, ranking in ((s.dense_weight, dense), (s.lexical_weight * coverage, lexical)):
        for rank, rid in enumerate(sorted(ranking, key=lambda r: (-ranking[r], r))):
            fused[rid] = fused.get(rid, 0.0) + weight / (s.rrf_k + rank + 1)

    best: dict[tuple[str, int], Hit] = {}
    for rid, score in fused.items():
        i = position.get(rid)
        if i is None:
            continue
        meta = index.metas[i]
        key = (meta["statement_id"], meta["paragraph"])
        hit = best.get(key)
        if hit is None or score > hit.score:
            cosine = dense[rid] if rid in dense else float(index.vectors[i] @ query_vec)
            best[key] = Hit(key[0], key[1], score, max(cosine, hit.dense if hit else -1.0),
                            lexical.get(rid, 0.0), meta, "")
    hits = sorted(best.values(), key=lambda h: (-h.score, h.statement_id, h.paragraph))[:k]
    for hit in hits:
        hit.text = index.paragraph_text(hit.statement_id, hit.paragraph)
    return hits
