"""Refusal rules: names spelled otherwise, places a statement never mentions, questions it cannot read."""
from __future__ import annotations

import pytest

from qa.answer import answer
from qa.refusal import _proper_names, _spelled_otherwise


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
