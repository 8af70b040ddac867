"""English ↔ Russian names of countries, regions and major cities, from the CLDR data Babel ships (Mueller has none)."""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)
# CLDR pseudo-territories that are not places a question names (bodies are qa.names.ABBREVIATIONS' business).
_NOT_PLACES = {"001", "EU", "EZ", "UN", "QO", "ZZ"}
# Short forms texts use that CLDR's one name per territory leaves out.
_ALIASES = [("United States", "США"), ("United States", "Соединенные Штаты Америки"), ("USA", "США"), ("America", "Америка"),
            ("America", "США"), ("United Kingdom", "Соединенное Королевство"), ("UK", "Великобритания"),
            ("Britain", "Великобритания"), ("Russia", "Российская Федерация"), ("Russia", "РФ")]


_kept: dict[str, dict[str, list[str]]] | None = None
_kept_from: Path | None = None


def keep_in(cache: Path) -> None:
    """Read the table from `cache` (a folder), or build it and write it there: reading CLDR's time zones for their
    cities took a process 0.3 s at every start, reading the kept table 0.01 s. The file is named by what the table is
    made of (Babel's version, the time zones, the aliases here), so a change to any of them builds it again."""
    global _kept, _kept_from
    import hashlib
    import zoneinfo

    import orjson

    try:
        from babel import __version__ as version
    except ImportError:  # pragma: no cover - babel is in requirements.txt
        return
    made_of = orjson.dumps([version, sorted(zoneinfo.available_timezones()), sorted(_NOT_PLACES), _ALIASES])
    path = Path(cache) / f"places-{hashlib.sha256(made_of).hexdigest()[:16]}.json"
    if _kept_from == path:
        return
    try:
        _kept, _kept_from = orjson.loads(path.read_bytes()), path
        return
    except (OSError, ValueError):
        pass
    _kept, _kept_from = _from_cldr(), path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(_kept))
        tmp.replace(path)
    except OSError as exc:  # a read-only cache costs the next process 0.3 s, nothing else
        log.warning("could not keep the place names at %s (%s)", path, exc)


def place_names() -> dict[str, dict[str, list[str]]]:
    """{"en": {"ukraine": ["Украина"], "central asia": ["Центральная Азия"], …}, "ru": {"украина": ["Ukraine"], …}}
    (keys lower-case, values as written); empty when Babel is not installed."""
    return _kept if _kept is not None else _from_cldr()


@lru_cache(maxsize=1)
def _from_cldr() -> dict[str, dict[str, list[str]]]:
    try:
        import zoneinfo

        from babel import Locale
        from babel.dates import get_timezone_location
    except ImportError:  # pragma: no cover - babel is in requirements.txt
        log.warning("babel not installed: place names are not translated")
        return {"en": {}, "ru": {}}
    en, ru = Locale("en"), Locale("ru")
    pairs = [(en.territories[code], ru.territories[code]) for code in en.territories
             if code in ru.territories and code not in _NOT_PLACES] + list(_ALIASES)
    for zone in sorted(zoneinfo.available_timezones()):
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/", "Canada/")):
            try:
                pairs.append((get_timezone_location(zone, "en", return_city=True),
                              get_timezone_location(zone, "ru", return_city=True)))
            except (LookupError, ValueError):
                continue
    table: dict[str, dict[str, list[str]]] = {"en": {}, "ru": {}}
    for english, russian in pairs:
        if english and russian and english != russian:
            table["en"].setdefault(english.lower(), []).append(russian)
            table["ru"].setdefault(russian.lower(), []).append(english)
    return table


def russian_names(english: str) -> list[str]:
    """'Ukraine' → ['Украина']; 'Central Asia' → ['Центральная Азия']."""
    return place_names()["en"].get(english.lower(), [])


def english_names(russian: str) -> list[str]:
    """'Украина' (a lemma or as written) → ['Ukraine']."""
    return place_names()["ru"].get(russian.lower(), [])
