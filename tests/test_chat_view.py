"""The chat's turns as data: a follow-up's permalink keeps the statement it was read against."""
from __future__ import annotations

from urllib.parse import parse_qs

from qa.chat_view import make_turn
from qa.conversation import ask, turn_of
from tests.conftest import SEED


def test_a_follow_up_permalink_keeps_its_focus(seed_index):
    first, reading = ask("Which operations are named?", seed_index)
    assert first.answered and reading.kind == "new"
    plain = parse_qs(make_turn(first, reading, seed_index)["link"][1:])
    assert plain == {"q": ["Which operations are named?"]}  # a new question: no scope of its own

    second, follow = ask("And which one is about recruitment?", seed_index, [turn_of(first, reading)])
    assert follow.follow_up
    link = parse_qs(make_turn(second, follow, seed_index)["link"][1:])
    assert link["s"] == [SEED.stem] and link["q"] == [follow.text]  # opening it asks the same, within the same statement
