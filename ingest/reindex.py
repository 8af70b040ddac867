"""`python -m ingest reindex`: remake the vector collections with the configured HNSW graph, centered on their mean."""
from __future__ import annotations

import logging
import time

import numpy as np

from ingest import hnsw

log = logging.getLogger(__name__)
SUFFIX = "__reindex"
COMPLETE_KEY = "qa_reindex_complete"
PAGE = 2000


def reindex(store, progress=print) -> dict:
    """Copy the paragraph and sentence collections, page by page, into new ones made with ingest/hnsw.py's space and the
    settings' graph sizes, their vectors shifted by their own mean, each with its distinct vectors beside it; then put
    each copy in its original's place. Ids, texts, metadata (plus each vector's digest) and manifests are unchanged, so
    every statement stays served. Run it with no writer at work: a record written during the copy may be missed
    (readers only keep their loaded index a moment longer)."""
    from ingest.faults import fault

    client, report = store.client, {}
    for old, center in zip((store.collection, store.sentences), store.centers):
        start, name = time.perf_counter(), old.name
        count = old.count()
        mean = hnsw.mean(hnsw.restored(page["embeddings"], center) for page in _pages(old, ["embeddings"]))
        new, distinct = (_fresh(client, store.settings, n, extra)
                         for n, extra in ((name, {}), (name + hnsw.DISTINCT, {hnsw.COMPLETE_KEY: 1})))
        copied, seen = 0, set()
        for page in _pages(old, ["documents", "metadatas", "embeddings"]):
            vectors = np.asarray(hnsw.restored(page["embeddings"], center), np.float32)
            digests = [m.get(hnsw.DIGEST_KEY) for m in page["metadatas"]]
            if not all(digests):  # records written before digests: of their vectors' bytes
                digests = [d or computed for d, computed in zip(digests, hnsw.digests(vectors))]
            keys, first = hnsw.first_of_each(digests)
            fresh = [(key, i) for key, i in zip(keys, first) if key not in seen]
            seen.update(keys)
            if fresh:
                distinct.upsert(ids=[key for key, _ in fresh], embeddings=hnsw.shifted(vectors[[i for _, i in fresh]], mean))
            new.upsert(ids=page["ids"], embeddings=hnsw.shifted(vectors, mean), documents=page["documents"],
                       metadatas=[{**m, hnsw.DIGEST_KEY: d} for m, d in zip(page["metadatas"], digests)])
            copied += len(page["ids"])
            progress(f"{name}: {copied}/{count} copied")
        if new.count() != count:
            for n in (name, name + hnsw.DISTINCT):
                _drop(client, n + SUFFIX)
            raise RuntimeError(f"{name}: {new.count()} of {count} records copied (a writer was at work?); the original is kept")
        for collection in (new, distinct):
            collection.modify(metadata={**(collection.metadata or {}), **hnsw.metadata(mean), COMPLETE_KEY: 1})
        fault("reindex-copied")
        for n, copy in ((name, new), (name + hnsw.DISTINCT, distinct)):
            _drop(client, n)
            fault("reindex-dropped")
            copy.modify(name=n)
        report[name] = {"records": count, "distinct": len(seen), "seconds": round(time.perf_counter() - start, 1)}
    store.connect()
    return report


def _fresh(client, settings, name: str, metadata: dict):
    _drop(client, name + SUFFIX)
    return client.create_collection(name + SUFFIX, embedding_function=None, configuration=hnsw.configuration(settings),
                                    metadata=metadata or None)


def recover(client, name: str, names: set[str]) -> None:
    """Finish a reindex stopped between dropping an original and renaming its complete copy. Any other copy is left to
    the next reindex to drop: it may belong to one running in another process."""
    copy = name + SUFFIX
    if copy in names and name not in names:
        collection = client.get_collection(copy, embedding_function=None)
        if (collection.metadata or {}).get(COMPLETE_KEY):
            collection.modify(name=name)
            names.add(name)
            log.warning("%s: a stopped reindex was finished", name)


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
