"""Evidence → answer: verbatim quotes from the best paragraphs, each cited, or a refusal when evidence is weak."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ingest.terms import is_russian
from qa.index import Index
from qa.refusal import refusal_reason
from qa.retrieve import Filters, Hit, search

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

    def render(self) -> str:
        where = f"¶{self.paragraph}" + (f" ({self.label})" if self.label else "")
        return f"«{self.quote}» — {short_title(self.title)}, {self.date or 'undated'}, {where}"


@dataclass
class Answer:
    question: str
    answered: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    latency_ms: float = 0.0
    reason: str = ""
    translations: dict[str, list[str]] = field(default_factory=dict)  # question word → words it was also matched as

    def to_json(self) -> dict:
        return {
            "question": self.question, "answered": self.answered, "answer": self.answer,
            "citations": [asdict(c) for c in self.citations],
            "retrieved": [{"statement_id": h.statement_id, "paragraph": h.paragraph, "score": round(h.score, 6),
                           "dense": round(h.dense, 4), "sentence": round(h.sentence, 4), "lexical": round(h.lexical, 4), "text": h.text}
                          for h in self.retrieved],
            "latency_ms": round(self.latency_ms, 1), "reason": self.reason, "translations": self.translations,
        }


def short_title(title: str, limit: int = 90) -> str:
    if len(title) <= limit:
        return title
    return title[: title.rfind(" ", 0, limit)] + " …"


def quote_for(index: Index, hit: Hit, query_vec: np.ndarray) -> str:
    """The paragraph's sentence closest to the question, widened to a neighbour that is nearly as close."""
    record, row = hit.best_sentence
    if row < 0 or hit.paragraph == 0:
        return hit.text.strip()
    rows = np.flatnonzero(index.sentence_owner == record)
    sims = index.sentence_vectors[rows] @ query_vec
    at = int(np.flatnonzero(rows == row)[0])
    chosen = [at] + [j for j in (at - 1, at + 1) if 0 <= j < len(rows) and sims[j] >= sims[at] - 0.02]
    start = min(index.sentence_spans[rows[j]][0] for j in chosen)
    stop = max(index.sentence_spans[rows[j]][1] for j in chosen)
    return index.docs[record][start:stop].strip()


def answer(question: str, index: Index, k: int | None = None, filters: Filters | None = None) -> Answer:
    """Retrieve, decide whether the evidence answers, and build quotes verified verbatim against their paragraphs."""
    started = time.perf_counter()
    s = index.settings
    question = question.strip()
    refusal = CANNOT_ANSWER_RU if is_russian(question) else CANNOT_ANSWER
    if not question:
        return Answer(question, False, "Ask a question about the statements.", reason="empty question")
    found = search(index, question, k or s.k, filters)
    hits = found.hits
    result = Answer(question, False, refusal, retrieved=hits, translations=found.translations)
    if not hits:
        result.reason = "no statements match (is the store empty? run: python -m ingest add data/statements)"
    else:
        result.reason = refusal_reason(question, found, index)
    if hits and not result.reason:
        query_vec = index.query_vectors([question])[0]
        chosen = [h for h in hits[: s.max_quotes] if h is hits[0] or _close(h, hits[0], s)]
        for hit in chosen:
            quote = quote_for(index, hit, query_vec)
            if quote and quote in hit.text:  # never return a quote that is not verbatim in the cited paragraph
                result.citations.append(Citation(hit.statement_id, hit.meta.get("title", ""), hit.meta.get("date", ""),
                                                 hit.paragraph, hit.meta.get("label", ""), quote))
        result.answered = bool(result.citations)
        result.answer = "\n".join(c.render() for c in result.citations) or refusal
    result.latency_ms = (time.perf_counter() - started) * 1000
    return result


def _close(hit: Hit, top: Hit, s) -> bool:
    """Another paragraph is quoted too when it ranks nearly as well and is itself nearly as close."""
    return hit.score >= top.score * 0.9 and hit.dense >= top.dense - 0.01
