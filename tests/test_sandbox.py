"""Parsing in the child process: the same statements as in-process; a file over the time or memory limit is killed and
fails alone, and the next file parses."""
from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from ingest.limits import Limits
from ingest.parse import parse_file
from ingest.records import IngestError
from ingest.sandbox import ParseWorker, parse_limited
from tests.conftest import SEED

_WORDS = "мир договор стороны федерации республика заявление peace treaty parties federation statement".split()


def words(n_bytes: int) -> str:
    rnd = random.Random(1)
    return " ".join(rnd.choice(_WORDS) for _ in range(n_bytes // 9))


def test_the_child_returns_the_same_statement_as_in_process(tmp_path):
    assert parse_limited(SEED, Limits()) == parse_file(SEED)
    assert parse_limited(SEED, Limits(max_parse_seconds=0)) == parse_file(SEED)


def test_a_file_over_the_time_limit_is_killed_and_the_next_one_parses(tmp_path):
    # Many short capitals lines: each is a heading, looked up in the morphology dictionary (about a second here).
    slow = tmp_path / "slow.txt"
    slow.write_text("ЗАЯВЛЕНИЕ\n\n" + "\n\n".join(" ".join(words(60).split()[:6]).upper() for _ in range(1500)), encoding="utf-8")
    worker = ParseWorker(512)
    try:
        with pytest.raises(IngestError, match=r"^parsing took over 0\.01 s \(limit QA_MAX_PARSE_SECONDS\)$"):
            worker.parse(slow, Limits(max_parse_seconds=0.01))
        assert worker.parse(SEED, Limits()) == parse_file(SEED)
        assert len(worker.parse(slow, Limits()).body) > 500
    finally:
        worker.close()


def test_a_file_over_the_memory_limit_fails_alone(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("ЗАЯВЛЕНИЕ\n\n" + words(4_000_000), encoding="utf-8")
    worker = ParseWorker(150)  # the child's imports take ~50 MB of address space; a 4 MB line needs ~150 more
    try:
        with pytest.raises(IngestError, match=r"^parsing needed over 150 MB of memory \(limit QA_MAX_PARSE_MB\)$"):
            worker.parse(big, Limits(max_parse_mb=150))
        assert worker.parse(SEED, Limits(max_parse_mb=150)) == parse_file(SEED)
    finally:
        worker.close()


def test_a_reader_crash_is_this_file_s_reason_in_either_mode(tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04" + bytes(100))
    for limits in (Limits(), Limits(max_parse_seconds=0)):
        with pytest.raises(IngestError, match=r"^not a valid \.docx \("):
            parse_limited(broken, limits)


def test_child_warnings_reach_the_parent_once_with_a_count(tmp_path, caplog):
    # A PDF whose cross-reference offsets are wrong: pypdf recovers and warns (in the child, where no one would see it).
    from fpdf import FPDF

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip("DejaVu font not installed (make test installs fonts-dejavu-core)")
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(font))
    pdf.set_font("dejavu", size=11)
    pdf.add_page()
    for block in SEED.read_text(encoding="utf-8").split("\n\n"):
        pdf.multi_cell(0, 6, block.strip())
        pdf.ln(6)
    data = pdf.output()
    xref = data.rindex(b"startxref\n") + len(b"startxref\n")
    path = tmp_path / "offsets.pdf"
    path.write_bytes(data[:xref] + b"12" + data[xref:].lstrip(b"0123456789"))
    with caplog.at_level(logging.WARNING):
        statement = parse_limited(path, Limits())
    assert len(statement.body) == 9
    replayed = [r for r in caplog.records if r.name.startswith("pypdf") and r.getMessage().startswith("offsets.pdf: ")]
    assert replayed and len({r.getMessage() for r in replayed}) == len(replayed)


def test_a_child_that_died_while_idle_is_replaced():
    worker = ParseWorker(512)
    try:
        assert worker.parse(SEED, Limits()) == parse_file(SEED)
        worker._proc.kill()  # as the OOM killer would
        worker._proc.wait()
        assert worker.parse(SEED, Limits()) == parse_file(SEED)
    finally:
        worker.close()
