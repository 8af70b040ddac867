"""Evidence → answer: verbatim quotes from the best paragraph of each statement that answers, each cited, or a refusal
when the evidence is weak."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ingest.store import StoreUnavailable
from ingest.terms import is_russian
from qa.index import Index
from qa.query import read_query
from qa.reasons import Reason, line
from qa.refusal import Evidence, answering_evidence, documents_named, evidence, refusal_model, softmax_share, verdict
from qa.retrieve import Filters, Hit, Retrieval, search

CANNOT_ANSWER = "The statements do not answer this question."
CANNOT_ANSWER_RU = "В заявлениях нет ответа на этот вопрос."


@dataclass
class Citation:
    statement_id: str
    title: str
    date: str
    paragraph: int
    label: str
    quote: str
    kind: str = "paragraph"
    text: str = ""  # the whole cited paragraph, so a reader (or a scorer) can check the quote in its place

    def render(self) -> str:
        where = f"{self.label}, ¶{self.paragraph}" if self.label else f"¶{self.paragraph}"
        return f"«{self.quote}» — {short_title(self.title)}, {self.date or 'undated'}, {where}"


@dataclass
class Answer:
    question: str
    answered: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    latency_ms: float = 0.0
    reasons: list[Reason] = field(default_factory=list)  # why it was refused (none when answered)
    translations: dict[str, list[str]] = field(default_factory=dict)  # question word → words it was also matched as

    @property
    def reason(self) -> str:
        """The reasons as one English line (what the CLI prints and old API clients read)."""
        return line(self.reasons)

    @property
    def statements(self) -> list[dict]:
        """The citations grouped by statement, in answer order."""
        out: dict[str, dict] = {}
        for c in self.citations:
            out.setdefault(c.statement_id, {"statement_id": c.statement_id, "title": c.title, "date": c.date, "citations": []})
            out[c.statement_id]["citations"].append(asdict(c))
        return list(out.values())

    def to_json(self) -> dict:
        return {
            "question": self.question, "answered": self.answered, "answer": self.answer,
            "citations": [asdict(c) for c in self.citations], "statements": self.statements,
            "retrieved": [{"statement_id": h.statement_id, "paragraph": h.paragraph, "score": round(h.score, 6),
                           "dense": round(h.dense, 4), "sentence": round(h.sentence, 4), "lexical": round(h.lexical, 4), "text": h.text}
                          for h in self.retrieved],
            "latency_ms": round(self.latency_ms, 1), "reason": self.reason,
            "reasons": [r.to_json() for r in self.reasons], "translations": self.translations,
        }


def short_title(title: str, limit: int = 90) -> str:
    if len(title) <= limit:
        return title
    return title[: title.rfind(" ", 0, limit)] + " …"


def quote_for(index: Index, hit: Hit, query_vec: np.ndarray) -> str:
    """The paragraph's sentence closest to the question, widened to a neighbour that is nearly as close."""
    record, row = hit.best_sentence
    if row < 0 or hit.paragraph == 0 or hit.meta.get("kind") in ("signature", "table-row"):
        return hit.text.strip()
    rows = index.sentences_of(np.array([record]))
    sims = index.sentence_vectors[rows] @ query_vec
    at = int(np.flatnonzero(rows == row)[0])
    chosen = [at] + [j for j in (at - 1, at + 1) if 0 <= j < len(rows) and sims[j] >= sims[at] - 0.02]
    start = int(min(index.sentences.start[rows[j]] for j in chosen))
    stop = int(max(index.sentences.stop[rows[j]] for j in chosen))
    return index.docs[record][start:stop].strip()


def answer(question: str, index: Index, k: int | None = None, filters: Filters | None = None) -> Answer:
    """Read the question, retrieve, decide whether the evidence answers, and cite the best paragraph of each statement
    that answers (up to max_statements), with quotes verified verbatim against their paragraphs."""
    started = time.perf_counter()
    s = index.settings
    question = question.strip()
    refusal = CANNOT_ANSWER_RU if is_russian(question) else CANNOT_ANSWER
    if not question:
        return Answer(question, False, "Ask a question about the statements.", reasons=[Reason("empty_question")])
    if len(question) > s.max_question_chars:  # bounded work per request: nothing below reads an overlong question
        return Answer(question[:200] + "…", False, refusal,
                      reasons=[Reason("too_long", (len(question), s.max_question_chars))])
    try:
        index.refresh()
    except StoreUnavailable as exc:  # nothing loaded yet and the store is down: say so, try again next question
        return Answer(question, False, refusal, reasons=[Reason("unreachable", (str(exc),))])
    index = index.snapshot()
    if not index.ids:
        return Answer(question, False, refusal, reasons=[Reason("empty_store")])
    query = read_query(index, question)
    found = search(index, query, k or s.k, filters)
    result = Answer(question, False, refusal, retrieved=found.hits, translations=found.translations)
    answering, top = answering_evidence(query, found, index) if found.hits else (found, None)
    if top is None:
        result.reasons = [Reason("filters_match_nothing" if filters else "no_match")]
    elif reason := verdict(top, refusal_model(index)):
        result.reasons = [reason]
    if found.hits and filters and (filters.statement_ids or filters.since or filters.until or filters.issuer):
        result.reasons = within_filters(index, query, answering, result.reasons, k or s.k)
    if found.hits and not result.reasons:
        for hit in with_parallels(answering_hits(answering, query, index, top), index, query, filters):
            hit = _metadata_citation(index, hit, query)
            quote = quote_for(index, hit, query.vector)
            if quote and quote in hit.text:  # never return a quote that is not verbatim in the cited paragraph
                result.citations.append(Citation(hit.statement_id, hit.meta.get("title", ""), hit.meta.get("date", ""),
                                                 hit.paragraph, hit.meta.get("label", ""), quote,
                                                 hit.meta.get("kind", "paragraph"), hit.text))
        result.answered = bool(result.citations)
        n = len({c.statement_id for c in result.citations})
        lines = [c.render() for c in result.citations]
        if n > 1:
            lines.insert(0, (f"Найдено в {n} документах:" if query.russian else f"Found in {n} statements:"))
        result.answer = "\n".join(lines) or refusal
    result.latency_ms = (time.perf_counter() - started) * 1000
    return result


def answering_hits(found: Retrieval, query, index: Index, top_evidence: Evidence | None = None) -> list[Hit]:
    """The best paragraph of each statement whose evidence also passes the refusal model, best first (the top one
    already has: `top_evidence`, computed here when not given), up to max_statements; within the top statement, a
    nearly-as-good second paragraph too."""
    s, model = index.settings, refusal_model(index)
    top = found.hits[0]
    top_share = softmax_share(found, top)
    # statements further down that the question names by a year or body the top one lacks are cited too
    named = set((top_evidence or evidence(query, found, top, index, model)).named_elsewhere)
    chosen: list[Hit] = [top]
    seen = {top.statement_id}
    top_named: tuple | None = None
    for hit in (*found.hits[1:], *(h for h in found.others if h.statement_id in named)):
        if hit.statement_id in seen:
            if hit.statement_id == top.statement_id and len(chosen) < s.max_quotes and _close(hit, top, s):
                chosen.append(hit)
            continue
        seen.add(hit.statement_id)
        if sum(1 for h in chosen if h.statement_id != top.statement_id) + 1 >= s.max_statements:
            break
        if hit.statement_id in named:
            chosen.append(hit)
            continue
        if not query.asks_documents and top.score - hit.score > s.other_statement_margin:
            if named:
                continue
            break  # hits are ranked: every later statement trails the top answer by more still
        top_named = documents_named(query, top, index) if top_named is None else top_named
        gives, lacks = documents_named(query, hit, index)
        if gives <= top_named[0] and lacks & top_named[0]:
            continue  # not one of the documents asked about: it lacks a year or body the top one gives, and gives none it lacks
        if evidence(query, found, hit, index, model, share=top_share).p >= model.threshold * s.other_statement_factor:
            chosen.append(hit)
    return chosen


def with_parallels(hits: list[Hit], index: Index, query, filters: Filters | None) -> list[Hit]:
    """Each hit followed by the matching paragraph of every statement parallel to its own (the other language's text
    of a declaration, the same agreement inside a compendium) that is within the filters, up to max_statements: a reader
    quoting Article 13 of the UDHR is shown the Russian text's article 13 too — also when the Russian text is among the
    hits further down with a best paragraph of its own."""
    out: list[Hit] = []
    cited = {h.statement_id for h in hits}
    limit = max(index.settings.max_statements, len(cited))
    aligned: set[str] = set()  # statements cited at the paragraph matching a better-ranked one's
    for hit in hits:
        if hit.statement_id in aligned:
            continue  # its own best paragraph yields to the one matching the better-ranked text's (both Article 13)
        out.append(hit)
        for row in index.parallel.get(hit.best_sentence[0], []):
            meta = index.metas[row]
            sid = meta["statement_id"]
            later = sid in cited and all(h.statement_id != sid for h in out)  # among the hits, not yet cited
            if not later and (sid in cited or len(cited) >= limit) or (filters and not filters.allows(meta)):
                continue
            cited.add(sid)
            aligned.add(sid)
            sentences = index.sentences_of(np.array([row]))
            sims = index.sentence_vectors[sentences] @ query.vector if len(sentences) else np.zeros(0)
            best = int(sentences[int(np.argmax(sims))]) if len(sentences) else -1
            out.append(Hit(meta["statement_id"], meta["paragraph"], hit.score, float(index.vectors[row] @ query.vector),
                           float(sims.max()) if len(sims) else 0.0, 0.0, meta,
                           index.paragraph_text(meta["statement_id"], meta["paragraph"]), (row, best)))
    return out


def _metadata_citation(index: Index, hit: Hit, query) -> Hit:
    """A question about when, where or by whom a statement was made, answered by its header: when the header names no
    date or place but the statement's signature block does, that block is the better citation."""
    if hit.meta.get("kind") != "header" or hit.meta.get("date", "")[:4] in hit.text:
        return hit
    for i in np.flatnonzero((index.kinds == "signature") & (index.statement_of == hit.statement_id))[:1].tolist():
        meta = index.metas[i]
        text = index.paragraph_text(hit.statement_id, meta["paragraph"])
        return Hit(hit.statement_id, meta["paragraph"], hit.score, hit.dense, hit.sentence, hit.lexical, meta, text, (i, -1))
    return hit


def within_filters(index: Index, query, found: Retrieval, reasons: list[Reason], k: int) -> list[Reason]:
    """With filters, the best paragraph within them answers only if it also holds its own in the whole store: when
    statements the filters exclude answer it far better (ranked above it by more than the ranker's usual margin between
    an answer and a near one), the filters have excluded the answer. The reason then says how many statements do."""
    unfiltered = search(index, query, k, None)
    if not unfiltered.hits:
        return reasons
    model = refusal_model(index)
    unfiltered, top = answering_evidence(query, unfiltered, index, model)
    if verdict(top, model):
        return reasons
    others = answering_hits(unfiltered, query, index, top)
    inside = {h.statement_id for h in found.hits}
    outside = list(dict.fromkeys(h.statement_id for h in others if h.statement_id not in inside))
    if not outside:
        return reasons
    if not reasons and found.hits[0].score >= unfiltered.hits[0].score - OUTSIDE_MARGIN:
        return []
    return (reasons or [Reason("weak_in_filters")]) + [Reason("outside_filters", (len(outside),), tuple(outside))]


# Ranker units: an answer within the filters may trail the best one outside them by this much.
OUTSIDE_MARGIN = 2.0


def _close(hit: Hit, top: Hit, s) -> bool:
    """Another paragraph of the top statement is quoted too when the ranking gives it at least half the top's weight
    and it is itself nearly as close."""
    return hit.score >= top.score - 0.7 and hit.dense >= top.dense - 0.01
