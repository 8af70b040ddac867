"""pipeline.collect_files and parse_paths over a hostile folder: every bad file fails alone with a one-line reason, files of
other types are listed as skipped, hidden ones left out; a control character in a name never reaches a statement id."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from config import get_settings
from ingest.pipeline import collect_files, parse_paths
from ingest.readers import READERS
from tests.conftest import ROOT, SEED

SUPPORTED = ", ".join(sorted(READERS))


@pytest.fixture
def fresh_settings(monkeypatch):
    """get_settings() re-read from the environment the test sets."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _hostile_folder(tmp_path):
    from docx import Document

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    doc = Document()
    doc.add_paragraph("ЗАЯВЛЕНИЕ")
    doc.add_paragraph("Мы поддерживаем мир и диалог.")
    doc.save(tmp_path / "plain.docx")
    with zipfile.ZipFile(tmp_path / "plain.docx") as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    for name, edit in [("truncated.docx", lambda x: x[: len(x) // 2]),
                       ("laughs.docx", lambda x: x.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY a "aaaa">]>', 1)),
                       ("bomb.docx", None)]:
        with zipfile.ZipFile(folder / "sub" / name, "w", zipfile.ZIP_DEFLATED) as dst:
            for part, data in parts.items():
                dst.writestr(part, edit(data) if edit and part == "word/document.xml" else data)
            if edit is None:
                with dst.open("word/media/padding.bin", "w") as pad:
                    for _ in range(60):
                        pad.write(bytes(1 << 20))
    (folder / "notes.json").write_text("{}", encoding="utf-8")
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "empty.txt").write_bytes(b"")
    (folder / ".DS_Store").write_bytes(bytes(32))
    (folder / ".git" / "config").write_text("[core]", encoding="utf-8")
    lines = SEED.read_text(encoding="utf-8").split("\n")
    (folder / "mixed.txt").write_bytes(b"\n".join(ln.encode("utf-8" if i % 2 else "cp1251") for i, ln in enumerate(lines)))
    return folder


def test_every_bad_file_fails_alone_and_other_types_are_listed(tmp_path, fresh_settings):
    folder = _hostile_folder(tmp_path)
    statements, failed = parse_paths([folder, folder / "scan.png"])
    assert sorted(s.id for s in statements) == ["mixed", "seed"]
    reasons = {os.path.relpath(f["path"], folder): f["error"] for f in failed}
    assert reasons == {
        "empty.txt": "empty file",
        "notes.json": f"unsupported file type .json (supported: {SUPPORTED})",
        "scan.png": f"unsupported file type .png (supported: {SUPPORTED})",
        "sub/bomb.docx": reasons["sub/bomb.docx"],
        "sub/laughs.docx": "not a valid .docx: word/document.xml declares a DTD (entities are refused)",
        "sub/truncated.docx": reasons["sub/truncated.docx"],
    }
    assert re.fullmatch(r"the \.docx would expand to 6\d MB \(limit 50 MB, QA_MAX_UNZIPPED_MB\); a zip bomb\?", reasons["sub/bomb.docx"])
    assert reasons["sub/truncated.docx"].startswith("not a valid .docx: broken XML inside (")
    assert not any("\n" in r for r in reasons.values())
    assert [p.text for p in statements[0].body] == [p.text for p in statements[1].body]  # mixed == seed, no mojibake


def test_limits_come_from_the_settings(tmp_path, fresh_settings):
    fresh_settings.setenv("QA_MAX_PARAGRAPHS", "3")
    fresh_settings.setenv("QA_MAX_FILE_MB", "0.002")
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "short.txt").write_text("ЗАЯВЛЕНИЕ\n\nМы за мир.\n\nМы за диалог.", encoding="utf-8")
    statements, failed = parse_paths([tmp_path])
    assert [s.id for s in statements] == ["short"]
    assert failed == [{"path": str(tmp_path / "seed.txt"), "error": "file too large: 0.0 MB (limit 0.002 MB, QA_MAX_FILE_MB)"}]
    fresh_settings.setenv("QA_MAX_FILE_MB", "20")
    get_settings.cache_clear()
    assert parse_paths([tmp_path / "seed.txt"])[1][0]["error"] == "too many paragraphs: 9 (limit 3, QA_MAX_PARAGRAPHS)"


def test_collect_files_lists_each_file_once_in_order(tmp_path):
    folder = _hostile_folder(tmp_path)
    files = collect_files([folder, folder / "seed.txt"])
    assert [f.relative_to(folder).as_posix() for f in files] == [
        "empty.txt", "mixed.txt", "notes.json", "scan.png", "seed.txt", "sub/bomb.docx", "sub/laughs.docx",
        "sub/truncated.docx"]


def test_cli_parse_of_a_name_with_a_newline(tmp_path):
    shutil.copy(SEED, tmp_path / "two\nlines\u202e.txt")
    shutil.copy(SEED, tmp_path / "plain.txt")
    env = {**os.environ, "QA_PERSIST_DIR": str(tmp_path / "store")}
    run = subprocess.run([sys.executable, "-m", "ingest", "parse", str(tmp_path), "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # no terminal: no progress bar
    parsed = json.loads(run.stdout)["statements"]
    assert [(s["id"], s["source"]) for s in parsed] == [("plain", "plain.txt"), ("two_lines_", "two_lines_.txt")]
    text = subprocess.run([sys.executable, "-m", "ingest", "parse", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120).stdout
    heads = [ln for ln in text.splitlines() if not ln.startswith("  ")]
    assert [h.split(":")[0] for h in heads] == ["plain", "two_lines_"]
