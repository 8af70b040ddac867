"""Ingestion throughput (paragraphs/s) and e5 build + ONNX export time: python bench/ingest_throughput.py [--min 1000] FOLDER..."""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import Settings  # noqa: E402
from ingest.e5build import build  # noqa: E402
from ingest.embedder import embedder_for  # noqa: E402
from ingest.onnx_encoder import export  # noqa: E402
from ingest.pipeline import add, collect_files  # noqa: E402
from ingest.store import open_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="*", type=Path, default=[Path("../shared/eval/xquad-dev/statements"), Path("../shared/corpus")])
    parser.add_argument("--min", type=int, default=1000, help="repeat the folders until at least this many paragraphs")
    parser.add_argument("--no-build", action="store_true", help="skip timing the e5 build and ONNX export")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    try:
        if not args.no_build:
            start = time.perf_counter()
            build(tmp / "e5")
            built = time.perf_counter()
            export(tmp / "e5")
            print(f"model build: {built - start:.1f} s, ONNX export: {time.perf_counter() - built:.1f} s")

        files = [f for f in collect_files(args.folders) if f.parent.name != "originals"]
        settings = Settings(persist_dir=tmp / "store")
        embedder = embedder_for(settings)
        embedder.encode_passages(["warm-up"])
        copies, total, elapsed, records, sentences = 0, 0, 0.0, 0, 0
        while total < args.min:
            # Each copy into a store of its own: in one store a copy is a duplicate, recorded and not embedded again.
            store = open_store(settings.model_copy(update={"persist_dir": tmp / f"store{copies}"}))
            start = time.perf_counter()
            summary = add(files, store, embedder, settings.max_chunk_tokens, settings.batch_size)
            elapsed += time.perf_counter() - start
            total += summary.added
            records += summary.added
            sentences += store.sentences.count()
            copies += 1
        print(f"ingested {records} paragraph records and {sentences} sentences from {copies} copies of {len(files)} files "
              f"in {elapsed:.1f} s: {records / elapsed:.1f} paragraphs/s ({(records + sentences) / elapsed:.1f} texts/s)")
        texts = encoded_texts(files, embedder, settings) * copies
        start = time.perf_counter()
        embedder.encode_passages(texts, batch_size=settings.batch_size)
        bare = time.perf_counter() - start
        print(f"bare encoder on the same {len(texts)} texts in one sorted call: {bare:.1f} s; "
              f"pipeline ÷ bare encoder speed = {bare / elapsed:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def encoded_texts(files: list[Path], embedder, settings) -> list[str]:
    """Every text ingestion encodes for these files: contextual chunk texts and the sentences that need their own."""
    from ingest.chunking import chunk_statement, embedding_plan, passage_text, revision
    from ingest.pipeline import parse_paths

    statements, _ = parse_paths(files)
    out: list[str] = []
    for st in statements:
        chunks = chunk_statement(st, embedder, settings.max_chunk_tokens,
                                 revision(st, embedder, settings.max_chunk_tokens, settings.passage_context))
        out += embedding_plan(chunks, [passage_text(st, c, settings.passage_context) for c in chunks]).texts
    return out


if __name__ == "__main__":
    main()
