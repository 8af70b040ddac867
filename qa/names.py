"""Names across scripts: Cyrillic and Latin words as loose Latin keys (iuliia schemes), and bilingual abbreviations."""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import iuliia
import orjson

from ingest.terms import _STOP

_CYRILLIC = re.compile(r"[а-яё]", re.I)
# Wikipedia's scheme (Yefimov, Dmitry, Podyachev); ICAO 9303 (Efimov, Dmitrii, Podiachev), BGN/PCGN, ALA-LC and Yandex Maps
# fold to the very same keys (tests/test_names.py checks), so translating with them too would add nothing.
_SCHEMES = (iuliia.WIKIPEDIA,)
# Spelling variants folded to one form, in order; upper case marks one sound (S ш/щ, C ч, Z ж, J дж, T ц).
_DIGRAPHS = (("shch", "S"), ("sch", "S"), ("tch", "C"), ("dzh", "J"), ("zh", "Z"), ("sh", "S"), ("ch", "C"), ("kh", "h"),
             ("gh", "g"), ("ph", "f"), ("th", "t"), ("tz", "T"), ("ts", "T"), ("ck", "k"))
_SOFT_C = re.compile(r"c(?=[eiy])")  # Centr = Tsentr; any other c is k (Kultura = Cultura)
_LETTERS = str.maketrans({"c": "k", "x": "ks", "q": "k", "w": "v", "y": "i"})
_DOUBLE = re.compile(r"([b-df-hj-np-tv-zA-Zi])\1+")  # doubled consonants and i (Dmitrii); aa/ee/oo stay (ООН is not 'on')
_IOTATED_E = re.compile(r"(?:^|(?<=[aeiou]))ie")  # Yefimov = Efimov, Andreyevich = Andreevich; not statye = state
_NOT_LETTER = re.compile(r"[^a-z]+")
_SIGN_BEFORE_VOWEL = re.compile(r"[ьъ](?=[еёюяи])")
# Case endings as they fold (-а -у -е -ы -ой -ом -ым -их -ах -ам -ия -ию -ие -ое -ей -ем); a Latin word drops only -s or a vowel.
_RU_ENDINGS = frozenset("a u e i o om oi ei em im ih ah am ia iu ie oe".split())
_EN_ENDINGS = frozenset("saeiou")
KEPT_NAME_TABLES = 8  # NameIndex.kept's files, newest first
_CODE_DIGEST = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16).digest()  # a change here rebuilds the tables
MAX_NAME_CHARS = 40  # a longer "word" is no name: lookups skip it, so one huge word costs nothing
MIN_STEM = 4  # letters left when one is cut (Иран / Ирана), one more when two are (Ефимов / Ефимовой)


def fold(latin: str) -> str:
    """A Latin spelling → its loose key: 'Roszarubezhtsentr' and 'Roszarubežcentr' → 'roszarubeZTentr', 'PROXY' → 'proksi'."""
    s = latin.lower()
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s.replace("š", "sh").replace("č", "ch").replace("ž", "zh"))
    if not s.isalpha() or not s.isascii():
        s = _NOT_LETTER.sub("", s)  # accents, hyphens, apostrophes (Kul'tura) go
    for old, new in _DIGRAPHS:
        if old in s:
            s = s.replace(old, new)
    s = _DOUBLE.sub(r"\1", (_SOFT_C.sub("T", s) if "c" in s else s).translate(_LETTERS))
    return _IOTATED_E.sub("e", s) if "ie" in s else s


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC.search(word) is not None


@lru_cache(maxsize=300_000)
def _keys(word: str) -> frozenset[str]:
    word = word.lower().replace("ё", "е")
    if word in _STOP:  # function words are no names (то / to, тем / them, бы / by)
        return frozenset()
    if is_cyrillic(word):
        # A sign before a vowel sounds as й (Wikipedia: Vasilyev, Podyachev, statye); elsewhere it is silent (Kultura).
        word = _SIGN_BEFORE_VOWEL.sub("й", word).replace("ь", "").replace("ъ", "")
        keys = {fold(latin) for latin in {scheme.translate(word) for scheme in _SCHEMES}}
    else:  # Latin j reads дж (John, Jakarta) or й (Jurij, Jaroslav)
        keys = {fold(word.replace("j", "dzh")), fold(word.replace("j", "y"))} if "j" in word else {fold(word)}
    keys.discard("")
    return frozenset(keys)


def name_keys(word: str) -> set[str]:
    """The loose keys of one word, Cyrillic or Latin: ПРОКСИ and PROXY share 'proksi', Ефимов and Efimov 'efimov'."""
    return set(_keys(word))


def _stems(key: str, cyrillic: bool) -> list[str]:
    """The key, and the key without a case ending (Russian; then without an adjective's -ск-) or -s / a vowel (Latin)
    when enough letters are left: 'hloponina' → ['hloponina', 'hloponin']; a Latin word keeps MIN_STEM + 1 (state is
    not стать)."""
    n, stems = len(key), [key]
    if cyrillic:
        if n > MIN_STEM and key[-1] in _RU_ENDINGS:
            stems.append(key[:-1])
        if n > MIN_STEM + 2 and key[-2:] in _RU_ENDINGS:
            stems.append(key[:-2])
        # A place's adjective is its name and -ск- (Чернобыльской АЭС: Chernobyl; таджикской: Tajik)
        if len(stems[-1]) > MIN_STEM + 2 and stems[-1].endswith("sk"):
            stems.append(stems[-1][:-2])
    elif n > MIN_STEM + 1 and key[-1] in _EN_ENDINGS:
        stems.append(key[:-1])
    return stems


def strip_ending(key: str, cyrillic: bool = True) -> str:
    """The shortest stem of a key: 'hloponina' → 'hloponin', 'efimovoi' → 'efimov'."""
    return _stems(key, cyrillic)[-1]


@dataclass
class NameIndex:
    """Corpus words (surface forms or lemmas, either script) by the stems of their keys, one table per script."""

    latin: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # stem → [(key, word)] (pairs as lists once kept)
    cyrillic: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def kept(cls, words: Iterable[str], folder: Path) -> NameIndex:
        """build(), kept in `folder` under a digest of the words and of this module: a process loading the same store
        reads the tables (0.01 s) instead of transliterating every name-like word again (0.4 s at 100k parts)."""
        unique = sorted(set(words))
        digest = hashlib.blake2b("\n".join(unique).encode(), digest_size=10, key=_CODE_DIGEST).hexdigest()
        path = folder / f"names-{digest}.json"
        try:
            tables = orjson.loads(path.read_bytes())
            return cls(tables["latin"], tables["cyrillic"])
        except (OSError, ValueError, KeyError, TypeError):  # absent, or cut short by a crash: built again
            pass
        index = cls.build(unique)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(orjson.dumps({"latin": index.latin, "cyrillic": index.cyrillic}))
            tmp.replace(path)
            for old in sorted(folder.glob("names-*.json"), key=lambda f: f.stat().st_mtime)[:-KEPT_NAME_TABLES]:
                old.unlink(missing_ok=True)  # one per store a machine serves is plenty
        except OSError:  # a read-only cache only costs the next process the build
            pass
        return index

    @classmethod
    def build(cls, words: Iterable[str]) -> NameIndex:
        index = cls()
        for word in set(words):
            cyrillic = is_cyrillic(word)
            table = index.cyrillic if cyrillic else index.latin
            for key in _keys(word):
                for stem in _stems(key, cyrillic):
                    table.setdefault(stem, []).append((key, word))
        return index

    def lookup(self, word: str) -> list[str]:
        """Corpus words in the other script spelling the same name: 'Khloponin' → ['Хлопонина'], 'ПРОКСИ' → ['PROXY'];
        words with an equal key first, then those differing only by a case ending, each alphabetically."""
        if len(word) > MAX_NAME_CHARS:
            return []
        cyrillic = is_cyrillic(word)
        table, keys = self.latin if cyrillic else self.cyrillic, _keys(word)
        found = {(key not in keys, w) for k in keys for stem in _stems(k, cyrillic) for key, w in table.get(stem, ())}
        return list(dict.fromkeys(w for _, w in sorted(found)))


@dataclass(frozen=True)
class Abbreviation:
    """One body or state: its abbreviations and full names in English and Russian."""

    en: tuple[str, ...]
    ru: tuple[str, ...]
    en_full: str = ""
    ru_full: str = ""


def _a(en: str, ru: str, en_full: str = "", ru_full: str = "") -> Abbreviation:
    return Abbreviation(tuple(en.split(",")), tuple(ru.split(",")), en_full, ru_full)


ABBREVIATIONS: tuple[Abbreviation, ...] = (
    _a("UN", "ООН", "United Nations", "Организация Объединенных Наций"),
    _a("UNSC", "СБ ООН", "United Nations Security Council", "Совет Безопасности ООН"),
    _a("UNGA", "ГА ООН", "United Nations General Assembly", "Генеральная Ассамблея ООН"),
    _a("UNESCO", "ЮНЕСКО", "United Nations Educational, Scientific and Cultural Organization",
       "Организация Объединенных Наций по вопросам образования, науки и культуры"),
    _a("UNICEF", "ЮНИСЕФ", "United Nations Children's Fund", "Детский фонд ООН"),
    _a("IAEA", "МАГАТЭ", "International Atomic Energy Agency", "Международное агентство по атомной энергии"),
    _a("WHO", "ВОЗ", "World Health Organization", "Всемирная организация здравоохранения"),
    _a("WTO", "ВТО", "World Trade Organization", "Всемирная торговая организация"),
    _a("ILO", "МОТ", "International Labour Organization", "Международная организация труда"),
    _a("IMF", "МВФ", "International Monetary Fund", "Международный валютный фонд"),
    _a("ICC", "МУС", "International Criminal Court", "Международный уголовный суд"),
    _a("CIS", "СНГ", "Commonwealth of Independent States", "Содружество Независимых Государств"),
    _a("CSTO", "ОДКБ", "Collective Security Treaty Organization", "Организация Договора о коллективной безопасности"),
    _a("SCO", "ШОС", "Shanghai Cooperation Organisation", "Шанхайская организация сотрудничества"),
    _a("EAEU,EEU", "ЕАЭС", "Eurasian Economic Union", "Евразийский экономический союз"),
    _a("EurAsEC", "ЕврАзЭС", "Eurasian Economic Community", "Евразийское экономическое сообщество"),
    _a("NATO", "НАТО", "North Atlantic Treaty Organization", "Организация Североатлантического договора"),
    _a("EU", "ЕС", "European Union", "Европейский союз"),
    _a("OSCE", "ОБСЕ", "Organization for Security and Co-operation in Europe", "Организация по безопасности и сотрудничеству в Европе"),
    _a("AU", "АС", "African Union", "Африканский союз"),
    _a("ASEAN", "АСЕАН", "Association of Southeast Asian Nations", "Ассоциация государств Юго-Восточной Азии"),
    _a("OPEC", "ОПЕК", "Organization of the Petroleum Exporting Countries", "Организация стран — экспортеров нефти"),
    _a("OIC", "ОИС", "Organisation of Islamic Cooperation", "Организация исламского сотрудничества"),
    _a("BRICS", "БРИКС"),
    _a("NPT", "ДНЯО", "Treaty on the Non-Proliferation of Nuclear Weapons", "Договор о нераспространении ядерного оружия"),
    _a("CTBT", "ДВЗЯИ", "Comprehensive Nuclear-Test-Ban Treaty", "Договор о всеобъемлющем запрещении ядерных испытаний"),
    _a("WMD", "ОМУ", "weapons of mass destruction", "оружие массового уничтожения"),
    _a("USSR", "СССР", "Union of Soviet Socialist Republics", "Союз Советских Социалистических Республик"),
    _a("USA,US", "США", "United States of America", "Соединенные Штаты Америки"),
    _a("RF", "РФ", "Russian Federation", "Российская Федерация"),
    _a("PRC", "КНР", "People's Republic of China", "Китайская Народная Республика"),
    _a("DPRK", "КНДР", "Democratic People's Republic of Korea", "Корейская Народно-Демократическая Республика"),
    _a("GDR", "ГДР", "German Democratic Republic", "Германская Демократическая Республика"),
    _a("FRG", "ФРГ", "Federal Republic of Germany", "Федеративная Республика Германия"),
    _a("MFA", "МИД", "Ministry of Foreign Affairs", "Министерство иностранных дел"),
    _a("MVD", "МВД", "Ministry of Internal Affairs", "Министерство внутренних дел"),
    _a("EMERCOM", "МЧС", "Ministry of Emergency Situations", "Министерство по чрезвычайным ситуациям"),
    _a("FSB", "ФСБ", "Federal Security Service", "Федеральная служба безопасности"),
    _a("SVR", "СВР", "Foreign Intelligence Service", "Служба внешней разведки"),
    _a("FSO", "ФСО", "Federal Protective Service", "Федеральная служба охраны"),
    _a("KGB", "КГБ", "Committee for State Security", "Комитет государственной безопасности"),
)
# Abbreviations that are also ordinary words in lower case (who, us, воз 'cart', ас 'ace', мот 'spendthrift'): capitals only.
_CAPITALS_ONLY = frozenset("WHO US AU ВОЗ АС МОТ ОМУ".split())


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


@lru_cache(maxsize=1)
def _abbreviation_table() -> dict[str, list[tuple[bool, Abbreviation]]]:
    """Normalised abbreviation or full name → [(written in Russian, entry)]."""
    table: dict[str, list[tuple[bool, Abbreviation]]] = {}
    for entry in ABBREVIATIONS:
        for russian, names in ((False, entry.en + (entry.en_full,)), (True, entry.ru + (entry.ru_full,))):
            for name in filter(None, names):
                table.setdefault(_norm(name), []).append((russian, entry))
    return table


def abbreviation_equivalents(word: str) -> list[str]:
    """An abbreviation or full name in one language → the other language's abbreviations, then its full name:
    'UN' → ['ООН', 'Организация Объединенных Наций']; 'ОДКБ' → ['CSTO', 'Collective Security Treaty Organization']."""
    word = word.strip()
    if word.upper() in _CAPITALS_ONLY and word != word.upper():
        return []
    out = [name for russian, entry in _abbreviation_table().get(_norm(word), [])
           for name in (entry.en + (entry.en_full,) if russian else entry.ru + (entry.ru_full,)) if name]
    return list(dict.fromkeys(out))
