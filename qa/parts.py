"""What each stored part can answer and how it reads in the other language: computed once per record, kept across reloads."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingest.terms import term, word_terms

_FIGURE = re.compile(r"(?<![\w.-])\d[\d ,.]*(?:\s*(?:тыс|млн|млрд|рубл|процент|%|thousand|million|per cent))?", re.I)
_DATE = re.compile(r"\b(?:1[89]|20)\d\d\b")
_PERSON = re.compile(r"\b[А-ЯЁ][а-яё]+(?:а|у|ым|ой)?\s+[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+(?:вич|вна|вича|вну|вичем|вной)\b"
                     r"|\b[А-ЯЁA-Z]\.\s?[А-ЯЁA-Z]?\.?\s?[А-ЯЁA-Z][а-яёa-z]+\b")
# A quantity: a number followed by what it counts or measures («не более 200 человек», «9005 тыс. рублей», "30 days") —
# not an item's own number («2.», «б)»), a date's day or year («31 октября 1997 г.») or a document's number («N 452-рп»).
_MONTHS = ("январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр|january|february|march|april|may|june"
           "|july|august|september|october|november|december")
_QUANTITY = re.compile(rf"(?<![\w.,-])(?<!N )(?<!№ )\d+(?:[ ,.]\d+){{0,4}}(?:-\w{{1,12}})?\s?(?!(?:{_MONTHS}|г\.|год|year)\w*)[^\W\d]", re.I)
_ITEM_MARK = re.compile(r"^\W*(?:\d+(?:\.\d+)*[.)]|[а-яa-z]\))\s*")
_REFERENCE = re.compile(r"\b(?:пункт|подпункт|стать|част|раздел|глав|приложени|article|paragraph|section|chapter|annex)\w{0,6}\s+(?:N\s*)?\d+",
                        re.I)
# A figure asked ("how many", qa/query.py) in words: «двести человек», "twelve members", «трехкратный», "a threefold rise".
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|percent|"
    r"один|одна|одно|одного|одной|одному|одним|два|две|двух|двум|двумя|три|трех|трём|трем|тремя|четыре|четырех|"
    r"четырьмя|пять|шесть|семь|восемь|девять|десять|\w+дцат\w*|\w*десят\w*|сорок\w*|девяност\w*|сто|ста|двести|"
    r"триста|\w+сот\w*|тысяч\w*|миллион\w*|миллиард\w*|триллион\w*|полтора|полторы|половин\w*|десятк\w*|сотн\w*|"
    r"дюжин\w*|двое|трое|четверо|процент\w*|нескольк\w*|много раз|\w*кратн\w*|several|many times|once|twice|\w+fold|"
    r"(?:одно|дву|двух|трех|трёх|четырех|пяти|шести|семи|восьми|девяти|десяти)\w+)\b", re.I)
# What a figure in digits may be besides one: a document's or gazette article's number («N 452-рп», «ст. 5203»), a date
# (a day below, «в 2002-2008 годах», "in 2002"; a year before a unit is a sum: «2000 рублей»).
_DOCUMENT_NUMBER = re.compile(r"(?:\bN|№|\bNo\.?|\b(?:ст|стт|п|пп|подп|ч|гл|разд|art|para|sec)\.)\s*\d[\w/.-]*", re.I)
# A day of the year, not a year alone: «3 октября 2002 года», "10 December 1948", "December 21, 1991", «21.12.1991» —
# what "on what date" asks; a year is in most paragraphs of a dated act.
_DAY = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\w*|\b(?:{_MONTHS})\w*\s+\d{{1,2}}\b|\b\d{{1,2}}\.\d{{1,2}}\.(?:19|20)?\d\d\b", re.I)
_DATE_FIGURES = re.compile(
    rf"(?:{_DAY.pattern})(?:,?\s*(?:1[89]|20)\d\d\b)?"
    r"|\b(?:1[89]|20)\d\d(?:\s*[-–—]\s*(?:1[89]|20)?\d\d)?\b(?=\s*(?:г\.|г\b|год|гг|year|[-–—,.;:)\]»\"]|\s*$)"
    r"|\s+(?!тыс|млн|млрд|руб|чел|долл|ед|шт|кв|км|га|т\b))", re.I)
# Words that may be names: capitalised or in capitals, four letters or more («Хлопонина», «ПРОКСИ», "Shaposhnikov").
_NAME_LIKE = re.compile(r"(?<![\w-])[A-ZА-ЯЁ][\w-]{3,}")


@dataclass(frozen=True, slots=True)
class PartFacts:
    """One part's answer types (a figure, a date, a person), name-like words and gloss."""

    has_number: bool
    has_date: bool
    has_person: bool
    names: tuple[str, ...]
    gloss: tuple[str, ...]  # not kept with the facts: the gloss field made from it is (qa/loaded.py)


def bigrams(meta: dict) -> frozenset:
    """A part's adjacent term pairs, for phrase matches («сфере информационных технологий»)."""
    t = meta.get("terms", "").split()
    return frozenset(zip(t, t[1:]))


def gloss(meta: dict, doc: str, russian: bool, dictionary, cache: Path) -> tuple[str, ...]:
    """Document-side translation: a part's words glossed in the other language with the bilingual dictionary — English
    stems for a Russian part (every sense of each lemma, from the inverted dictionary), Russian lemmas for an English
    part — so an English question's own words can match a Russian paragraph by BM25, and the other way round."""
    if dictionary is None:
        return ()
    if russian:
        lemmas = set(meta.get("terms", "").split())
        return tuple(term(e) for t in lemmas for e in dictionary.english(t, cache)[:4] if " " not in e)
    words = {w for w, _ in word_terms(doc)}
    return tuple(t for w in words for t in dictionary.translations(w)[:3])


def has_quantity(doc: str) -> bool:
    """Whether a part states a quantity (what a "how many / how much" question asks), its item number aside."""
    return bool(_QUANTITY.search(_REFERENCE.sub("", _ITEM_MARK.sub("", doc, count=1))))


def gives_figure(doc: str) -> bool:
    """Whether a part gives any figure a "how many / how much" question may ask — a number in digits or words, a share,
    a sum — once its item mark, references, document numbers and dates are set aside (looser than `has_quantity`: "50%",
    "10 000", «на 3 года» count)."""
    rest = _DATE_FIGURES.sub(" ", _DOCUMENT_NUMBER.sub(" ", _REFERENCE.sub(" ", _ITEM_MARK.sub("", doc, count=1))))
    return any(c.isdigit() for c in rest) or bool(_NUMBER_WORDS.search(rest))


def gives_day(doc: str) -> bool:
    """Whether a part gives a day of the year (a date to the day), which "on what date" asks."""
    return bool(_DAY.search(doc))


def answer_kinds(doc: str) -> tuple[bool, bool, bool]:
    """Whether a text states a quantity, a date (a year) and a person: what "how many", "when" and "who" ask for."""
    return has_quantity(doc), bool(_DATE.search(doc)), bool(_PERSON.search(doc))


def facts(meta: dict, doc: str, russian: bool, dictionary, cache: Path) -> PartFacts:
    return PartFacts(bool(_FIGURE.search(doc)), bool(_DATE.search(doc)), bool(_PERSON.search(doc)),
                     tuple(_NAME_LIKE.findall(doc)), gloss(meta, doc, russian, dictionary, cache))
