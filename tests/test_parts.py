"""What a part can answer: a quantity is a number with what it counts, not an item's, a date's or a reference's number."""
from __future__ import annotations

import pytest

from qa.parts import has_quantity


@pytest.mark.parametrize("text", [
    "1. Предоставить право на получение отсрочки в 2002-2008 годах гражданам (не более 200 человек)",
    "21 929 тыс. рублей Минтруду России для учреждений социального обслуживания",
    "It shall enter into force 30 days after the deposit", "Назначить на 3-летний срок полномочий:",
])
def test_a_number_with_what_it_counts_is_a_quantity(text):
    assert has_quantity(text)


@pytest.mark.parametrize("text", [
    "2. Некоммерческим организациям - получателям средств резервного фонда Президента Российской Федерации:",
    "4. Назначить на период, установленный Указом Президента Российской Федерации от 15 июля 2000 г. N 1322",
    "г) абзац первый пункта 9 дополнить словами", "согласно приложению N 2.", "Article 5 of the Treaty applies",
    "в 2002-2008 годах",
])
def test_item_numbers_dates_and_references_are_not(text):
    assert not has_quantity(text)
