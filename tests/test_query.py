"""Reading the question: what it asks about; candidate features z-scored over the pool; names across scripts."""
from __future__ import annotations

import numpy as np
import pytest

from qa.features import _by_group_max, _top, _z
from qa.query import _ASKS_DATE, _ASKS_PURPOSE, _ASKS_QUANTITY, asks_about_statement, only_header_answers


@pytest.mark.parametrize("question", [
    "When was the statement adopted?", "Who issued the statement?", "Which city was the statement signed in?",
    "Which organisation's council made this statement?", "Когда было принято заявление?", "Кто автор заявления?",
    "В каком городе принято заявление?", "Как называется документ?",
])
def test_questions_about_the_statement_itself(question):
    assert asks_about_statement(question)


@pytest.mark.parametrize("question", [
    "Which operations are named?", "What does the statement say about incitement to terrorism?",
    "What measures are made against recruitment in the statement?", "Who should not escape responsibility?",
    "Что заявление говорит о поддержке терроризма?", "Кто не должен уйти от ответственности?",
    "Where do foreign fighters relocate to, according to the statement?", "Who appoints the military commandant under the decree?",
])
def test_questions_about_its_content(question):
    assert not asks_about_statement(question)


@pytest.mark.parametrize("question,only_header", [
    ("When was the statement adopted?", True), ("Which city was the statement signed in?", True),
    ("Кто автор заявления?", True), ("В каком городе принято заявление?", True), ("Как называется документ?", True),
    # a named document is some other text the statement (or an article) talks about
    ("When year was the Maastrich Treaty signed?", False), ("Когда Великобритания официально подписала Соглашение о социальной политике?", False),
    ("Что привело Великобританию к подписанию соглашения о социальной политике?", False),
    ("Какие меры приняты согласно заявлению?", False), ("What is the statement about, according to its title?", False),
])
def test_only_the_header_answers_when_where_and_by_whom(question, only_header):
    assert only_header_answers(question) == only_header


@pytest.mark.parametrize("question,asks", [
    ("Why did the Kremlin let young workers put off their military service?", {"purpose"}),
    ("Зачем части выпускников дали отсрочку от армии?", {"purpose"}), ("Ради чего Президент разрешил отсрочку?", {"purpose"}),
    ("What was the point of the order funding veterans' organisations?", {"purpose"}),
    ("What is the date of the decree that made Khloponin acting governor?", {"date"}),
    ("Какая дата стоит под указом?", {"date"}),
    ("What total sum did the order hand to the non-profits?", {"quantity"}), ("How big was the Labour Ministry's slice?", {"quantity"}),
    ("Who appoints the military commandant?", set()), ("How often must the Commission meet?", set()),
])
def test_what_kind_of_answer_a_question_asks_for(question, asks):
    found = {name for name, pattern in (("purpose", _ASKS_PURPOSE), ("date", _ASKS_DATE), ("quantity", _ASKS_QUANTITY))
             if pattern.search(question)}
    assert found == asks


def test_pool_takes_the_best_allowed_records():
    score = np.array([5.0, 1.0, 4.0, 3.0, 2.0])
    allowed = np.array([True, True, False, True, True])
    assert sorted(_top(score, allowed, 2).tolist()) == [0, 3]
    assert sorted(_top(score, allowed, 10).tolist()) == [0, 1, 3, 4]


def test_z_scores_only_over_the_pool():
    x = np.array([1.0, 2.0, 3.0, 100.0])
    z = _z(x, np.array([0, 1, 2]))
    assert np.allclose(z, [-1.2247, 0.0, 1.2247], atol=1e-3)
    assert not _z(np.ones(3), np.arange(3)).any()  # no spread: no signal


def test_best_of_each_statement():
    values = np.array([1.0, 3.0, 2.0, -1.0])
    assert _by_group_max(values, np.array([0, 0, 1, 1])).tolist() == [3.0, 3.0, 2.0, 2.0]


def test_names_and_abbreviations_translate_across_scripts(seed_index):
    from ingest.terms import term
    from qa.query import read_query

    query = read_query(seed_index, "What is operation PROXY aimed at, according to the CSTO?")
    assert term("ПРОКСИ") in query.translations["PROXY"]  # the corpus word's own BM25 term
    assert "одкб" in query.translations["CSTO"]
    assert read_query(seed_index, "Что сказано об операции «Наемник»?").quoted == ["Наемник"]


def test_which_documents_questions_ask_for_every_statement():
    from qa.query import _ASKS_DOCUMENTS

    asks = ["Which documents mention terrorism?", "Which of the 2002 decrees cite the Constitution?",
            "Which 2002 presidential orders gave money to schools?", "В каких документах упоминается ООН?",
            "Какие из указов вступили в силу в день подписания?", "Какие распоряжения выделяли деньги?"]
    not_asks = ["Which operations are named?", "When was the decree signed?", "Какие операции названы?",
                "Кто подписал указ?", "What does the statement say about climate change?"]
    assert all(_ASKS_DOCUMENTS.search(q) for q in asks)
    assert not any(_ASKS_DOCUMENTS.search(q) for q in not_asks)


def test_a_dictionary_verb_finds_its_other_aspect_in_the_corpus():
    # The dictionary gives imperfectives (одобрять, назначать); decrees say «Одобрить», «освобождается».
    from qa.bm25 import Field
    from qa.lexical import LexicalIndex

    vocab = ["назначить", "одобрить", "освобождаться", "передать", "передний", "стол"]
    empty = Field([[]])
    lexical = LexicalIndex(empty, empty, empty, np.zeros(0, np.int64), vocab=vocab)
    assert lexical.corpus_form("одобрять") == "одобрить"
    assert lexical.corpus_form("назначать") == "назначить"
    assert lexical.corpus_form("освобождать") == "освобождаться"
    assert lexical.corpus_form("передавать") == "передать"  # not передний: an adjective is no verb's partner
    assert lexical.corpus_form("стол") == "стол"
    assert lexical.corpus_form("столовая") is None  # a noun the corpus lacks has no stand-in


def test_russian_words_are_translated_even_when_russian_text_has_them():
    # In a collection of Russian decrees and English agreements, «соглашения» is in the decrees and must still reach
    # the agreements; words the corpus lacks in Russian come first.
    from ingest.terms import term
    from qa.bm25 import Field
    from qa.lexical import LexicalIndex

    docs = Field([[term("соглашение"), term("участник")], ["agreement", "particip"]])
    lexical = LexicalIndex(docs, docs, docs, np.zeros(0, np.int64))
    words = lexical.russian_words("Что участники соглашения решили о сотрудничестве?")
    assert set(words) == {"участники", "соглашения", "решили", "сотрудничестве"}
    assert words[:2] == ["сотрудничестве", "решили"]  # not in the corpus in Russian: translated first
    assert LexicalIndex(Field([["соглашение"]]), docs, docs, np.zeros(0, np.int64)).russian_words("Что в соглашении?") == []
