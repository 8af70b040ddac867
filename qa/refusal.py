"""Why a question is refused: weak evidence, words the statements cannot read, or a year, body, place or figure
the statement lacks (a near miss must be refused, not answered from a wrong paragraph)."""
from __future__ import annotations

import re

from ingest.records import METADATA_KINDS
from ingest.terms import is_russian, term, terms
from qa.index import Index
from qa.lexical import prefix
from qa.places import english_names, russian_names
from qa.retrieve import Hit, Retrieval, asks_about_statement

# Bodies a question may name in either language; a named body absent from the evidence means a near miss.
_ORGS = [
    ("CSTO", "ОДКБ", "Collective Security Treaty", "Договора о коллективной безопасности"),
    ("NATO", "НАТО", "North Atlantic"), ("SCO", "ШОС", "Shanghai Cooperation"), ("CIS", "СНГ", "Commonwealth of Independent"),
    ("EU", "ЕС", "Евросоюз", "European Union"), ("OSCE", "ОБСЕ"), ("BRICS", "БРИКС"), ("UN", "ООН", "United Nations"),
    ("ASEAN", "АСЕАН"), ("EAEU", "ЕАЭС", "Eurasian Economic Union"), ("African Union", "Африканский союз"),
    ("G20", "G-20", "Группа двадцати"), ("G7", "Большая семерка"), ("OPEC", "ОПЕК"),
]


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


def refusal_reason(question: str, found: Retrieval, index: Index) -> str:
    """Empty when the best paragraph may answer; otherwise a one-line reason to refuse."""
    s, top = index.settings, found.hits[0]
    if top.meta.get("kind", "header" if top.paragraph == 0 else "") in METADATA_KINDS and asks_about_statement(question):
        return near_miss(question, found.hits, index)  # the header states title, issuer, date, place: no floor
    same = is_russian(question) == is_russian(top.text)
    readable = same or index.dictionary is not None  # without a dictionary a foreign question's coverage says nothing
    if readable and found.coverage < s.refuse_below_coverage:
        return f"the statements contain almost none of the question's words (coverage {found.coverage:.2f})"
    floor = s.refuse_below if same else s.refuse_below_cross
    if readable and found.coverage < s.unread_coverage:
        floor = max(floor, s.refuse_below_unread)  # mostly unreadable: the cosine alone must be convincing
    if _evidence(top) < floor:
        return f"weak evidence: best cosine {_evidence(top):.3f} < {floor}"
    return near_miss(question, found.hits, index)


def _evidence(hit: Hit) -> float:
    """How close the best paragraph is: its own cosine or its closest sentence's, whichever is higher."""
    return max(hit.dense, hit.sentence)


def near_miss(question: str, hits: list[Hit], index: Index) -> str:
    """A year, a body, a «name» or (in Russian) a place or person the question names that the candidate statement
    never mentions, or a figure asked of a paragraph that has none → a reason to refuse."""
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
    if _ASKS_QUANTITY.search(question) and (top.paragraph == 0 or not _NUMBER.search(body)):  # a header's figures are dates
        return "the question asks for a figure; the closest paragraph gives none"
    quoted = re.findall(r"[«\"“]([^»\"”]{2,40})[»\"”]", question)
    places = _asked_places(question)
    lemmas = index.statement_terms(top.statement_id) if quoted or places else set()
    for name in quoted:
        if not _mentions(haystack, name, lemmas):
            return f"the question names «{name}»; the statement does not"
    for shown, russian, english in places:
        if not _names_place(haystack, lemmas, russian, english):
            return f"the question names {shown}; the statement does not"
    return ""


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
