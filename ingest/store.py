"""Chroma access (embedded PersistentClient or a `chroma run` server): write, delete and read paragraph and sentence records."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
VERSION_KEY = "qa_version"


@dataclass
class Store:
    """Paragraph records plus a sibling collection of their sentences; Chroma never embeds, we pass vectors."""

    client: Any
    collection: Any
    sentences: Any

    def records(self, where: dict | None = None, include_embeddings: bool = False) -> dict:
        include = ["documents", "metadatas"] + (["embeddings"] if include_embeddings else [])
        return self.collection.get(where=where, include=include)

    def statement_records(self, statement_id: str) -> dict:
        return self.records({"statement_id": statement_id})

    def sentence_records(self, include_embeddings: bool = False) -> dict:
        include = ["documents", "metadatas"] + (["embeddings"] if include_embeddings else [])
        return self.sentences.get(include=include)

    def upsert(self, ids: list[str], embeddings, documents: list[str], metadatas: list[dict]) -> None:
        _upsert(self.collection, ids, embeddings, documents, metadatas)

    def upsert_sentences(self, ids: list[str], embeddings, documents: list[str], metadatas: list[dict]) -> None:
        _upsert(self.sentences, ids, embeddings, documents, metadatas)

    def delete(self, ids: list[str]) -> None:
        """Delete paragraph records and, with them, their sentences."""
        for start in range(0, len(ids), 1000):
            batch = ids[start : start + 1000]
            self.sentences.delete(where={"chunk_id": {"$in": batch}})
            self.collection.delete(ids=batch)

    def count(self) -> int:
        return self.collection.count()

    @property
    def version(self) -> int:
        """Bumped on every write, so readers in other processes know their indexes are stale."""
        fresh = self.client.get_collection(self.collection.name, embedding_function=None)
        return int((fresh.metadata or {}).get(VERSION_KEY, 0))

    def bump_version(self) -> None:
        fresh = self.client.get_collection(self.collection.name, embedding_function=None)
        meta = dict(fresh.metadata or {})
        meta[VERSION_KEY] = int(meta.get(VERSION_KEY, 0)) + 1
        meta.pop("hnsw:space", None)
        self.collection.modify(metadata=meta)


def _upsert(collection, ids, embeddings, documents, metadatas) -> None:
    for start in range(0, len(ids), 1000):
        end = start + 1000
        collection.upsert(ids=ids[start:end], embeddings=embeddings[start:end],
                          documents=documents[start:end], metadatas=metadatas[start:end])


def open_store(settings) -> Store:
    """The configured collection, created with cosine space if missing."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    else:
        settings.persist_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(settings.persist_dir), settings=chroma_settings)
    collection, sentences = (
        client.get_or_create_collection(name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
        for name in (settings.collection, f"{settings.collection}__sentences")
    )
    return Store(client, collection, sentences)
