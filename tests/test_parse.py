"""Parsing: golden seed, the same paragraphs from every format and encoding, real messy originals."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.dates import find_date, find_place
from ingest.parse import parse_file
from ingest.records import IngestError
from tests.conftest import ROOT, SEED, SHARED, needs_shared

GOLDEN = ROOT / "tests" / "golden" / "seed.json"


def seed_blocks() -> list[str]:
    return [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]


def body_texts(path: Path) -> list[str]:
    return [p.text for p in parse_file(path).body]


def test_seed_matches_golden():
    # The seed's golden file predates kinds and label paths; its fields and paragraph numbers must not move.
    statement = parse_file(SEED).to_json()
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["statements"][0]
    assert {k: statement[k] for k in golden if k != "paragraphs"} == {k: v for k, v in golden.items() if k != "paragraphs"}
    assert [{k: p[k] for k in ("n", "text", "label")} for p in statement["paragraphs"]] == golden["paragraphs"]
    assert [p["kind"] for p in statement["paragraphs"]] == ["header"] + ["paragraph"] * 9


def test_seed_paragraphs_and_header():
    s = parse_file(SEED)
    assert len(s.body) == 9
    assert "в политических целях" in s.paragraphs[4].text
    assert "«ПРОКСИ»" in s.paragraphs[8].text and "«Наемник»" in s.paragraphs[8].text
    assert "для участия" in s.paragraphs[8].text  # the page-break continuation was joined
    assert (s.date, s.place) == ("2018-11-08", "Астана")
    assert s.issuer.startswith("Совет коллективной безопасности")
    assert s.title.startswith("Заявление")


@pytest.fixture(scope="module")
def seed_body() -> list[str]:
    return body_texts(SEED)


def test_cp1251_and_utf16_parse_identically(tmp_path, seed_body):
    text = SEED.read_text(encoding="utf-8")
    for name, data in [("seed.txt", text.encode("cp1251")), ("seed16.txt", text.encode("utf-16"))]:
        (tmp_path / name).write_bytes(data)
        assert body_texts(tmp_path / name) == seed_body
    cp = parse_file(tmp_path / "seed.txt")
    assert (cp.date, cp.place, cp.title) == (parse_file(SEED).date, "Астана", parse_file(SEED).title)


def test_html_version(tmp_path, seed_body):
    import html

    blocks = seed_blocks()
    body = "".join(f"<p>{html.escape(b)}</p>" for b in blocks[2:])
    page = (f"<html><head><title>x</title><style>p {{color: red}}</style><script>var a = 'Считаем';</script></head>"
            f"<body><h1>{blocks[0]}</h1><h2>{html.escape(blocks[1])}</h2>{body}</body></html>")
    page = page.replace("«", "&laquo;").replace("»", "&raquo;")
    (tmp_path / "seed.html").write_text(page, encoding="utf-8")
    assert body_texts(tmp_path / "seed.html") == seed_body


def test_docx_version(tmp_path, seed_body):
    from docx import Document

    doc = Document()
    for block in seed_blocks():
        doc.add_paragraph(block)
    doc.save(tmp_path / "seed.docx")
    assert body_texts(tmp_path / "seed.docx") == seed_body


def test_pdf_version_with_page_breaks_and_hyphenation(tmp_path, seed_body):
    from fpdf import FPDF

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip("DejaVu font not installed (make test installs fonts-dejavu-core)")
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(font))
    pdf.set_font("dejavu", size=11)
    pdf.add_page()
    for i, block in enumerate(seed_blocks()):
        if i == 6:
            pdf.add_page()  # a page break between the two halves of ¶4 continues the paragraph
        pdf.multi_cell(0, 6, block)
        pdf.ln(6)
    pdf.output(str(tmp_path / "seed.pdf"))
    assert body_texts(tmp_path / "seed.pdf") == seed_body


def test_real_pdf_from_corpus():
    path = needs_shared(SHARED / "corpus" / "originals" / "cis_agreements_1991_CDL(94)54.pdf")
    s = parse_file(path)
    assert len(s.body) > 30
    texts = [p.text for p in s.body]
    assert any("Commonwealth of Independent States" in t for t in texts)
    assert any("Article" in p.label for p in s.body)
    assert not any("\n" in t and t.split("\n")[0].endswith("-") for t in texts)


def test_hard_wrapped_kremlin_original():
    path = needs_shared(SHARED / "corpus" / "originals" / "kremlin_act_18435.txt")
    s = parse_file(path)
    texts = [p.text for p in s.body]
    assert "3. Настоящий Указ вступает в силу со дня его подписания." in texts
    assert any('"Культура"' in t for t in texts)  # &#34; decoded
    assert not any("  " in t for t in texts)  # justified spacing removed
    assert [(p.kind, p.label) for p in s.body][:5] == [("note", ""), ("note", "п. 1"), ("item", "п. 2"), ("item", "п. 2 «а»"), ("item", "п. 2 «б»")]
    assert (s.date, s.place, s.issuer) == ("2002-07-25", "Москва", "Президент Российской Федерации")


def test_trailing_editorial_note_does_not_join_paragraphs(tmp_path):
    # Wikipedia-style notes after the final full stop are not a sentence cut by a page break.
    text = ("Steam engine\n\nПервый абзац о паре, он длиннее ста двадцати знаков, чтобы правило о разрыве страницы "
            "вообще могло сработать. [нет источника]\n\nВторой абзац, тоже достаточно длинный и законченный, "
            "со сноской в конце.[3]\n\nТретий абзац.")
    (tmp_path / "s.txt").write_text(text, encoding="utf-8")
    assert len(body_texts(tmp_path / "s.txt")) == 3


def test_every_xquad_block_is_its_own_paragraph():
    folder = needs_shared(SHARED / "eval" / "xquad-dev" / "statements")
    for path in sorted(folder.glob("*.txt")):
        blocks = [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
        assert len(parse_file(path).body) == len(blocks) - 1, path.name


@pytest.mark.parametrize("text,expected", [
    ("8 ноября 2018 года,", "2018-11-08"),
    ("Strasbourg, 8 September 1994", "1994-09-08"),
    ("Done at Minsk, December 8,1991", "1991-12-08"),
    ("от 30.08.2004 г.", "2004-08-30"),
    ("2020-01-31", "2020-01-31"),
    ("no date here", ""),
])
def test_dates(text, expected):
    assert find_date(text) == expected


def test_places():
    assert find_place("8 ноября 2018 года, г. Астана") == "Астана"
    assert find_place("Москва, Кремль") == "Москва"
    assert find_place("Done at Alma-Ata on 21 December 1991") == "Alma-Ata"


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"   \n\n  ", "empty file"),
    ("binary.txt", bytes(range(256)) * 8, "binary"),
    ("notes.xyz", b"hello", "unsupported file type"),
    ("scan.pdf", None, "no text layer"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a valid .docx"),
])
def test_bad_inputs_raise_one_line_reasons(tmp_path, name, data, reason):
    path = tmp_path / name
    if data is None:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_page()
        pdf.rect(10, 10, 50, 50)
        pdf.output(str(path))
    else:
        path.write_bytes(data)
    with pytest.raises(IngestError) as exc:
        parse_file(path)
    assert reason in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize("name", ["kremlin_act_18527_ru.txt", "originals/kremlin_act_18527.txt"])
def test_repeal_note_is_neither_date_nor_title(name):
    # "Утратил силу - Указ … от 11.07.2004 г. N 865" dates the repeal; the decree itself is signed 16 September 2002.
    s = parse_file(needs_shared(SHARED / "corpus" / name))
    assert s.date == "2002-09-16"
    assert s.title.endswith("О внесении изменений и дополнений в Положение о Министерстве иностранных дел Российской Федерации")
    assert "Утратил" not in s.title and s.issuer == "Президент Российской Федерации"


@pytest.mark.parametrize("title,issuer", [
    ("Statement of the CSTO Collective Security Council on terrorism", "CSTO Collective Security Council"),
    ("Joint Statement by the Heads of State on the situation", "Heads of State"),
    ("Statement of CSTO Council", "CSTO Council"),
    ("Declaration of Human Rights", ""),  # a topic, not a body
    ("Agreement Establishing The Commonwealth Of Independent States", ""),
])
def test_issuer_from_title(title, issuer):
    from ingest.header import issuer_from

    assert issuer_from(title) == issuer


def test_agreement_parties_are_its_issuer(tmp_path):
    text = ("AGREEMENT ESTABLISHING THE COMMONWEALTH OF INDEPENDENT STATES\n\nWe, the Republic of Belarus, the Russian "
            "Federation (RSFSR) and Ukraine, as founder States of the Union, hereby declare the following.\n\nArticle 1\n\n"
            "The High Contracting Parties hereby establish the Commonwealth of Independent States.")
    (tmp_path / "cis.txt").write_text(text, encoding="utf-8")
    s = parse_file(tmp_path / "cis.txt")
    assert s.issuer == "Republic of Belarus, the Russian Federation (RSFSR) and Ukraine"


def test_preamble_heading_labels_its_clauses():
    s = parse_file(ROOT / "data" / "eval" / "udhr" / "udhr_en.txt")
    assert s.title == "Universal Declaration of Human Rights"
    assert (s.body[0].kind, s.body[0].text) == ("heading", "Preamble")
    assert (s.body[1].kind, s.body[1].label) == ("preamble", "Preamble (1)") and s.body[1].text.startswith("Whereas recognition")
