"""An English→Russian dictionary in dictd format (Mueller, Debian `mueller7-dict`): English word ↔ Russian lemmas;
place names it lacks come from CLDR (qa.places)."""
from __future__ import annotations

import gzip
import json
import logging
import re
from functools import lru_cache
from pathlib import Path

import orjson

from ingest.terms import _STOP, term
from qa.places import english_names, russian_names

log = logging.getLogger(__name__)
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_LATIN = re.compile(r"[A-Za-z]")
_RUSSIAN_WORD = re.compile(r"[а-яёА-ЯЁ][а-яёА-ЯЁ-]+")
_NOISE = re.compile(r"\[[^\]]*\]|\([^)]*\)|_\S+?\.")  # transcriptions, glosses, part-of-speech and domain marks
# a sense number starts a digit run: \d+ tried at every digit of a long run was quadratic (71 s on 100 KB of digits)
_SENSES = re.compile(r"[;\n]|(?<!\d)\d+[).]")
# Bounded work per word: Mueller's longest headword has 28 letters, and the compound loop below tries every ending of a
# word (quadratic in its length: one 5 MB "word" kept a question busy for 20 minutes), so longer words are not looked up.
MAX_WORD_CHARS = 40
_CACHE_SIZE = 50_000  # translations remembered; cleared when full, so distinct words cannot grow memory for ever


# Irregular English forms whose base the suffix rules cannot reach (built → build); a form that is itself a headword
# (found, left, saw) is looked up as written first.
_IRREGULAR = {form: base for base, forms in {
    "arise": "arose arisen", "bear": "bore borne born", "become": "became", "begin": "began begun", "bring": "brought",
    "build": "built", "buy": "bought", "catch": "caught", "choose": "chose chosen", "come": "came", "deal": "dealt",
    "do": "did done", "draw": "drew drawn", "drive": "drove driven", "fall": "fell fallen", "feel": "felt",
    "fight": "fought", "find": "found", "flee": "fled", "fly": "flew flown", "forbid": "forbade forbidden",
    "freeze": "froze frozen", "give": "gave given", "go": "went gone", "grow": "grew grown", "hang": "hung",
    "hide": "hid hidden", "hold": "held", "keep": "kept", "know": "knew known", "lay": "laid", "lead": "led",
    "leave": "left", "lend": "lent", "lose": "lost", "make": "made", "mean": "meant", "meet": "met", "pay": "paid",
    "ride": "rode ridden", "rise": "rose risen", "run": "ran", "say": "said", "see": "saw seen", "seek": "sought",
    "sell": "sold", "send": "sent", "shoot": "shot", "show": "shown", "sing": "sang sung", "sit": "sat",
    "speak": "spoke spoken", "spend": "spent", "stand": "stood", "steal": "stole stolen", "strike": "struck",
    "swear": "swore sworn", "take": "took taken", "teach": "taught", "tear": "tore torn", "tell": "told",
    "think": "thought", "throw": "threw thrown", "understand": "understood", "undertake": "undertook undertaken",
    "wear": "wore worn", "win": "won", "withdraw": "withdrew withdrawn", "write": "wrote written",
    "man": "men", "woman": "women", "child": "children", "foot": "feet", "tooth": "teeth",
}.items() for form in forms.split()}


_SPELLINGS = [("isation", "ization"), ("ise", "ize"), ("yse", "yze"), ("our", "or"), ("tre", "ter"), ("ence", "ense")]


def _number(code: str) -> int:
    n = 0
    for c in code:
        n = n * 64 + _B64[c]
    return n


class Dictionary:
    """Headword offsets from the .index file; entries are read from the .dict.dz text only when looked up."""

    def __init__(self, index_path: Path):
        self.offsets: dict[str, list[tuple[int, int]]] = {}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._reverse: dict[str, list[str]] | None = None
        self._forward: dict[str, list[str]] = {}  # headword → its one-word translations' lemmas (see load_tables)
        for line in index_path.read_text(encoding="utf-8").splitlines():
            word, offset, length = line.split("\t")
            self.offsets.setdefault(word.lower(), []).append((_number(offset), _number(length)))
        self._index_path, self._data = index_path, None

    @property
    def data(self) -> bytes:
        """The entries' text, unpacked when first read (9 MB, 0.1 s): with the tables kept, only words missing from
        them (a hyphenated headword) are read here, so most processes never unpack it."""
        if self._data is None:
            packed = self._index_path.with_suffix(".dict.dz")
            self._data = gzip.open(packed).read() if packed.exists() else self._index_path.with_suffix(".dict").read_bytes()
        return self._data

    def headword(self, word: str) -> str | None:
        """The dictionary form of an inflected English word (operations → operation, named → name)."""
        return next(iter(self.headwords(word)), None)

    def headwords(self, word: str) -> list[str]:
        """Every dictionary form the word may inflect, likeliest first (built: the cross-reference 'built', then build)."""
        w = word.lower()
        candidates = [w]
        if w.endswith("ies"):
            candidates.append(w[:-3] + "y")
        if w.endswith("es"):
            candidates.append(w[:-2])
        if w.endswith("s") and not w.endswith("ss"):
            candidates.append(w[:-1])
        if w.endswith("ied"):
            candidates.append(w[:-3] + "y")
        if w.endswith("ed"):
            candidates += [w[:-1], w[:-2], w[:-3]]
        if w.endswith("ing"):
            candidates += [w[:-3] + "e", w[:-3], w[:-4]]
        if w.endswith("ly"):
            candidates.append(w[:-2])
        if w.endswith(("ier", "iest")):  # earlier, busiest
            candidates.append(w[: -3 if w.endswith("ier") else -4] + "y")
        for ending in ("est", "er"):  # oldest, larger, biggest
            if w.endswith(ending):
                stem = w[: -len(ending)]
                undoubled = [stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else []
                candidates += undoubled + [stem, stem + "e"]
        if w in _IRREGULAR:
            candidates.append(_IRREGULAR[w])
        # British spellings (organisation, recognised, defence) and hyphenated prefixes (co-operation) as Mueller has them
        candidates += [c.replace(uk, us) for c in candidates for uk, us in _SPELLINGS if uk in c]
        candidates += [f"{c[:n]}-{c[n:]}" for c in candidates for n in (2, 3) if c[:n] in ("co", "re", "non", "pre", "pro")]
        return [c for c in dict.fromkeys(candidates) if c in self.offsets]

    def translations(self, word: str) -> tuple[str, ...]:
        """Russian lemmas of the word's translations, in the dictionary's order (examples and phrases skipped)."""
        if len(word) > MAX_WORD_CHARS:
            return ()
        if word not in self._cache:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[word] = self._translations(word)
        return self._cache[word]

    def _translations(self, word: str) -> tuple[str, ...]:
        heads = self.headwords(word)
        if not heads and word[:1].isupper() and (places := russian_names(word)):
            return tuple(dict.fromkeys(term(name) for name in places if " " not in name))  # Iran → иран (CLDR)
        if not heads:
            # A compound or prefixed word the dictionary lacks is translated by its longest known ending, which
            # carries the meaning (cybercrime → crime, counterterrorism → terrorism).
            for cut in range(2, len(word) - 4):
                if self.headword(word[cut:]):
                    return self._translations(word[cut:])
            return ()
        for head in heads:  # a cross-reference entry ("built см. build") has no translation: try the next form
            if found := self._entry_translations(head):
                return found
        return ()

    def _entry_translations(self, head: str) -> tuple[str, ...]:
        if head in self._forward:
            return tuple(self._forward[head])
        out: dict[str, None] = {}
        for offset, length in self.offsets[head]:
            text = self.data[offset:offset + length].decode("utf-8", "replace")
            body = _NOISE.sub(" ", text.split("\n", 1)[-1])
            for sense in _SENSES.split(body):
                if _LATIN.search(sense):  # an English example and its translation, not a translation of the word
                    continue
                for variant in sense.split(","):
                    words = [w for w in _RUSSIAN_WORD.findall(variant) if w.lower() not in _STOP]
                    if len(words) == 1:  # one-word translations only; phrases add noise
                        out.setdefault(term(words[0]), None)
        return tuple(out)

    def english(self, lemma: str, cache: Path | None = None) -> tuple[str, ...]:
        """English headwords whose one-word translations include the Russian lemma, likeliest first (the inverted
        dictionary is built once, ~7 s, and kept in cache as JSON)."""
        self.load_tables(cache)
        return tuple(dict.fromkeys([*self._reverse.get(lemma, ()), *english_names(lemma)]))

    def load_tables(self, cache: Path | None) -> None:
        """Every headword's translations as lemmas, and the inverted table, computed once (~7 s: each translation is
        lemmatised) and kept in cache as JSON, so that glossing a corpus at index load is lookups, not morphology."""
        if self._reverse is not None:
            return
        forward_cache = cache.with_name(cache.stem + "-forward.json") if cache else None
        if cache and cache.exists() and forward_cache.exists():
            self._reverse = orjson.loads(cache.read_bytes())  # 4× the json module's speed: a load's 0.17 s → 0.04 s
            self._forward = orjson.loads(forward_cache.read_bytes())
            return
        ranked: dict[str, list[tuple[int, str]]] = {}
        forward: dict[str, list[str]] = {}
        for head in self.offsets:
            if head.isalpha():
                forward[head] = list(self._entry_translations(head))
                for rank, lemma in enumerate(forward[head]):
                    ranked.setdefault(lemma, []).append((rank, head))
        self._reverse = {lemma: [h for _, h in sorted(pairs)] for lemma, pairs in ranked.items()}
        self._forward = forward
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            for path, table in ((cache, self._reverse), (forward_cache, forward)):
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
                tmp.replace(path)


@lru_cache(maxsize=4)
def load_dictionary(path: str) -> Dictionary | None:
    """The dictionary at path, or None (with a warning) when it is not installed."""
    if not path:
        return None
    index_path = Path(path)
    if not index_path.exists():
        log.warning("dictionary %s not found: English questions over Russian text use embeddings alone "
                    "(install it with: apt-get install mueller7-dict)", index_path)
        return None
    return Dictionary(index_path)


def reverse_cache(settings) -> Path:
    """Where the inverted (Russian → English) dictionary is kept, next to the model."""
    return Path(settings.model_cache) / f"{Path(settings.dictionary).stem}-ru-en.json"



def warm(settings) -> str:
    """Build the inverted dictionary at setup (`make dictionary`), so no first question waits ~7 s for it."""
    dictionary = load_dictionary(settings.dictionary)
    if dictionary is None:
        return "no dictionary installed"
    dictionary.english("пытка", reverse_cache(settings))
    return f"{reverse_cache(settings)}: {len(dictionary._reverse or {})} Russian lemmas"
