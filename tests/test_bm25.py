"""BM25 fields (qa/bm25.py): a field grown by a reload scores as one built from scratch over the same documents."""
from __future__ import annotations

import random

import numpy as np

from qa.bm25 import Field


def test_a_grown_field_scores_as_a_rebuilt_one():
    """Dropping documents and appending new ones (with new terms) keeps the postings sorted and every score the same."""
    rng = random.Random(0)
    words = [f"w{i}" for i in range(60)]
    docs = [[rng.choice(words[:50] if i < 200 else words) for _ in range(rng.randint(0, 12))] for i in range(300)]
    keep = np.array([rng.random() > 0.2 for _ in range(200)])
    grown = Field(docs[:200]).updated(keep, docs[200:])
    rebuilt = Field([d for d, k in zip(docs[:200], keep) if k] + docs[200:])
    assert grown.n_docs == rebuilt.n_docs == int(keep.sum()) + 100
    for term in words + ["absent"]:
        assert np.allclose(grown.group_scores([[term]]), rebuilt.group_scores([[term]])), term
    assert np.array_equal(np.lexsort((grown._rows, grown._terms)), np.arange(len(grown._rows)))
    assert grown.updated(np.ones(grown.n_docs, bool), []) is grown  # nothing changed: shared, not copied
