"""Each part's metadata as columns and JSON lines: the fields an index tests every part on (statement, paragraph, part,
kind, date, issuer, vector digest) as arrays, each statement's shared fields once, and the rest of a part's fields
parsed only when that part is asked for — a 100k-part load builds no dict per part (0.3 s of JSON and 0.5 s of Python
passes, and ~250 MB of objects, before)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import orjson

from ingest.hnsw import DIGEST_KEY
from qa.columns import _joined, digest_column

ARRAYS = ("codes", "paragraph", "part", "kinds", "date", "issuers", "digest", "lines", "ends")


class Metas:
    """Read-only sequence of metadata dicts by row (`metas[i]` is what Chroma holds for part i), with its columns."""

    def __init__(self, shared: dict[str, dict], statements: list[str], codes: np.ndarray, paragraph: np.ndarray,
                 part: np.ndarray, kind_names: list[str], kinds: np.ndarray, date: np.ndarray, issuer_names: list[str],
                 issuers: np.ndarray, digest: np.ndarray, lines: np.ndarray, start: np.ndarray, stop: np.ndarray):
        self.shared, self.statements, self.codes = shared, statements, codes
        self.paragraph, self.part, self.date, self.digest = paragraph, part, date, digest
        self.kind_names, self.kinds, self.issuer_names, self.issuers = kind_names, kinds, issuer_names, issuers
        self.lines, self.start, self.stop = lines, start, stop
        self.statement, self.kind, self.issuer = (np.array(names, dtype=object)[of] if len(of) else np.zeros(0, object)
                                                  for names, of in ((statements, codes), (kind_names, kinds), (issuer_names, issuers)))
        for column in (codes, paragraph, part, kinds, date, issuers, digest, lines, start, stop, self.statement, self.kind, self.issuer):
            column.setflags(write=False)  # shared by snapshots (taken, then): a reload never changes another's columns

    @classmethod
    def empty(cls) -> Metas:
        return cls.of([])

    @classmethod
    def of(cls, metas: list[dict]) -> Metas:
        """From metadata dicts (as Chroma gives them): each statement's fields that all its parts share are kept once."""
        shared: dict[str, dict] = {}
        for m in metas:
            common = shared.get(m["statement_id"])
            if common is None:
                shared[m["statement_id"]] = dict(m)
            else:
                for key in [k for k, v in common.items() if m.get(k, common) != v]:
                    del common[key]
        own = [orjson.dumps({k: v for k, v in m.items() if k == "statement_id" or shared[m["statement_id"]].get(k, m) != v})
               for m in metas]
        lengths = np.array([len(line) for line in own], dtype=np.int64)
        statements = list(shared)
        code_of = {sid: i for i, sid in enumerate(statements)}
        # Stores written before parts had kinds: ¶0 is the header, the rest plain paragraphs.
        kinds = [m.get("kind") or ("header" if m["paragraph"] == 0 else "paragraph") for m in metas]
        kind_names, kind_codes = _coded(kinds)
        issuer_names, issuer_codes = _coded([m.get("issuer", "") for m in metas])
        return cls(shared, statements, np.array([code_of[m["statement_id"]] for m in metas], dtype=np.int32),
                   np.array([m["paragraph"] for m in metas], dtype=np.int64), np.array([m.get("part", 0) for m in metas], dtype=np.int64),
                   kind_names, kind_codes, np.array([int(m.get("date_int") or 0) for m in metas], dtype=np.int64),
                   issuer_names, issuer_codes, digest_column([m.get(DIGEST_KEY) for m in metas]),
                   np.frombuffer(b"".join(own), dtype=np.uint8), *_spans(lengths))

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self[i] for i in range(*key.indices(len(self)))]
        i = int(key)
        own = orjson.loads(memoryview(self.lines[self.start[i]:self.stop[i]]))
        return {**self.shared[own["statement_id"]], **own}

    def __iter__(self) -> Iterator[dict]:
        return (self[i] for i in range(len(self)))

    @property
    def statement_ids(self) -> list[str]:
        """The statements with parts here."""
        return [self.statements[c] for c in np.unique(self.codes).tolist()]

    def header_rows(self) -> np.ndarray:
        """Each part's statement header (¶0, its first part; the part itself in a statement without one)."""
        heads = np.flatnonzero((self.paragraph == 0) & (self.part == 0))
        head = np.full(len(self.statements), -1, dtype=np.int64)
        head[self.codes[heads]] = heads  # the last such part, as a dict by statement kept it
        own = head[self.codes]
        return np.where(own >= 0, own, np.arange(len(self), dtype=np.int64))

    def values(self, key: str, start: int = 0) -> list:
        """One field of every part from row `start` on ("" for those before: a caller that has them already)."""
        return [""] * start + [self[i].get(key, "") for i in range(start, len(self))]  # a dict at a time, not a list of them

    def taken(self, rows: np.ndarray) -> Metas:
        """These rows (ascending numbers), without parsing them: their lines stay in the same buffer. The statements
        left out are forgotten, so that one read again with new shared fields (a new file hash) joins without conflict."""
        shared = {self.statements[c]: self.shared[self.statements[c]] for c in np.unique(self.codes[rows]).tolist()}
        lines, start, stop = self.lines, self.start[rows], self.stop[rows]
        if (stop - start).sum() < len(lines) // 2:  # most of the buffer dropped (by this and earlier reloads): repack
            lines, start, stop = _packed(lines, start, stop)
        return Metas(shared, self.statements, self.codes[rows], self.paragraph[rows], self.part[rows], self.kind_names,
                     self.kinds[rows], self.date[rows], self.issuer_names, self.issuers[rows], self.digest[rows], lines, start, stop)

    def then(self, other: Metas) -> Metas:
        """These parts followed by `other`'s (statements read again come whole, so the two share none; if they do, the
        parts are factored again)."""
        if not len(other):
            return self
        if not len(self):
            return other
        if any(self.shared.get(sid, other.shared[sid]) != other.shared[sid] for sid in other.shared):
            return Metas.of(list(self) + list(other))
        statements = list(dict.fromkeys([*self.statements, *other.statements]))
        code_of = {sid: i for i, sid in enumerate(statements)}
        kind_names, kinds = _recoded(self.kind_names, self.kinds, other.kind_names, other.kinds)
        issuer_names, issuers = _recoded(self.issuer_names, self.issuers, other.issuer_names, other.issuers)
        recode = np.array([code_of[sid] for sid in other.statements], dtype=np.int32)
        return Metas({**self.shared, **other.shared}, statements,
                     np.concatenate([self.codes, recode[other.codes] if len(recode) else other.codes]),
                     np.concatenate([self.paragraph, other.paragraph]), np.concatenate([self.part, other.part]), kind_names, kinds,
                     np.concatenate([self.date, other.date]), issuer_names, issuers, _joined(self.digest, other.digest),
                     np.concatenate([self.lines, other.lines]), np.concatenate([self.start, other.start + len(self.lines)]),
                     np.concatenate([self.stop, other.stop + len(self.lines)]))

    def arrays(self) -> tuple[dict, dict[str, np.ndarray]]:
        """What a kept file holds (qa/loaded.py): the names and shared fields (JSON), and the columns under `metas.*`
        with the lines packed (rows dropped since the last load no longer in the buffer)."""
        used = list(dict.fromkeys(self.statement.tolist()))
        code_of = {sid: i for i, sid in enumerate(used)}
        lines = _packed(self.lines, self.start, self.stop)[0]
        columns = {"codes": np.array([code_of[s] for s in self.statement.tolist()], dtype=np.int32), "paragraph": self.paragraph,
                   "part": self.part, "kinds": self.kinds, "date": self.date, "issuers": self.issuers, "digest": self.digest,
                   "lines": lines, "ends": self.stop - self.start}
        names = {"shared": {sid: self.shared[sid] for sid in used}, "statements": used, "kinds": self.kind_names,
                 "issuers": self.issuer_names}
        return names, {f"metas.{k}": v for k, v in columns.items()}

    @classmethod
    def from_arrays(cls, data, names: dict) -> Metas:
        columns = {k: data[f"metas.{k}"] for k in ARRAYS}
        return cls(names["shared"], names["statements"], columns["codes"], columns["paragraph"], columns["part"],
                   names["kinds"], columns["kinds"], columns["date"], names["issuers"], columns["issuers"], columns["digest"],
                   columns["lines"], *_spans(columns["ends"]))


class ParagraphRows(Mapping):
    """(statement, paragraph) → its part rows in order, from the columns (a dict of 100k keys took a load 0.15 s)."""

    def __init__(self, metas: Metas):
        self._code_of = {sid: i for i, sid in enumerate(metas.statements)}
        self._order = np.lexsort((metas.part, metas.paragraph, metas.codes))
        self._keys = (metas.codes.astype(np.int64) << 32 | metas.paragraph)[self._order]
        self._statements = metas.statements

    def _span(self, key: tuple[str, int]) -> tuple[int, int]:
        code = self._code_of.get(key[0])
        if code is None or not isinstance(key[1], (int, np.integer)) or not 0 <= key[1] < 2**32:
            return 0, 0
        k = code << 32 | int(key[1])
        return int(np.searchsorted(self._keys, k)), int(np.searchsorted(self._keys, k, side="right"))

    def __getitem__(self, key: tuple[str, int]) -> list[int]:
        a, b = self._span(key)
        if a == b:
            raise KeyError(key)
        return self._order[a:b].tolist()

    def __contains__(self, key) -> bool:
        a, b = self._span(key)
        return a < b

    def __iter__(self) -> Iterator[tuple[str, int]]:
        for k in np.unique(self._keys).tolist():
            yield self._statements[k >> 32], k & 0xFFFFFFFF

    def __len__(self) -> int:
        return len(np.unique(self._keys))

    def _statement_span(self, statement_id: str) -> tuple[int, int]:
        code = self._code_of.get(statement_id)
        return (0, 0) if code is None else tuple(np.searchsorted(self._keys, [code << 32, (code + 1) << 32]).tolist())

    def of_statement(self, statement_id: str) -> list[tuple[str, int]]:
        """The statement's (statement, paragraph) keys, in paragraph order."""
        a, b = self._statement_span(statement_id)
        return [(statement_id, k & 0xFFFFFFFF) for k in np.unique(self._keys[a:b]).tolist()]

    def statement_rows(self, statement_id: str) -> np.ndarray:
        """The statement's part rows, in paragraph and part order."""
        a, b = self._statement_span(statement_id)
        return self._order[a:b]


def _packed(lines: np.ndarray, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lines these spans select, one after another, and their new spans."""
    packed = b"".join(bytes(lines[a:b]) for a, b in zip(start.tolist(), stop.tolist()))
    return np.frombuffer(packed, dtype=np.uint8), *_spans(stop - start)


def _spans(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop of lines of these lengths laid one after another."""
    stop = np.cumsum(lengths, dtype=np.int64)
    return stop - lengths, stop


def _coded(values: list[str]) -> tuple[list[str], np.ndarray]:
    names = list(dict.fromkeys(values))
    code_of = {v: i for i, v in enumerate(names)}
    return names, np.array([code_of[v] for v in values], dtype=np.int32)


def _recoded(names: list[str], codes: np.ndarray, other_names: list[str], other_codes: np.ndarray) -> tuple[list[str], np.ndarray]:
    merged = list(dict.fromkeys([*names, *other_names]))
    code_of = {v: i for i, v in enumerate(merged)}
    recode = np.array([code_of[v] for v in other_names], dtype=np.int32)
    return merged, np.concatenate([codes, recode[other_codes] if len(recode) else other_codes.astype(np.int32)])

