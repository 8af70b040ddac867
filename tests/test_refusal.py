"""Refusal rules: names spelled otherwise, places a statement never mentions, questions it cannot read."""
from __future__ import annotations

import pytest

from qa.answer import answer
from qa.query import read_query
from qa.refusal import _names_place, _proper_names, _spelled_otherwise, misses
from qa.retrieve import search


@pytest.mark.parametrize("word,words,same", [
    ("грэхэм", {"грэм"}, True), ("мелфи", {"мельфи"}, True), ("лейн", {"лейном"}, True),
    ("иран", {"ирак", "ирака"}, False), ("украине", {"украинский", "россия"}, False),
])
def test_transliterated_names(word, words, same):
    assert _spelled_otherwise(word, words) == same


def test_proper_names_of_a_russian_question():
    assert _proper_names("Какова позиция ОДКБ по Украине?") == [("украине", "украина")]
    assert _proper_names("Кто был последним премьер-министром ГДР?") == []  # abbreviations are _ORGS' business
    assert _proper_names("Что члены Совета отмечают с тревогой?") == []


@pytest.mark.parametrize("question,reason", [
    ("Что говорится о борьбе с терроризмом на Украине?", "names Украине"),  # the seed names Syria, Iraq, not Ukraine
    ("Что говорится о наркотрафике?", "almost none of the question's words"),
    ("How many member states signed the statement?", "figure"),  # the header's numbers are its date
    ("What does the statement say about terrorism in Ukraine?", "names Ukraine"),  # CLDR: Ukraine → Украина
])
def test_unanswerable_questions_are_refused_with_the_reason(seed_index, question, reason):
    a = answer(question, seed_index)
    assert not a.answered and reason in a.reason and a.retrieved


@pytest.mark.parametrize("question", ["Упоминается ли Афганистан?", "Does the statement mention Central Asia?",
                                      "What does the statement say about Syria and Iraq?"])
def test_places_the_statement_names_are_answered(seed_index, question):
    a = answer(question, seed_index)
    assert a.answered and a.citations[0].paragraph == 6


@pytest.mark.parametrize("place,lemmas,named", [
    (["Чечни", "чечня"], {"чеченский", "республика"}, True),  # a fleeting vowel: Чечн-я, чечен-ский
    (["России", "россия"], {"российский"}, True), (["Китая", "китай"], {"китайский"}, True),
    (["Ирана", "иран"], {"иракский"}, False), (["Чехии", "чехия"], {"чеченский"}, False),
])
def test_a_statement_names_a_place_by_its_adjective(place, lemmas, named):
    assert _names_place("текст без названия места", lemmas, place, []) == named


def test_one_of_several_years_asked_is_enough(seed_index):
    """A question about two documents names the year of each: the 2018 statement does not lack "1991"."""
    for question, missing in [("What do the 2018 CSTO statement and the 1991 Minsk Agreement say about terrorism?", False),
                              ("What did the CSTO say about terrorism in 1999?", True)]:
        query = read_query(seed_index, question)
        hit = search(seed_index, query, 3).hits[0]
        assert any(r.code == "year_missing" for r in misses(query, hit, seed_index)[0]) == missing
