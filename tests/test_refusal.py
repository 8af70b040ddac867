"""Refusal rules: places a statement never mentions, years it lacks, questions it cannot read."""
from __future__ import annotations

import pytest

from qa.answer import answer
from qa.query import read_query
from qa.refusal import misses
from qa.retrieve import search


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


def test_one_of_several_years_asked_is_enough(seed_index):
    """A question about two documents names the year of each: the 2018 statement does not lack "1991"."""
    for question, missing in [("What do the 2018 CSTO statement and the 1991 Minsk Agreement say about terrorism?", False),
                              ("What did the CSTO say about terrorism in 1999?", True)]:
        query = read_query(seed_index, question)
        hit = search(seed_index, query, 3).hits[0]
        assert any(r.code == "year_missing" for r in misses(query, hit, seed_index)[0]) == missing
