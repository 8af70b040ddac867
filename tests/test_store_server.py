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

    settings = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)
    store = open_store(settings)
    assert add([SEED], store, embedder).added == 10
    assert add([SEED], store, embedder).unchanged == 10
    index = Index(store, embedder, settings)
    result = answer("Which operations are named?", index)
    assert result.answered and result.citations[0].paragraph == 8
    assert not (tmp_path / "store").exists()  # nothing written locally in server mode
    assert remove(SEED.stem, store) == 10
    index.refresh()
    assert index.ids == []


def test_a_store_outage_is_one_line_and_the_app_recovers(tmp_path, embedder):
    import json
    import os

    from ingest.store import open_store
    from qa.answer import answer
    from qa.index import Index
    from tests.conftest import MODEL_CACHE, ROOT

    port = _free_port()
    server = _start_chroma(tmp_path / "srv", port)
    settings = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=port, refresh_seconds=0)
    try:
        add([SEED], open_store(settings), embedder)
        index = Index(open_store(settings), embedder, settings)
        index.refresh()
        server.terminate()
        server.wait(timeout=20)

        during = answer("Which operations are named?", index)  # from the index in memory
        assert during.answered and during.citations[0].paragraph == 8
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
