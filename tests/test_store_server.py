"""Server mode: a real `chroma run` on 127.0.0.1, ingested into and answered from over HTTP."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.catalog import remove
from ingest.pipeline import add
from tests.conftest import SEED, make_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_chroma(path: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    proc = subprocess.Popen([str(exe), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail("chroma run did not start within 60 s")


@pytest.fixture
def chroma_server(tmp_path):
    port = _free_port()
    proc = _start_chroma(tmp_path / "srv", port)
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_answer_through_a_chroma_server(tmp_path, chroma_server, embedder):
    from ingest.store import open_store
    from qa.answer import answer
    from qa.index import Index

    # stage one from the server's HNSW index (qa/stage_one.py), as a 100k store would take it
    settings = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server, stage_one="store")
    store = open_store(settings)
    assert add([SEED], store, embedder).added == 10
    assert add([SEED], store, embedder).unchanged == 10
    index = Index(store, embedder, settings)
    result = answer("Which operations are named?", index)
    assert result.answered and result.citations[0].paragraph == 8
    assert not (tmp_path / "store").exists()  # nothing written locally in server mode
    # a reindex over HTTP: collections remade centered, with their distinct vectors, and swapped in by rename
    from ingest.reindex import reindex

    assert reindex(store, progress=lambda line: None)[settings.collection]["records"] == 10
    assert store.centers[0] is not None and store.distinct_ready
    index.refresh(force=True)
    result = answer("Which operations are named?", index)
    assert result.answered and result.citations[0].paragraph == 8
    assert all("vector_digest" in m for m in index.snapshot().metas)
    assert remove(SEED.stem, store) == 10
    index.refresh()
    assert index.ids == []


def test_a_store_outage_is_one_line_and_the_app_recovers(tmp_path, embedder, caplog):
    import json
    import logging
    import os

    from ingest.store import open_store
    from qa.answer import answer
    from qa.index import Index
    from tests.conftest import MODEL_CACHE, ROOT

    port = _free_port()
    server = _start_chroma(tmp_path / "srv", port)
    settings = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=port, refresh_seconds=0, stage_one="store")
    try:
        add([SEED], open_store(settings), embedder)
        index = Index(open_store(settings), embedder, settings)
        index.refresh()
        server.terminate()
        server.wait(timeout=20)

        with caplog.at_level(logging.WARNING, logger="qa.stage_one"):
            during = answer("Which operations are named?", index)  # from the index in memory (stage one scans it)
        assert during.answered and during.citations[0].paragraph == 8
        assert "scanning the vectors in memory" in caplog.text
        assert "cannot reach the Chroma server" in index.unreachable and f"127.0.0.1:{port}" in index.unreachable

        env = {**os.environ, "QA_CHROMA_HOST": "127.0.0.1", "QA_CHROMA_PORT": str(port), "QA_MODEL_CACHE": str(MODEL_CACHE)}
        ask = subprocess.run([sys.executable, "-m", "qa", "ask", "Which operations are named?"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        assert ask.returncode != 0 and len(ask.stderr.strip().splitlines()) == 1, ask.stderr
        assert "chroma run" in ask.stderr and "Traceback" not in ask.stderr
        ingest = subprocess.run([sys.executable, "-m", "ingest", "add", str(SEED), "--json"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        assert ingest.returncode == 2 and "Traceback" not in ingest.stderr
        assert "cannot reach the Chroma server" in json.loads(ingest.stdout)["error"]

        server = _start_chroma(tmp_path / "srv", port)
        other = tmp_path / "cod.txt"
        other.write_text("ЗАЯВЛЕНИЕ Совета по рыболовству\n\nМосква, 3 марта 2021 года\n\n"
                         "1. Квота на вылов трески в Баренцевом море составляет 12 тысяч тонн.\n", encoding="utf-8")
        add([other], open_store(settings), embedder)
        after = answer("What is the cod quota in the Barents Sea?", index)  # recovered by itself, new statement served
        assert index.unreachable == "" and after.citations[0].statement_id == "cod"
    finally:
        server.terminate()
        server.wait(timeout=20)


def _start_app(tmp_path: Path, name: str, chroma_port: int, bundled: Path, allow_upload: bool) -> tuple[subprocess.Popen, int]:
    """A real app.py on 127.0.0.1 reading the Chroma server; its log goes to a file (a full pipe would stall it)."""
    import os

    from tests.conftest import MODEL_CACHE, ROOT

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("QA_AUTH", "QA_API_TOKEN", "QA_ALLOW_UPLOAD")}
    env.update({"QA_CHROMA_HOST": "127.0.0.1", "QA_CHROMA_PORT": str(chroma_port), "QA_MODEL_CACHE": str(MODEL_CACHE),
                "QA_PERSIST_DIR": str(tmp_path / f"{name}-unused"), "QA_STATEMENTS_DIR": str(bundled), "QA_HOST": "127.0.0.1",
                "QA_PORT": str(port), "QA_REFRESH_SECONDS": "0.5", **({"QA_ALLOW_UPLOAD": "1"} if allow_upload else {})})
    with (tmp_path / f"{name}.log").open("w") as log:
        return subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=log), port


def _serving(proc: subprocess.Popen, port: int, log: Path, statements: int, seconds: float) -> None:
    """Wait until the app answers /api/health with this many statements, or fail with the end of its log."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()["statements"] == statements:
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{log.stem} not serving {statements} statement(s) within {seconds:.0f} s: {log.read_text()[-1500:]}")


def test_a_statement_posted_to_one_app_is_answered_by_another_app_on_the_same_chroma_server(tmp_path, chroma_server):
    """Two app.py processes on one `chroma run`: POST /api/statements on A, B cites the new statement within 30 s; a third
    app started without QA_ALLOW_UPLOAD refuses the same POST with 403 and one line."""
    import httpx

    from tests.conftest import SHARED, needs_shared

    bundled, empty = tmp_path / "bundled", tmp_path / "empty"
    bundled.mkdir()
    empty.mkdir()
    shutil.copy(SEED, bundled / SEED.name)
    upload = tmp_path / "wales_teachers_upload.txt"  # a new name: the statement id the apps must serve
    shutil.copy(needs_shared(SHARED / "eval" / "xquad-dev" / "statements" / "06_Teacher.txt"), upload)
    question = "What group can teachers in Wales register with?"
    apps: list[subprocess.Popen] = []
    try:
        a, port_a = _start_app(tmp_path, "app-a", chroma_server, bundled, allow_upload=True)  # ingests SEED at start
        apps.append(a)
        _serving(a, port_a, tmp_path / "app-a.log", 1, 180)
        # B and C find the store filled, so they ingest nothing (their bundled folder is empty anyway)
        b, port_b = _start_app(tmp_path, "app-b", chroma_server, empty, allow_upload=True)
        c, port_c = _start_app(tmp_path, "app-c", chroma_server, empty, allow_upload=False)
        apps += [b, c]
        _serving(b, port_b, tmp_path / "app-b.log", 1, 180)
        _serving(c, port_c, tmp_path / "app-c.log", 1, 180)

        with upload.open("rb") as f:
            refused = httpx.post(f"http://127.0.0.1:{port_c}/api/statements", files={"files": (upload.name, f)}, timeout=30)
        assert refused.status_code == 403, refused.text
        assert refused.json()["detail"].startswith("Uploads are off") and "\n" not in refused.json()["detail"]

        with upload.open("rb") as f:
            added = httpx.post(f"http://127.0.0.1:{port_a}/api/statements", files={"files": (upload.name, f)}, timeout=120)
        assert added.status_code == 200, added.text
        (result,) = added.json()["files"]
        assert (result["status"], result["statement"], result["title"], result["error"]) == (
            "added", upload.stem, "Teacher", "")
        assert result["paragraphs"] > 1 and added.json()["added"] == 1
        # A's own index sees it at once, with no wait for the refresh interval
        at_a = httpx.post(f"http://127.0.0.1:{port_a}/api/ask", json={"question": question}, timeout=60).json()
        assert upload.stem in {x["statement_id"] for x in at_a["citations"]}

        deadline, cited = time.monotonic() + 30, set()
        while time.monotonic() < deadline and upload.stem not in cited:
            answer = httpx.post(f"http://127.0.0.1:{port_b}/api/ask", json={"question": question}, timeout=60)
            assert answer.status_code == 200, answer.text
            cited = {x["statement_id"] for x in answer.json()["citations"]}
            time.sleep(0.3)
        assert upload.stem in cited, f"B did not cite {upload.stem} within 30 s: {cited}"
        assert answer.json()["citations"][0]["paragraph"] == 2  # «… профсоюзах, таких как ATL, NUT или NASUWT»
        listed = httpx.get(f"http://127.0.0.1:{port_b}/api/statements", timeout=30).json()
        assert sorted(s["id"] for s in listed["statements"]) == sorted([SEED.stem, upload.stem])  # C's refusal added nothing
    finally:
        for proc in apps:
            proc.terminate()
        for proc in apps:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
