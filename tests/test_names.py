"""Names across scripts: loose Latin keys (iuliia), inflected Russian names, bilingual abbreviations."""
from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path

import iuliia
import pytest

from qa.names import ABBREVIATIONS, NameIndex, abbreviation_equivalents, fold, name_keys, strip_ending

SHARED = Path("/work/shared")
# Pairs as the corpus and its questions spell them (Хлопонина, Ефимова, «Чечекты», «Культура» are in corpus texts).
PAIRS = [("PROXY", "ПРОКСИ"), ("Roszarubezhtsentr", "Росзарубежцентр"), ("Shaposhnikov", "Шапошников"), ("Chechekty", "Чечекты"),
         ("Kultura", "Культура"), ("Alma-Ata", "Алма-Ата"), ("Efimov", "Ефимов"), ("Khloponin", "Хлопонин"), ("Fokin", "ФОКИН"),
         ("Yeltsin", "Ельцин"), ("Tajikistan", "Таджикистан"), ("Afghanistan", "Афганистан"), ("Gorbachev", "Горбачёв")]


@lru_cache(maxsize=1)
def corpus_words() -> list[str]:
    files = sorted((SHARED / "corpus").glob("*.txt")) + sorted((SHARED / "seeds").glob("*.txt"))
    words: set[str] = set()
    for path in files:
        for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", path.read_text(encoding="utf-8")):
            words.update([word, *word.split("-")] if "-" in word else [word])
    return sorted(words)


needs_corpus = pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="no /work/shared corpus")


@pytest.mark.parametrize("latin, cyrillic", PAIRS)
def test_a_name_and_its_cyrillic_spelling_share_a_key(latin, cyrillic):
    assert name_keys(latin) & name_keys(cyrillic)
    assert NameIndex.build([cyrillic, "Хлопок"]).lookup(latin) == [cyrillic]
    assert NameIndex.build([latin, "Kloppen"]).lookup(cyrillic) == [latin]


def test_spelling_variants_fold_together():
    for group in [("Yefimov", "Efimov", "Ефимов"), ("Dmitriy", "Dmitrii", "Dmitry", "Дмитрий"), ("Podyachev", "Podiachev", "Подъячев"),
                  ("Vasilyev", "Vasiliev", "Васильев"), ("Shchukin", "Schukin", "Щукин"), ("Tsoi", "Tsoy", "Цой"),
                  ("Yaroslav", "Jaroslav", "Ярослав"), ("Roszarubežcentr", "Roszarubezhtsentr"), ("Alexeyev", "Alekseev", "Алексеев"),
                  ("Alma Ata", "Alma-Ata", "Алма-Ата"), ("Kul'tura", "Kultura")]:
        assert set.intersection(*map(name_keys, group)), group


def test_schemes_fold_to_the_same_keys():
    """One scheme is enough: ICAO 9303, BGN/PCGN, ALA-LC and Yandex Maps spellings fold to Wikipedia's keys
    (signs aside: names.py makes ь / ъ before a vowel й for every scheme alike; function words have no keys)."""
    words = [w for w in corpus_words() if re.fullmatch(r"[а-щыэюяА-ЩЫЭЮЯ]+", w) and name_keys(w)] if (SHARED / "corpus").is_dir() else []
    words = (words or ["Хлопонина", "Шапошников", "Ефимова", "Юрий", "Чечекты", "Щукин", "Цой", "Ярослав"])[:3000]
    for scheme in (iuliia.ICAO_DOC_9303, iuliia.BGN_PCGN, iuliia.ALA_LC, iuliia.YANDEX_MAPS):
        assert [w for w in words if fold(scheme.translate(w.lower())) not in name_keys(w)] == [], scheme.name


def test_inflected_russian_names_match_their_latin_form():
    index = NameIndex.build(["Хлопонина", "Хлопониным", "Хлопок", "Ефимовой", "Ефимова", "Алма-Ате", "Путину", "Ирана"])
    assert index.lookup("Khloponin") == ["Хлопонина", "Хлопониным"]
    assert index.lookup("Efimova") == ["Ефимова", "Ефимовой"]  # the same key first, then the inflected one
    assert index.lookup("Alma Ata") == ["Алма-Ате"] and index.lookup("Putin") == ["Путину"] and index.lookup("Iran") == ["Ирана"]
    assert NameIndex.build(["Khloponin", "Efimov"]).lookup("Хлопонина") == ["Khloponin"]
    assert strip_ending("hloponina") == "hloponin" and strip_ending("efimovoi") == "efimov"


def test_unrelated_words_do_not_match():
    """Risky pairs from the collision measurement on the corpus: short keys must match whole, a Latin word drops one
    letter at most and keeps five, function words are no names, doubled vowels stay (ООН is not 'on')."""
    assert name_keys("Иран").isdisjoint(name_keys("Ирак")) and NameIndex.build(["Ирака"]).lookup("Iran") == []
    index = NameIndex.build(["статье", "стать", "статьи", "программ", "интерес", "год", "тем", "тыс", "оон", "Иванов", "коми", "слава"])
    for english in ["state", "States", "progress", "inter", "good", "them", "this", "on", "Ivan", "commiss", "slave"]:
        assert index.lookup(english) == [], english
    assert NameIndex.build(["Ivanov", "stat"]).lookup("Ивана") == []


def test_lookup_returns_only_the_other_script_in_a_fixed_order():
    index = NameIndex.build(reversed(["PROXY", "ПРОКСИ", "Proxy", "прокси"]))
    assert index.lookup("PROXY") == ["ПРОКСИ", "прокси"] and index.lookup("прокси") == ["PROXY", "Proxy"]
    assert index.lookup("") == [] and index.lookup("2018") == []


@pytest.mark.parametrize("word, expected", [("UN", "ООН"), ("ООН", "UN"), ("оон", "UN"), ("ОДКБ", "CSTO"), ("CSTO", "ОДКБ"), ("CIS", "СНГ"),
                                            ("СНГ", "CIS"), ("NATO", "НАТО"), ("EU", "ЕС"), ("ЕС", "EU"), ("USSR", "СССР"), ("FSB", "ФСБ"),
                                            ("МИД", "MFA"), ("SCO", "ШОС"), ("ОБСЕ", "OSCE"), ("IAEA", "МАГАТЭ"), ("UNSC", "СБ ООН")])
def test_abbreviations_both_ways(word, expected):
    assert abbreviation_equivalents(word)[0] == expected


def test_abbreviations_give_full_names_and_skip_common_words():
    assert abbreviation_equivalents("UN") == ["ООН", "Организация Объединенных Наций"]
    assert abbreviation_equivalents("ОДКБ") == ["CSTO", "Collective Security Treaty Organization"]
    assert abbreviation_equivalents("United Nations")[0] == "ООН" and abbreviation_equivalents("Организация Объединённых Наций")[0] == "UN"
    assert abbreviation_equivalents("WHO")[0] == "ВОЗ" and abbreviation_equivalents("who") == [] and abbreviation_equivalents("воз") == []
    assert abbreviation_equivalents("US")[0] == "США" and abbreviation_equivalents("us") == [] and abbreviation_equivalents("PROXY") == []
    assert len({a.en[0] for a in ABBREVIATIONS}) == len(ABBREVIATIONS)


@needs_corpus
def test_corpus_names_found_across_scripts():
    words = corpus_words()
    start = time.perf_counter()
    index = NameIndex.build(words)
    assert time.perf_counter() - start < 2
    assert index.lookup("Khloponin") == ["Хлопонина"] and index.lookup("Efimov") == ["Ефимова"]
    assert index.lookup("PROXY") == ["ПРОКСИ"] and index.lookup("Chechekty") == ["Чечекты"]
    assert index.lookup("Roszarubezhtsentr") == ["Росзарубежцентр", "Росзарубежцентра"]
    assert index.lookup("Kultura")[0] == "Культура" and index.lookup("Шапошников") == ["Shaposhnikov"]
    assert index.lookup("Fokin") == [] and index.lookup("ФОКИН") == ["FOKIN"]
    assert not {"статье", "статьи", "Статья"} & set(index.lookup("State") + index.lookup("states"))
    assert "Chernobyl" in index.lookup("Чернобыльской")  # a place's adjective reads as the place


def test_a_place_adjective_matches_the_place_and_no_other_name():
    index = NameIndex.build(["Chernobyl", "Tajik", "Minsk", "Moscow", "Iran"])
    assert index.lookup("Чернобыльской") == ["Chernobyl"] and index.lookup("таджикской") == ["Tajik"]
    assert index.lookup("Минской") == ["Minsk"] and index.lookup("Иракский") == [] and index.lookup("Московской") == ["Moscow"]
