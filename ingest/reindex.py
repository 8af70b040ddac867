"""`python -m ingest reindex`: remake the vector collections with the configured HNSW graph, centered on their mean."""
from __future__ import annotations

import logging
import time

from ingest import hnsw

log = logging.getLogger(__name__)
SUFFIX = "__reindex"
COMPLETE_KEY = "qa_reindex_complete"
PAGE = 2000


def reindex(store, progress=print) -> dict:
    """Copy the paragraph and sentence collections, page by page, into new ones made with ingest/hnsw.py's space and the
    settings' graph sizes, their vectors shifted by their own mean; then put each copy in its original's place. Ids,
    texts, metadata and manifests are unchanged, so every statement stays served. Run it with no writer at work: a
    record written during the copy may be missed (readers only keep their loaded index a moment longer)."""
    from ingest.store import fault

    client, report = store.client, {}
    for old, center in ((store.collection, store.centers[0]), (store.sentences, store.centers[1])):
        start, name = time.perf_counter(), old.name
        count = old.count()
        mean = hnsw.mean(hnsw.restored(page["embeddings"], center) for page in _pages(old, ["embeddings"]))
        _drop(client, name + SUFFIX)
        new = client.create_collection(name + SUFFIX, embedding_function=None, configuration=hnsw.configuration(store.settings),
                                       metadata=hnsw.metadata(mean))
        copied = 0
        for page in _pages(old, ["documents", "metadatas", "embeddings"]):
            vectors = hnsw.shifted(hnsw.restored(page["embeddings"], center), mean)
            new.upsert(ids=page["ids"], embeddings=vectors, documents=page["documents"], metadatas=page["metadatas"])
            copied += len(page["ids"])
            progress(f"{name}: {copied}/{count} copied")
        if new.count() != count:
            _drop(client, name + SUFFIX)
            raise RuntimeError(f"{name}: {new.count()} of {count} records copied (a writer was at work?); the original is kept")
        new.modify(metadata={**hnsw.metadata(mean), COMPLETE_KEY: 1})
        fault("reindex-copied")
        client.delete_collection(name)
        fault("reindex-dropped")
        new.modify(name=name)
        report[name] = {"records": count, "seconds": round(time.perf_counter() - start, 1)}
    store.connect()
    return report


def recover(client, name: str, names: set[str]) -> None:
    """Finish or undo a reindex that was stopped: a complete copy whose original is gone takes its place; any other
    copy is dropped (the original is still there)."""
    copy = name + SUFFIX
    if copy not in names:
        return
    collection = client.get_collection(copy, embedding_function=None)
    if name not in names and (collection.metadata or {}).get(COMPLETE_KEY):
        collection.modify(name=name)
        names.add(name)
        log.warning("%s: a stopped reindex was finished", name)
    elif name in names:
        _drop(client, copy)
    names.discard(copy)


def _pages(collection, include: list[str]):
    offset = 0
    while True:
        page = collection.get(include=include, limit=PAGE, offset=offset)
        if not page["ids"]:
            return
        yield page
        offset += len(page["ids"])


def _drop(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # not there
        pass
