"""Limits on one file: its size, what a .docx expands to (a zip bomb refused from its directory), its paragraph count."""
from __future__ import annotations

import resource
import time
import zipfile

import pytest

from ingest.limits import Limits, failure_reason, parse_checked
from ingest.parse import parse_file
from ingest.records import IngestError
from tests.conftest import SEED


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(SEED.read_bytes() * 2)
    with pytest.raises(IngestError, match=r"^file too large: 0\.0 MB \(limit 0\.001 MB, QA_MAX_FILE_MB\)$"):
        parse_checked(path, Limits(max_file_mb=0.001))
    assert parse_checked(SEED, Limits(max_file_mb=0.1)).id == SEED.stem


def test_a_zip_bomb_docx_is_refused_from_its_directory_quickly(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("ЗАЯВЛЕНИЕ")
    doc.add_paragraph("Мы поддерживаем мир и диалог.")
    doc.save(tmp_path / "plain.docx")
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(tmp_path / "plain.docx") as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open("word/media/padding.bin", "w") as pad:  # 300 MB of zeros, written 1 MB at a time
            for _ in range(300):
                pad.write(bytes(1 << 20))
    assert bomb.stat().st_size < 1_000_000
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(IngestError, match=r"^the \.docx would expand to 30\d MB \(limit 50 MB, QA_MAX_UNZIPPED_MB\)"):
        parse_checked(bomb, Limits())
    assert time.perf_counter() - start < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 50 * 1024  # KB: nothing was inflated
    assert [p.text for p in parse_checked(tmp_path / "plain.docx", Limits()).body] == ["Мы поддерживаем мир и диалог."]


def test_a_statement_over_the_paragraph_limit_is_refused():
    assert len(parse_file(SEED).body) == 9
    with pytest.raises(IngestError, match=r"^too many paragraphs: 9 \(limit 5, QA_MAX_PARAGRAPHS\)$"):
        parse_checked(SEED, Limits(max_paragraphs=5))
    assert parse_checked(SEED, Limits(max_paragraphs=9)) == parse_file(SEED)


def test_any_exception_becomes_a_one_line_reason():
    assert failure_reason(IngestError("empty file")) == "empty file"
    assert failure_reason(ValueError("bad value\nsecond line")) == "cannot parse: ValueError: bad value"
    assert failure_reason(PermissionError(13, "Permission denied")) == "cannot read the file (Permission denied)"
    assert failure_reason(MemoryError()) == "out of memory while parsing"


def test_settings_carry_the_limits():
    from config import Settings

    assert Limits.from_settings(Settings()) == Limits()
    custom = Settings(max_file_mb=1, max_paragraphs=10, max_unzipped_mb=2, max_parse_seconds=3, max_parse_mb=400)
    assert Limits.from_settings(custom) == Limits(1, 10, 2, 3, 400)
