"""Packaging: the declared dependency ranges admit the pinned set, and `pip install .` into a fresh venv gives a working
`statement-qa` command (the dependencies themselves come from the project venv through a .pth file, not the network)."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import MODEL_CACHE, ROOT


def _pip(python: str | Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "pip", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_declared_dependencies_admit_the_pins():
    out = _pip(sys.executable, "install", "--dry-run", "--no-index", "--no-build-isolation", "--quiet", ".")
    assert out.returncode == 0, out.stderr[-2000:]


def test_pip_install_gives_the_statement_qa_command(tmp_path):
    pytest.importorskip("setuptools")
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)  # this venv's pip installs into it (--python), its setuptools builds the wheel
    python = fresh / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    out = _pip(sys.executable, "--python", str(python), "install", "--no-deps", "--no-index", "--no-build-isolation", "--quiet", ".")
    assert out.returncode == 0, out.stderr[-2000:]
    command = fresh / "bin" / "statement-qa"
    env = {**os.environ, "QA_MODEL_CACHE": str(MODEL_CACHE), "HF_HUB_OFFLINE": "1"}
    usage = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert usage.returncode == 0 and "ask" in usage.stdout and "serve" in usage.stdout
    ask = subprocess.run([str(command), "ask", "--help"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert ask.returncode == 0 and "--statement" in ask.stdout
    installed = subprocess.run([str(python), "-c", "import qa.ranker, app; print(qa.ranker.MODEL.exists())"],
                               capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert installed.stdout.strip() == "True", installed.stderr  # the fitted models ship as package data
    build = subprocess.run([str(python), "-c", "from config import get_settings; from ingest.embedder import model_path; "
                            "s = get_settings(); print(model_path(s.embedding_model, s.model_cache))"],
                           capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert build.returncode == 0 and str(MODEL_CACHE) in build.stdout, build.stderr[-2000:]
