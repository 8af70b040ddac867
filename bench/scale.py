"""python -m bench scale [--sizes 1000,10000]: load, latency, memory, store size and R@1 at growing store sizes.

Each store holds the seed, xquad-dev's statements and ../shared/corpus, padded with Debian man pages (bench/manpages.py)
to about N paragraphs; it is built once through `ingest add` (from 50k on: the 25k store's man pages copied, their
vectors reused) and kept under .cache/bench/. Chroma's own HNSW query with
the same e5 query vector (k=4) is the baseline, measured alternately with ours in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.procs import free_port, memory_mb

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CACHE = ROOT / ".cache" / "bench"
# Past this size a store is the 25k one with its man pages copied under new ids, vectors reused (bench/copies.py):
# embedding 100k parts takes hours on this machine.
COPY_ABOVE = 50_000
QUESTION_SETS = {"xquad-dev": [SHARED / "eval/xquad-dev/questions_en.jsonl", SHARED / "eval/xquad-dev/questions_ru.jsonl"],
                 "collection-dev": [SHARED / "eval/collection-dev/questions.jsonl"]}


def base_files() -> list[Path]:
    """What every store holds: the statements the question sets are asked over."""
    return [*sorted((ROOT / "data/statements").glob("*.txt")), *sorted((SHARED / "eval/xquad-dev/statements").glob("*.txt")),
            *sorted((SHARED / "corpus").glob("*.txt"))]


def candidate_files() -> list[Path]:
    """The base statements, then the man pages in a fixed random order."""
    from bench.manpages import build

    pages = build(CACHE / "manpages")
    random.Random(0).shuffle(pages)
    return [*base_files(), *pages]


def _records(folder: Path) -> int:
    from config import Settings
    from ingest.store import open_store

    return open_store(Settings(persist_dir=folder)).count()


def store_for(size: int, batch: int = 0) -> Path:
    """The cached store of at least `size` paragraph records, built (or grown) with `ingest add`, `batch` files at a
    time until it holds enough (identical pages are duplicates, stored once, so files are not a reliable measure)."""
    folder = CACHE / f"store-{size}"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    if size >= COPY_ABOVE:
        from bench.copies import grow_by_copies

        print(json.dumps({"grown_by_copies": str(folder), **grow_by_copies(store_for(25000), folder, size)}), flush=True)
        return _reindexed(folder)
    files = candidate_files()
    batch = batch or max(20, size // 500)  # one `ingest add` per batch: its model load is the fixed cost
    env = {**os.environ, "QA_PERSIST_DIR": str(folder)}
    start, used = time.perf_counter(), 0
    while used < len(files) and (not folder.exists() or _records(folder) < size):
        chunk = files[used:used + (len(base_files()) if used == 0 else batch)]
        subprocess.run([sys.executable, "-m", "ingest", "add", *map(str, chunk)], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        used += len(chunk)
    marker.write_text(f"{used} files, {time.perf_counter() - start:.0f} s to build (or to grow)\n")
    return _reindexed(folder)


def _reindexed(folder: Path) -> Path:
    """`python -m ingest reindex` once, as a deployment of that size would: centered, with its distinct vectors."""
    subprocess.run([sys.executable, "-m", "ingest", "reindex"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={**os.environ, "QA_PERSIST_DIR": str(folder)})
    return folder


def own_files(name: str) -> list[Path]:
    """Each question set's own small store: the statements it is asked over, and nothing else."""
    if name == "xquad-dev":
        return sorted((SHARED / "eval/xquad-dev/statements").glob("*.txt"))
    return [*sorted((ROOT / "data/statements").glob("*.txt")), *sorted((SHARED / "corpus").glob("*.txt"))]


def own_quality() -> dict[str, float]:
    """R@1 of each question set on its own small store (built once under .cache/bench/own-NAME)."""
    from config import Settings
    from qa.engine import load_index
    from qa.eval import load_questions, run
    from qa.metrics import metrics

    out = {}
    for name, paths in QUESTION_SETS.items():
        folder = CACHE / f"own-{name}"
        if not (folder / ".complete").exists():
            subprocess.run([sys.executable, "-m", "ingest", "add", *map(str, own_files(name))], cwd=ROOT, check=True,
                           env={**os.environ, "QA_PERSIST_DIR": str(folder)}, stdout=subprocess.DEVNULL)
            (folder / ".complete").write_text("built\n")
        index = load_index(Settings(persist_dir=folder))
        out[f"R@1 {name}"] = round(metrics(run(load_questions(paths), index))["R@1"], 3)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated store sizes in paragraphs")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--cold-only", action="store_true", help="only the cold starts and their peak RSS")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        folder = store_for(size)
        if args.build_only:
            continue
        rows.append(measure(folder, size, args.cold_only))
        print(json.dumps(rows[-1]), flush=True)
    if rows and not args.cold_only:
        rows.append({"target": "own stores", **own_quality()})
        print(table(rows))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


def _run(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and peak private memory (MB: RSS less the mapped files other processes share, such
    as the kept index's vectors) of one child process, its memory polled until it exits."""
    start, peak, private = time.perf_counter(), 0.0, 0.0
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        peak = max(peak, memory_mb(proc.pid, "VmHWM"))
        private = max(private, memory_mb(proc.pid, "RssAnon"))
        time.sleep(0.02)
    return time.perf_counter() - start, peak, private


def cold_app(env: dict) -> tuple[float, float, float]:
    """Seconds from starting app.py to its first answer over HTTP, the app's peak RSS (MB) by then and its private
    memory then."""
    import urllib.request

    port = free_port()
    env = {**env, "QA_PORT": str(port)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    body = json.dumps({"question": "Which operations are named?"}).encode()
    try:
        while time.perf_counter() - start < 600:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/ask", body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=60) as r:
                    r.read()
                break
            except OSError:
                time.sleep(0.2)
        elapsed = time.perf_counter() - start
        peak, private = memory_mb(proc.pid, "VmHWM"), memory_mb(proc.pid, "RssAnon")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return elapsed, peak, private


def _pct(values: list[float]) -> tuple[float, float]:
    import numpy as np

    return round(float(np.percentile(values, 50)), 1), round(float(np.percentile(values, 95)), 1)


def measure(folder: Path, size: int, cold_only: bool = False) -> dict:
    """Every number of one row of the table, on one store (only the cold starts and their memory with `cold_only`)."""
    from config import Settings
    from qa import loaded
    from qa.answer import answer
    from qa.engine import load_index
    from qa.eval import load_questions, run
    from qa.metrics import metrics
    from qa.retrieve import search

    env = {**os.environ, "QA_PERSIST_DIR": str(folder)}
    loaded.location(Settings(persist_dir=folder)).unlink(missing_ok=True)
    ask = [sys.executable, "-m", "qa", "ask", "Which operations are named?"]
    fresh_s, fresh_rss, _ = _run(ask, env)  # every record paged out of Chroma (and then kept beside the store)
    ask_s, ask_rss, ask_private = _run(ask, env)  # starting from the kept records
    app_s, app_rss, app_private = cold_app(env)
    cold = {"target": size, "qa_ask_cold_from_chroma_s": round(fresh_s, 1), "qa_ask_from_chroma_peak_rss_mb": round(fresh_rss),
            "qa_ask_cold_s": round(ask_s, 1), "qa_ask_peak_rss_mb": round(ask_rss), "qa_ask_peak_private_mb": round(ask_private),
            "app_first_answer_s": round(app_s, 1), "app_peak_rss_mb": round(app_rss), "app_private_mb": round(app_private)}
    if cold_only:
        return cold
    start = time.perf_counter()
    index = load_index(Settings(persist_dir=folder))
    load_s = time.perf_counter() - start
    sets = {name: load_questions(paths) for name, paths in QUESTION_SETS.items()}
    questions = [q["question"] for qs in sets.values() for q in qs]
    for q in questions[:5]:
        answer(q, index)
    ours, full, baseline, encode = [], [], [], []
    for q in questions:  # alternating, so machine drift falls on both
        t0 = time.perf_counter()
        vector = index.embedder.encode_queries([q])[0]
        t1 = time.perf_counter()
        index.store.collection.query(query_embeddings=[vector.tolist()], n_results=4)
        t2 = time.perf_counter()
        answer(q, index)  # the whole answer, its query texts encoded afresh
        t3 = time.perf_counter()
        search(index, q, 10)  # retrieval alone, its query vectors now cached: comparable to the baseline's query
        t4 = time.perf_counter()
        encode.append((t1 - t0) * 1000)
        baseline.append((t2 - t1) * 1000)
        full.append((t3 - t2) * 1000)
        ours.append((t4 - t3) * 1000)
    quality = {name: metrics(run(qs, index)) for name, qs in sets.items()}
    counts = {"paragraph_records": len(index.ids), "sentences": len(index.sentence_owner),
              "statements": len(set(index.statement_of))}
    reload_s = reload_after_one_statement(index, env)
    size_mb = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20
    return {**cold, **counts, "index_load_s": round(load_s, 1),
            "retrieval_ms_without_encoding": _pct(ours), "answer_ms": _pct(full), "encode_ms": _pct(encode),
            "chroma_query_k4_ms": _pct(baseline), "ratio_retrieval_to_chroma_p50": round(_pct(ours)[0] / _pct(baseline)[0], 1),
            "reload_after_add_s": reload_s, "store_mb": round(size_mb), **{f"R@1 {n}": round(m["R@1"], 3) for n, m in quality.items()},
            **{f"cited_correct {n}": round(m["cited_correct"], 3) for n, m in quality.items()}}


def reload_after_one_statement(index, env: dict) -> float:
    """Seconds until a loaded index serves a statement another process has just added (then removed again): the
    refresh interval plus the reload."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_reload_probe.txt"
        path.write_text("ЗАЯВЛЕНИЕ Совета по морскому рыболовству\n\nМосква, 3 марта 2021 года\n\n"
                        "1. Квота на вылов трески в Баренцевом море устанавливается в размере 12 тысяч тонн.\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "ingest", "add", str(path)], cwd=ROOT, env=env, check=True, capture_output=True)
    start = time.perf_counter()
    while "bench_reload_probe" not in set(index.statement_of) and time.perf_counter() - start < 300:
        index.refresh()  # what a question does: checks the store every QA_REFRESH_SECONDS
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    served = "bench_reload_probe" in set(index.statement_of)
    subprocess.run([sys.executable, "-m", "ingest", "remove", "bench_reload_probe"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return round(elapsed, 2) if served else float("nan")


def table(rows: list[dict]) -> str:
    cols = ["target", "paragraph_records", "index_load_s", "qa_ask_cold_from_chroma_s", "qa_ask_cold_s", "app_first_answer_s",
            "retrieval_ms_without_encoding", "answer_ms",
            "encode_ms", "chroma_query_k4_ms", "ratio_retrieval_to_chroma_p50", "reload_after_add_s", "app_peak_rss_mb", "app_private_mb", "store_mb",
            "R@1 xquad-dev", "R@1 collection-dev"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = [r.get(c, "") for c in cols]
        lines.append("| " + " | ".join(" / ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v) for v in cells) + " |")
    return "\n".join(lines)
