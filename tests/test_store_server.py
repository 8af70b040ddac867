"""Server mode: a real `chroma run` on 127.0.0.1, ingested into and answered from over HTTP."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import add, remove
from tests.conftest import SEED, make_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = _free_port()
    proc = subprocess.Popen([str(exe), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "srv")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 60 s")
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
