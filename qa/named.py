"""What a question names that a statement must hold too — places, people, «quoted names», capitalised names — and
whether the statement does, inflected or in the other script (qa/refusal.py refuses on what it lacks)."""
from __future__ import annotations

import re

from ingest.terms import is_russian, term, terms
from qa.index import Index
from qa.lexical import prefix
from qa.places import english_names, russian_names
from qa.query import Query

_PROPER = {"Geox", "Orgn", "Surn", "Name"}  # pymorphy3 tags of places, organisations and people


def spelled_otherwise(word: str, words: set[str]) -> bool:
    """Transliterated names vary inside (Грэхэм / Грэм, Мелфи / Мельфи) and in their endings (Лейн / Лейном), not in
    their first and last letters (Иран / Ирак): an inflection of it, or one edit per three letters, is the same name."""
    budget = max(1, len(word) // 3)
    return any(w.startswith(word) and len(w) - len(word) <= 3
               or w[:1] == word[:1] and w[-1:] == word[-1:] and abs(len(w) - len(word)) <= budget
               and _edits(word, w, budget) <= budget for w in words)


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once every path exceeds limit."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > limit:
            return limit + 1
    return row[-1]


def proper_names(question: str) -> list[tuple[str, str]]:
    """(word, lemma) of the places, organisations and people a Russian question names (Украине, украина);
    abbreviations (ГДР, НАТО) are left to qa.names' list of bodies."""
    from ingest.terms import _analyzers

    morph = _analyzers()[0]
    names = []
    for word in re.findall(r"(?<![\w-])[А-ЯЁ][а-яё][а-яё-]+", question):
        parse = morph.parse(word)[0]
        # and a capitalised -ский adjective, a place's (Иркутской области, Красноярского края)
        if _PROPER & set(parse.tag.grammemes) or "ADJF" in parse.tag and parse.normal_form.endswith(("ский", "цкий")):
            names.append((word.lower().replace("ё", "е"), parse.normal_form.replace("ё", "е")))
    return names


def asked_places(question: str) -> list[tuple[str, list[str], list[str]]]:
    """What the question names, as (shown, Russian spellings, English spellings): a Russian question's places and
    people (pymorphy3), an English question's countries, regions and cities (CLDR; two-word ones too)."""
    if is_russian(question):
        return [(word.capitalize(), [word, lemma], english_names(lemma)) for word, lemma in proper_names(question)]
    words = re.findall(r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?", question)
    found = []
    for phrase in words:
        for name in ([phrase, *phrase.split()] if " " in phrase else [phrase]):
            if russian := russian_names(name):
                found.append((name, russian, [name]))
                break
    return found


def names_place(haystack: str, lemmas: set[str], russian: list[str], english: list[str]) -> bool:
    """Whether the statement (its text, its lemmas) names the place in its own language, inflected or transliterated."""
    if not is_russian(haystack):
        return not english or any(re.search(rf"\b{re.escape(e)}\b", haystack, re.I) for e in english)
    text = haystack.lower().replace("ё", "е")
    stems = {prefix(t) for t in lemmas}
    words = set(re.findall(r"[а-я]{3,}", text))
    for spelling in russian:
        parts = [p.lower().replace("ё", "е") for p in spelling.split()]
        if all(term(p) in lemmas or not _known(p) and (prefix(term(p)) in stems or spelled_otherwise(p, words)) for p in parts):
            return True
    adjectives = None
    for spelling in russian:
        if " " not in spelling:
            adjectives = _adjective_bases(lemmas) if adjectives is None else adjectives
            lemma = term(spelling.lower().replace("ё", "е"))
            if {lemma, lemma[:-1], lemma.removesuffix("ия"), lemma.removesuffix("ск")} & adjectives \
                    or lemma.endswith("ский") and lemma[:-2] in lemmas:
                return True  # the place's adjective (красноярский: Красноярск), or a city's in -ск (иркутский: Иркутск)
    return False


def _known(word: str) -> bool:
    """Whether the Russian dictionary knows the word and how it declines: such a name is spelled one way, so only its
    inflections (its lemma) name it — Краснодарского is not Красноярского, one letter-run apart. A name it does not
    know (a foreign one, transliterated: Мелфи, Мельфи) may be spelled otherwise, and so may an indeclinable one whose
    lemma it cannot give (Минобразования, Минобразованию)."""
    from ingest.terms import _analyzers

    morph = _analyzers()[0]
    return morph.word_is_known(word) and "Fixd" not in morph.parse(word)[0].tag


def _adjective_bases(lemmas: set[str]) -> set[str]:
    """What the statement's -ский adjectives are formed from, with a fleeting vowel or a final й/ь dropped too: чеченский
    → чечен, чечн (Чечня); российский → россий, росси (Россия); чернобыльский → чернобыль."""
    bases = set()
    for lemma in lemmas:
        if len(lemma) > 6 and lemma.endswith(("ский", "ской")):
            base = lemma[:-4]
            bases.add(base)
            if base[-1] in "йь":
                bases.add(base[:-1])
            if len(base) > 3 and base[-2] in "еоё":
                bases.add(base[:-2] + base[-1])
    return bases


# Capitalised words that open a question or a clause, not names.
_OPENERS = frozenset("what which who whom whose when where why how does do did is are was were can could should would will "
                     "according under after before in on at for to from by with about the a an".split())


def asked_names(query: Query, index: Index) -> list[str]:
    """Names an English question gives in capitals mid-sentence (Khloponin, Efimov) that no dictionary knows as a
    word ("Justice Ministry" is no name) and that are not places (checked apart): each must be in the statement,
    spelled in either script."""
    if query.russian:
        return []
    words = re.findall(r"(?<=[a-z,;] )([A-Z][a-z]{3,})(?![\w-])", query.text)
    known = index.dictionary.translations if index.dictionary else (lambda w: ())
    return [w for w in dict.fromkeys(words) if w.lower() not in _OPENERS and not russian_names(w) and not known(w)]


def names_name(haystack: str, lemmas: set[str], name: str, index: Index, query: Query) -> bool:
    """The name in the statement as written, as a translation or transliteration the question found, or as a word
    whose Latin key begins like the name's (Krai ~ края, Tajik ~ Таджикистан)."""
    from qa.names import fold, name_keys

    if re.search(rf"\b{re.escape(name)}", haystack, re.I):
        return True
    if {term(name), *query.translations.get(name, [])} & lemmas:
        return True
    key = fold(name)[: max(4, len(fold(name)) - 2)]
    return any(k.startswith(key) for w in set(re.findall(r"[^\W\d_][\w-]{3,}", haystack)) for k in name_keys(w))


def mentions(haystack: str, name: str, lemmas: set[str]) -> bool:
    """A «quoted name» is in the statement as a name: quoted or capitalised there too, in any inflection (not «канал»
    as the common noun «каналов» when the question asks about an operation «Канал»)."""
    stem = name[:-1] if len(name) > 4 else name
    if re.search(rf"(?<![\w-])(?:{re.escape(stem)}|{re.escape(stem.upper())})", haystack):
        return True
    if name[:1].isupper():
        return False
    wanted = set(terms(name))
    return name.lower() in haystack.lower() or (bool(wanted) and wanted <= lemmas)
