"""Place names EN ↔ RU from CLDR (Babel): what the dictionary lacks."""
from __future__ import annotations

from qa.places import english_names, place_names, russian_names


def test_countries_regions_and_cities_both_ways():
    assert russian_names("Ukraine") == ["Украина"] and russian_names("ukraine") == ["Украина"]
    assert russian_names("Central Asia") == ["Центральная Азия"]
    assert russian_names("Warsaw") == ["Варшава"]
    assert "США" in russian_names("United States")  # an alias CLDR leaves out
    assert english_names("украина") == ["Ukraine"] and english_names("Сирия") == ["Syria"]


def test_pseudo_territories_are_not_places():
    assert russian_names("World") == [] and russian_names("European Union") == []
    assert len(place_names()["en"]) > 500
