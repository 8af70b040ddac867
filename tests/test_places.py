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


def test_the_table_is_kept_in_the_cache_and_read_back_whole(tmp_path):
    import orjson

    from qa import places

    places.keep_in(tmp_path)
    kept = list(tmp_path.glob("places-*.json"))
    assert len(kept) == 1 and orjson.loads(kept[0].read_bytes()) == places._from_cldr() == place_names()
    kept[0].write_text("{not json")  # a damaged file is rebuilt, not trusted (by the next process that reads it)
    places.keep_in(tmp_path / "elsewhere")  # another cache: read or built there
    assert (tmp_path / "elsewhere" / kept[0].name).exists()
    places.keep_in(tmp_path)
    assert orjson.loads(kept[0].read_bytes()) == places._from_cldr()
