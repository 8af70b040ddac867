"""Whether the evidence answers: a logistic model over how close the best paragraph is, how much of the question the
statements can read, how sure the ranking is, and what the question names that the statement lacks (a year, a body,
a «name», a place, a figure); fitted by `python -m qa.calibrate`, its reason given in words."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.records import METADATA_KINDS
from ingest.terms import is_russian, term, terms
from qa.index import Index
from qa.lexical import prefix
from qa.names import ABBREVIATIONS
from qa.places import english_names, russian_names
from qa.query import Query
from qa.retrieve import Hit, Retrieval

MODEL = Path(__file__).resolve().parent / "models" / "refusal.json"
FEATURES = ("cosine", "cross_cosine", "cross", "coverage", "share", "misses", "metadata_about")
# Until a model is fitted: the earlier floors as a logistic score (answer above cosine 0.805 same-language, 0.76
# cross-language; a missing name or figure refuses).
HAND = {"bias": -80.5, "cosine": 100.0, "cross_cosine": 0.0, "cross": 4.5, "coverage": 0.0, "share": 0.0, "misses": -50.0,
        "metadata_about": 20.0, "threshold": 0.5}

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
_PROPER = {"Geox", "Orgn", "Surn", "Name"}  # pymorphy3 tags of places, organisations and people


@dataclass
class Evidence:
    """What speaks for answering from one paragraph: model features, what the statement lacks, P(answers)."""

    features: dict[str, float]
    misses: list[str] = field(default_factory=list)
    p: float = 0.0


@dataclass
class RefusalModel:
    weights: dict[str, float]

    @property
    def threshold(self) -> float:
        return self.weights.get("threshold", 0.5)

    def probability(self, features: dict[str, float]) -> float:
        z = self.weights.get("bias", 0.0) + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


_LOADED: RefusalModel | None = None


def refusal_model() -> RefusalModel:
    global _LOADED
    if _LOADED is None:
        _LOADED = RefusalModel(json.loads(MODEL.read_text(encoding="utf-8"))["weights"] if MODEL.exists() else dict(HAND))
    return _LOADED


def evidence(query: Query, found: Retrieval, hit: Hit, index: Index, model: RefusalModel | None = None) -> Evidence:
    """Features of answering `query` from `hit` (the share is its softmax weight among the retrieved paragraphs)."""
    scores = [h.score for h in found.hits]
    top = max(scores)
    share = math.exp(hit.score - top) / sum(math.exp(x - top) for x in scores)
    cross = float(query.russian != is_russian(hit.text))
    cosine = max(hit.dense, hit.sentence)
    metadata = hit.meta.get("kind", "header" if hit.paragraph == 0 else "") in METADATA_KINDS
    missing = misses(query, hit, index)
    features = {"cosine": cosine, "cross_cosine": cross * cosine, "cross": cross, "coverage": found.coverage, "share": share,
                "misses": float(len(missing)), "metadata_about": float(metadata and query.about_statement)}
    ev = Evidence(features, missing)
    ev.p = (model or refusal_model()).probability(features)
    return ev


def refusal_reason(query: Query, found: Retrieval, index: Index, model: RefusalModel | None = None) -> str:
    """Empty when the best paragraph answers; otherwise a one-line reason to refuse."""
    model = model or refusal_model()
    ev = evidence(query, found, found.hits[0], index, model)
    if ev.p >= model.threshold:
        return ""
    if ev.misses:
        return ev.misses[0]
    f = ev.features
    if f["coverage"] < 0.3 and not f["metadata_about"]:
        return f"the statements contain few of the question's words (coverage {f['coverage']:.2f})"
    return f"weak evidence: the closest paragraph (cosine {f['cosine']:.3f}) is unlikely to answer (p = {ev.p:.2f})"


def misses(query: Query, hit: Hit, index: Index) -> list[str]:
    """What the question names that the paragraph's statement lacks — a year (of a dated statement), a body, a «name»,
    a place or person — or a figure asked of a paragraph that gives none."""
    found: list[str] = []
    question = query.text
    meta, paragraphs = index.statement(hit.statement_id)
    haystack = " ".join(t for _, _, t in paragraphs) + " " + meta.get("date", "")
    # Only a dated statement can be "about another year"; an undated text that omits the year may still answer.
    for year in query.years if meta.get("date") else []:
        if year not in haystack:
            found.append(f"the question asks about {year}; the statement does not mention it")
    lower_q, lower_h = question.lower(), haystack.lower()
    for body in ABBREVIATIONS:
        names = [*body.en, *body.ru, body.en_full, body.ru_full]
        asked = [n for n in names if n and re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", lower_q)]
        if asked and not any(n and re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", lower_h) for n in names):
            found.append(f"the question names {asked[0]}; the statement does not")
    label = hit.meta.get("label", "")
    text = hit.text[len(label):] if label and hit.text.startswith(label) else hit.text  # "Article 30" is no figure
    if query.asks_quantity and (hit.paragraph == 0 or not _NUMBER.search(text)):  # a header's figures are dates
        found.append("the question asks for a figure; the closest paragraph gives none")
    places = _asked_places(question)
    lemmas = index.statement_terms(hit.statement_id) if query.quoted or places else set()
    for name in query.quoted:
        if not _mentions(haystack, name, lemmas):
            found.append(f"the question names «{name}»; the statement does not")
    for shown, russian, english in places:
        if not _names_place(haystack, lemmas, russian, english):
            found.append(f"the question names {shown}; the statement does not")
    return found


def _spelled_otherwise(word: str, words: set[str]) -> bool:
    """Transliterated names vary inside (Грэхэм / Грэм, Мелфи / Мельфи) and in their endings (Лейн / Лейном), not in
    their first and last letters (Иран / Ирак): an inflection of it, or one edit per three letters, is the same name."""
    budget = max(1, len(word) // 3)
    return any(w.startswith(word) and len(w) - len(word) <= 3
               or w[:1] == word[:1] and w[-1:] == word[-1:] and abs(len(w) - len(word)) <= budget
               and _edits(word, w, budget) <= budget for w in words)


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once every path exceeds limit."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > limit:
            return limit + 1
    return row[-1]


def _proper_names(question: str) -> list[tuple[str, str]]:
    """(word, lemma) of the places, organisations and people a Russian question names (Украине, украина);
    abbreviations (ГДР, НАТО) are left to _ORGS."""
    from ingest.terms import _analyzers

    morph = _analyzers()[0]
    names = []
    for word in re.findall(r"(?<![\w-])[А-ЯЁ][а-яё][а-яё-]+", question):
        parse = morph.parse(word)[0]
        if _PROPER & set(parse.tag.grammemes):
            names.append((word.lower().replace("ё", "е"), parse.normal_form.replace("ё", "е")))
    return names


def _asked_places(question: str) -> list[tuple[str, list[str], list[str]]]:
    """What the question names, as (shown, Russian spellings, English spellings): a Russian question's places and
    people (pymorphy3), an English question's countries, regions and cities (CLDR; two-word ones too)."""
    if is_russian(question):
        return [(word.capitalize(), [word, lemma], english_names(lemma)) for word, lemma in _proper_names(question)]
    words = re.findall(r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?", question)
    found = []
    for phrase in words:
        for name in ([phrase, *phrase.split()] if " " in phrase else [phrase]):
            if russian := russian_names(name):
                found.append((name, russian, [name]))
                break
    return found


def _names_place(haystack: str, lemmas: set[str], russian: list[str], english: list[str]) -> bool:
    """Whether the statement (its text, its lemmas) names the place in its own language, inflected or transliterated."""
    if not is_russian(haystack):
        return not english or any(re.search(rf"\b{re.escape(e)}\b", haystack, re.I) for e in english)
    text = haystack.lower().replace("ё", "е")
    stems = {prefix(t) for t in lemmas}
    words = set(re.findall(r"[а-я]{3,}", text))
    for spelling in russian:
        parts = [p.lower().replace("ё", "е") for p in spelling.split()]
        if all(term(p) in lemmas or prefix(term(p)) in stems or _spelled_otherwise(p, words) for p in parts):
            return True
    return False


def _mentions(haystack: str, name: str, lemmas: set[str]) -> bool:
    wanted = set(terms(name))
    return name.lower() in haystack.lower() or (bool(wanted) and wanted <= lemmas)
