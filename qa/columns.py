"""Each sentence's part row, span and vector digest, and each part's facts, as columns by row: what an index reads of
every sentence and part without a Python object for each (153k sentence dicts and 100k facts cost a 100k-part load ~1 s)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.hnsw import DIGEST_KEY
from ingest.terms import terms
from qa.parts import PartFacts


def digest_column(values: list) -> np.ndarray:
    """Vector digests as fixed-width bytes (b"" where a record has none: written before digests were kept)."""
    return np.array([(v or "").encode() for v in values], dtype="S") if values else np.zeros(0, "S1")


def _joined(first: np.ndarray, then: np.ndarray) -> np.ndarray:
    return np.concatenate([first.astype(np.result_type(first, then)), then.astype(np.result_type(first, then))])


@dataclass
class Sentences:
    """Sentences as columns: the part row each is in, its span in that part's text, its vector's digest."""

    owner: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    digest: np.ndarray

    @classmethod
    def empty(cls) -> Sentences:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, "S1"))

    @classmethod
    def of(cls, metas: list[dict], row_of: dict[str, int]) -> tuple[Sentences, list[int]]:
        """The sentences (metadata as Chroma gives it) of loaded parts, and which of `metas` they are."""
        keep = [i for i, m in enumerate(metas) if m.get("chunk_id") in row_of]
        return cls(np.array([row_of[metas[i]["chunk_id"]] for i in keep], dtype=np.int64),
                   np.array([metas[i]["start"] for i in keep], dtype=np.int64),
                   np.array([metas[i]["stop"] for i in keep], dtype=np.int64),
                   digest_column([metas[i].get(DIGEST_KEY) for i in keep])), keep

    def __len__(self) -> int:
        return len(self.owner)

    def then(self, other: Sentences) -> Sentences:
        return Sentences(*(_joined(a, b) for a, b in zip(self.columns(), other.columns())))

    def kept(self, parts: np.ndarray) -> tuple[Sentences, np.ndarray]:
        """The sentences of the parts `parts` (a mask over part rows) keeps, their owners renumbered as those parts will
        be (kept ones first, in order); and the mask over these sentences."""
        mask = parts[self.owner] if len(self.owner) else np.zeros(0, bool)
        renumber = np.cumsum(parts) - 1
        return Sentences(renumber[self.owner[mask]], self.start[mask], self.stop[mask], self.digest[mask]), mask

    def terms(self, docs: list[str], new: list[dict], kept: int = 0) -> list[str]:
        """Each sentence's BM25 terms, the last `new` (metadata just read from the store) being those sentences. The
        first `kept` are not read (a field grown from the last load has them; the kept file does not keep them twice).
        Others loaded before, and those of stores written before sentence terms were kept at ingest, are read again."""
        before = len(self) - len(new) - kept
        spans = list(zip(self.owner[kept:].tolist(), self.start[kept:].tolist(), self.stop[kept:].tolist()))
        own = [" ".join(terms(docs[o][a:b])) for o, a, b in spans[:before]]
        return [""] * kept + own + [m["terms"] if "terms" in m else " ".join(terms(docs[o][a:b]))
                                    for m, (o, a, b) in zip(new, spans[before:])]

    def columns(self) -> tuple[np.ndarray, ...]:
        return self.owner, self.start, self.stop, self.digest

    def arrays(self) -> dict[str, np.ndarray]:
        return {f"sentences.{name}": column for name, column in zip(("owner", "start", "stop", "digest"), self.columns())}

    @classmethod
    def from_arrays(cls, data) -> Sentences:
        return cls(*(data[f"sentences.{name}"] for name in ("owner", "start", "stop", "digest")))


FLAGS = ("has_number", "has_date", "has_person")


@dataclass
class Facts:
    """What each part can answer (a figure, a date, a person) and its name-like words (space-joined), by row."""

    has_number: np.ndarray
    has_date: np.ndarray
    has_person: np.ndarray
    names: list[str]

    @classmethod
    def of(cls, parts: list[PartFacts]) -> Facts:
        return cls(*(np.array([getattr(f, flag) for f in parts], dtype=bool) for flag in FLAGS), [" ".join(f.names) for f in parts])

    def __len__(self) -> int:
        return len(self.names)

    def flags(self) -> list[np.ndarray]:
        return [getattr(self, flag) for flag in FLAGS]

    def then(self, other: Facts) -> Facts:
        return Facts(*(np.concatenate([a, b]) for a, b in zip(self.flags(), other.flags())), self.names + other.names)

    def kept(self, rows: np.ndarray) -> Facts:
        return Facts(*(flag[rows] for flag in self.flags()), [self.names[i] for i in rows])

    def words(self) -> set[str]:
        """Every part's name-like words (what qa/names.py indexes)."""
        return set(" ".join(self.names).split())

    def arrays(self) -> dict[str, np.ndarray]:
        return {f"facts.{flag}": values for flag, values in zip(FLAGS, self.flags())}

    @classmethod
    def from_arrays(cls, data, names: list[str]) -> Facts:
        return cls(*(data[f"facts.{flag}"] for flag in FLAGS), names)
