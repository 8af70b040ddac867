"""The in-process index: paragraph and sentence vectors, texts and BM25, loaded once from Chroma and refreshed on change."""
from __future__ import annotations

import logging
import re
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np

from ingest.embedder import Embedder
from ingest.records import ANSWER_KINDS, METADATA_KINDS
from ingest.store import Store, StoreUnavailable, committed, unavailable, version_of
from ingest.terms import is_russian, terms
from qa import loaded
from qa.bm25 import Field
from qa.columns import Facts, Sentences
from qa.dictionary import load_dictionary, reverse_cache
from qa.lexical import LexicalIndex
from qa.loaded import Loaded, served_as
from qa.metas import Metas, ParagraphRows
from qa.names import NameIndex
from qa.parallel import align
from qa.parts import facts
from qa.places import keep_in as keep_places_in
from qa.rows import Rows, rowwise_dot, taken

log = logging.getLogger(__name__)


class Index:
    """Everything retrieval reads, kept in memory; reloaded only when the store's version changes."""

    def __init__(self, store: Store, embedder: Embedder, settings):
        from threadpoolctl import threadpool_limits

        # Query-time matrix products are small; a spinning multi-threaded BLAS pool steals the two cores from the
        # embedder's OpenMP threads and doubles question latency (measured: 102 → 37 ms p50, bench/query_latency.py).
        threadpool_limits(limits=1, user_api="blas")
        self.store, self.embedder, self.settings = store, embedder, settings
        self._lock = threading.Lock()
        self._query_cache: dict[str, np.ndarray] = {}
        self._cache_lock = threading.Lock()
        self.version: str | None = None
        self._checked, self._writes = float("-inf"), -1
        self.unreachable = ""  # why the store could not be read at the last check ("" when it could)
        self._served: dict[str, tuple] = {}  # statement id → what its manifest said when it was loaded
        self._generation: str | None = None  # the vector collections loaded from (ingest/store.py Store.generation)
        self._token: str | None = None  # the store's changes token when last read (ingest/store.py Store.changes)
        self._snapshot = self
        self._load({"ids": [], "metadatas": [], "documents": [], "embeddings": []},
                   {"ids": [], "metadatas": [], "embeddings": []})

    def snapshot(self) -> Index:
        """The index as last loaded, never changed afterwards: an answer reads everything from one snapshot, so a reload
        by another thread mid-answer cannot mix two versions of the store."""
        return self._snapshot

    def refresh(self, force: bool = False) -> None:
        """Reload when the store's committed contents changed — checked at most every `refresh_seconds`, at once after a
        write from this process. If the store cannot be read, an index that has something keeps answering from memory
        (`unreachable` says why) and tries again at the next check; an empty one raises StoreUnavailable."""
        if not force and self._fresh():
            return
        # A periodic check (something is loaded, this process wrote nothing since) runs beside the question, which
        # answers from the loaded snapshot: at 100k parts reading the manifests alone took a question 0.2-0.3 s once a
        # second. QA_REFRESH_SECONDS=0 (check before every question) keeps the check in the question.
        wait = force or not self.ids or self.store.writes != self._writes
        if not wait and self.settings.refresh_seconds > 0:
            if self._lock.acquire(blocking=False):  # else another thread is checking or reloading already
                self._checked = time.monotonic()
                # not a daemon, for the same reason as the ONNX session's (ingest/onnx_encoder.py): Chroma reads natively
                threading.Thread(target=self._check, args=(False, False), name="index-refresh").start()
            return
        if not self._lock.acquire(blocking=wait):
            return
        self._check(force)

    def _check(self, force: bool, unless_fresh: bool = True) -> None:
        """Reload if the store changed; called holding the lock, which it releases."""
        try:
            if unless_fresh and not force and self._fresh():  # another thread checked while this one waited
                return
            self._checked, self._writes = time.monotonic(), self.store.writes
            try:
                self._reload(force)
                self.unreachable = ""
            except Exception as exc:
                self.unreachable = exc.args[0] if isinstance(exc, StoreUnavailable) else unavailable(self.store.settings, exc)
                if not self.ids:
                    raise StoreUnavailable(self.unreachable) from exc
                log.warning("serving the loaded index: %s", self.unreachable)
        finally:
            self._lock.release()

    def _fresh(self) -> bool:
        return self.store.writes == self._writes and time.monotonic() - self._checked < self.settings.refresh_seconds

    def _reload(self, force: bool) -> None:
        warming = bool(self._served)
        for attempt in range(3):
            try:
                generation = self.store.generation()
                if self._generation is not None and generation != self._generation:
                    self.store.connect()  # a reindex remade the collections: their handles, centers and records
                    force = True
                # read before the manifests: a commit between the two reads leaves a newer token, so a later check reloads
                token = None if self.store.legacy else self.store.changes()
                if token is not None and token == self._token and generation == self._generation and not force:
                    return  # nothing committed, replaced or removed since the last read
                base = self._base(force, generation)
                if token is not None and base.token == token and base.generation == generation and base.served:
                    manifests = base.manifests()  # a first load from a kept file the store has not changed since
                else:
                    manifests = None if self.store.legacy else self.store.manifests()
                if not warming and manifests:  # a first load: Chroma reads its HNSW indexes beside it
                    from qa.stage_one import warm

                    warm(self, sum(int(m.get("records", 0)) for m in manifests.values()))
                    warming = True
                version = self.store.version if manifests is None else version_of(manifests)
                if version == self.version and not force:
                    self._token = token
                    return
                changed = None if force or manifests is None else base.changed(manifests)
                records, sentences, incomplete = committed(self.store, manifests, changed)
            except Exception:
                if attempt == 2:
                    raise
                # A stale embedded client (another process wrote) or a server that came back: reopen and try again.
                self.store.connect()
                continue
            if incomplete and attempt < 2:  # a writer committed between our reads: read again
                continue
            kept = None
            if changed is not None:
                records, sentences, kept = base.merged(manifests, changed, records, sentences)
            fresh = object.__new__(Index)
            fresh.__dict__.update(self.__dict__)  # store, embedder, settings, lock and query cache are shared
            if base.ids is not self.ids and base.fields.get("paragraphs") is not None:
                # a file another process kept: the BM25 fields kept with it grow by what changed, as this index's own do
                fresh.lexical, fresh.gloss = LexicalIndex.from_fields(base.fields), base.fields.get("gloss")
            elif base.ids is not self.ids:
                kept = None
            fresh._load(records, sentences, kept)
            fresh.version = version if not incomplete else None
            fresh._token = token if not incomplete else None
            fresh._generation = generation
            fresh._served = {} if manifests is None else {sid: served_as(m) for sid, m in manifests.items() if sid not in incomplete}
            fresh._snapshot = fresh
            self.__dict__.update(fresh.__dict__)  # one C-level update: readers of the live index see old or new
            stale_token = self._token is not None and base.token != self._token  # the next process would read manifests
            if manifests is not None and (changed is None or changed or set(base.served) != set(self._served) or stale_token):
                saved = self._loaded()  # for the next process to start from
                loaded.save(loaded.location(self.settings), saved, adopt=partial(self._adopt, saved))
            log.info("index loaded: %d paragraph records, %d sentences%s%s", len(self.ids), len(self.sentence_owner),
                     "" if changed is None else f" ({len(changed)} statement(s) read from the store, the rest kept)",
                     f" ({len(incomplete)} statement(s) skipped while being written)" if incomplete else "")
            return

    def _adopt(self, saved: Loaded, mapped: dict) -> None:
        """Serve the vectors just kept from their segments — pages shared with other processes, and named again rather
        than written again by the next save — instead of from this process's memory (after a read of every record:
        390 MB at 100k parts, rewritten at each save); unless a reload has replaced them since."""
        if not self._lock.acquire(timeout=30):  # a reload that long saves (and adopts) again
            return
        try:
            for index in {id(self): self, id(self._snapshot): self._snapshot}.values():
                for name in ("vectors", "sentence_vectors"):
                    if getattr(index, name) is getattr(saved, name):
                        setattr(index, name, mapped[name])  # the same values: an answer reading both is unaffected
        finally:
            self._lock.release()

    def _loaded(self) -> Loaded:
        lexical, gloss = getattr(self, "lexical", None), getattr(self, "gloss", None)
        fields = {**(lexical.fields() if lexical is not None else {}), **({"gloss": gloss} if gloss is not None else {})}
        return Loaded(self._served, self.ids, self.metas, self.docs, self.vectors, self.sentences, self.sentence_vectors,
                      getattr(self, "facts", None), self._glossed, getattr(self, "russian", np.zeros(0, bool)), fields,
                      self._generation or "", self.header_dot, self.sentence_header_dot, self.parallel, self._token or "")

    def _base(self, force: bool, generation: str) -> Loaded:
        """What a reload starts from: what this index holds, or — on a process's first load — the records the last
        process kept on disk (qa/loaded.py) from the same collections; only statements committed since are then read."""
        if self._served or force or self.store.legacy:
            return self._loaded()
        return loaded.load(loaded.location(self.settings), self._glossed, generation) or self._loaded()

    @property
    def _glossed(self) -> bool:
        return bool(self.settings.expand_queries and self.settings.dictionary and Path(self.settings.dictionary).exists())

    def _load(self, data: dict, sentences: dict, kept: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Everything retrieval reads, from committed records and sentences. With `kept` (which of the loaded records and
        sentences lead the new ones, unchanged), the BM25 fields are grown from the loaded ones, not rebuilt."""
        grow_from = (getattr(self, "lexical", None), getattr(self, "gloss", None)) if kept is not None else (None, None)
        metas = data.pop("metadatas")  # the caller's dicts go once read into columns (300 MB at 100k parts)
        self.ids, self.docs = data["ids"], data["documents"]
        self.metas = metas if isinstance(metas, Metas) else Metas.of(metas)
        del metas
        self._terms_of: dict[str, set[str]] = {}
        self._text_of: dict[str, str] = {}
        dim = 384
        vectors = data["embeddings"]
        # rows mapped from a kept file (and those read since) stay where they are: qa/rows.py
        self.vectors = vectors if isinstance(vectors, Rows) else \
            np.asarray(vectors, dtype=np.float32).reshape(len(self.ids), -1) if self.ids else np.zeros((0, dim), np.float32)
        position = {rid: i for i, rid in enumerate(self.ids)}
        # sentences kept from the last load come as columns (qa/columns.py), those just read as Chroma's metadata
        kept_sentences = sentences.get("table", Sentences.empty())
        new_sentences, read = Sentences.of(sentences["metadatas"], position)
        sentence_metas = [sentences["metadatas"][i] for i in read]
        keep = list(range(len(kept_sentences))) + [len(kept_sentences) + i for i in read]  # rows of the vectors given
        self.sentences = kept_sentences.then(new_sentences)
        self.sentence_owner = self.sentences.owner
        self.row_of = position
        # Each part's sentence rows (CSR over sentence_owner): what stage two reads of a candidate found in the store.
        self._sentence_order = np.argsort(self.sentence_owner, kind="stable")
        self._sentence_start = np.searchsorted(self.sentence_owner[self._sentence_order], np.arange(len(self.ids) + 1))
        vectors = sentences["embeddings"] if isinstance(sentences["embeddings"], Rows) \
            else np.asarray(sentences["embeddings"], dtype=np.float32)
        # all kept (the usual case) leaves a kept file's mapped vectors mapped: an index never copies what it only reads
        self.sentence_vectors = (vectors if len(keep) == len(vectors) else taken(vectors, keep)) if keep \
            else np.zeros((0, self.vectors.shape[1]), np.float32)
        # the language of records kept from the last load is known (Loaded.merged puts them first); only new ones are read
        known = int(data.get("known", 0)) if "russian" in data else 0
        self.russian = np.concatenate([np.asarray(data["russian"][:known] if known else [], dtype=bool),
                                       np.array([is_russian(d) for d in self.docs[known:]], dtype=bool)])
        # Columns the filters test (qa.retrieve.Filters.mask), so a question never loops over every part's metadata.
        self.statement_of, self.date_of, self.issuer_of = self.metas.statement, self.metas.date, self.metas.issuer
        self.kinds = self.metas.kind
        self.answers = np.isin(self.kinds, list(ANSWER_KINDS))
        self.metadata_parts = np.isin(self.kinds, list(METADATA_KINDS))
        # Each record's statement header (¶0): its vector stands for the whole statement (title, issuer, date, place).
        self.header_of = self.metas.header_rows()
        # Each statement's header and signature rows, grouped by header row: what a question about the statement reads.
        metadata = np.flatnonzero(self.metadata_parts)
        order = np.argsort(self.header_of[metadata], kind="stable")
        self._metadata_rows, self._metadata_owner = metadata[order], self.header_of[metadata][order]
        # What is derived from every vector is kept from the last load for the rows it had (Loaded.merged puts them
        # first), and computed for the new rows only.
        known, known_sentences = (int(data["known"]), int(sentences["known"])) if "header_dot" in data else (0, 0)
        # Paragraphs that match across parallel statements (a translation, a copy in a compendium): qa/parallel.py.
        self.parallel = align(self.vectors, self.statement_of.tolist(), self.answers, self.russian,
                              data.get("parallel"), known)
        # How close each part (and sentence) is to its own header: what a question's document-naming part explains.
        self.header_dot = np.concatenate([data["header_dot"][:known] if known else np.zeros(0, np.float32),
                                          rowwise_dot(self.vectors[known:], self.vectors[self.header_of[known:]])])
        self.sentence_header_dot = np.concatenate([
            data["sentence_header_dot"][:known_sentences] if known_sentences else np.zeros(0, np.float32),
            rowwise_dot(self.sentence_vectors[known_sentences:], self.vectors[self.header_of[self.sentence_owner[known_sentences:]]])])
        self.by_paragraph = ParagraphRows(self.metas)
        self.lexical = None
        self.gloss = None
        self.dictionary = load_dictionary(self.settings.dictionary) if self.settings.expand_queries else None
        keep_places_in(Path(self.settings.model_cache))  # now, not on the first question that names a place
        self.reverse_cache = reverse_cache(self.settings)
        if self.dictionary is not None and self.ids:
            self.dictionary.load_tables(self.reverse_cache)
        # What each part can answer, kept for the rows loaded before and read for the rest — for all of them when the
        # gloss field is built anew (no field to grow: its glosses come with the facts).
        known_facts = data.get("facts") if self.dictionary is None or grow_from[1] is not None else None
        start = len(known_facts) if known_facts is not None else 0
        parts = [facts(m, d, bool(ru), self.dictionary, self.reverse_cache)
                 for m, d, ru in zip(map(self.metas.__getitem__, range(start, len(self.ids))), self.docs[start:], self.russian[start:])]
        self.facts = Facts.of(parts) if known_facts is None else known_facts.then(Facts.of(parts))
        # What kind of answer each part can give: a figure, a date, a person («Хлопонина Александра Геннадьевича»).
        self.has_number, self.has_date, self.has_person = self.facts.has_number, self.facts.has_date, self.facts.has_person
        self.names = NameIndex.kept(self.facts.words(), Path(self.settings.model_cache)) if self.ids else None
        if self.ids:
            safe_name = re.sub(r"[^\w.-]", "_", self.embedder.name)
            cache = Path(self.settings.model_cache) / f"terms-{safe_name}.npz"
            expander = self.embedder if self.settings.expand_queries else None
            old_lexical, old_gloss = grow_from
            if self.dictionary is not None:
                self.gloss = (old_gloss.updated(kept[0], [list(f.gloss) for f in parts[int(kept[0].sum()) - start:]])
                              if old_gloss is not None else Field([list(f.gloss) for f in parts]))
            grown = int(kept[1].sum()) if old_lexical is not None else 0  # the kept sentences' terms are in the field
            read_from = int(kept[0].sum()) if old_lexical is not None else 0  # the kept parts' terms are in the fields
            header_rows = np.flatnonzero(self.metas.paragraph == 0)
            self.lexical = LexicalIndex.build(self.metas.values("terms", read_from), self.sentences.terms(self.docs, sentence_metas, grown),
                                              self.sentence_owner, expander, cache,
                                              self.metas.values("context_terms", read_from if old_lexical and old_lexical.contexts is not None else 0),
                                              self.statement_of.tolist(),
                                              {self.statement_of[i]: self.metas[i].get("terms", "") for i in header_rows},
                                              (old_lexical, *kept) if old_lexical is not None else None)

    def metadata_of(self, rows: np.ndarray) -> np.ndarray:
        """The header and signature rows of these parts' statements."""
        headers = np.unique(self.header_of[rows])
        start = np.searchsorted(self._metadata_owner, headers, "left")
        stop = np.searchsorted(self._metadata_owner, headers, "right")
        if not (stop - start).sum():
            return np.zeros(0, np.int64)
        return np.concatenate([self._metadata_rows[a:b] for a, b in zip(start, stop)])

    def sentences_of(self, rows: np.ndarray) -> np.ndarray:
        """The sentence rows of these parts."""
        start, stop = self._sentence_start[rows], self._sentence_start[rows + 1]
        if not len(rows) or not (stop - start).sum():
            return np.zeros(0, np.int64)
        lengths = stop - start
        return self._sentence_order[np.repeat(start - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())]

    def gloss_scores(self, question: str) -> np.ndarray:
        """BM25 of the question's own terms against each part's glosses in the other language."""
        if self.gloss is None:
            return np.zeros(len(self.ids), np.float32)
        return self.gloss.group_scores([[t] for t in dict.fromkeys(terms(question))])

    def query_vectors(self, texts: list[str]) -> np.ndarray:
        """Query embeddings, remembered per text: answer() reuses retrieve()'s, and query words repeat across questions."""
        # The app's answer workers call this at once: the dict is read and changed under a lock (one thread clearing
        # it between another's update and lookup raised KeyError), the model runs outside it.
        with self._cache_lock:
            known = {t: self._query_cache[t] for t in texts if t in self._query_cache}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.embedder.encode_queries(missing)))
            with self._cache_lock:
                if len(self._query_cache) > 5000:
                    self._query_cache.clear()
                self._query_cache.update((t, known[t]) for t in missing)
        return np.stack([known[t] for t in texts])

    def paragraph_text(self, statement_id: str, paragraph: int) -> str:
        """A paragraph's full text, re-joined from its parts."""
        return " ".join(self.docs[i] for i in self.by_paragraph.get((statement_id, paragraph), []))

    def statement_terms(self, statement_id: str) -> set[str]:
        """Every BM25 term of one statement: the ones kept at ingest (computed here for stores older than that)."""
        if statement_id not in self._terms_of:
            rows = self.by_paragraph.statement_rows(statement_id).tolist()
            self._terms_of[statement_id] = {t for i in rows for t in (self.metas[i].get("terms") or " ".join(terms(self.docs[i]))).split()}
        return self._terms_of[statement_id]

    def statement_text(self, statement_id: str) -> str:
        """All of one statement's text and its date, as one string (what near-miss checks search)."""
        if statement_id not in self._text_of:
            meta, paragraphs = self.statement(statement_id)
            self._text_of[statement_id] = " ".join(t for _, _, t in paragraphs) + " " + meta.get("date", "")
        return self._text_of[statement_id]

    def statement(self, statement_id: str) -> tuple[dict, list[tuple[int, str, str]]]:
        """Header metadata and every (n, label, text) paragraph of one statement, in order."""
        keys = self.by_paragraph.of_statement(statement_id)
        if not keys:
            raise KeyError(statement_id)
        first = self.metas[self.by_paragraph[keys[0]][0]]
        return first, [(n, self.metas[self.by_paragraph[(sid, n)][0]].get("label", ""), self.paragraph_text(sid, n))
                       for sid, n in keys]
