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
