"""Candidate parts for one question and their features: dense, lexical, contextual and structural signals, each
z-scored over the candidate pool so that one set of weights means the same in one statement or in thousands."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qa.index import Index
from qa.parts import bigrams, gives_day, has_quantity
from qa.query import Query
from qa.stage_one import partial_products

# Parts by kind: content parts answer content questions; the header and signature answer questions about the
# statement itself (the ranker learns when, from the question's intent features).
KIND_FEATURES = ("table-row", "preamble", "metadata")


@dataclass
class Candidates:
    """The pool (record indices) with one row of features each, and the raw scores a Hit reports."""

    rows: np.ndarray
    names: list[str]
    matrix: np.ndarray  # len(rows) × len(names)
    dense: np.ndarray  # per record (whole corpus): cosine of the part, best sentence cosine, its row, BM25
    sentence: np.ndarray
    best_row: np.ndarray
    lexical: np.ndarray
    coverage: float

    def column(self, name: str) -> np.ndarray:
        return self.matrix[:, self.names.index(name)]


def _z(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    values = x[rows]
    # A feature equal across the pool (one statement's header) differs only by float rounding: that spread is noise,
    # and z-scoring it once gave the ranker ±1 values at random (one product per question now gives exact ties).
    if values.size < 2 or values.std() < 1e-6:
        return np.zeros(len(rows), dtype=np.float32)
    return ((values - values.mean()) / values.std()).astype(np.float32)


def products(index: Index, vectors: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each query vector's dot product with every part and every sentence, in one pass over the stored vectors (the
    scan is bound by memory, not arithmetic: two vectors at once cost about what one does)."""
    q = np.stack(vectors, axis=1)
    parts = index.vectors @ q
    sents = index.sentence_vectors @ q if len(index.sentence_owner) else np.zeros((0, len(vectors)), np.float32)
    return [(np.ascontiguousarray(parts[:, j]), np.ascontiguousarray(sents[:, j])) for j in range(len(vectors))]


def cosines(index: Index, part: np.ndarray, sent: np.ndarray,
            among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per record: paragraph cosine, best sentence cosine (the paragraph's when it has no sentence rows), that row.
    `among`: the sentence rows whose products were taken (stage one in the store); parts with none keep their own."""
    sentence = np.full(len(index.ids), -1.0, dtype=np.float32)
    best_row = np.full(len(index.ids), -1, dtype=np.int64)
    if len(index.sentence_owner):
        rows = np.arange(len(index.sentence_owner)) if among is None else among
        owner, sims = index.sentence_owner[rows], sent[rows]
        np.maximum.at(sentence, owner, sims)  # linear; a full argsort of the sentence scores was a third of a question at 100k
        best = np.flatnonzero(sims == sentence[owner])
        best_row[owner[best]] = rows[best]  # on a tie the later sentence, as the sort used to give
    return part, np.where(best_row >= 0, sentence, part), best_row


def residual_cosines(index: Index, part: np.ndarray, sent: np.ndarray,
                     among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Cosines of each part (and its best sentence) to the question with its projection on the part's own statement
    header removed — what the question asks beyond naming the document: q' = q − (q·h)h, cos(q', p) = (q·p − (q·h)(h·p)) / ‖q'‖."""
    qh = part[index.header_of]
    norm = np.sqrt(np.maximum(1.0 - qh**2, 1e-6))
    dense = (part - qh * index.header_dot) / norm
    sentence = dense.copy()
    if len(index.sentence_owner):
        rows = slice(None) if among is None else among
        owner = index.sentence_owner[rows]
        sims = (sent[rows] - qh[owner] * index.sentence_header_dot[rows]) / norm[owner]
        best = np.full(len(index.ids), -np.inf, dtype=np.float32)
        np.maximum.at(best, owner, sims)
        sentence = np.where(np.isfinite(best), best, dense)
    return dense, sentence


def _phrases(index: Index, query: Query, rows: np.ndarray) -> np.ndarray:
    """How many of the question's adjacent word pairs (as terms, or a translation of either) a part has adjacent too."""
    from ingest.terms import word_terms

    pairs = [w for w in word_terms(query.text)]
    options = [{t, *(a for a in query.translations.get(w, []))} for w, t in pairs]
    wanted = [(a, b) for x, y in zip(options, options[1:]) for a in x for b in y]
    if not wanted:
        return np.zeros(len(rows), np.float32)
    counts = []
    for i in rows:
        have = bigrams(index.metas[i])  # once a part, not once a pair asked (11 ms a question at 100k parts)
        counts.append(min(3, sum(p in have for p in wanted)))
    return np.array(counts, np.float32)


def _by_group_max(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    best = np.full(group.max() + 1 if len(group) else 0, -np.inf, dtype=np.float32)
    np.maximum.at(best, group, values)
    return best[group]


def _top(score: np.ndarray, allowed: np.ndarray, n: int, index: Index | None = None) -> np.ndarray:
    """The n best allowed rows; with the index, a copy of a row already taken (the same text in a parallel statement)
    does not take a place of its own."""
    rows = np.flatnonzero(allowed)
    if index is None or not len(index.parallel):
        return rows if len(rows) <= n else rows[np.argpartition(-score[rows], n - 1)[:n]]
    wide = rows if len(rows) <= COPIES * n else rows[np.argpartition(-score[rows], COPIES * n - 1)[:COPIES * n]]
    return _first_copies(index, wide[np.lexsort((wide, -score[wide]))])[:n]


# A part's copies a pool looks past (a store of reissued texts may hold several of each): beyond that many, the pool
# is as before.
COPIES = 4


def _first_copies(index: Index, rows: np.ndarray) -> np.ndarray:
    """The rows, in order, less each one whose copy came earlier: the same text in a statement parallel to its own (a
    compendium reprinting it, a reissue). An answer cites the copies together (qa.answer.with_parallels), so one stands
    for all in the ranking: four copies of a man page took four of the ten places a question's answer needed."""
    docs, kept = index.docs, []
    taken: set[int] = set()
    for row in rows.tolist():
        if any(p in taken and docs[p] == docs[row] for p in index.parallel.get(row)):
            continue
        kept.append(row)
        taken.add(row)
    return np.array(kept, dtype=np.int64)


def candidates(index: Index, query: Query, allowed: np.ndarray, pool_size: int,
               near: np.ndarray | Callable[[], np.ndarray | None] | None = None) -> Candidates:
    """The pool — the densest parts, the best BM25 parts and the best parts once the document's name is taken out of
    the question — and their features. With `near` (the parts the store's nearest-neighbour index found, or what
    collects them: qa/stage_one.py) the densest and residual ones are chosen among those and the BM25 ones, and only
    their vectors are read."""
    vectors = [query.vector] + ([query.mixed_vector] if query.mixed_vector is not None else [])
    lex = index.lexical.scores(query.text, query.translations, query.loose)
    best_lexical = _top(lex.paragraph + lex.sentence, allowed, pool_size // 3, index)
    near, among = near() if callable(near) else near, None
    if near is None or not len(near):
        scanned = products(index, vectors)
    else:
        near = np.union1d(near, best_lexical)
        if query.reads_metadata:
            signed = index.metadata_of(near)
            near = np.union1d(near, signed[allowed[signed]])
        scanned, among = partial_products(index, vectors, near)
        allowed = np.zeros_like(allowed)
        allowed[near] = True  # (near holds allowed parts only)
    plain, mixed = scanned[0], scanned[-1]
    dense, sentence, best_row = cosines(index, *plain, among)
    m_dense, m_sentence = cosines(index, *mixed, among)[:2] if mixed is not plain else (dense, sentence)
    r_dense, r_sentence = residual_cosines(index, *mixed, among)
    header = mixed[0][index.header_of]
    first = dense + sentence + m_dense + m_sentence
    context = lex.context if lex.context is not None else np.zeros(len(index.ids), np.float32)
    # and the entries of the lists whose heading the question's words match (a judge's name under «судьей Московского
    # городского суда»): their own words may not match at all
    listed = _top(context + lex.paragraph, allowed & (context > 0), pool_size // 3, index)
    # and, where headers and signature blocks may answer, the strongest statements' ones: «Москва, Кремль 3 октября 2002
    # года N 1112» has too few words for the question's to find it
    signed = index.metadata_of(_top(first, allowed, 10)) if query.reads_metadata else np.zeros(0, np.int64)
    rows = np.unique(np.concatenate([_top(first, allowed, pool_size, index), best_lexical, listed, signed[allowed[signed]],
                                     _top(r_dense + r_sentence, allowed, pool_size // 3, index)]))
    rows = _first_copies(index, rows) if len(index.parallel) else rows  # chosen by different scores, one copy each
    same = (index.russian[rows] == query.russian).astype(np.float32)
    cov = lex.coverage
    residual = lex.residual if lex.residual is not None else lex.paragraph
    residual_sentence = lex.residual_sentence if lex.residual_sentence is not None else lex.sentence
    kinds = [index.kinds[i] for i in rows]
    metadata = index.metadata_parts[rows].astype(np.float32)
    features = {
        "dense": _z(dense, rows), "sentence": _z(sentence, rows),
        "mixed_dense": _z(m_dense, rows), "mixed_sentence": _z(m_sentence, rows),
        "residual_dense": _z(r_dense, rows), "residual_sentence": _z(r_sentence, rows),
        "header": _z(header, rows),
        "bm25_same": same * cov * _z(lex.paragraph, rows), "bm25_cross": (1 - same) * cov * _z(lex.paragraph, rows),
        "bm25_sentence_same": same * cov * _z(lex.sentence, rows), "bm25_sentence_cross": (1 - same) * cov * _z(lex.sentence, rows),
        "prefix_same": same * _z(lex.prefix, rows), "prefix_cross": (1 - same) * _z(lex.prefix, rows),
        "context_bm25": cov * _z(context, rows),
        "residual_bm25": cov * (_z(residual, rows) + _z(residual_sentence, rows)),
        "cosine": np.maximum(dense, sentence)[rows],
        "table-row": np.array([k == "table-row" for k in kinds], np.float32),
        "preamble": np.array([k == "preamble" for k in kinds], np.float32),
        "metadata": metadata,
        "metadata_about": metadata * float(query.about_statement),
        "metadata_only": metadata * float(query.only_header),
        "metadata_date": metadata * float(query.asks_date),
        "length": np.log1p(np.array([len(index.docs[i]) for i in rows], np.float32)) / 8.0,
        "phrases": _phrases(index, query, rows),
        "gloss_cross": (1 - same) * _z(index.gloss_scores(query.text), rows),
        # Answer types: a figure for "how much", a date for "when", a person for "who".
        "figure_asked": float(query.asks_quantity) * index.has_number[rows],
        "date_asked": float(query.asks_date) * index.has_date[rows],
        "day_asked": np.array([gives_day(index.docs[i]) for i in rows], np.float32) if query.asks_date
        else np.zeros(len(rows), np.float32),
        "person_asked": float(query.asks_person) * index.has_person[rows],
        "quantity_asked": float(query.asks_quantity) * np.array([has_quantity(index.docs[i]) for i in rows], np.float32),
        "purpose_asked": float(query.asks_purpose) * np.array([k == "preamble" for k in kinds], np.float32),
    }
    # Two stages in one linear score: how strong the part's statement is among the candidates, and how the part stands
    # against the other candidates of its own statement.
    group = np.unique(index.header_of[rows], return_inverse=True)[1]
    strength = _z(first, rows)
    features["statement_best"] = _by_group_max(strength, group)
    for name in ("dense", "residual_dense", "residual_bm25"):
        features[f"within_{name}"] = features[name] - _by_group_max(features[name], group)
    bm25 = features["bm25_same"] + features["bm25_cross"]
    features["within_bm25"] = bm25 - _by_group_max(bm25, group)
    idf = index.lexical.within_statement(query.text, rows, query.translations) if index.lexical is not None \
        else np.zeros(len(rows), np.float32)
    features["statement_idf"] = _z(idf, np.arange(len(rows)))
    features["within_statement_idf"] = features["statement_idf"] - _by_group_max(features["statement_idf"], group)
    names = list(features)
    return Candidates(rows, names, np.stack([features[n] for n in names], axis=1), dense, sentence, best_row,
                      lex.paragraph, cov)
