"""Chroma access (embedded or a `chroma run` server): paragraph and sentence records, and the manifest that commits them."""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ingest import hnsw
from ingest.faults import fault

log = logging.getLogger(__name__)
PAGE = 5000  # records per get(): one get() of everything fails above Chroma's 32,766 SQL variables
WRITE_PAGE = 1000
STATEMENT_PAGE = 500  # statement ids in one `$in` filter (each is an SQL variable)
LEGACY_KEY = "qa_legacy"
# The manifest's one record that is not a statement (ids come from file names, which hold no "/"): a token that every
# commit, removal and the end of legacy replaces, so a reader learns that nothing changed from one record, not from
# every statement's manifest (2,595 of them at 100k parts: 0.2-0.7 s).
CHANGES_ID = "/changes"


class StoreUnavailable(RuntimeError):
    """The store cannot be reached (a `chroma run` server down) or opened; the message is one line with a hint."""


@dataclass
class Store:
    """Paragraph records, a sibling collection of their sentences, and a manifest with one record per complete statement.

    A statement is served only once its manifest record exists, and only with the records that carry the manifest's
    content hash: the manifest record is written last, in one upsert, so a statement is complete or absent for readers
    in any process, whatever point a writer was killed at."""

    settings: Any
    client: Any = None
    collection: Any = None
    sentences: Any = None
    manifest: Any = None
    writes: int = 0  # this process's own commits: an index in the same process re-checks at once after one
    legacy: bool = False  # written before manifests: every record is served, as it was then
    centers: tuple = (None, None)  # what the paragraph and sentence vectors are stored shifted by (ingest/hnsw.py)
    distinct: tuple = (None, None)  # their distinct vectors, each once under its digest (ingest/hnsw.py)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def connect(self) -> Store:
        """(Re)open the client and collections. Reopening drops an embedded client's in-memory vector index, which goes
        stale ("Error finding id") when another process writes to the same folder."""
        from ingest.chroma_import import import_chromadb

        chromadb = import_chromadb()
        from chromadb.config import Settings as ChromaSettings

        from ingest.reindex import recover

        s = self.settings
        with self._lock:
            try:
                chroma_settings = ChromaSettings(anonymized_telemetry=False)
                if s.chroma_host:
                    self.client = chromadb.HttpClient(host=s.chroma_host, port=s.chroma_port, settings=chroma_settings)
                else:
                    self._release_embedded()
                    s.persist_dir.mkdir(parents=True, exist_ok=True)
                    self.client = chromadb.PersistentClient(path=str(s.persist_dir), settings=chroma_settings)
                names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
                vectors = (s.collection, f"{s.collection}__sentences")
                for name in vectors:
                    recover(self.client, name, names)
                    recover(self.client, name + hnsw.DISTINCT, names)
                self.collection, self.sentences = (hnsw.open_collection(self.client, s, name, names, hnsw.metadata(None))
                                                   for name in vectors)
                self.centers = (hnsw.center_of(self.collection), hnsw.center_of(self.sentences))
                # complete if made before any record was written (else `python -m ingest reindex` fills it); counted only
                # then, as count() makes embedded Chroma load the collection's whole HNSW index (0.55 GB at 100k parts)
                self.distinct = tuple(
                    hnsw.open_collection(self.client, s, name + hnsw.DISTINCT, names, {
                        **hnsw.metadata(center),
                        hnsw.COMPLETE_KEY: int(name + hnsw.DISTINCT in names or collection.count() == 0)})
                    for name, collection, center in zip(vectors, (self.collection, self.sentences), self.centers))
                manifest_name = f"{s.collection}__manifest"
                if manifest_name not in names:
                    legacy = self.collection.count() > 0
                    self.client.get_or_create_collection(manifest_name, embedding_function=None, metadata={LEGACY_KEY: int(legacy)})
                self.manifest = self.client.get_collection(manifest_name, embedding_function=None)
                self.legacy = bool((self.manifest.metadata or {}).get(LEGACY_KEY, 0))
            except Exception as exc:
                raise StoreUnavailable(unavailable(s, exc)) from exc
        return self

    def _release_embedded(self) -> None:
        from chromadb.api.shared_system_client import SharedSystemClient

        if self.client is None:
            return
        system = SharedSystemClient._identifier_to_system.pop(str(self.settings.persist_dir), None)
        SharedSystemClient._identifier_to_refcount.pop(str(self.settings.persist_dir), None)
        if system is not None:
            try:
                system.stop()
            except Exception:  # a system that is already broken is being replaced anyway
                log.debug("stopping the old Chroma system failed", exc_info=True)

    def reachable(self) -> bool:
        try:
            self.client.heartbeat()
            return True
        except Exception:
            return False

    def records(self, where: dict | None = None, include_embeddings: bool = False) -> dict:
        return _paged(self.collection, where, include_embeddings, center=self.centers[0])

    def ids(self, where: dict, sentences: bool = False) -> list[str]:
        """Record (or sentence) ids only: what counting, sweeping and deleting need, without texts or metadata."""
        return _paged(self.sentences if sentences else self.collection, where, False, include=[])["ids"]

    def statement_records(self, statement_id: str) -> dict:
        return self.records({"statement_id": statement_id})

    def sentence_records(self, where: dict | None = None, include_embeddings: bool = False) -> dict:
        return _paged(self.sentences, where, include_embeddings, center=self.centers[1])

    def upsert(self, ids: list[str], embeddings, documents: list[str], metadatas: list[dict],
               embedded: list[str] | None = None) -> None:
        """Paragraph records; `embedded` is the text each vector was made from (identical texts share a digest)."""
        self._upsert_vectors(0, ids, embeddings, documents, metadatas, embedded)

    def upsert_sentences(self, ids: list[str], embeddings, documents: list[str], metadatas: list[dict],
                         embedded: list[str] | None = None) -> None:
        self._upsert_vectors(1, ids, embeddings, documents, metadatas, embedded)

    def _upsert_vectors(self, which: int, ids: list[str], embeddings, documents: list[str], metadatas: list[dict],
                        embedded: list[str] | None) -> None:
        """Records with their vector's digest, after the distinct vectors they add (a crash in between leaves a distinct
        vector no record has, which stage one skips, never a record stage one cannot reach)."""
        if not ids:
            return
        vectors = np.asarray(embeddings, dtype=np.float32).reshape(len(ids), -1)
        digests = [m.get(hnsw.DIGEST_KEY) for m in metadatas]  # a copied record keeps its own
        if not all(digests):
            digests = hnsw.digests(vectors, embedded)
        distinct = self.distinct[which]
        if distinct is not None:
            keys, first = hnsw.first_of_each(digests)
            _upsert(distinct, keys, hnsw.shifted(vectors[first], hnsw.center_of(distinct)), None, None, killable=False)
        _upsert((self.collection, self.sentences)[which], ids, hnsw.shifted(vectors, self.centers[which]), documents,
                [{**m, hnsw.DIGEST_KEY: d} for m, d in zip(metadatas, digests)])

    def generation(self) -> str:
        """The ids of the vector collections the store names now: `python -m ingest reindex` makes new ones, and then
        readers read every record again (they gained digests) instead of keeping what they had loaded."""
        return "/".join(str(self.client.get_collection(name, embedding_function=None).id)
                        for name in (self.settings.collection, f"{self.settings.collection}__sentences"))

    @property
    def distinct_ready(self) -> bool:
        """Whether stage one may ask the distinct vectors: every stored record's vector is there."""
        return all(c is not None and (c.metadata or {}).get(hnsw.COMPLETE_KEY) for c in self.distinct)

    def nearest(self, vectors: list, k: int, where: dict | None = None, sentences: bool = False,
                distinct: bool = False) -> list[list[str]]:
        """Ids of the `k` records (or sentences) with the largest dot product with each vector — the cosine ranking, as
        the stored shift moves every record's score by the same amount — by the collection's HNSW index; with
        `distinct`, digests of the nearest distinct vectors instead (see `distinct_ready`)."""
        embeddings = [list(map(float, v)) for v in vectors]
        for attempt in (0, 1):
            try:
                collection = self.distinct[int(sentences)] if distinct else self.sentences if sentences else self.collection
                return collection.query(query_embeddings=embeddings, n_results=k, where=where, include=[])["ids"]
            except Exception:
                if attempt:
                    raise
                self.connect()  # `python -m ingest reindex` in another process replaced the collection: reopen it by name
        return []

    def delete(self, ids: list[str]) -> None:
        """Delete paragraph records and, with them, their sentences."""
        for start in range(0, len(ids), WRITE_PAGE):
            batch = ids[start : start + WRITE_PAGE]
            self.sentences.delete(where={"chunk_id": {"$in": batch}})
            self.collection.delete(ids=batch)
        self.writes += 1

    def count(self) -> int:
        return self.collection.count()

    def manifests(self) -> dict[str, dict]:
        """statement id → its manifest (content hash, record and sentence counts, sources, header metadata)."""
        data = _paged(self.manifest, None, False, ["metadatas"])  # (the title document is in the metadata too)
        return {sid: meta for sid, meta in zip(data["ids"], data["metadatas"]) if sid != CHANGES_ID}

    def changes(self) -> str | None:
        """The token the last commit, removal or end of legacy left; None in a store no writer of this version changed
        yet. The same token read twice means the same committed statements."""
        got = self.manifest.get(ids=[CHANGES_ID], include=["metadatas"])
        return str(got["metadatas"][0].get("token")) if got["ids"] and got["metadatas"] else None

    def commit(self, statement_id: str, manifest: dict) -> None:
        """Mark a statement complete: its records are all written. This one upsert (the manifest record and a new
        changes token together) is what readers see."""
        self.manifest.upsert(ids=[statement_id, CHANGES_ID], embeddings=[[1.0], [1.0]],
                             documents=[manifest.get("title", ""), ""], metadatas=[manifest, _token()])
        self.writes += 1

    def uncommit(self, statement_id: str) -> None:
        """Take a statement away from readers before its records are deleted."""
        self.manifest.delete(ids=[statement_id])
        self._changed()
        self.writes += 1

    def _changed(self) -> None:
        self.manifest.upsert(ids=[CHANGES_ID], embeddings=[[1.0]], documents=[""], metadatas=[_token()])

    def end_legacy(self) -> None:
        """Every statement now has a manifest: readers stop serving unmarked records."""
        meta = {**(self.manifest.metadata or {}), LEGACY_KEY: 0}
        self.manifest.modify(metadata=meta)
        self._changed()
        self.legacy = False
        self.writes += 1

    @property
    def version(self) -> str:
        """Changes with every commit, in whichever process made it."""
        if self.legacy:
            return f"legacy-{self.collection.count()}-{self.sentences.count()}-{self.manifest.count()}"
        return version_of(self.manifests())


def _token() -> dict:
    import uuid

    return {"token": uuid.uuid4().hex}


def version_of(manifests: dict[str, dict]) -> str:
    """A digest of the manifest."""
    digest = hashlib.sha256()
    for sid, meta in sorted(manifests.items()):
        digest.update(f"{sid}\0{meta.get('revision')}\0{meta.get('records')}\0{meta.get('sources')}\n".encode())
    return digest.hexdigest()


def committed(store: Store, manifests: dict[str, dict] | None, statements: list[str] | None = None) -> tuple[dict, dict, set[str]]:
    """The records and sentences readers may serve, with embeddings: those of committed statements carrying their
    manifest's content hash, and only statements whose counts are complete (the set of others is returned too). With
    `manifests` None (a store written before manifests) everything is served; with `statements`, only theirs are read
    (what changed since a reader's last load). The header record gains the statement's sources from its manifest."""
    if statements is None:
        records = store.records(include_embeddings=True)
        sentences = store.sentence_records(include_embeddings=True)
    else:
        records, sentences = _empty(), _empty()
        for start in range(0, len(statements), STATEMENT_PAGE):
            where = {"statement_id": {"$in": statements[start:start + STATEMENT_PAGE]}}
            for out, part in ((records, store.records(where, True)), (sentences, store.sentence_records(where, True))):
                for key in out:
                    out[key].extend(part[key])
        manifests = {sid: manifests[sid] for sid in statements if sid in manifests}
    if manifests is None:
        return records, sentences, set()
    keep = [i for i, (rid, m) in enumerate(zip(records["ids"], records["metadatas"]))
            if m["statement_id"] in manifests and owned(rid, m["statement_id"], manifests[m["statement_id"]].get("revision", ""))]
    kept_ids = {records["ids"][i] for i in keep}
    keep_sentences = [i for i, m in enumerate(sentences["metadatas"]) if m.get("chunk_id") in kept_ids]
    counts: dict[str, list[int]] = {}
    for i in keep:
        counts.setdefault(records["metadatas"][i]["statement_id"], [0, 0])[0] += 1
    for i in keep_sentences:
        counts[sentences["metadatas"][i]["statement_id"]][1] += 1
    incomplete = {sid for sid, m in manifests.items()
                  if counts.get(sid, [0, 0]) != [int(m.get("records", 0)), int(m.get("sentences", 0))]}
    keep = [i for i in keep if records["metadatas"][i]["statement_id"] not in incomplete]
    keep_sentences = [i for i in keep_sentences if sentences["metadatas"][i]["statement_id"] not in incomplete]
    for i in keep:
        meta = records["metadatas"][i]
        if meta["paragraph"] == 0:
            records["metadatas"][i] = {**meta, "sources": manifests[meta["statement_id"]].get("sources", "")}
    return _pick(records, keep), _pick(sentences, keep_sentences), incomplete


def owned(record_id: str, statement_id: str, revision: str) -> bool:
    """Whether a record (or sentence) id belongs to this revision of the statement: ids carry it."""
    return bool(revision) and record_id.startswith(f"{statement_id}/{revision[:8]}/")


def _pick(data: dict, rows: list[int]) -> dict:
    return {key: [values[i] for i in rows] if values is not None else None for key, values in data.items()}


def _empty() -> dict[str, list]:
    return {"ids": [], "documents": [], "metadatas": [], "embeddings": []}


def _paged(collection, where: dict | None, include_embeddings: bool, include: list[str] | None = None, center=None) -> dict:
    include = include if include is not None else ["documents", "metadatas"] + (["embeddings"] if include_embeddings else [])
    out = _empty()
    offset = 0
    while True:
        page = collection.get(where=where, include=include, limit=PAGE, offset=offset)
        for key in out:
            values = page.get(key)
            if values is not None:
                out[key].extend(hnsw.restored(values, center) if key == "embeddings" else values)
        offset += len(page["ids"])
        if len(page["ids"]) < PAGE:
            return out


def _upsert(collection, ids, embeddings, documents, metadatas, killable: bool = True) -> None:
    for start in range(0, len(ids), WRITE_PAGE):
        end = start + WRITE_PAGE
        collection.upsert(ids=ids[start:end], embeddings=embeddings[start:end],
                          documents=documents[start:end] if documents is not None else None,
                          metadatas=metadatas[start:end] if metadatas is not None else None)
        if killable:
            fault("between-pages")


def unavailable(settings, exc: BaseException) -> str:
    """One line saying which store could not be used, why, and what to do."""
    reason = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
    if settings.chroma_host:
        return (f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({reason}); "
                f"is `chroma run --host {settings.chroma_host} --port {settings.chroma_port}` running?")
    return f"cannot open the store in {settings.persist_dir} ({reason})"


def open_store(settings) -> Store:
    """The configured collections, made as ingest/hnsw.py says if missing; StoreUnavailable when they cannot be reached."""
    return Store(settings).connect()
