"""Soak: N users ask a running app (loopback) for S seconds while another process ingests; errors, p50/p95 and RSS."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from bench.procs import free_port, memory_mb

ROOT = Path(__file__).resolve().parent.parent


def _questions() -> list[str]:
    out = []
    for name in ("seed.jsonl", "seed_dev2.jsonl"):
        for line in (ROOT / "data" / "eval" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["question"])
    return out


def soak(users: int, seconds: float, ingest: list[Path]) -> dict:
    """Start the app on a fresh store, then `users` threads ask for `seconds` while `ingest add` runs beside it."""
    work = Path(tempfile.mkdtemp(prefix="qa-soak-"))
    bundled = work / "bundled"
    shutil.copytree(ROOT / "data" / "statements", bundled)
    port = free_port()
    env = {**os.environ, "QA_PERSIST_DIR": str(work / "store"), "QA_STATEMENTS_DIR": str(bundled), "QA_PORT": str(port)}
    log = open(work / "app.log", "w")
    app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", limits=httpx.Limits(max_connections=users + 4))
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                if client.get("/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        questions, latencies, errors, rss = _questions(), [], [], [memory_mb(app.pid)]
        lock, stop = threading.Lock(), threading.Event()

        def user(k: int) -> None:
            i = k
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    r = client.post("/api/ask", json={"question": questions[i % len(questions)]}, timeout=120)
                    r.raise_for_status()
                    r.json()["answered"]
                    with lock:
                        latencies.append((time.perf_counter() - started) * 1000)
                except Exception as exc:
                    with lock:
                        errors.append(f"{exc.__class__.__name__}: {exc}"[:200])
                i += users

        threads = [threading.Thread(target=user, args=(k,)) for k in range(users)]
        for t in threads:
            t.start()
        writer = subprocess.Popen([sys.executable, "-m", "ingest", "add", *map(str, ingest)], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if ingest else None
        end = time.time() + seconds
        while time.time() < end:
            rss.append(memory_mb(app.pid))
            time.sleep(1)
        stop.set()
        for t in threads:
            t.join(timeout=180)
        ingest_rc = writer.wait(timeout=1800) if writer else None
        # a health check starts the periodic store check beside it and answers from what is loaded: ask until it settles
        statements, settle = None, time.time() + 60
        while time.time() < settle:
            seen = client.get("/api/health", timeout=30).json()["statements"]
            if seen == statements:
                break
            statements = seen
            time.sleep(2)
    finally:
        client.close()
        app.terminate()
        app.wait(timeout=30)
        log.close()
        app_errors = [line for line in (work / "app.log").read_text(errors="replace").splitlines()
                      if "Error" in line or "Traceback" in line or "ERROR" in line]
        shutil.rmtree(work, ignore_errors=True)
    lat = np.array(latencies or [0.0])
    return {"users": users, "seconds": seconds, "requests": len(latencies), "errors": len(errors),
            "error_examples": sorted(set(errors))[:5], "app_log_errors": app_errors[:12], "p50_ms": round(float(np.percentile(lat, 50)), 1),
            "p95_ms": round(float(np.percentile(lat, 95)), 1), "rss_mb_start": round(rss[0]), "rss_mb_peak": round(max(rss)),
            "ingested_files": len(ingest), "ingest_exit": ingest_rc, "statements_after": statements}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("ingest", nargs="*", type=Path, help="files ingested by another process during the soak "
                        "(default: ../shared/corpus/*.txt when present)")
    args = parser.parse_args(argv)
    files = args.ingest or sorted((ROOT.parent / "shared" / "corpus").glob("*.txt"))
    result = soak(args.users, args.seconds, files)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 1 if result["errors"] else 0
