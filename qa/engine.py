"""The process-wide index: settings → store + embedder + BM25, loaded once and shared by CLI, eval and app."""
from __future__ import annotations

from config import Settings, get_settings
from ingest.embedder import embedder_for
from ingest.store import open_store
from qa.index import Index


def load_index(settings: Settings | None = None) -> Index:
    settings = settings or get_settings()
    index = Index(open_store(settings), embedder_for(settings), settings)
    index.refresh()
    return index


def index_or_none(settings: Settings | None = None) -> Index | None:
    """The loaded index, or None after telling the CLI user how to fill an empty store."""
    import sys

    index = load_index(settings)
    if not index.ids:
        print("The store is empty: run  python -m ingest add data/statements", file=sys.stderr)
        return None
    return index
