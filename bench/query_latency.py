"""Warm query latency of qa.answer (p50/p95) over question sets, on the configured store: python bench/query_latency.py FILE..."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.answer import answer  # noqa: E402
from qa.engine import load_index  # noqa: E402
from qa.eval import load_questions  # noqa: E402


def main() -> None:
    files = [Path(p) for p in sys.argv[1:]] or [Path("data/eval/seed.jsonl")]
    index = load_index()
    questions = load_questions(files)
    for q in questions[:5]:
        answer(q["question"], index)  # warm-up: model, BM25, caches
    stages: dict[str, list[float]] = {"answer": []}
    for q in questions:
        start = time.perf_counter()
        answer(q["question"], index)
        stages["answer"].append((time.perf_counter() - start) * 1000)
    lat = np.array(stages["answer"])
    print(f"{len(lat)} questions, {len(index.ids)} records: p50 {np.percentile(lat, 50):.1f} ms, "
          f"p95 {np.percentile(lat, 95):.1f} ms, mean {lat.mean():.1f} ms")


if __name__ == "__main__":
    main()
