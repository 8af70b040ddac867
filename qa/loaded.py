"""The records an index has loaded, merged with what changed in the store, and kept on disk: the next process reads them
with numpy and asks Chroma only for the statements committed since, instead of paging every vector out of it."""
from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson

from qa import segments
from qa.bm25 import Field
from qa.columns import Facts, Sentences
from qa.metas import Metas
from qa.parallel import Parallel
from qa.rows import appended, taken

log = logging.getLogger(__name__)
FORMAT = 7
# The BM25 fields kept with the records (qa/lexical.py's four, and the dictionary glosses): a process that starts from
# the file grows them by what changed instead of re-reading every part's terms (most of a first load at 100k parts).
FIELDS = ("paragraphs", "prefixes", "sentences", "contexts", "gloss")


SERVED_KEYS = ("revision", "sources", "records", "sentences")


def served_as(manifest: dict) -> tuple:
    """What makes a loaded statement stale when its manifest changes."""
    return tuple(manifest.get(key) for key in SERVED_KEYS)


@dataclass
class Loaded:
    """Committed records and sentences as an index holds them, and each statement's manifest as it was then."""

    served: dict[str, tuple] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    metas: Metas = field(default_factory=Metas.empty)
    docs: list[str] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), np.float32))
    sentences: Sentences = field(default_factory=Sentences.empty)
    sentence_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), np.float32))
    facts: Facts | None = None  # by row: what qa/parts.py read from each record (None: to be read again)
    glossed: bool = True  # whether the gloss field was made with the dictionary
    russian: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # per record: is its text Russian
    fields: dict[str, Field] = field(default_factory=dict)  # BM25 over these records and sentences, in their order
    generation: str = ""  # the vector collections they were read from (ingest/store.py Store.generation)
    # What qa/index.py derives from every vector (each part's and sentence's product with its statement header, the
    # parallel paragraphs): kept, so a process starting from the file reads no vector it is not asked about.
    header_dot: np.ndarray | None = None
    sentence_header_dot: np.ndarray | None = None
    parallel: Parallel | None = None
    token: str = ""  # the store's changes token read before these records were (ingest/store.py Store.changes)

    def manifests(self) -> dict[str, dict]:
        """The manifests as far as what was served tells them (what `served_as` and `version_of` read)."""
        return {sid: dict(zip(SERVED_KEYS, served)) for sid, served in self.served.items()}

    def changed(self, manifests: dict[str, dict]) -> list[str] | None:
        """Statements committed since (new, re-written, or with new sources), or None when most are: then one paged
        read of everything is cheaper than reading them statement by statement."""
        changed = [sid for sid, m in manifests.items() if self.served.get(sid) != served_as(m)]
        return None if len(changed) > len(manifests) // 2 else changed

    def merged(self, manifests: dict[str, dict], changed: list[str], records: dict, sentences: dict) -> tuple[dict, dict, tuple]:
        """The parts of statements still served unchanged, followed by what was just read, as Chroma would give them;
        and which of this one's records and sentences were kept (masks over them)."""
        gone = set(changed) | {sid for sid in self.served if sid not in manifests}
        keep = ~np.isin(self.metas.statement, list(gone)) if gone else np.ones(len(self.ids), dtype=bool)
        rows = np.flatnonzero(keep)
        kept_sentence_table, sentence_mask = self.sentences.kept(keep)
        kept_sentences = np.flatnonzero(sentence_mask)
        dim = self.vectors.shape[1]

        def stacked(old, new: list):
            return appended(old, np.asarray(new, dtype=np.float32).reshape(len(new), dim))

        def kept(values: list, mask: np.ndarray, where: np.ndarray) -> list:
            return list(values) if mask.all() else [values[i] for i in where]  # nothing gone: one copy, no lookups

        russian = {"russian": np.concatenate([self.russian[rows], np.zeros(len(records["ids"]), bool)])} \
            if len(self.russian) == len(self.ids) else {}
        derived = {}
        if self.header_dot is not None and self.sentence_header_dot is not None and self.parallel is not None:
            derived = {"header_dot": self.header_dot[rows], "sentence_header_dot": self.sentence_header_dot[kept_sentences],
                       "parallel": self.parallel.kept(keep)}
        facts = {"facts": self.facts.kept(rows)} if self.facts is not None and len(self.facts) == len(self.ids) else {}
        return ({"ids": kept(self.ids, keep, rows) + records["ids"],
                 "metadatas": (self.metas if keep.all() else self.metas.taken(rows)).then(Metas.of(records["metadatas"])),
                 "documents": kept(self.docs, keep, rows) + records["documents"],
                 "embeddings": stacked(self.vectors if keep.all() else taken(self.vectors, rows), records["embeddings"]),
                 **russian, **derived, **facts, "known": len(rows)},
                {"table": kept_sentence_table, "metadatas": sentences["metadatas"],
                 "embeddings": stacked(self.sentence_vectors if sentence_mask.all() else taken(self.sentence_vectors, kept_sentences),
                                       sentences["embeddings"]), "known": len(kept_sentences)},
                (keep, sentence_mask))


def location(settings) -> Path:
    """Beside the embedded store; for a server, in the model cache under the server's address and collection."""
    if settings.chroma_host:
        name = re.sub(r"[^\w.-]", "_", f"{settings.chroma_host}_{settings.chroma_port}_{settings.collection}")
        return Path(settings.model_cache).parent / "index" / name / "records.npz"
    return Path(settings.persist_dir) / ".qa-index" / f"{settings.collection}.npz"


def load(path: Path, glossed: bool, generation: str = "") -> Loaded | None:
    """The records last kept at `path`, or None (missing, another format, read from collections since remade by a
    reindex, or unreadable: then Chroma is read). Their gloss field is kept only if glossed as this process glosses
    (with the dictionary or without). Its arrays and vectors are mapped, not read: pages come in as they are used."""
    try:
        data = segments.members(path)
        meta = orjson.loads(bytes(data["meta"]))
        if meta.get("format") != FORMAT or meta.get("generation", "") != generation:
            return None
        same_gloss = meta.get("glossed") == glossed
        fields = {name: Field.from_arrays(data, name) for name in FIELDS
                  if f"{name}.rows" in data and (name != "gloss" or same_gloss)}
        facts = Facts.from_arrays(data, meta["names"]) if "facts.has_number" in data else None
        vectors, sentence_vectors = (segments.opened(path, meta["segments"][name], name, data.get(f"{name}.select"))
                                     for name in VECTORS)
        return Loaded({sid: tuple(v) for sid, v in meta["served"].items()}, meta["ids"], Metas.from_arrays(data, meta["metas"]),
                      meta["docs"], vectors, Sentences.from_arrays(data), sentence_vectors, facts, glossed, data["russian"],
                      fields, generation, data["header_dot"], data["sentence_header_dot"], Parallel(data["parallel"]),
                      str(meta.get("token") or ""))
    except FileNotFoundError:
        return None
    except Exception as exc:  # a half-written or foreign file is only a cache: read the store instead
        log.warning("ignoring the index cache %s (%s)", path, exc)
        return None


VECTORS = ("vectors", "sentence_vectors")


def _kept_segments(path: Path) -> set[str]:
    """The segments the file now at `path` names (read alone: a small member of the npz)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {t for tokens in orjson.loads(memoryview(data["segments"])).values() for t in tokens}
    except Exception:  # missing, or written before segments: its vectors are not shared
        return set()


_saving = threading.Lock()


# A kept file a little behind the store only costs the next process a few statements read from Chroma, so every
# process of a busy store does not rewrite it (hundreds of MB at 100k parts) after each change.
MIN_AGE_S = 60.0


def save(path: Path, loaded: Loaded, background: bool = True, adopt: Callable[[dict], None] | None = None) -> None:
    """Keep `loaded` at `path`, replacing the file at once (readers see the old file or the new, never part of one); in
    a background thread unless told otherwise; skipped while another save runs or when the file is under a minute old.
    Once saved, `adopt` gets the vectors as kept ({"vectors": …, "sentence_vectors": …}, mapped from their segments)."""
    def write() -> None:
        if not _saving.acquire(blocking=False):
            return
        try:
            if path.exists() and time.time() - path.stat().st_mtime < MIN_AGE_S:
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            before = _kept_segments(path)
            written = {name: segments.written(path, name, v) for name, v in zip(VECTORS, (loaded.vectors, loaded.sentence_vectors))}
            tokens = {name: t for name, (t, _) in written.items()}
            selects = {f"{name}.select": select for name, (_, select) in written.items() if select is not None}
            names, metas = loaded.metas.arrays()
            meta = {"format": FORMAT, "segments": tokens, "served": loaded.served, "ids": loaded.ids, "metas": names, "docs": loaded.docs,
                    "glossed": loaded.glossed, "generation": loaded.generation, "token": loaded.token,
                    "names": loaded.facts.names if loaded.facts is not None else []}
            blob = np.frombuffer(orjson.dumps(meta), dtype=np.uint8)
            fields = {k: v for name, f in loaded.fields.items() for k, v in f.arrays(name).items()}
            columns = {**loaded.sentences.arrays(), **(loaded.facts.arrays() if loaded.facts is not None else {})}
            segments.atomic(path, lambda f: np.savez(f, meta=blob, russian=loaded.russian, header_dot=loaded.header_dot,
                                             sentence_header_dot=loaded.sentence_header_dot,
                                             parallel=(loaded.parallel or Parallel()).pairs,
                                             segments=np.frombuffer(orjson.dumps(tokens), dtype=np.uint8),
                                             **selects, **columns, **metas, **fields))
            segments.drop_unused(path, VECTORS, before | {t for ts in tokens.values() for t in ts})
            if adopt is not None:
                adopt({name: segments.opened(path, t, name, written[name][1]) for name, t in tokens.items()})
        except Exception as exc:  # a read-only or full disk costs the next process time, not this one its answers
            log.warning("could not keep the index cache at %s (%s)", path, exc)
        finally:
            _saving.release()

    if background:
        thread = threading.Thread(target=write, daemon=True)
        _pending.append(thread)
        thread.start()
    else:
        write()


_pending: list[threading.Thread] = []
atexit.register(lambda: flush())  # a short-lived process (qa ask) still leaves the file for the next one


def flush(timeout: float = 60.0) -> None:
    """Wait for background saves (a process about to exit, or a test that reads the file)."""
    while _pending:
        _pending.pop().join(timeout)
