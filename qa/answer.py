"""Evidence → answer: verbatim quotes from the best paragraphs, each cited, or a refusal when evidence is weak."""
from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ingest.terms import is_russian
from qa.index import Index
from qa.retrieve import Filters, Hit, asks_about_statement, search

CANNOT_ANSWER = "The statements do not answer this question."
CANNOT_ANSWER_RU = "В заявлениях нет ответа на этот вопрос."

# Bodies a question may name in either language; a named body absent from the evidence means a near miss.
_ORGS = [
    ("CSTO", "ОДКБ", "Collective Security Treaty", "Договора о коллективной безопасности"),
    ("NATO", "НАТО", "North Atlantic"), ("SCO", "ШОС", "Shanghai Cooperation"), ("CIS", "СНГ", "Commonwealth of Independent"),
    ("EU", "ЕС", "Евросоюз", "European Union"), ("OSCE", "ОБСЕ"), ("BRICS", "БРИКС"), ("UN", "ООН", "United Nations"),
    ("ASEAN", "АСЕАН"), ("EAEU", "ЕАЭС", "Eurasian Economic Union"), ("African Union", "Африканский союз"),
    ("G20", "G-20", "Группа двадцати"), ("G7", "Большая семерка"), ("OPEC", "ОПЕК"),
]


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


# "How many / how much" asks for a figure; a paragraph with no number in digits or words cannot give it.
_ASKS_QUANTITY = re.compile(r"\bhow (?:much|many)\b|\bсколько\b|\bв какую сумму\b|\bкаков\w* (?:размер|объ[её]м|сумм|числ|количеств)", re.I)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|percent|"
    r"один|одна|одно|одного|одной|одному|одним|два|две|двух|двум|двумя|три|трех|трём|трем|тремя|четыре|четырех|"
    r"четырьмя|пять|шесть|семь|восемь|девять|десять|\w+дцат\w*|\w*десят\w*|сорок\w*|девяност\w*|сто|ста|двести|"
    r"триста|\w+сот\w*|тысяч\w*|миллион\w*|миллиард\w*|триллион\w*|полтора|полторы|половин\w*|десятк\w*|сотн\w*|"
    r"дюжин\w*|двое|трое|четверо|процент\w*|нескольк\w*|много раз|\w*кратн\w*|several|many times|once|twice|\w+fold|"
    r"(?:одно|дву|двух|трех|трёх|четырех|пяти|шести|семи|восьми|девяти|десяти)\w+)\b", re.I)


def near_miss(question: str, hits: list[Hit], index: Index) -> str:
    """A year or a body the question names that the candidate statement never mentions, or a figure asked of a
    paragraph that has none → a reason to refuse."""
    top = hits[0]
    meta, paragraphs = index.statement(top.statement_id)
    haystack = " ".join(t for _, _, t in paragraphs) + " " + meta.get("date", "")
    # Only a dated statement can be "about another year"; an undated text that omits the year may still answer.
    for year in re.findall(r"\b(1[89]\d\d|20\d\d)\b", question) if meta.get("date") else []:
        if year not in haystack:
            return f"the question asks about {year}; the statement does not mention it"
    lower_q = question.lower()
    for names in _ORGS:
        asked = [n for n in names if re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", lower_q)]
        if asked and not any(re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", haystack.lower()) for n in names):
            return f"the question names {asked[0]}; the statement does not"
    label = top.meta.get("label", "")
    body = top.text[len(label):] if label and top.text.startswith(label) else top.text  # "Article 30" is no figure
    if _ASKS_QUANTITY.search(question) and not _NUMBER.search(body):
        return "the question asks for a figure; the closest paragraph gives none"
    for name in re.findall(r"[«\"“]([^»\"”]{2,40})[»\"”]", question):
        if not _mentions(haystack, name):
            return f"the question names «{name}»; the statement does not"
    return ""


def _mentions(haystack: str, name: str) -> bool:
    from ingest.terms import terms

    wanted = set(terms(name))
    return name.lower() in haystack.lower() or (bool(wanted) and wanted <= set(terms(haystack)))


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
        # The header always states title, issuer, date and place: a question about those is not refused on similarity.
        about_header = hits[0].paragraph == 0 and asks_about_statement(question)
        floor = _floor(question, hits[0], found.coverage, index.dictionary is not None, s)
        if _evidence(hits[0]) < floor and not about_header:
            result.reason = f"weak evidence: best cosine {_evidence(hits[0]):.3f} < {floor}"
        else:
            result.reason = near_miss(question, hits, index)
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


def _evidence(hit: Hit) -> float:
    """How close the best paragraph is: its own cosine or its closest sentence's, whichever is higher."""
    return max(hit.dense, hit.sentence)


def _floor(question: str, top: Hit, coverage: float, can_translate: bool, s) -> float:
    """Cross-lingual cosines run lower than same-language ones, so each has its own calibrated floor; a question
    whose words the statements mostly lack (not even through the dictionary) must be closer still."""
    same = is_russian(question) == is_russian(top.text)
    floor = s.refuse_below if same else s.refuse_below_cross
    readable = same or can_translate  # without a dictionary a foreign question's coverage says nothing
    return max(floor, s.refuse_below_unread) if readable and coverage < s.unread_coverage else floor


def _close(hit: Hit, top: Hit, s) -> bool:
    """Another paragraph is quoted too when it ranks nearly as well and is itself nearly as close."""
    return hit.score >= top.score * 0.9 and hit.dense >= top.dense - 0.01
