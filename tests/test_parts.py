"""What a part can answer: a quantity is a number with what it counts, not an item's, a date's or a reference's number."""
from __future__ import annotations

import pytest

from qa.parts import gives_day, gives_figure, has_quantity


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


@pytest.mark.parametrize("text", [
    "рост на 50%", "a fee of $5,000", "10 000", "a quorum of 2/3", "сроком на 3 года", "не менее двух членов",
    "2000 рублей", "21 929 тыс. рублей Минтруду России",
])
def test_any_figure_a_how_many_question_may_ask_is_given(text):
    assert gives_figure(text)


@pytest.mark.parametrize("text", [
    "г) абзац первый пункта 9 дополнить словами", "1. Назначить судьей", "adopted on 10 December 1948.",
    "Внести в распоряжение Президента Российской Федерации от 31 октября 1997 г. N 452-рп (Собрание законодательства "
    "Российской Федерации, 1997, N 45, ст. 5203)", "в 2002-2008 годах", "in 2002 the Council met",
    "военные комендатуры г. Грозного; (В редакции Указа Президента Российской Федерации от 10.12.2003 г. N 1461)",
    "[Done at Minsk, December 8,1991, and done at Alma Alta, December 21,1991]",
])
def test_item_document_and_date_numbers_give_no_figure(text):
    assert not gives_figure(text)


@pytest.mark.parametrize("text,day", [
    ("Москва, Кремль\n3 октября 2002 года\nN 1112", True), ("adopted on 10 December 1948", True),
    ("Done at Alma-Ata, December 21, 1991", True), ("в редакции Указа от 11.07.2004 г. N 865", True),
    ("в 2002-2008 годах", False), ("Article 30 of the Declaration", False), ("не более 200 человек", False),
])
def test_a_day_of_the_year_is_what_on_what_date_asks(text, day):
    assert gives_day(text) == day
