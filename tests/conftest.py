"""Shared fixtures: real model (built once into the repo cache), real Chroma in a temp dir."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from config import Settings  # noqa: E402
from config.settings import ROOT  # noqa: E402

SHARED = ROOT.parent / "shared"
SEED = ROOT / "data" / "statements" / "000_c45cd2c457b35d6b.txt"
MODEL_CACHE = ROOT / ".cache" / "models"


def make_settings(tmp: Path, **overrides) -> Settings:
    return Settings(persist_dir=tmp / "store", model_cache=MODEL_CACHE, **overrides)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def embedder():
    from ingest.embedder import load_embedder

    s = Settings(model_cache=MODEL_CACHE)
    return load_embedder(s.embedding_model, s.model_cache, s.query_prefix, s.passage_prefix)


@pytest.fixture
def store(settings):
    from ingest.store import open_store

    return open_store(settings)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, embedder):
    """The bundled statements ingested once into a temp store, with the index loaded."""
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index

    s = make_settings(tmp_path_factory.mktemp("seed"))
    store = open_store(s)
    add([ROOT / "data" / "statements"], store, embedder)
    index = Index(store, embedder, s)
    index.refresh()
    return index


def needs_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path
