"""BM25 over Russian lemmas and English stems, with cross-lingual expansion of unknown query words."""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.terms import _STOP, _TOKEN, term

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
        vocab = sorted(t for t in df if _CYRILLIC.search(t) and len(t) > 2) if embedder is not None else []
        vectors = term_vectors(vocab, embedder, cache) if embedder is not None else None
        return cls(bm25, df, len(corpus), vocab, vectors)

    def __post_init__(self) -> None:
        self.position = {t: i for i, t in enumerate(self.vocab)}
        self._term_scores: dict[str, np.ndarray] = {}

    def translate(self, words: list[str], vectors: np.ndarray, dictionary=None, limit: int = 2,
                  min_dictionary_similarity: float = 0.8) -> dict[str, list[str]]:
        """Each foreign query word → corpus lemmas: its dictionary translations the corpus has, ranked by embedding
        similarity (which picks the sense); without one, the nearest corpus lemma when it is clearly nearest."""
        if self.vocab_vectors is None or not len(words):
            return {}
        out: dict[str, list[str]] = {}
        for word, vector in zip(words, vectors):
            found = [t for t in (dictionary.translations(word) if dictionary else ()) if t in self.position]
            if found:
                sims = self.vocab_vectors[[self.position[t] for t in found]] @ vector
                ranked = [found[i] for i in np.argsort(-sims, kind="stable") if sims[i] >= min_dictionary_similarity]
                if ranked:
                    out[word] = ranked[:limit]
                    continue
            row = self.vocab_vectors @ vector
            top2 = np.argpartition(-row, 1)[:2] if len(row) > 1 else np.array([0, 0])
            a, b = sorted(top2, key=lambda i: -row[i])
            if row[a] >= self.min_similarity and row[a] - row[b] >= self.min_margin:
                out[word] = [self.vocab[a]]
        return out

    def foreign_words(self, question: str, limit: int = 8) -> list[str]:
        """Non-Cyrillic content words of the question (candidates for translation into the corpus's Russian)."""
        if not self.vocab:
            return []
        words = []
        for w in _WORD.findall(question):
            if w.lower() in _STOP or _CYRILLIC.search(w) or term(w) in _STOP or w in words:
                continue
            words.append(w)
        # Each word costs a model call, so keep the likeliest content words: names first, then the longest.
        return sorted(words, key=lambda w: (not w[:1].isupper(), -len(w)))[:limit]

    def _scores_of(self, t: str) -> np.ndarray:
        if t not in self._term_scores:
            if len(self._term_scores) > 50_000:
                self._term_scores.clear()
            self._term_scores[t] = np.asarray(self.bm25.get_scores([t]), dtype=np.float32)
        return self._term_scores[t]

    def scores(self, question: str, translations: dict[str, list[str]] | None = None) -> tuple[np.ndarray, float]:
        """BM25 of every record, a query word scoring by the best of its own term and its translations; and the
        IDF-weighted share of the question the corpus can read."""
        translations = translations or {}
        total = np.zeros(self.n_docs, dtype=np.float32)
        weight = readable = 0.0
        seen: set[str] = set()
        for word, t in query_words(question):
            if t in seen:
                continue
            seen.add(t)
            idf = math.log(1 + self.n_docs / self.df.get(t, 0.5))
            weight += idf
            alternatives = [a for a in dict.fromkeys([t, *translations.get(word, [])]) if a in self.df]
            if alternatives:
                readable += idf
                total = total + np.max([self._scores_of(a) for a in alternatives], axis=0)
        return total, (min(1.0, readable / weight) if weight else 0.0)


def query_words(text: str) -> list[tuple[str, str]]:
    """(word, term) pairs of a question, with the same tokens and stop words as terms()."""
    out = []
    for word in _TOKEN.findall(text):
        for part in ([word, *word.split("-")] if "-" in word else [word]):
            if part.lower() in _STOP or len(part) < 2 and not part.isdigit():
                continue
            t = term(part)
            if t not in _STOP:
                out.append((part, t))
    return out


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
