"""Where an evaluation run comes from: store, statements and their hashes, settings, model files, code, machine, questions."""
from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import numpy as np

from config.settings import ROOT


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


@lru_cache(maxsize=8)
def folder_hash(path: str) -> str:
    """One hash over a model folder's files (names and contents), so two runs know they used the same weights."""
    root = Path(path)
    if not root.exists():
        return ""
    digest = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(f.relative_to(root)).encode())
        digest.update(file_hash(f).encode())
    return digest.hexdigest()[:16]


def git_state() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def provenance(index, files: list[Path]) -> dict:
    """Everything needed to explain why two runs differ."""
    from qa.ranker import models_for

    s = index.settings
    ranker, refusal = models_for(index) / "ranker.json", models_for(index) / "refusal.json"  # the pair it is served with
    statements: dict[str, str] = {}
    for i in sorted(np.unique(index.metas.codes, return_index=True)[1].tolist()):  # each statement's first part
        meta = index.metas[i]
        statements[meta["statement_id"]] = meta.get("sha256", "")[:16]
    store = f"{s.chroma_host}:{s.chroma_port}" if s.chroma_host else str(s.persist_dir)
    settings = {f"QA_{k.upper()}": (str(v) if isinstance(v, Path) else v) for k, v in s.model_dump().items()}
    return {
        "store": store, "collection": s.collection, "statements": len(statements), "statement_hashes": statements,
        "records": len(index.ids), "settings": settings,
        "model": {"name": index.embedder.name, "path": str(index.embedder.path), "hash": folder_hash(str(index.embedder.path)),
                  "ranker": file_hash(ranker) if ranker.exists() else "hand-set weights",
                  "refusal": file_hash(refusal) if refusal.exists() else "hand-set weights"},
        "git": git_state(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"host": platform.node(), "system": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count()},
        "questions": [{"file": str(f), "hash": file_hash(f)} for f in files],
    }
