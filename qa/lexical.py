"""BM25 over Russian lemmas and English stems, built from the terms stored with each record."""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

logging.getLogger("bm25s").setLevel(logging.WARNING)

from ingest.terms import terms


@dataclass
class LexicalIndex:
    """A bm25s index over record terms, plus document frequencies for query-coverage weighting."""

    bm25: object
    df: dict[str, int]
    n_docs: int

    @classmethod
    def build(cls, record_terms: list[str]) -> LexicalIndex:
        import bm25s

        corpus = [t.split() or ["∅"] for t in record_terms]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        df: dict[str, int] = {}
        for doc in corpus:
            for term in set(doc):
                df[term] = df.get(term, 0) + 1
        return cls(bm25, df, len(corpus))

    def scores(self, question: str) -> tuple[np.ndarray, float]:
        """BM25 score of every record, and the IDF-weighted share of the query's terms the corpus knows."""
        query = terms(question)
        known = [t for t in query if t in self.df]
        if not known:
            return np.zeros(self.n_docs, dtype=np.float32), 0.0
        idf = {t: math.log(1 + self.n_docs / self.df.get(t, 0.5)) for t in query}
        coverage = sum(idf[t] for t in known) / sum(idf.values())
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32), coverage
