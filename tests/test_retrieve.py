"""Retrieval pieces that need no model: questions about the statement itself, the fusion pool."""
from __future__ import annotations

import numpy as np
import pytest

from qa.retrieve import _pool, _z, asks_about_statement, only_header_answers


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


def test_pool_keeps_the_best_allowed_records():
    score = np.array([5.0, 1.0, 4.0, 3.0, 2.0])
    allowed = np.array([True, True, False, True, True])
    assert _pool(score, allowed, 2).tolist() == [True, False, False, True, False]
    assert _pool(score, allowed, 10).tolist() == allowed.tolist()


def test_z_scores_only_over_the_mask():
    x = np.array([1.0, 2.0, 3.0, 100.0])
    z = _z(x, np.array([True, True, True, False]))
    assert np.allclose(z[:3], [-1.2247, 0.0, 1.2247], atol=1e-3)
    assert not _z(np.ones(3), np.ones(3, bool)).any()  # no spread: no signal
