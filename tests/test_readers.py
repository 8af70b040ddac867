"""Readers against hostile files: a .docx with broken XML or a DTD, HTML declaring entities, a block of many lines,
a type no reader takes."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest.parse import parse_file
from ingest.readers import READERS, read_blocks, unwrap
from ingest.records import IngestError
from tests.conftest import SEED

_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10}">' for i in range(1, 10)) + "]>")


def docx(tmp_path: Path, name: str, edit=lambda xml: xml) -> Path:
    """The seed as a .docx, its word/document.xml passed through `edit`."""
    from docx import Document

    doc = Document()
    for block in SEED.read_text(encoding="utf-8").split("\n\n"):
        doc.add_paragraph(block.strip())
    doc.save(tmp_path / "plain.docx")
    out = tmp_path / name
    with zipfile.ZipFile(tmp_path / "plain.docx") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, edit(data) if info.filename == "word/document.xml" else data)
    return out


def test_docx_with_truncated_xml_fails_with_one_line_reason(tmp_path):
    path = docx(tmp_path, "truncated.docx", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(IngestError, match=r"^not a valid \.docx: broken XML inside \(") as exc:
        parse_file(path)
    assert "\n" not in str(exc.value)


def test_docx_declaring_entities_is_refused_before_parsing(tmp_path):
    def laughs(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1].replace("Заявление".encode(), b"&lol9;", 1)
        return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + _LAUGHS.encode() + body

    with pytest.raises(IngestError, match="word/document.xml declares a DTD"):
        parse_file(docx(tmp_path, "laughs.docx", laughs))

    def external(xml: bytes) -> bytes:
        head, body = xml.split(b"?>", 1)
        return head + b'?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + body.replace("Заявление".encode(), b"&x;", 1)

    with pytest.raises(IngestError, match="declares a DTD"):
        parse_file(docx(tmp_path, "xxe.docx", external))


def test_plain_docx_still_reads(tmp_path):
    assert [p.text for p in parse_file(docx(tmp_path, "seed.docx")).body] == [p.text for p in parse_file(SEED).body]


def test_html_entities_declared_in_a_dtd_are_never_expanded(tmp_path):
    page = _LAUGHS.replace("lolz", "html") + "<html><body><h1>ЗАЯВЛЕНИЕ</h1><p>Мы &lol9; за мир.</p><p>Второй абзац.</p></body></html>"
    (tmp_path / "laughs.html").write_text(page, encoding="utf-8")
    texts = [p.text for p in parse_file(tmp_path / "laughs.html").paragraphs]
    assert texts[1] == "Мы &lol9; за мир." and not any("lollol" in t for t in texts)


def test_a_block_of_many_lines_is_unwrapped_in_linear_time(tmp_path):
    # 2 MB of 300-character lines with no blank line: one block. Matching the whole text joined so far against each
    # next line took ~2 minutes here (15 minutes at 5 MB); it must take about a second.
    line = ("мир договор стороны федерации республика заявление peace treaty parties " * 4)[:290] + " приме-"
    lines = [line, "нение " + line] * 3500
    (tmp_path / "block.txt").write_text("ЗАЯВЛЕНИЕ\n\n" + "\n".join(lines), encoding="utf-8")
    body = parse_file(tmp_path / "block.txt").body
    assert len(body) == 1 and body[0].text.count("применение") == 3500 and "\n" not in body[0].text


def test_unwrap_repairs_hyphenation_and_keeps_bullets_and_dashes():
    assert unwrap(["приме-", "нение мер", "- первый пункт", "мир -", "и диалог", "Брест-", "Литовск", "1-", "й"]) == \
        "применение мер\n- первый пункт мир - и диалог Брест- Литовск 1- й"


def test_unsupported_type_names_the_supported_ones(tmp_path):
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        read_blocks(tmp_path / "data.json")
    assert str(exc.value) == f"unsupported file type .json (supported: {', '.join(sorted(READERS))})"
    assert ".xml" in READERS  # UDHR-style XML has a reader of its own
