"""parse → chunk → embed → store, skipping unchanged files and replacing changed ones exactly."""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunking import chunk_statement, embedding_plan, passage_text, record_metadata, revision
from ingest.embedder import Embedder
from ingest.faults import fault
from ingest.readers import READERS
from ingest.records import Chunk, IngestError, Statement
from ingest.store import Store, StoreUnavailable, owned, unavailable
from ingest.terms import terms

log = logging.getLogger(__name__)


@dataclass
class Summary:
    """What one `add` did; counts are Chroma records (one per paragraph, more for split long ones)."""

    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    failed: list[dict] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)  # {"path", "statement", "duplicate_of", "similarity"}
    refused: list[dict] = field(default_factory=list)  # {"path", "statement", "error"}: another file under a stored id
    repaired: list[str] = field(default_factory=list)  # statements an interrupted run had left incomplete
    error: str = ""  # the store became unreachable: the batch stopped here

    def to_json(self) -> dict:
        return {"added": self.added, "unchanged": self.unchanged, "replaced": self.replaced,
                "failed": self.failed, "refused": self.refused, "statements": self.statements,
                "duplicates": self.duplicates, "repaired": self.repaired, "error": self.error}


def collect_files(paths: list[Path]) -> list[Path]:
    """Files as given, folders walked recursively in a stable order, each file once. Hidden files and folders (.git,
    .DS_Store) are left out; files of a type no reader takes are kept, so that parse_paths lists them as skipped."""
    out: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(path).parts))
            out.update(dict.fromkeys(sorted(found)))
        else:
            out.setdefault(path)
    return list(out)


def parse_paths(paths: list[Path], seen: dict[str, str] | None = None) -> tuple[list[Statement], list[dict]]:
    """Parse every file within the QA_MAX_* limits (in a child process, see ingest.sandbox); a bad one becomes
    {'path', 'error'} with a one-line reason, an unsupported one too ("unsupported file type .png (supported: …)"),
    and the rest go on. `seen` (statement id → file) carries the ids of earlier batches of one run."""
    from tqdm import tqdm

    from config import get_settings
    from ingest.limits import Limits, failure_reason
    from ingest.readers import unsupported
    from ingest.sandbox import parse_limited

    limits = Limits.from_settings(get_settings())
    statements, failed, seen = [], [], {} if seen is None else seen
    files = collect_files(paths)
    # Off without a terminal (a log file gets no bar), and not left behind on one.
    for path in tqdm(files, unit="file", desc="parse", file=sys.stderr, disable=None if len(files) > 1 else True,
                     leave=False):
        try:
            if not path.exists():
                raise IngestError("no such file")
            if path.suffix.lower() not in READERS:
                raise IngestError(unsupported(path))
            statement = parse_limited(path, limits)
            if statement.id in seen:
                raise IngestError(f"duplicate statement id {statement.id!r} (also {seen[statement.id]})")
            seen[statement.id] = str(path)
            statements.append(statement)
        except Exception as exc:  # whatever one file raises, it fails alone and the batch goes on
            failed.append({"path": str(path), "error": failure_reason(exc)})
    return statements, failed


def add(paths: list[Path], store: Store, embedder: Embedder, max_tokens: int = 500, batch_size: int = 32,
        context: str = "context", replace: bool = False, files_at_once: int = 200) -> Summary:
    """Ingest files. Each statement is written whole and then committed (see ingest.store): unchanged and complete ones
    are skipped, incomplete ones (a killed earlier run) repaired, changed ones replaced when the file is the one stored
    (or with `replace`); a different file under a stored id is refused. A file holding a document already stored under
    another name is recorded as a second source of it and reported as a duplicate, not stored twice. If the store
    becomes unreachable the batch stops and `summary.error` says so. A big folder streams through `files_at_once` files
    at a time, so memory holds one slice of it, not every parsed statement."""
    from ingest.progress import progress

    files, summary, seen, known = collect_files(paths), Summary(), {}, 0
    with progress(0) as bar:
        for start in range(0, len(files), files_at_once):
            statements, failed = parse_paths(files[start:start + files_at_once], seen)
            summary.failed += failed
            try:
                todo = _plan(statements, store, summary, replace, lambda st: revision(st, embedder, max_tokens, context))
                # the bar's total is known for the files read so far, and estimated for the rest at the same rate
                known += sum(len(t[0].paragraphs) for t in todo)
                bar.total = round(known * len(files) / min(len(files), start + files_at_once))
                _write(todo, store, embedder, summary, max_tokens, batch_size, context, bar)
                if store.legacy:
                    _end_legacy(store)
            except StoreUnavailable as exc:
                summary.error = str(exc)
                break
    return summary



def _plan(statements: list[Statement], store: Store, summary: Summary, replace: bool, revision_of) -> list[tuple]:
    """(statement, revision, fingerprint, stored manifest or None) of every statement to write; the rest are counted,
    refused or recorded as duplicates."""
    from ingest.dedupe import SAME_DOCUMENT, fingerprint, similarity

    manifests = _guarded(store, store.manifests)
    prints = {sid: m.get("fingerprint", "") for sid, m in manifests.items()}
    todo: list[tuple] = []
    for statement in statements:
        stored, rev = manifests.get(statement.id), revision_of(statement)
        if stored and stored.get("revision") == rev and _complete(store, statement.id, stored):
            summary.unchanged += int(stored.get("records", 0))
            summary.statements.append(statement.id)
            continue
        if stored and stored.get("sha256") != statement.sha256 and not replace and \
                stored.get("origin") not in ("", None, statement.origin):
            summary.refused.append({
                "path": statement.source, "statement": statement.id,
                "error": f"statement {statement.id!r} is already stored from {stored.get('origin')} with different "
                         f"content; the stored one is kept (use --replace to replace it)"})
            continue
        mine = fingerprint(statement)
        if not stored:
            same = max(((similarity(mine, fp), sid) for sid, fp in prints.items() if fp), default=(0.0, ""))
            if same[0] >= SAME_DOCUMENT:
                _add_source(store, manifests.get(same[1]), same[1], statement.source)
                summary.duplicates.append({"path": statement.source, "statement": statement.id,
                                           "duplicate_of": same[1], "similarity": round(same[0], 3)})
                continue
        prints[statement.id] = mine
        todo.append((statement, rev, mine, stored))
    return todo


# Texts encoded in one call: statements are embedded together, sorted by length across all of them, so a statement's
# few long paragraphs and many short sentences pad alongside others' of the same length, not each other.
GROUP_TEXTS = 2048


def _write(todo: list[tuple], store: Store, embedder: Embedder, summary: Summary,
           max_tokens: int, batch_size: int, context: str, bar) -> None:
    group: list[tuple] = []
    for item in todo:
        statement, rev = item[0], item[1]
        try:
            chunks = chunk_statement(statement, embedder, max_tokens, rev)
            plan = embedding_plan(chunks, [passage_text(statement, c, context) for c in chunks])
        except Exception as exc:  # a statement that cannot be chunked must not stop the batch
            _failed(summary, statement, exc)
            continue
        group.append((item, plan))
        if sum(len(p.texts) for _, p in group) >= GROUP_TEXTS:
            _write_group(group, store, embedder, summary, batch_size, bar)
            group = []
    if group:
        _write_group(group, store, embedder, summary, batch_size, bar)


def _write_group(group: list[tuple], store: Store, embedder: Embedder, summary: Summary, batch_size: int, bar) -> None:
    """Encode a group's texts in one call (one statement at a time if that fails, to find the one that does), then
    write and commit each statement in turn."""
    try:
        vectors = embedder.encode_passages([t for _, plan in group for t in plan.texts], batch_size=batch_size)
        offsets = np.cumsum([0] + [len(plan.texts) for _, plan in group])
        encoded = [vectors[a:b] for a, b in zip(offsets, offsets[1:])]
    except Exception:
        encoded = []
        for (item, plan) in group:
            try:
                encoded.append(embedder.encode_passages(plan.texts, batch_size=batch_size))
            except Exception as exc:
                _failed(summary, item[0], exc)
                encoded.append(None)
    for ((statement, rev, mine, stored), plan), vectors in zip(group, encoded):
        if vectors is None:
            continue
        chunk_vectors, sentences, sentence_vectors = plan.assemble(vectors)
        old_ids = _guarded(store, store.ids, {"statement_id": statement.id})
        _guarded(store, _store_statement, store, statement, rev, mine, plan.chunks, chunk_vectors, sentences,
                 sentence_vectors, plan.texts[:len(plan.chunks)])
        if stored:
            summary.replaced += len(plan.chunks)
        else:
            summary.added += len(plan.chunks)
        if old_ids and (not stored or stored.get("revision") == rev):
            summary.repaired.append(statement.id)  # left half-written by a run that was killed or lost the store
        summary.statements.append(statement.id)
        bar.update(len(statement.paragraphs))


def _failed(summary: Summary, statement: Statement, exc: Exception) -> None:
    log.exception("embedding failed for %s", statement.source)
    summary.failed.append({"path": statement.source, "error": f"{exc.__class__.__name__}: {exc}"})


def _store_statement(store: Store, statement: Statement, rev: str, mine: str, chunks: list[Chunk], vectors, sentences,
                     sentence_vectors, texts: list[str]) -> None:
    """Records, then sentences, then the commit; then the superseded records of the statement go."""
    store.upsert([c.id for c in chunks], vectors.tolist(), [c.text for c in chunks],
                 [record_metadata(statement, c) for c in chunks], texts)
    fault("after-paragraphs")
    store.upsert_sentences(
        [f"{c.id}#{a}" for c, a, _ in sentences], sentence_vectors.tolist(), [c.text[a:b] for c, a, b in sentences],
        [{"chunk_id": c.id, "statement_id": c.statement_id, "paragraph": c.paragraph, "start": a, "stop": b,
          "terms": " ".join(terms(c.text[a:b]))} for c, a, b in sentences],
        [c.text[a:b] for c, a, b in sentences])
    fault("before-commit")
    store.commit(statement.id, {
        "revision": rev, "sha256": statement.sha256, "records": len(chunks), "sentences": len(sentences),
        "paragraphs": len(statement.body), "title": statement.title, "issuer": statement.issuer,
        "date": statement.date, "place": statement.place, "number": statement.number,
        "source": statement.source, "sources": statement.source, "origin": statement.origin, "fingerprint": mine})
    fault("after-commit")
    _sweep(store, statement.id, rev)


def _sweep(store: Store, statement_id: str, rev: str) -> None:
    """Delete a statement's records (and with them their sentences) that its manifest no longer names."""
    stale = [i for i in store.ids({"statement_id": statement_id}) if not owned(i, statement_id, rev)]
    if stale:
        store.delete(stale)


def _complete(store: Store, statement_id: str, manifest: dict) -> bool:
    """Every record and sentence the manifest counts is there; anything superseded is swept."""
    rev = manifest.get("revision", "")
    records = _guarded(store, store.ids, {"statement_id": statement_id})
    sentences = _guarded(store, store.ids, {"statement_id": statement_id}, True)
    if sum(owned(i, statement_id, rev) for i in records) != manifest.get("records") or \
            sum(owned(i, statement_id, rev) for i in sentences) != manifest.get("sentences"):
        return False
    _guarded(store, _sweep, store, statement_id, rev)
    return True


def _guarded(store: Store, call, *args):
    """Run a store call; a failure that is the store being unreachable stops the batch (StoreUnavailable)."""
    try:
        return call(*args)
    except StoreUnavailable:
        raise
    except Exception as exc:
        if store.reachable():
            raise
        raise StoreUnavailable(unavailable(store.settings, exc)) from exc


def _end_legacy(store: Store) -> None:
    """A store written before manifests becomes a committed one when every statement in it has been re-added."""
    stored = {m["statement_id"] for m in store.records({"paragraph": 0})["metadatas"]}
    if stored <= set(store.manifests()):
        store.end_legacy()


def _add_source(store: Store, manifest: dict | None, statement_id: str, source: str) -> None:
    """Record another file that holds the same document in the statement's manifest."""
    if manifest is None:  # the original is in this same batch and not yet committed; it records its own source only
        return
    sources = [s for s in (manifest.get("sources") or manifest.get("source", "")).split("; ") if s]
    if source not in sources:
        store.commit(statement_id, {**manifest, "sources": "; ".join([*sources, source])})
