"""The process-wide index: settings → store + embedder + BM25, loaded once and shared by CLI, eval and app."""
from __future__ import annotations

from config import Settings, get_settings
from ingest.embedder import embedder_for
from ingest.store import open_store
from qa.index import Index


def load_index(settings: Settings | None = None) -> Index:
    settings = settings or get_settings()
    embedder = embedder_for(settings)  # first: its model loads in a thread of its own while the store opens
    index = Index(open_store(settings), embedder, settings)
    index.refresh()
    return index


def serving_index(settings: Settings) -> Index:
    """The index a long-running server starts with: loaded if the store can be read, otherwise empty and reading the
    store again at every question until it can (answers say the store is unreachable meanwhile)."""
    import logging

    from ingest.store import Store, StoreUnavailable

    embedder = embedder_for(settings)
    index = Index(Store(settings), embedder, settings)
    try:
        index.refresh()
    except StoreUnavailable as exc:
        logging.getLogger(__name__).warning("starting without statements: %s", exc)
    return index


def index_or_none(settings: Settings | None = None) -> Index | None:
    """The loaded index, or None after telling the CLI user, in one line, that the store is unreachable or empty."""
    import sys

    from config.settings import settings_error
    from ingest.store import StoreUnavailable

    try:
        settings = settings or get_settings()
    except ValueError as exc:  # a bad QA_* value: one line naming it, as the app says it
        print(f"error: {settings_error(exc)}", file=sys.stderr)
        return None
    try:
        index = load_index(settings)
    except StoreUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if not index.ids:
        print("The store is empty: run  python -m ingest add data/statements", file=sys.stderr)
        return None
    return index
