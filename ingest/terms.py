"""Lexical terms for BM25: Russian lemmas (pymorphy3) and English stems (Snowball), numbers kept."""
from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.U)
_CYRILLIC = re.compile(r"[а-яё]", re.I)
_STOP = frozenset(
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от "
    "меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам "
    "ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего "
    "раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем "
    "чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот "
    "через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть "
    "том нельзя такой им более всегда конечно всю между который это также "
    "a an the and or of to in on at by for with from as is are was were be been being it its this that these "
    "those which who whom what when where why how do does did has have had not no but if then than so such "
    "into over under about after before between during there their they them he she his her we our you your "
    "i me my can could would should will shall may might must".split()
)


@lru_cache(maxsize=1)
def _analyzers():
    import pymorphy3
    import pymorphy3_dicts_ru
    import Stemmer

    # the dictionary named, not looked up among every installed package's entry points (0.04-0.25 s at each start)
    return pymorphy3.MorphAnalyzer(path=pymorphy3_dicts_ru.get_path()), Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """One word → its lemma (Russian) or stem (English); digits stay as written."""
    word = word.lower().replace("ё", "е")
    if word.isdigit():
        return word
    morph, stemmer = _analyzers()
    if _CYRILLIC.search(word):
        return morph.parse(word)[0].normal_form.replace("ё", "е")
    return stemmer.stemWord(word)


def is_russian(text: str) -> bool:
    """More Cyrillic letters than Latin ones."""
    return len(_CYRILLIC.findall(text)) > len(re.findall(r"[a-z]", text, re.I))


def terms(text: str) -> list[str]:
    """Text → the terms BM25 indexes and queries with (stop words dropped; hyphenated words also split)."""
    return [t for _, t in word_terms(text)]


def word_terms(text: str) -> list[tuple[str, str]]:
    """(word as written, its term) pairs, the same words terms() keeps."""
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        parts = [word, *word.split("-")] if "-" in word else [word]
        for part in parts:
            if part.lower() in _STOP or len(part) < 2 and not part.isdigit():
                continue
            lemma = term(part)
            if lemma not in _STOP:
                out.append((part, lemma))
    return out
