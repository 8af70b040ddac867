"""Hybrid retrieval: paragraph and sentence cosines (e5) plus BM25, fused on z-scores and deduplicated to paragraphs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ingest.terms import is_russian
from qa.index import Index

# Questions about the statement itself (when, where, who issued it, its title) are answered by the header, ¶0.
_ABOUT_STATEMENT = re.compile(
    r"\b(when|date[ds]?|where|who|issuer|title|called|signed|adopted|issued)\b.*\b(statement|declaration|document|"
    r"agreement|decree|text|adopted|signed|issued|published|made)\b|\bwhat date\b|\btitle\b|\bissued by\b|\bwho issued\b"
    r"|\bкогда\b|\bдат[аеуы]\b|\bгде\b.*(принят|подписан|заявлени|документ|декларац)|\bкто\b.*(автор|принял|подписал|издал|выступ|сделал)"
    r"|\bавтор|\bназвани|как называется|\bчей\b|\bчья\b.*(заявлени|документ)",
    re.I,
)


# Or a statement noun anywhere with a question about its place, year or author ("Which city was the statement signed
# in?", "В каком городе принято заявление?", "Which organisation's council made this statement?").
_STATEMENT_NOUN = re.compile(r"\b(?:statement|declaration|document|agreement|decree|communiqu\w*|treaty)\b"
                             r"|заявлени|деклараци|документ|соглашени|\bуказ|коммюнике", re.I)
_STATEMENT_ATTRIBUTE = re.compile(
    r"\b(?:which|what|in what)\s+(?:city|place|venue|year|country|organi[sz]ation|body|council)\b|\bmade (?:this|the|that|it)\b|\bmade by\b|\bby whom\b"
    r"|в каком (?:городе|месте|году)|как(?:ая|ой|ой именно) (?:организаци|орган)|\bкем\b|\bкакой стран", re.I)


# The statement itself is named by a lower-case noun ("the statement", "this declaration", "заявление"); a capitalised
# one is the name of some other document ("the Maastricht Treaty", "Соглашение о социальной политике").
_NOUN = (r"(?-i:(?:the|this|that)\s+(?:statement|declaration|document|agreement|decree|communiqu\w*|treaty)\b"
         r"|(?:заявлени|деклараци|документ|соглашени|указ)\w*)")
_DONE = r"(?:adopted|signed|issued|made|published|dated|(?:принят|подписан|издан|опубликован|сделан)[оаы]?\b)"
# Only the header can answer these: when, where, by whom the statement was made, or what it is called.
_ONLY_HEADER = re.compile(
    rf"\b(?:when|where|what date|which date|what year|which year|what city|which city|когда|где|какого числа"
    rf"|в каком (?:городе|году|месте))\b.{{0,40}}{_NOUN}"
    rf"|{_NOUN}\s+(?:was\s+|were\s+|been\s+|было\s+|был\s+|была\s+)?{_DONE}"
    rf"|\b{_DONE}\s+(?:это\s+|данное\s+|настоящее\s+)?{_NOUN}"
    rf"|\b(?:author|title|issuer|name|автор|названи\w*)\s+(?:of\s+)?(?:этого\s+|данного\s+)?{_NOUN}"
    rf"|\bкто\b.{{0,30}}(?:автор|принял|подписал|издал|сделал|опубликовал)|как называется (?:это\s+|данное\s+)?{_NOUN}",
    re.I,
)


def only_header_answers(question: str) -> bool:
    """A question about when, where or by whom the statement was made, or its title: only ¶0 may answer it (in a
    collection, a body paragraph that mentions some other date or city must not)."""
    return bool(_ONLY_HEADER.search(question))


def asks_about_statement(question: str) -> bool:
    """A question about the statement itself, which its header (¶0: title, issuer, date, place) answers."""
    return bool(_ABOUT_STATEMENT.search(question)) or bool(
        _STATEMENT_NOUN.search(question) and _STATEMENT_ATTRIBUTE.search(question))


@dataclass
class Filters:
    """Restrict retrieval to statements, a date range (ISO dates, inclusive) or an issuer."""

    statement_ids: list[str] = field(default_factory=list)
    since: str = ""
    until: str = ""
    issuer: str = ""

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
    """One retrieved paragraph with the scores that ranked it and its sentence closest to the question."""

    statement_id: str
    paragraph: int
    score: float
    dense: float
    sentence: float
    lexical: float
    meta: dict
    text: str
    best_sentence: tuple[int, int] = (0, 0)  # (record index, sentence row) of the closest sentence


@dataclass
class Retrieval:
    """What search() found: ranked paragraphs, how the question's words were translated (question word → dictionary
    words), and the IDF share of the question's words the corpus can read (directly or through a translation)."""

    hits: list[Hit]
    translations: dict[str, list[str]] = field(default_factory=dict)
    coverage: float = 0.0


def _z(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    values = x[mask]
    if values.size < 2 or values.std() < 1e-9:
        return np.zeros_like(x)
    return (x - values.mean()) / values.std()


def _pool(score: np.ndarray, allowed: np.ndarray, size: int) -> np.ndarray:
    """The allowed records among the `size` best by score."""
    if allowed.sum() <= size:
        return allowed
    top = np.argsort(-np.where(allowed, score, -np.inf), kind="stable")[:size]
    pool = np.zeros_like(allowed)
    pool[top] = True
    return pool & allowed


def _cosines(index: Index, query_vec: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per record: paragraph cosine, best sentence cosine (the paragraph's when it has no sentence rows), that row."""
    dense = index.vectors @ query_vec
    sentence = np.full(len(index.ids), -1.0, dtype=np.float32)
    best_row = np.full(len(index.ids), -1, dtype=np.int64)
    if len(index.sentence_owner):
        sims = index.sentence_vectors @ query_vec
        order = np.argsort(sims, kind="stable")  # ascending, so the last write per record is its best sentence
        sentence[index.sentence_owner[order]] = sims[order]
        best_row[index.sentence_owner[order]] = order
    return dense, np.where(best_row >= 0, sentence, dense), best_row


def _residual_cosines(index: Index, query_vec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosines of each part (and its best sentence) to the question with its projection on the part's own statement
    header removed: q' = q − (q·h)h, so cos(q', p) = (q·p − (q·h)(h·p)) / ‖q'‖."""
    qh = index.vectors[index.header_of] @ query_vec
    norm = np.sqrt(np.maximum(1.0 - qh**2, 1e-6))
    dense = (index.vectors @ query_vec - qh * index.header_dot) / norm
    sentence = dense.copy()
    if len(index.sentence_owner):
        owner = index.sentence_owner
        sims = (index.sentence_vectors @ query_vec - qh[owner] * index.sentence_header_dot) / norm[owner]
        best = np.full(len(index.ids), -np.inf, dtype=np.float32)
        np.maximum.at(best, owner, sims)
        sentence = np.where(np.isfinite(best), best, dense)
    return dense, sentence


def translate_question(index: Index, question: str) -> tuple[list[str], dict[str, list[str]]]:
    """The question's words in the other language of the corpus: (English words looked up, word → dictionary words)."""
    s = index.settings
    if not s.expand_queries or index.lexical is None:
        return [], {}
    foreign = index.lexical.foreign_words(question, s.expand_max_words)
    translations = index.lexical.translate(foreign, index.query_vectors, index.dictionary, s.max_translations)
    if index.dictionary:
        russian = index.lexical.russian_words(question, s.expand_max_words)
        translations.update(index.lexical.translate_russian(
            russian, index.dictionary, index.reverse_cache, s.max_translations, index.query_vectors))
    return foreign, translations


def retrieve(index: Index, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """Top-k paragraphs by fused dense (question and translated question) and lexical (BM25 fields) z-scores."""
    return search(index, question, k, filters).hits


def search(index: Index, question: str, k: int = 10, filters: Filters | None = None) -> Retrieval:
    """retrieve(), also returning the translations used and the share of the question the corpus can read."""
    index.refresh()
    if not index.ids:
        return Retrieval([])
    s = index.settings
    filters = filters or Filters()
    header_ok = asks_about_statement(question)
    # Content parts answer content questions; the header and signature blocks (title, issuer, date, place, signers)
    # answer questions about the statement itself. Headings, annex stamps and editorial notes are context only.
    allowed = np.array([filters.allows(m) for m in index.metas]) & (index.answers | (header_ok & index.metadata_parts))
    if only_header_answers(question):
        headers = allowed & index.metadata_parts
        allowed = headers if headers.any() else allowed
    if not allowed.any():
        return Retrieval([])
    query_vec = index.query_vectors([question])[0]
    dense, sentence, best_row = _cosines(index, query_vec)
    parts = [(1.0, dense), (s.sentence_weight, sentence)]
    foreign, translations = translate_question(index, question)
    if translations and s.translated_query_weight > 0:
        # e5 matches a question to text in another language better when the question carries that language's key words.
        mixed = question + " " + " ".join(t[0] for t in translations.values())
        mixed_dense, mixed_sentence, _ = _cosines(index, index.query_vectors([mixed])[0])
        w, t = s.question_weight_when_translated, s.translated_query_weight
        parts = [(w, dense), (w * s.sentence_weight, sentence), (t, mixed_dense), (t * s.sentence_weight, mixed_sentence)]
    # Scores are z-normalised over a fixed-size pool of the densest candidates, not the whole corpus: over 10 paragraphs
    # or 10,000 a paragraph with a rare matching word then stands out by the same few deviations, so one set of
    # weights means the same thing in a single statement and in a large collection.
    pool = _pool(sum(w * _z(x, allowed) for w, x in parts), allowed, max(s.fusion_pool, k))
    fused = sum(w * _z(x, pool) for w, x in parts)
    loose = {w: index.dictionary.translations(w)[:3] for w in foreign} if index.dictionary else {}
    lex = index.lexical.scores(question, translations, loose)
    lexical = lex.paragraph
    # Words match exactly within one language; across languages they match only through a translation, less surely.
    boost = np.where(index.russian == is_russian(question), s.same_language_lexical_boost, 1.0)
    fused += boost * (s.prefix_weight * _z(lex.prefix, pool) + lex.coverage * (
        s.lexical_weight * _z(lex.paragraph, pool) + s.sentence_lexical_weight * _z(lex.sentence, pool)))
    # Context: the words of a part's title and headings, and the closeness of its statement's header to the question,
    # are shared by every part of a statement, so they choose the statement and leave the parts' own words to decide
    # between its parts.
    if lex.context is not None and s.context_lexical_weight:
        fused += boost * s.context_lexical_weight * lex.coverage * _z(lex.context, pool)
    if s.statement_weight:
        fused += s.statement_weight * _z(index.vectors[index.header_of] @ query_vec, pool)
    if s.residual_weight:
        # Within a document, what the question asks beyond naming it: the question vector with the component along
        # the part's own statement header removed, and BM25 without the words of that header.
        resid_vec = index.query_vectors([mixed])[0] if translations and s.translated_query_weight > 0 else query_vec
        r_dense, r_sentence = _residual_cosines(index, resid_vec)
        fused += s.residual_weight * (_z(r_dense, pool) + s.sentence_weight * _z(r_sentence, pool))
        if lex.residual is not None:
            fused += s.residual_weight * boost * lex.coverage * (
                s.lexical_weight * _z(lex.residual, pool) + s.sentence_lexical_weight * _z(lex.residual_sentence, pool))
    fused = np.where(pool, fused, -np.inf)

    best: dict[tuple[str, int], Hit] = {}
    for i in np.argsort(-fused, kind="stable"):
        if not pool[i]:
            break  # only filtered-out records and those outside the pool (score -inf) remain
        meta = index.metas[i]
        key = (meta["statement_id"], meta["paragraph"])
        hit = best.get(key)
        if hit is None:
            if len(best) == k:
                break
            best[key] = Hit(key[0], key[1], float(fused[i]), float(dense[i]), float(sentence[i]), float(lexical[i]),
                            meta, index.paragraph_text(*key), (int(i), int(best_row[i])))
        else:  # another part of a long paragraph: keep the best of its parts
            hit.dense, hit.lexical = max(hit.dense, float(dense[i])), max(hit.lexical, float(lexical[i]))
            if sentence[i] > hit.sentence:
                hit.sentence, hit.best_sentence = float(sentence[i]), (int(i), int(best_row[i]))
    return Retrieval(list(best.values()), translations, lex.coverage)
