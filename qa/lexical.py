"""BM25 over Russian lemmas and English stems (paragraphs, truncation stems, sentences); query words translated EN↔RU."""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from ingest.terms import _STOP, term, word_terms
from qa.bm25 import Field
from qa.dictionary import MAX_WORD_CHARS
from qa.places import russian_names

log = logging.getLogger(__name__)
_WORD = re.compile(r"[^\W\d_]{3,}", re.U)
_CYRILLIC = re.compile(r"[а-яё]", re.I)
# The frame of a question, not its content ("What does the statement say about…", «Что говорится о…»): as query
# terms they only match text that happens to say "полагаем" or "говорится", and they dilute coverage.
_FRAME = frozenset("mention say said tell accord regard concern упоминаться упомянуть говориться говорить сказать "
                   "речь идти".split())
# What every question about a statement calls it: a match on these says nothing about whether the text can answer.
FRAME_NOUNS = frozenset("statement document declar заявление документ декларация".split())
_VERB_ENDINGS = ("ть", "ться", "чь", "чься", "ти", "тись")
# Bounded work per question: the distinct words read (each costs a lemma, BM25 scores, maybe a model call); a question
# within QA_MAX_QUESTION_CHARS has far fewer, so the cap only stops text that reached here some other way.
MAX_QUERY_WORDS = 100


def prefix(t: str, n: int = 5) -> str:
    """Truncation stem: Russian word families share their first letters (террорист, террористический)."""
    return t[:n] if len(t) > n and not t.isdigit() else t


@dataclass
class LexicalScores:
    """Per-record BM25 scores of one question, and the IDF share of the question the corpus can read."""

    paragraph: np.ndarray
    sentence: np.ndarray
    prefix: np.ndarray
    coverage: float
    context: np.ndarray | None = None  # BM25 over each record's title and headings (same value across a statement's parts)
    # BM25 without the words that name the record's own statement (words of its header): what is left of the question
    # once it has chosen the document decides between that document's parts.
    residual: np.ndarray | None = None
    residual_sentence: np.ndarray | None = None


@dataclass
class LexicalIndex:
    """BM25 over record lemmas, their truncation stems and their sentences; corpus lemmas embedded for translation."""

    paragraphs: Field
    prefixes: Field
    sentences: Field
    sentence_owner: np.ndarray
    contexts: Field | None = None
    doc_statement: np.ndarray | None = None  # each record's statement, as an index into the naming map
    naming: dict[str, np.ndarray] = field(default_factory=dict)  # header term → which statements' headers have it
    vocab: list[str] = field(default_factory=list)
    vocab_vectors: np.ndarray | None = None
    min_similarity: float = 0.865
    min_margin: float = 0.008
    min_translation_similarity: float = 0.855  # e5 query cosine of a Russian word and an English translation
    max_candidates: int = 4

    @classmethod
    def build(cls, record_terms: list[str], sentence_terms: list[str], sentence_owner: np.ndarray,
              embedder=None, cache: Path | None = None, context_terms: list[str] | None = None,
              statements: list[str] | None = None, header_terms: dict[str, str] | None = None,
              previous: tuple[LexicalIndex, np.ndarray, np.ndarray] | None = None) -> LexicalIndex:
        """With `previous` (the index of the last load, which records and which sentences of it are kept), the
        records and sentences are the kept ones, in order, followed by new ones: only the new are read."""
        old, keep, keep_sentences = previous if previous else (None, None, None)

        def grown(field: Field | None, mask, texts: list[str], as_terms=str.split) -> Field:
            if old is not None and field is not None:
                return field.updated(mask, [as_terms(t) for t in texts[int(mask.sum()):]])
            return Field([as_terms(t) for t in texts])

        paragraphs = grown(old and old.paragraphs, keep, record_terms)
        vocab = sorted(t for t in paragraphs.df if _CYRILLIC.search(t) and len(t) > 2) if embedder is not None else []
        vectors = None
        if embedder is not None:
            # a reload reuses the lemma vectors it has and reads the cache file only for lemmas new to this process
            known = {t: old.vocab_vectors[old.position[t]] for t in vocab if t in old.position} \
                if old is not None and old.vocab_vectors is not None else {}
            fresh = [t for t in vocab if t not in known]
            if fresh:
                known.update(zip(fresh, term_vectors(fresh, embedder, cache)))
            vectors = np.stack([known[t] for t in vocab]) if vocab else term_vectors([], embedder, cache)
        contexts = grown(old and old.contexts, keep, context_terms) if context_terms else None
        doc_statement, naming = None, {}
        if statements is not None and header_terms is not None:
            ids = list(dict.fromkeys(statements))
            position = {sid: i for i, sid in enumerate(ids)}
            doc_statement = np.array([position[sid] for sid in statements], dtype=np.int64)
            holders: dict[str, list[int]] = {}
            for sid, text in header_terms.items():
                for t in set(text.split()):
                    holders.setdefault(t, []).append(position[sid])
            naming = {t: np.array(v, dtype=np.int64) for t, v in holders.items()}
        return cls(paragraphs, grown(old and old.prefixes, keep, record_terms, lambda t: [prefix(w) for w in t.split()]),
                   grown(old and old.sentences, keep_sentences, sentence_terms),
                   sentence_owner, contexts, doc_statement, naming, vocab, vectors)

    def fields(self) -> dict[str, Field]:
        """The BM25 fields by name (what qa/loaded.py keeps on disk)."""
        out = {"paragraphs": self.paragraphs, "prefixes": self.prefixes, "sentences": self.sentences}
        return {**out, "contexts": self.contexts} if self.contexts is not None else out

    @classmethod
    def from_fields(cls, fields: dict[str, Field]) -> LexicalIndex:
        """An index of kept fields alone: what `build(previous=…)` grows from (its lemma vectors come from the cache)."""
        return cls(fields["paragraphs"], fields["prefixes"], fields["sentences"], np.zeros(0, np.int64), fields.get("contexts"))

    def __post_init__(self) -> None:
        self.position = {t: i for i, t in enumerate(self.vocab)}
        self.has_latin = any(t[:1].isascii() and t[:1].isalpha() for t in self.df)

    @property
    def df(self) -> dict[str, int]:
        return self.paragraphs.df

    @cached_property
    def _verbs(self) -> dict[str, list[str]]:
        """Corpus verbs by their first five letters: built on the first translation that needs one, not at load."""
        verbs: dict[str, list[str]] = {}
        for t in self.vocab:
            if t.endswith(_VERB_ENDINGS):
                verbs.setdefault(t[:5], []).append(t)
        return verbs

    def translate(self, words: list[str], embed_words, dictionary=None, limit: int = 2, senses: str = "both",
                  placed: frozenset[str] = frozenset()) -> dict[str, list[str]]:
        """Each foreign query word → corpus lemmas: its dictionary translations the corpus has (a verb in either
        aspect), when there are more than `limit` the dictionary's first (senses "both") and those nearest to the word;
        a word the dictionary cannot translate maps to its nearest corpus lemma when that is clearly nearest — unless
        it is `placed` already (an abbreviation or a name the corpus spells in the other script: CSTO is ОДКБ, and its
        nearest lemma among 100k man-page paragraphs was «Коста»). embed_words is called only when needed."""
        if self.vocab_vectors is None or not len(words):
            return {}
        found = {w: list(dict.fromkeys(c for t in (dictionary.translations(w) if dictionary else ()) if (c := self.corpus_form(t))))
                 for w in words}
        out = {w: ts for w, ts in found.items() if 0 < len(ts) <= limit}
        # A place the corpus never mentions (Iran) has no stand-in: its nearest lemma would be some other country.
        rest = [w for w in words if w not in out and not (found[w] == [] and (w in placed or w[:1].isupper() and russian_names(w)))]
        for word, vector in zip(rest, embed_words(rest) if rest else []):
            if found[word]:
                sims = self.vocab_vectors[[self.position[t] for t in found[word]]] @ vector
                ranked = [found[word][i] for i in np.argsort(-sims, kind="stable")]
                # e5 read one word out of context picks odd senses (approving → проявлять, dismisses → собрание);
                # the dictionary lists the commonest sense first (одобрять, отпускать).
                out[word] = list(dict.fromkeys([found[word][0], *ranked] if senses == "both" else ranked))[:limit]
                continue
            row = self.vocab_vectors @ vector
            top2 = np.argpartition(-row, 1)[:2] if len(row) > 1 else np.array([0, 0])
            a, b = sorted(top2, key=lambda i: -row[i])
            if row[a] >= self.min_similarity and row[a] - row[b] >= self.min_margin:
                out[word] = [self.vocab[a]]
        return {w: out[w] for w in words if w in out}

    def corpus_form(self, t: str) -> str | None:
        """The corpus lemma a dictionary word stands for: itself, or for a verb the corpus has only in its other aspect
        (the dictionary gives одобрять, назначать, освобождать; a decree says «Одобрить», «назначается»,
        «освобождается») the corpus verb that shares its stem — all but its last four letters, five at least."""
        if t in self.position:
            return t
        if not t.endswith(_VERB_ENDINGS):
            return None
        stem = t[: max(5, len(t) - 4)]
        partners = [v for v in self._verbs.get(t[:5], ()) if v.startswith(stem)]
        return min(partners, key=lambda v: (len(v), v)) if partners else None

    def foreign_words(self, question: str, limit: int = 8) -> list[str]:
        """Non-Cyrillic content words of the question (candidates for translation into the corpus's Russian)."""
        if not self.vocab:
            return []
        words: dict[str, None] = {}
        for w in capped_words(question):
            if w.lower() in _STOP or _CYRILLIC.search(w) or term(w) in _STOP or term(w) in _FRAME:
                continue
            words[w] = None
        # Each word costs a model call, so keep the likeliest content words: names first, then the longest.
        return sorted(words, key=lambda w: (not w[:1].isupper(), -len(w)))[:limit]

    def russian_words(self, question: str, limit: int = 8) -> list[str]:
        """Russian content words, when the corpus has English text to translate them into: those it lacks in Russian
        first, then the longest (a word its Russian decrees have is still needed to reach its English agreements)."""
        if not self.has_latin:
            return []
        words = [w for w in capped_words(question)
                 if _CYRILLIC.search(w) and w.lower() not in _STOP and term(w) not in _STOP | _FRAME]
        return sorted(words, key=lambda w: (term(w) in self.df, -len(w)))[:limit]

    def translate_russian(self, words: list[str], dictionary, cache: Path | None = None, limit: int = 2,
                          embed_words=None) -> dict[str, list[str]]:
        """Each Russian query word → its English dictionary words the corpus has (one per stem). With embed_words,
        they are ranked by similarity to the word and the dissimilar dropped: the inverted dictionary also lists
        words whose rare senses mention it (оружие ← natural), which would read an unrelated question as answerable."""
        candidates: dict[str, list[str]] = {}
        for word in words:
            heads: dict[str, str] = {}  # stem → first dictionary word with it
            for head in dictionary.english(term(word), cache) if dictionary else ():
                if term(head) in self.df:
                    heads.setdefault(term(head), head)
            if heads:
                candidates[word] = list(heads.values())[: self.max_candidates]
        if embed_words is None or not candidates:
            return {w: heads[:limit] for w, heads in candidates.items()}
        texts = list(dict.fromkeys([*candidates, *(h for heads in candidates.values() for h in heads)]))
        vectors = dict(zip(texts, embed_words(texts)))
        out: dict[str, list[str]] = {}
        for word, heads in candidates.items():
            sims = [float(vectors[word] @ vectors[h]) for h in heads]
            kept = [h for sim, h in sorted(zip(sims, heads), key=lambda p: -p[0]) if sim >= self.min_translation_similarity]
            if kept:
                out[word] = kept[:limit]
        return out

    @staticmethod
    def word_groups(question: str, translations: dict[str, list[str]] | None = None,
                    loose: dict[str, tuple[str, ...]] | None = None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Each of the question's words by its term (frame words left out, within the caps): the term and its
        translations' terms, which BM25 matches exactly, and their truncation stems with the loose translations'."""
        translations, loose = translations or {}, loose or {}
        exact: dict[str, list[str]] = {}
        stems: dict[str, list[str]] = {}
        for word, t in word_terms(question):
            if t in _FRAME or len(word) > MAX_WORD_CHARS or t not in exact and len(exact) >= MAX_QUERY_WORDS:
                continue
            # Russian translations are corpus lemmas already; English ones are dictionary words, stemmed here.
            alternatives = [a if _CYRILLIC.search(a) else term(a) for a in translations.get(word, [])]
            exact.setdefault(t, [t]).extend(alternatives)
            stems.setdefault(t, [prefix(t)]).extend(prefix(a) for a in [*alternatives, *loose.get(word, ())])
        return exact, stems

    def scores(self, question: str, translations: dict[str, list[str]] | None = None,
               loose: dict[str, tuple[str, ...]] | None = None) -> LexicalScores:
        """BM25 of every record, each query word scoring by the best of its own term and its translations; truncation
        stems also try dictionary translations the corpus lacks as lemmas (боец ~ боевик)."""
        exact, stems = self.word_groups(question, translations, loose)
        n = self.paragraphs.n_docs
        weight = readable = 0.0
        for t, group in exact.items():
            if t in FRAME_NOUNS:
                continue
            idf = math.log(1 + n / self.df.get(t, 0.5))
            weight += idf
            readable += idf if any(a in self.df for a in group) else 0.0
        groups = list(exact.values())
        keep = [self._not_naming(group) for group in groups] if self.doc_statement is not None else None
        paragraph, residual = self.paragraphs.scored(groups, keep, self.doc_statement)
        sentence, residual_sentence = np.zeros(n, dtype=np.float32), None if keep is None else np.zeros(n, dtype=np.float32)
        if len(self.sentence_owner):
            by_sentence, kept = self.sentences.scored(groups, keep, None if keep is None else self._sentence_statement)
            _best_of_owner(sentence, self.sentence_owner, by_sentence)
            if kept is not None:
                _best_of_owner(residual_sentence, self.sentence_owner, kept)
        context = self.contexts.group_scores(groups) if self.contexts is not None else None
        return LexicalScores(paragraph, sentence, self.prefixes.group_scores(list(stems.values())),
                             min(1.0, readable / weight) if weight else 0.0, context, residual, residual_sentence)

    def within_statement(self, question: str, rows: np.ndarray, translations: dict[str, list[str]] | None = None) -> np.ndarray:
        """For each of `rows`: the sum, over the question words it holds, of the word's IDF among its own statement's
        records — a word every paragraph of the statement repeats (its subject) says nothing about which one answers."""
        out = np.zeros(len(rows), np.float32)
        if self.doc_statement is None or not len(rows):
            return out
        exact, _ = self.word_groups(question, translations)
        statement = self.doc_statement[rows]
        size = self._statement_sizes[statement].astype(np.float32)
        for t, group in exact.items():
            if t in FRAME_NOUNS:
                continue
            found = [self.paragraphs.postings(a)[0] for a in dict.fromkeys(group) if a in self.df]
            if not found:
                continue
            holders = np.unique(np.concatenate(found))
            df = np.bincount(self.doc_statement[holders], minlength=self.statement_count)[statement].astype(np.float32)
            at = np.minimum(np.searchsorted(holders, rows), len(holders) - 1)
            held = holders[at] == rows
            out += held * np.log(1 + (size - df + 0.5) / (df + 0.5))
        return out

    @cached_property
    def _statement_sizes(self) -> np.ndarray:
        return np.bincount(self.doc_statement, minlength=self.statement_count)

    @cached_property
    def statement_count(self) -> int:
        return int(self.doc_statement.max()) + 1 if len(self.doc_statement) else 0

    @cached_property
    def _sentence_statement(self) -> np.ndarray:
        return self.doc_statement[self.sentence_owner]

    def _not_naming(self, group: list[str]) -> np.ndarray:
        """Per statement (as doc_statement numbers them): True unless the query word (or a translation of it) is a word
        of its header."""
        named = np.zeros(self.statement_count, dtype=bool)
        for t in group:
            if t in self.naming:
                named[self.naming[t]] = True
        return ~named


def _best_of_owner(best: np.ndarray, owner: np.ndarray, scores: np.ndarray) -> None:
    """Each owner's best score among its rows, into `best` (zeros: BM25 scores are never negative, so only the rows
    that score count — a few postings, not every sentence)."""
    scoring = np.flatnonzero(scores)
    np.maximum.at(best, owner[scoring], scores[scoring])


def capped_words(question: str, pattern: re.Pattern = _WORD) -> list[str]:
    """The question's distinct words (of three letters or more by default), in order: at most MAX_QUERY_WORDS of at
    most MAX_WORD_CHARS letters each, whatever the question's length."""
    words: dict[str, None] = {}
    for match in pattern.finditer(question):
        if len(words) >= MAX_QUERY_WORDS:
            break
        if match.end() - match.start() <= MAX_WORD_CHARS:
            words[match.group(0)] = None
    return list(words)


def term_vectors(vocab: list[str], embedder, cache: Path | None) -> np.ndarray:
    """Embeddings of corpus lemmas, cached on disk per model so only new lemmas are ever embedded."""
    known: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip(data["terms"].tolist(), data["vectors"]))
    missing = [t for t in vocab if t not in known]
    if missing:
        log.info("embedding %d new corpus terms for cross-lingual expansion", len(missing))
        for t, v in zip(missing, embedder.encode_terms(missing)):
            known[t] = v
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npz")
            np.savez(tmp, terms=np.array(list(known)), vectors=np.stack(list(known.values())))
            tmp.replace(cache)
    dim = next(iter(known.values())).shape[0] if known else 1
    return np.stack([known[t] for t in vocab]) if vocab else np.zeros((0, dim), np.float32)
