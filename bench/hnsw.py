"""python -m bench hnsw [--sizes 10000,100000 | --store DIR] [--ef 100,1000] [--k 60]: Chroma's HNSW as stage one, against the exact scan.

For each question of xquad-dev and collection-dev, ranking runs twice: over the exact scan of every vector in memory,
and with stage one in the store (qa/stage_one.py: Chroma's `query` on the paragraph and sentence collections for the
question's vectors, `--k` each; stage two reads only those candidates and the BM25 ones). Reported per `ef_search`:
how much of the scan's densest pool the store finds, how often the top paragraph is the same, R@1 of both, and the
time of stage one in the store, of the whole ranking with it, and of the ranking over the scan (no query encoding).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from bench.scale import QUESTION_SETS, store_for


def _first(index, query) -> np.ndarray:
    """The exact scan's stage-one score of every part (what qa.features.candidates ranks the densest by)."""
    from qa.features import cosines, products

    vectors = [query.vector] + ([query.mixed_vector] if query.mixed_vector is not None else [])
    scans = products(index, vectors)
    plain, mixed = scans[0], scans[-1]
    dense, sentence, _ = cosines(index, *plain)
    m_dense, m_sentence, _ = cosines(index, *mixed)
    return dense + sentence + m_dense + m_sentence


def _top_paragraph(index, query, allowed, pool: int, near=None) -> tuple[str, int] | None:
    from qa.features import candidates
    from qa.retrieve import ranker

    found = candidates(index, query, allowed, pool, near)
    if not len(found.rows):
        return None
    i = int(found.rows[int(np.argmax(ranker(index).score(found.names, found.matrix)))])
    return index.metas[i]["statement_id"], index.metas[i]["paragraph"]


def _pct(values: list[float]) -> list[float]:
    return [round(float(np.percentile(values, 50)), 1), round(float(np.percentile(values, 95)), 1)]


def measure(folder: Path, efs: list[int], k: int) -> list[dict]:
    from config import Settings
    from qa.engine import load_index
    from qa.eval import load_questions, matches
    from qa.query import read_query
    from qa.retrieve import allowed_parts
    from qa.stage_one import nearest_rows

    index = load_index(Settings(persist_dir=folder, stage_one_k=k))
    pool = index.settings.fusion_pool
    questions = [q for paths in QUESTION_SETS.values() for q in load_questions(paths)]
    read, scan_ms = [], []
    for q in questions:
        query = read_query(index, q["question"])
        allowed = allowed_parts(index, None, query)
        first = _first(index, query)
        exact_pool = set(np.flatnonzero(allowed)[np.argsort(-first[allowed], kind="stable")[:pool]].tolist())
        t = time.perf_counter()
        top = _top_paragraph(index, query, allowed, pool)
        scan_ms.append((time.perf_counter() - t) * 1000)
        read.append((q, query, allowed, exact_pool, top))

    def is_gold(q, key) -> bool:
        return key is not None and any(matches({"statement_id": key[0], "paragraph": key[1],
                                                "text": index.paragraph_text(*key)}, g) for g in q["gold"])

    out = []
    for ef in efs:
        # Chroma reads ef_search when it opens a collection's index: a modify() takes effect once the store is reopened
        index.store.settings = Settings(persist_dir=folder, stage_one_k=k, hnsw_ef_search=ef)
        index.store.connect()
        recall, same, gold_exact, gold_store, stage_ms, store_ms = [], [], [], [], [], []
        for q, query, allowed, exact_pool, exact_top in read:
            vectors = [query.vector] + ([query.mixed_vector] if query.mixed_vector is not None else [])
            t0 = time.perf_counter()
            near = nearest_rows(index, vectors, allowed)
            t1 = time.perf_counter()
            top = _top_paragraph(index, query, allowed, pool, near)
            t2 = time.perf_counter()
            stage_ms.append((t1 - t0) * 1000)
            store_ms.append((t2 - t0) * 1000)
            recall.append(len(exact_pool & set(near.tolist())) / max(1, len(exact_pool)))
            same.append(top == exact_top)
            if q["gold"]:
                gold_exact.append(is_gold(q, exact_top))
                gold_store.append(is_gold(q, top))
        config = index.store.collection.configuration_json["hnsw"]
        out.append({"parts": len(index.ids), "sentences": len(index.sentence_owner), "ef_search": ef, "k": k,
                    "space": config["space"], "max_neighbors": config["max_neighbors"],
                    "ef_construction": config["ef_construction"], "centered": index.store.centers[0] is not None,
                    "pool_recall": round(float(np.mean(recall)), 4), "top1_agreement": round(float(np.mean(same)), 4),
                    "R@1_exact": round(float(np.mean(gold_exact)), 4), "R@1_hnsw": round(float(np.mean(gold_store)), 4),
                    "stage_one_store_ms": _pct(stage_ms), "ranking_store_ms": _pct(store_ms), "ranking_scan_ms": _pct(scan_ms),
                    "questions": len(read)})
        print(json.dumps(out[-1]), flush=True)
    index.store.settings = Settings(persist_dir=folder)
    index.store.connect()  # the configured ef_search again, for the next process
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench hnsw")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--ef", default="50,100,200,400", help="ef_search values to try")
    parser.add_argument("--k", type=int, default=60, help="nearest neighbours per vector and collection")
    parser.add_argument("--store", type=Path, action="append", help="measure this store folder instead of the sizes' "
                        "(e.g. a copy made before `python -m ingest reindex`)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    folders = args.store or [store_for(int(size)) for size in args.sizes.split(",")]
    rows = [r for folder in folders for r in measure(folder, [int(e) for e in args.ef.split(",")], args.k)]
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0
