"""What a question names and whether a statement names it too: names spelled otherwise, a Russian question's places
and people, a place named by its adjective."""
from __future__ import annotations

import pytest

from qa.named import names_place, proper_names, spelled_otherwise


@pytest.mark.parametrize("word,words,same", [
    ("грэхэм", {"грэм"}, True), ("мелфи", {"мельфи"}, True), ("лейн", {"лейном"}, True),
    ("иран", {"ирак", "ирака"}, False), ("украине", {"украинский", "россия"}, False),
])
def test_transliterated_names(word, words, same):
    assert spelled_otherwise(word, words) == same


def testproper_names_of_a_russian_question():
    assert proper_names("Какова позиция ОДКБ по Украине?") == [("украине", "украина")]
    assert proper_names("Кто был последним премьер-министром ГДР?") == []  # abbreviations are qa.names' business
    assert proper_names("Что члены Совета отмечают с тревогой?") == []


@pytest.mark.parametrize("place,lemmas,named", [
    (["Чечни", "чечня"], {"чеченский", "республика"}, True),  # a fleeting vowel: Чечн-я, чечен-ский
    (["России", "россия"], {"российский"}, True), (["Китая", "китай"], {"китайский"}, True),
    (["Ирана", "иран"], {"иракский"}, False), (["Чехии", "чехия"], {"чеченский"}, False),
])
def test_a_statement_names_a_place_by_its_adjective(place, lemmas, named):
    assert names_place("текст без названия места", lemmas, place, []) == named


@pytest.mark.parametrize("place,named", [
    (["краснодарского", "краснодарский"], False),  # a known name is spelled one way: not Красноярского, 5 letters alike
    (["красноярск", "красноярск"], True),  # a city in -ск, named by its adjective
    (["мельфи", "мельфи"], True),  # a transliterated name the dictionary does not know may be spelled otherwise
])
def test_a_known_place_is_named_only_by_its_own_inflections(place, named):
    text = "возложить временное исполнение обязанностей губернатора Красноярского края на Мелфи"
    lemmas = {"возложить", "временный", "исполнение", "обязанность", "губернатор", "красноярский", "край", "мелфи"}
    assert names_place(text, lemmas, place, []) == named
