"""The same document in two files (a hard-wrapped original and its reflowed copy): MinHash over normalised words."""
from __future__ import annotations

import hashlib
import re

import numpy as np

from ingest.records import Statement

_PERMUTATIONS = 64
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20261126)
_A = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)
# Two files are one document when they share this share of their distinct words. Measured on the corpus: each of the
# 12 hard-wrapped kremlin originals against its reflowed copy 0.97–1.0, the .md original against the CIS text 1.0; two
# different documents at most 0.56 (the CIS agreement against the compendium that reprints it among others).
SAME_DOCUMENT = 0.85


def words(statement: Statement) -> set[str]:
    """The body's words, case, punctuation, quotes and line breaks aside (a table's cells are the same words in any
    order, so an original with separated columns and a copy with interleaved ones still match)."""
    text = " ".join(p.text for p in statement.body).lower().replace("ё", "е")
    return set(re.findall(r"[^\W_]+", text))


def fingerprint(statement: Statement) -> str:
    """A MinHash signature of the body's word set, as a compact string for Chroma metadata."""
    vocab = words(statement)
    if not vocab:
        return ""
    hashes = np.array([int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little") >> 3 for w in vocab],
                      dtype=np.uint64)
    # (a·x + b) mod p over 61-bit values overflows uint64; the wrap-around is itself a fine hash family for this.
    mins = ((hashes[None, :] * _A[:, None] + _B[:, None]) % np.uint64(_PRIME)).min(axis=1)
    return " ".join(f"{int(v):x}" for v in mins)


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two fingerprints' word sets."""
    if not a or not b:
        return 0.0
    x, y = a.split(), b.split()
    return sum(i == j for i, j in zip(x, y)) / max(len(x), 1)
