"""The English→Russian dictionary: headwords from inflected forms, one-word translations as Russian lemmas."""
from __future__ import annotations

from pathlib import Path

import pytest

from config import get_settings
from qa.dictionary import Dictionary, load_dictionary

PATH = get_settings().dictionary


@pytest.fixture(scope="module")
def dictionary():
    if not Path(PATH).exists():
        pytest.skip(f"{PATH} not installed (make dictionary)")
    return load_dictionary(PATH)


@pytest.mark.parametrize("word,head", [("operations", "operation"), ("named", "name"), ("countries", "country"),
                                       ("mercenaries", "mercenary"), ("improving", "improve"), ("relies", "rely"), ("qwertyuiop", None),
                                       ("oldest", "old"), ("busiest", "busy"), ("bigger", "big"), ("multiplied", "multiply"),
                                       ("children", "children"), ("organisations", "organization"),
                                       ("recognised", "recognize"), ("cooperation", "co-operation"),
                                       ("coordinated", "co-ordinate")])
def test_headword(dictionary, word, head):
    assert dictionary.headword(word) == head


def test_translations_are_russian_lemmas_without_example_phrases(dictionary):
    assert "операция" in dictionary.translations("operations")
    assert "наемник" in dictionary.translations("Mercenary")  # ё folded like the corpus terms
    name = dictionary.translations("named")
    assert "название" in name and "наименование" in name
    assert "понаслышке" not in name  # from the example "to know by name знать понаслышке"
    assert dictionary.translations("qwertyuiop") == ()


def test_place_names_the_dictionary_lacks_come_from_cldr(dictionary):
    assert dictionary.translations("Iran") == ("иран",)
    assert "Ukraine" in dictionary.english("украина")


def test_cross_reference_entries_fall_through_to_the_base_form(dictionary):
    # Mueller's "built" and "written" entries only point at build / write.
    assert "строить" in dictionary.translations("built")
    assert "писать" in dictionary.translations("written")
    assert "ребенок" in dictionary.translations("children")


def test_missing_dictionary_is_none(tmp_path, caplog):
    assert load_dictionary(str(tmp_path / "nope.index")) is None
    assert "not found" in caplog.text
    assert load_dictionary("") is None


def test_reverse_lookup_is_built_once_and_cached(dictionary, tmp_path):
    fresh = Dictionary(Path(PATH))  # not the process-wide instance, which may have loaded its reverse already
    cache = tmp_path / "reverse.json"
    assert fresh.english("пытка", cache)[0] == "torture" and cache.exists()
    assert "slavery" in Dictionary(Path(PATH)).english("рабство", cache)  # read back from the cache
