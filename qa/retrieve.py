"""Hybrid retrieval: candidate parts scored by the ranker over dense, lexical and contextual features → paragraphs."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.features import candidates
from qa.index import Index
from qa.metas import Metas
from qa.query import Query, read_query
from qa.ranker import Ranker, load_ranker, models_for
from qa.stage_one import asked, uses_store

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def iso_date(name: str, value: str | None) -> str:
    """A real calendar date as YYYY-MM-DD, or "" for none; otherwise a one-line ValueError that names the field."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{name}: expected a date like 2018-11-08, got {value!r}")
    try:
        datetime.date.fromisoformat(value)
    except ValueError:  # 2018-13-45 has the shape of a date but is none
        raise ValueError(f"{name}: {value} is not a calendar date") from None
    return value


@dataclass
class Filters:
    """Restrict retrieval to statements, a date range (ISO dates, inclusive) or an issuer. With a date range, undated
    statements are left out: nothing says they fall within it."""

    statement_ids: list[str] = field(default_factory=list)
    since: str = ""
    until: str = ""
    issuer: str = ""

    def __post_init__(self) -> None:
        self.since, self.until = iso_date("since", self.since), iso_date("until", self.until)

    def allows(self, meta: dict) -> bool:
        if self.statement_ids and meta["statement_id"] not in self.statement_ids:
            return False
        date = meta.get("date_int", 0)
        if (self.since or self.until) and not date:
            return False
        if self.since and date < int(self.since.replace("-", "")):
            return False
        if self.until and date > int(self.until.replace("-", "")):
            return False
        return not self.issuer or meta.get("issuer") == self.issuer

    def mask(self, index: Index) -> np.ndarray:
        """allows() for every part of the index at once."""
        return self.parts(index.metas)

    def parts(self, metas: Metas) -> np.ndarray:
        """allows() for every part at once, on the metadata columns (a Python loop over 100k metadata dicts cost ~0.1 s
        a question)."""
        allowed = np.ones(len(metas), dtype=bool)
        if self.statement_ids:
            allowed &= np.isin(metas.statement, self.statement_ids)
        if self.since or self.until:
            allowed &= metas.date > 0
        if self.since:
            allowed &= metas.date >= int(self.since.replace("-", ""))
        if self.until:
            allowed &= metas.date <= int(self.until.replace("-", ""))
        if self.issuer:
            allowed &= metas.issuer == self.issuer
        return allowed

    def unknown_statements(self, metas: Metas) -> list[str]:
        """The statement ids asked for that the store does not have."""
        known = set(metas.statement_ids)
        return [sid for sid in self.statement_ids if sid not in known]

    def undated_note(self, metas: Metas) -> str:
        """What to say beside a refusal when the date range has left undated statements out (else "")."""
        if not (self.since or self.until):
            return ""
        left_out = Filters(self.statement_ids, issuer=self.issuer).parts(metas) & (metas.date == 0)
        n = len(np.unique(metas.codes[left_out]))
        return f"{n} undated statement(s) left out by the date filter (nothing says they fall within it)" if n else ""


@dataclass
class Hit:
    """One retrieved paragraph with the scores that ranked it and its sentence closest to the question."""

    statement_id: str
    paragraph: int
    score: float
    dense: float
    sentence: float
    lexical: float
    meta: dict
    text: str
    best_sentence: tuple[int, int] = (0, 0)  # (record index, sentence row) of the closest sentence


@dataclass
class Retrieval:
    """What search() found: ranked paragraphs, the question as read (with its translations), and the IDF share of the
    question's words the corpus can read (directly or through a translation)."""

    hits: list[Hit]
    query: Query | None = None
    coverage: float = 0.0
    # The best paragraph of each further statement among the candidates, ranked below the hits: when one statement's
    # paragraphs fill the hits, a question about two documents still sees the other one's best paragraph.
    others: list[Hit] = field(default_factory=list)

    @property
    def translations(self) -> dict[str, list[str]]:
        return self.query.translations if self.query else {}


_RANKERS: dict[Path, Ranker] = {}
# The baseline every measurement is set against: the question's and its best sentence's cosines alone (plus the
# header-question switch, so "when was it adopted?" may still reach the header).
DENSE_ONLY = Ranker({"dense": 1.0, "sentence": 1.0, "metadata": -8.0, "metadata_about": 8.0})


def ranker(index: Index) -> Ranker:
    """The fitted ranker for the index's size (qa/models/large/ from settings.large_store_parts records on)."""
    path = models_for(index) / "ranker.json"
    if path not in _RANKERS:
        _RANKERS[path] = load_ranker(path)
    return _RANKERS[path]


def retrieve(index: Index, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """Top-k paragraphs for a question."""
    return search(index, question, k, filters).hits


def allowed_parts(index: Index, filters: Filters | None, query: Query) -> np.ndarray:
    """Parts that may answer: content parts, and headers and signature blocks for questions about the statement itself
    (who made it, when, where) or asking a date — only them when the question is plainly that; within the filters. Headings, annex
    stamps and editorial notes are context, never answers."""
    filters = filters or Filters()
    allowed = filters.mask(index)
    allowed &= index.answers | (index.metadata_parts if query.reads_metadata else False)
    if query.only_header:
        # in a collection, a body paragraph about some other city or year must not answer "when was the statement made?"
        metadata = allowed & index.metadata_parts
        allowed = metadata if metadata.any() else allowed
    return allowed


def search(index: Index, question: str | Query, k: int = 10, filters: Filters | None = None, model: Ranker | None = None,
           exclude: np.ndarray | None = None) -> Retrieval:
    """Read the question (unless given read), gather and score candidates, merge the parts of long paragraphs.
    `exclude`: records never to return (qa.calibrate hides a question's gold to see the evidence of a near miss)."""
    if not isinstance(question, Query):  # a Query was read from an index answer() has just refreshed
        index.refresh()
    if not index.ids:
        return Retrieval([])
    query = question if isinstance(question, Query) else read_query(index, question)
    allowed = allowed_parts(index, filters, query)
    if exclude is not None:
        allowed &= ~exclude
    if not allowed.any():
        return Retrieval([], query)
    near = None
    if uses_store(index):  # asked now, collected once the question's words are scored
        near = asked(index, [query.vector] + ([query.mixed_vector] if query.mixed_vector is not None else []), allowed, filters)
    found = candidates(index, query, allowed, max(index.settings.fusion_pool, k), near)
    model = model or (DENSE_ONLY if index.settings.dense_only else ranker(index))
    score = model.score(found.names, found.matrix)
    best: dict[tuple[str, int], Hit] = {}
    others: dict[str, Hit] = {}
    complete = False
    for j in np.argsort(-score, kind="stable"):
        i = int(found.rows[j])
        meta = index.metas[i]
        key = (meta["statement_id"], meta["paragraph"])
        hit = best.get(key)
        complete = complete or (hit is None and len(best) == k)
        if complete:  # the hits are set; below them, each further statement's best paragraph
            if len(others) == OTHER_STATEMENTS:
                break
            if key[0] not in others and all(key[0] != h.statement_id for h in best.values()):
                others[key[0]] = _hit(index, found, i, j, score, key)
            continue
        if hit is None:
            best[key] = _hit(index, found, i, j, score, key)
        else:  # another part of a long paragraph: keep the best of its parts
            hit.dense, hit.lexical = max(hit.dense, float(found.dense[i])), max(hit.lexical, float(found.lexical[i]))
            if found.sentence[i] > hit.sentence:
                hit.sentence, hit.best_sentence = float(found.sentence[i]), (i, int(found.best_row[i]))
    return Retrieval(list(best.values()), query, found.coverage, list(others.values()))


OTHER_STATEMENTS = 4  # statements besides the hits' whose best candidate paragraph a retrieval keeps


def _hit(index: Index, found, i: int, j: int, score: np.ndarray, key: tuple[str, int]) -> Hit:
    return Hit(key[0], key[1], float(score[j]), float(found.dense[i]), float(found.sentence[i]), float(found.lexical[i]),
               index.metas[i], index.paragraph_text(*key), (i, int(found.best_row[i])))
