"""The dev question sets `python -m qa.calibrate` fits on, and the store each is asked of (built once under
.cache/calibrate/, or the bench's 25k store for the distracted twins)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from config import Settings
from config.settings import ROOT

SHARED = ROOT.parent / "shared"


@dataclass
class DevSet:
    name: str
    questions: list[Path]
    statements: list[Path]
    store: Path | None = None  # a store built elsewhere, asked as it is (instead of one of these statements)
    ranker_only: bool = False  # teaches the ranker, not the refusal model
    shares: str = ""  # the name of the set whose store (the same statements) this one is asked of


# The dev questions asked inside the bench's 25k store (`python -m bench scale --sizes 25000 --build-only` builds it, and
# the 100k store is grown from it): the same questions among 24k paragraphs of man pages, so the ranker also learns
# from distractors it never meets in a small store. Each such set is its set's twin, named NAME-in-25k.
DISTRACTED = ROOT / ".cache" / "bench" / "store-25000"
DISTRACTED_SUFFIX = "-in-25k"


def dev_sets() -> list[DevSet]:
    """The question sets and the statements each is asked of (those under ../shared only where present)."""
    sets = [DevSet("seed", sorted((ROOT / "data" / "eval").glob("seed*.jsonl")), [ROOT / "data" / "statements"]),
            DevSet("udhr", [ROOT / "data" / "eval" / "udhr_ru.jsonl"], [ROOT / "data" / "eval" / "udhr"])]
    collection = SHARED / "eval" / "collection-dev" / "questions.jsonl"
    if collection.exists():
        statements = sorted((SHARED / "corpus").glob("*.txt")) + [ROOT / "data" / "statements"]
        sets.append(DevSet("collection-dev", [collection], statements))
        # More questions over the same collection, written apart from the code and from collection-dev (data/eval/README.md)
        for path in sorted((ROOT / "data" / "eval").glob("collection_dev*.jsonl")):
            sets.append(DevSet(path.stem.replace("_", "-"), [path], statements, shares="collection-dev"))
    xquad = SHARED / "eval" / "xquad-dev"
    if xquad.exists():
        sets.append(DevSet("xquad-dev", [xquad / "questions_en.jsonl", xquad / "questions_ru.jsonl"], [xquad / "statements"]))
    if (DISTRACTED / ".complete").exists():  # the bench store holds the collection and XQuAD-dev, not the UDHR
        sets += [DevSet(s.name + DISTRACTED_SUFFIX, s.questions, [], DISTRACTED, ranker_only=True)
                 for s in list(sets) if s.name.startswith(("collection-dev", "xquad-dev"))]
    return sets


def index_for(dev: DevSet, base: Settings):
    """The set's own store (ingested on first use) and its loaded index."""
    from ingest.embedder import embedder_for
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index

    settings = base.model_copy(update={"persist_dir": dev.store or ROOT / ".cache" / "calibrate" / f"{dev.shares or dev.name}-{base.passage_context}"})
    store = open_store(settings)
    embedder = embedder_for(settings)
    if store.count() == 0:
        add(dev.statements, store, embedder, settings.max_chunk_tokens, settings.batch_size, settings.passage_context)
    index = Index(store, embedder, settings)
    index.refresh()
    return index
