"""How vectors sit in Chroma's HNSW index: inner-product space, shifted by a center that keeps every ranking exact."""
from __future__ import annotations

import json

import numpy as np

# e5 vectors share one strong direction (any two passages have cosine 0.7-0.9), and in that narrow cone HNSW's greedy
# search stalls before it reaches a small cluster of paragraphs among many others: with Chroma's defaults, the exact
# nearest part was among 60 returned for 65% of XQuAD and collection questions in the 100k bench store. Storing v - c
# in inner-product space leaves every ranking exact — q·(v - c) = q·v - q·c, the same shift for every record — while
# spreading the vectors the graph is built on (same store, c = its mean: 78%; with max_neighbors 32: 89%).
CENTER_KEY = "qa_center"
CENTERED_KEY = "qa_centered"


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
    """Collection metadata recording the center."""
    return {CENTERED_KEY: 1} if center is None else \
        {CENTERED_KEY: 1, CENTER_KEY: json.dumps([float(x) for x in np.asarray(center, np.float32)])}


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
