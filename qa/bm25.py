"""BM25 over term lists, kept as postings sorted by term: a reload drops rows and appends documents without re-reading
the others, and a query term costs its postings, not the corpus."""
from __future__ import annotations

import numpy as np

# Lucene's BM25 (as bm25s computes it, which the fitted ranker was trained on): idf = ln(1 + (N − df + ½) / (df + ½)),
# tf part = tf / (tf + k1·(1 − b + b·|d| / avg|d|)).
K1, B = 1.5, 0.75
EMPTY = "∅"  # the one term of an empty document, so that every document has a length
CACHE_BYTES = 64 * 2**20  # postings scores kept per field between questions


class Field:
    """One BM25 index over documents given as term lists, scored a query term at a time."""

    def __init__(self, docs: list[list[str]]):
        self.vocab: dict[str, int] = {}
        self._set(*self._appended(np.zeros(0, np.float64), docs))

    def updated(self, keep: np.ndarray, docs: list[list[str]]) -> Field:
        """A new field over the kept documents (in their order) followed by `docs`; this one is left as it was, for the
        snapshot that still reads it. The kept postings stay in order (rows are renumbered monotonically, new rows come
        after them): only the new ones are sorted and merged in, not all of them (a reload at 100k parts)."""
        if not docs and len(keep) == self.n_docs and keep.all():
            return self  # nothing changed: fields are never modified in place, so both snapshots may share it
        remap = np.cumsum(keep) - 1
        kept = keep[self._rows]
        new = object.__new__(Field)
        new.vocab = dict(self.vocab)
        rows, terms, tf = remap[self._rows[kept]].astype(np.int32), self._terms[kept], self._tf[kept]
        doc_len = self.doc_len[keep]
        add_rows, add_terms, add_tf, add_len = new._appended(doc_len, docs)
        order = np.lexsort((add_rows, add_terms))
        at = np.searchsorted(terms, add_terms[order], side="right")  # after the kept postings of the same term
        new._set(np.insert(rows, at, add_rows[order]), np.insert(terms, at, add_terms[order]), np.insert(tf, at, add_tf[order]),
                 np.concatenate([doc_len, add_len]), ordered=True)
        return new

    def _appended(self, doc_len, docs: list[list[str]]):
        """Postings (row, term, tf) and lengths of `docs`, numbered after the `doc_len` documents; new terms join the
        vocabulary."""
        docs = [d or [EMPTY] for d in docs]
        ids = np.array([self.vocab.setdefault(t, len(self.vocab)) for d in docs for t in d], dtype=np.int64)
        lengths = np.array([len(d) for d in docs], dtype=np.int64)
        at = np.repeat(np.arange(len(docs), dtype=np.int64) + len(doc_len), lengths)
        width = max(len(self.vocab), 1)
        pairs, counts = np.unique(at * width + ids, return_counts=True)  # (document, term) → term frequency
        return ((pairs // width).astype(np.int32), (pairs % width).astype(np.int32), counts.astype(np.float32),
                lengths.astype(np.float64))

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        """The field as flat arrays under `name.*`, for a file (qa/loaded.py); terms never hold a newline."""
        vocab = np.frombuffer("\n".join(self.vocab).encode("utf-8"), dtype=np.uint8)
        return {f"{name}.vocab": vocab, f"{name}.rows": self._rows, f"{name}.terms": self._terms, f"{name}.tf": self._tf,
                f"{name}.doc_len": self.doc_len}

    @classmethod
    def from_arrays(cls, data, name: str) -> Field:
        """The field `arrays` wrote, without sorting its postings again."""
        new = object.__new__(cls)
        words = bytes(data[f"{name}.vocab"]).decode("utf-8")
        new.vocab = {t: i for i, t in enumerate(words.split("\n"))} if words else {}
        new._set(data[f"{name}.rows"], data[f"{name}.terms"], data[f"{name}.tf"], data[f"{name}.doc_len"], ordered=True)
        return new

    def _set(self, rows, terms, tf, doc_len, ordered: bool = False) -> None:
        order = slice(None) if ordered else np.lexsort((rows, terms))
        self._rows, self._terms, self._tf, self.doc_len = rows[order], terms[order], tf[order], doc_len
        self.n_docs = len(doc_len)
        self._start = np.searchsorted(self._terms, np.arange(len(self.vocab) + 1)).astype(np.int64)
        self._avg = float(doc_len.mean()) if len(doc_len) else 1.0
        self._df: dict[str, int] | None = None
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._cached_bytes = 0

    @property
    def df(self) -> dict[str, int]:
        """term → how many documents hold it (terms of dropped documents only are not in it)."""
        if self._df is None:
            counts = np.diff(self._start)
            self._df = {t: int(counts[i]) for t, i in self.vocab.items() if counts[i]}
        return self._df

    def postings(self, t: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding term t (ascending) and its BM25 score in each: work in the term's postings, not in
        the corpus (a full-size array per query term was a fifth of a question at 100k parts)."""
        found = self._cache.get(t)
        if found is None:
            if self._cached_bytes > CACHE_BYTES:
                self._cache.clear()
                self._cached_bytes = 0
            rows, scores = np.zeros(0, np.int32), np.zeros(0, np.float32)
            i = self.vocab.get(t)
            if i is not None and self._start[i + 1] > self._start[i]:
                a, b = self._start[i], self._start[i + 1]
                rows, tf = self._rows[a:b], self._tf[a:b]
                idf = np.float32(np.log(1 + (self.n_docs - (b - a) + 0.5) / ((b - a) + 0.5)))
                norm = (K1 * ((1 - B) + B * self.doc_len[rows] / self._avg)).astype(np.float32)
                scores = idf * (tf / (norm + tf))
            found = self._cache[t] = rows, scores  # returned as computed: another thread may clear the cache meanwhile
            self._cached_bytes += rows.nbytes + scores.nbytes
        return found

    def group_scores(self, groups: list[list[str]]) -> np.ndarray:
        """Sum over query words of the best score among each word's alternatives (its own term, its translations)."""
        return self.scored(groups)[0]

    def scored(self, groups: list[list[str]], keep: list[np.ndarray] | None = None,
               keep_by: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """group_scores, and (with `keep`) the same sum where a word counts only for the documents its mask keeps — the
        mask indexed by each document's `keep_by` entry (its statement, say) — from one pass over the postings."""
        total = np.zeros(self.n_docs, dtype=np.float32)
        kept_total = None if keep is None else np.zeros(self.n_docs, dtype=np.float32)
        for g, group in enumerate(groups):
            known = [t for t in dict.fromkeys(group) if t in self.df]
            if not known:
                continue
            if len(known) == 1:
                rows, scores = self.postings(known[0])
            else:  # the best alternative per document: sorted by document, highest score first, first of each kept
                found = [self.postings(t) for t in known]
                rows, scores = np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])
                order = np.lexsort((-scores, rows))
                rows, scores = rows[order], scores[order]
                first = np.concatenate([[True], rows[1:] != rows[:-1]])
                rows, scores = rows[first], scores[first]
            total[rows] += scores  # each document once per word
            if kept_total is not None:
                kept = keep[g][rows if keep_by is None else keep_by[rows]]
                kept_total[rows[kept]] += scores[kept]
        return total, kept_total
