"""The process-wide index: settings → store + embedder + BM25, loaded once and shared by CLI, eval and app."""
from __future__ import annotations

from functools import lru_cache

from config import Settings, get_settings
from ingest.embedder import embedder_for
from ingest.store import open_store
from qa.retrieve import Index


def load_index(settings: Settings | None = None) -> Index:
    settings = settings or get_settings()
    index = Index(open_store(settings), embedder_for(settings), settings)
    index.refresh()
    return index


@lru_cache(maxsize=1)
def shared_index() -> Index:
    return load_index()
