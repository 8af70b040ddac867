"""BM25 over Russian lemmas and English stems, with cross-lingual expansion of unknown query words."""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.terms import _STOP, term, terms

logging.getLogger("bm25s").setLevel(logging.WARNING)
log = logging.getLogger(__name__)
_WORD = re.compile(r"[^\W\d_]{3,}", re.U)
_CYRILLIC = re.compile(r"[а-яё]", re.I)


@dataclass
class LexicalIndex:
    """A bm25s index over record terms; the corpus's Russian lemmas are embedded so English words can find them."""

    bm25: object
    df: dict[str, int]
    n_docs: int
    vocab: list[str] = field(default_factory=list)
    vocab_vectors: np.ndarray | None = None
    min_similarity: float = 0.865
    min_margin: float = 0.008

    @classmethod
    def build(cls, record_terms: list[str], embedder=None, cache: Path | None = None) -> LexicalIndex:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        corpus = [t.split() or ["∅"] for t in record_terms]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        df: dict[str, int] = {}
        for doc in corpus:
            for t in set(doc):
                df[t] = df.get(t, 0) + 1
        index = cls(bm25, df, len(corpus))
        if embedder is not None:
            index.vocab = sorted(t for t in df if _CYRILLIC.search(t) and len(t) > 2)
            index.vocab_vectors = term_vectors(index.vocab, embedder, cache)
        return index

    def expand(self, words: list[str], vectors: np.ndarray) -> list[str]:
        """Map each query word the corpus does not know to its nearest corpus lemma, when clearly nearest."""
        if self.vocab_vectors is None or not len(words):
            return []
        sims = vectors @ self.vocab_vectors.T
        out = []
        for row in sims:
            top2 = np.argpartition(-row, 1)[:2] if len(row) > 1 else np.array([0, 0])
            a, b = sorted(top2, key=lambda i: -row[i])
            if row[a] >= self.min_similarity and row[a] - row[b] >= self.min_margin:
                out.append(self.vocab[a])
        return out

    def unknown_words(self, question: str, limit: int = 4) -> list[str]:
        """Non-Cyrillic content words of the question that never occur in the corpus (candidates for expansion)."""
        words = []
        for w in _WORD.findall(question):
            if w.lower() in _STOP or _CYRILLIC.search(w):  # only Cyrillic lemmas are expansion targets
                continue
            t = term(w)
            if t not in self.df and t not in _STOP and w not in words:
                words.append(w)
        # Each word costs a model call, so keep the likeliest content words: names first, then the longest.
        return sorted(words, key=lambda w: (not w[:1].isupper(), -len(w)))[:limit]

    def scores(self, question: str, extra_terms: list[str] | None = None) -> tuple[np.ndarray, float]:
        """BM25 score of every record, and the IDF-weighted share of the query the corpus can read."""
        query = terms(question)
        if not query:
            return np.zeros(self.n_docs, dtype=np.float32), 0.0
        known = [t for t in query if t in self.df] + [t for t in (extra_terms or []) if t in self.df]
        if not known:
            return np.zeros(self.n_docs, dtype=np.float32), 0.0
        idf = {t: math.log(1 + self.n_docs / self.df.get(t, 0.5)) for t in query}
        readable = sum(idf[t] for t in query if t in self.df) + sum(
            math.log(1 + self.n_docs / self.df[t]) for t in (extra_terms or []) if t in self.df)
        coverage = min(1.0, readable / sum(idf.values()))
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32), coverage


def term_vectors(vocab: list[str], embedder, cache: Path | None) -> np.ndarray:
    """Embeddings of corpus lemmas, cached on disk per model so only new lemmas are ever embedded."""
    known: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip(data["terms"].tolist(), data["vectors"]))
    missing = [t for t in vocab if t not in known]
    if missing:
        log.info("embedding %d new corpus terms for cross-lingual expansion", len(missing))
        for t, v in zip(missing, embedder.encode_terms(missing)):
            known[t] = v
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npz")
            np.savez(tmp, terms=np.array(list(known)), vectors=np.stack(list(known.values())))
            tmp.replace(cache)
    dim = next(iter(known.values())).shape[0] if known else 1
    return np.stack([known[t] for t in vocab]) if vocab else np.zeros((0, dim), np.float32)
