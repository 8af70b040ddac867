"""How vectors sit in Chroma's HNSW index: inner-product space, shifted by a center that keeps every ranking exact."""
from __future__ import annotations

import hashlib
import json

import numpy as np

# e5 vectors share one strong direction (any two passages have cosine 0.7-0.9), and in that narrow cone HNSW's greedy
# search stalls before it reaches a small cluster of paragraphs among many others: with Chroma's defaults, the exact
# nearest part was among 60 returned for 65% of XQuAD and collection questions in the 100k bench store. Storing v - c
# in inner-product space leaves every ranking exact — q·(v - c) = q·v - q·c, the same shift for every record — while
# spreading the vectors the graph is built on (same store, c = its mean: 78%; with max_neighbors 32: 89%).
CENTER_KEY = "qa_center"
# Identical vectors (a paragraph repeated across decrees, a statement stored twice) tangle the graph further: each
# copy's links go to the others. Each collection has a sibling holding every distinct vector once, under its digest
# (kept in each record's metadata), which stage one asks when no filter needs the records' metadata.
DISTINCT = "__distinct"
DIGEST_KEY = "vector_digest"
COMPLETE_KEY = "qa_distinct_complete"  # every record's vector is in it (made with the store, or by a reindex)


def configuration(settings) -> dict:
    """A new collection's index: inner-product space and the graph sizes in the settings."""
    return {"hnsw": {"space": "ip", "max_neighbors": settings.hnsw_max_neighbors,
                     "ef_construction": settings.hnsw_ef_construction, "ef_search": settings.hnsw_ef_search}}


def center_of(collection) -> np.ndarray | None:
    """The center a collection's vectors are stored shifted by: None for a new collection (inner-product space, vectors
    as embedded, until `python -m ingest reindex` measures the store's mean) and for one made before centering."""
    meta = collection.metadata or {}
    return np.asarray(json.loads(meta[CENTER_KEY]), dtype=np.float32) if meta.get(CENTER_KEY) else None


def metadata(center: np.ndarray | None) -> dict:
    """Collection metadata recording the center (nothing without one)."""
    return {} if center is None else {CENTER_KEY: json.dumps([float(x) for x in np.asarray(center, np.float32)])}


def open_collection(client, settings, name: str, names: set[str], metadata: dict):
    """A vector collection: made with this module's space and the settings' graph sizes if missing; an existing one gets
    the configured ef_search (its space and graph were fixed when it was made: `python -m ingest reindex` remakes it)."""
    if name not in names:
        try:
            return client.create_collection(name, embedding_function=None, configuration=configuration(settings),
                                            metadata=metadata or None)
        except Exception:  # another process made it first
            pass
    collection = client.get_collection(name, embedding_function=None)
    try:
        if (collection.configuration_json or {}).get("hnsw", {}).get("ef_search") != settings.hnsw_ef_search:
            collection.modify(configuration={"hnsw": {"ef_search": settings.hnsw_ef_search}})
    except Exception:  # an older server without configurations: its own default stands
        pass
    return collection


def digests(vectors: np.ndarray, embedded: list[str] | None = None) -> list[str]:
    """Each vector's digest: of the text it was embedded from when known (the same text embedded in another batch
    differs in the last bits, as padding changes the sums), else of its bytes."""
    if embedded is not None:
        return [hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest() for text in embedded]
    return [hashlib.blake2b(v.tobytes(), digest_size=10).hexdigest() for v in np.ascontiguousarray(vectors, np.float32)]


def first_of_each(keys: list[str]) -> tuple[list[str], list[int]]:
    """The distinct keys, and the position of each one's first occurrence."""
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    return list(first), list(first.values())


def shifted(embeddings, center: np.ndarray | None) -> np.ndarray:
    """Vectors as stored: minus the center."""
    vectors = np.asarray(embeddings, dtype=np.float32)
    return vectors if center is None or not len(vectors) else vectors - center


def restored(embeddings, center: np.ndarray | None) -> list:
    """Vectors as embedded, from what the collection stored."""
    if center is None or embeddings is None or not len(embeddings):
        return list(embeddings) if embeddings is not None else []
    return list(np.asarray(embeddings, dtype=np.float32) + center)


def mean(pages) -> np.ndarray | None:
    """The mean of vectors given page by page (what reindexing centers on)."""
    total, count = None, 0
    for page in pages:
        page = np.asarray(page, dtype=np.float64)
        if len(page):
            total = page.sum(axis=0) if total is None else total + page.sum(axis=0)
            count += len(page)
    return None if total is None else (total / count).astype(np.float32)
