"""Structure of real official documents: golden parses of every corpus file, kinds and label paths, tables by row,
signature blocks and annex stamps, metadata from the end of a text, one document in two files."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.parse import parse_file
from tests.conftest import SHARED, needs_shared
from tests.golden.regenerate import OUT, corpus_files, golden_name

CORPUS = SHARED / "corpus"


@pytest.mark.parametrize("path", corpus_files() if CORPUS.exists() else [], ids=lambda p: p.name)
def test_every_corpus_file_matches_its_golden_parse(path):
    # Goldens are rewritten by tests/golden/regenerate.py and read by hand before they are committed.
    golden = json.loads((OUT / golden_name(path)).read_text(encoding="utf-8"))
    assert parse_file(path).to_json() == golden


def _parts(path: Path) -> list[tuple[str, str, str]]:
    return [(p.kind, p.label, p.text) for p in parse_file(path).paragraphs]


@pytest.mark.parametrize("act", ["18435", "18441", "18447", "18458", "18460", "18527", "18574", "18643", "18649", "18656",
                                 "18777", "18833"])
def test_hard_wrapped_original_and_reflowed_copy_give_the_same_parts(act):
    original = _parts(needs_shared(CORPUS / "originals" / f"kremlin_act_{act}.txt"))
    reflowed = _parts(CORPUS / f"kremlin_act_{act}_ru.txt")
    assert len(original) == len(reflowed)
    for a, b in zip(original, reflowed):
        if a[0] == b[0] == "table-row":  # the reflowed copy interleaved the columns: same row, same label, other text
            assert a[1] == b[1]
        else:
            assert a == b


def test_xml_and_text_udhr_are_the_same_document():
    assert _parts(needs_shared(CORPUS / "originals" / "udhr_eng.xml")) == _parts(CORPUS / "udhr_en.txt")
    assert _parts(CORPUS / "originals" / "udhr_rus.xml") == _parts(CORPUS / "udhr_ru.txt")


def test_markdown_original_keeps_its_preface_out_of_the_title_and_the_numbering():
    md = parse_file(needs_shared(CORPUS / "originals" / "1991-12-08_Belovezh_Accords_text_en.md"))
    txt = parse_file(CORPUS / "cis_1991-12-08_agreement_establishing_cis_en.txt")
    assert md.title == txt.title == "Agreement establishing the Commonwealth of Independent States"
    assert [(p.kind, p.label, p.text) for p in md.paragraphs[: len(txt.paragraphs)]] == _parts(CORPUS / txt.source)
    assert {p.kind for p in md.paragraphs[len(txt.paragraphs):]} == {"note"}  # the repository's preface, at the end


def test_cis_agreement_is_dated_and_placed_by_its_done_at_line():
    s = parse_file(needs_shared(CORPUS / "cis_1991-12-08_agreement_establishing_cis_en.txt"))
    assert (s.date, s.place) == ("1991-12-08", "Minsk")
    assert s.signatories == ["S. SHUSHKEVICH", "B. KEBICH", "B. YELTSIN", "G. BURBULIS", "L. KRAVCHUK", "V. FOKIN"]
    signature = [p for p in s.body if p.kind == "signature"]
    assert len(signature) == 1 and signature[0].text.startswith("Done at Minsk on 8 December 1991")
    labels = {p.label for p in s.body}
    assert {"Preamble (1)", "Article 1", "Article 13 (2)", "Article 7 (2)"} <= labels


def test_compendium_title_comes_from_its_first_heading_not_its_cover():
    s = parse_file(needs_shared(CORPUS / "cis_agreements_1991_CDL94-54_pdftext_en.txt"))
    assert s.title == "Agreements establishing the Commonwealth of Independent States"
    assert s.number == "CDL (94) 54"
    assert max(len(p.text) for p in s.body) < 2500  # no page-long paragraph
    assert any("Article 5" in p.label for p in s.body)


@pytest.mark.parametrize("name,number,date,place", [
    ("kremlin_act_18435_ru", "778", "2002-07-25", "Москва"), ("kremlin_act_18447_ru", "359-рп", "2002-08-01", ""),
    ("kremlin_act_18656_ru", "484-рп", "2002-10-08", ""), ("kremlin_act_18833_ru", "1318", "2002-11-14", "Москва"),
    ("kremlin_act_18527_ru", "993", "2002-09-16", "Москва"),  # its header note dates the 2004 repeal, not the decree
])
def test_number_date_and_place_come_from_the_signature_block(name, number, date, place):
    s = parse_file(needs_shared(CORPUS / f"{name}.txt"))
    assert (s.number, s.date, s.place, s.signatories) == (number, date, place, ["В.Путин"])


def test_label_paths_in_the_documents_own_numbering():
    agreement = {p.label: p for p in parse_file(needs_shared(CORPUS / "kremlin_act_18656_ru.txt")).body}
    assert agreement["Соглашение, Статья 3"].text.startswith("Передача участка")  # «Статья З» with a Cyrillic Ze
    assert agreement["Соглашение, Статья 2 (3)"].text.startswith("с Таджикистанской Стороны")
    assert agreement["Соглашение, Преамбула (2)"].kind == "preamble"
    decree = {p.label: p for p in parse_file(CORPUS / "kremlin_act_18435_ru.txt").body}
    assert decree["п. 2 «б»"].text.startswith("б) пункт 6 Положения")
    udhr = {p.label: p for p in parse_file(CORPUS / "udhr_en.txt").body}
    assert udhr["Article 13 (2)"].text.startswith("Everyone has the right to leave any country")
    regulation = {p.label: p for p in parse_file(CORPUS / "kremlin_act_18833_ru.txt").body}
    assert regulation["Положение, п. 9"].text.startswith("9. Заседания Комиссии проводятся")
    assert regulation["Положение, разд. II"].kind == "heading"


def test_name_lists_keep_their_court_headings_as_context():
    s = parse_file(needs_shared(CORPUS / "kremlin_act_18777_ru.txt"))
    name = next(p for p in s.body if p.text == "Донковцеву Элеонору Святославовну")
    assert name.kind == "item" and name.label.startswith("п. 1, абз.")
    assert "судьей Московского городского суда" in name.context
    assert sum(p.kind == "heading" and p.text.startswith("суд") for p in s.body) == 24


@pytest.mark.parametrize("act,rows,headers", [
    ("18447", 12, ("Наименование учреждения", "Адрес учреждения", "Сумма (тыс. рублей)", "Назначение")),
    ("18460", 7, ("Наименование учреждения", "Субъект Российской Федерации", "Сумма (тыс. рублей)", "Назначение")),
    ("18574", 11, ("Наименование организации", "Адрес организации", "Сумма (тыс. рублей)", "Назначение")),
])
def test_every_table_row_is_one_part_with_the_column_headers(act, rows, headers):
    for path in (needs_shared(CORPUS / "originals" / f"kremlin_act_{act}.txt"), CORPUS / f"kremlin_act_{act}_ru.txt"):
        parts = [p for p in parse_file(path).body if p.kind == "table-row"]
        assert len(parts) == rows, path.name
        assert all(re.search(r"строка \d+$", p.label) for p in parts)
        assert all(" | ".join(headers) in p.context for p in parts)
    original = [p for p in parse_file(CORPUS / "originals" / f"kremlin_act_{act}.txt").body if p.kind == "table-row"]
    assert all(p.text.startswith(headers[0] + ": ") for p in original)


def test_a_row_split_over_two_blocks_is_joined_and_cells_are_cut_at_the_columns():
    reflowed = [p for p in parse_file(needs_shared(CORPUS / "kremlin_act_18574_ru.txt")).body if p.kind == "table-row"]
    memoirs = reflowed[-1]
    assert '"Победа - 1945 год"' in memoirs.text and 'Ефимова А.Н. "Над полем боя"' in memoirs.text
    original = [p for p in parse_file(CORPUS / "originals" / "kremlin_act_18447.txt").body if p.kind == "table-row"]
    assert original[0].text == ("Наименование учреждения: Цаган-Аманская санаторная школа-интернат; Адрес учреждения: Республика "
                                "Калмыкия, Юстинский р-н, пос. Цаган Аман, Школьный пер., д. 2; Сумма (тыс. рублей): 620; "
                                "Назначение: капитальный ремонт зданий")


def test_signature_blocks_and_annex_stamps_are_not_prose():
    s = parse_file(needs_shared(CORPUS / "kremlin_act_18649_ru.txt"))
    kinds = {p.text.split("\n")[0]: p.kind for p in s.body}
    assert kinds["Президент Российской Федерации В.Путин"] == "signature"
    assert kinds["УТВЕРЖДЕНО"] == "annex-title"
    assert kinds["3. (Утратил силу - Указ Президента Российской Федерации от 02.08.2006 г. N 832с)"] == "note"
    assert not any(p.kind in ("item", "paragraph") and p.text in ("Москва, Кремль", "N 1120") for p in s.body)


def test_a_compendiums_instruments_each_label_their_own_parts():
    # After a signature block, a title in title case ("Alma Ata Declaration", a title wrapped over lines) opens the
    # next instrument: its parts are labelled by it, not numbered on under the previous agreement's last article.
    s = parse_file(needs_shared(CORPUS / "cis_agreements_1991_CDL94-54_pdftext_en.txt"))

    def label(start: str) -> str:
        return next(p.label for p in s.paragraphs if p.text.startswith(start))

    assert label("Cooperation between the parties in the Commonwealth") == "Alma Ata Declaration"
    assert label("Pending the resolution of the issue") == "Minutes of the meeting of Heads of Independent States"
    assert label("The Parties recognize the planet-wide nature").endswith("Article 8 (1)")  # «article 8» in the scan
    # a heading in capitals names its section in the words' own casing, as the text writes them elsewhere
    assert label("We, the Republic of Belarus").startswith("Agreement establishing the Commonwealth of Independent States")
    protocol = next(p for p in s.paragraphs if p.text.startswith("Protocol to the Agreement"))
    assert protocol.kind == "heading" and protocol.text.endswith("and Ukraine")
    # a heading in capitals broken over two lines is one heading
    assert any(p.kind == "heading" and p.text.startswith("TEXT OF DECLARATION BY THE HEADS OF STATE OF BELARUS, RUSSIA AND UKRAINE")
               for p in s.paragraphs)


def test_title_case_instrument_titles_in_a_plain_text_compendium():
    from ingest.parse import parse_blocks
    from ingest.readers import text_blocks

    text = ("Agreements of the founding states\n\nI.L.M. reprint, 1992\n\nAGREEMENT ON CUSTOMS\n\nArticle 1\n\nThe Parties "
            "abolish customs duties between them.\n\nDone at Minsk on 8 December 1991.\n\nFor Belarus\n\nS. Shushkevich\n\n"
            "Minsk, 8 December 1991\n\nProtocol on the common market\n\nThe Parties shall form a common market within two years.\n")
    s = parse_blocks(text_blocks(text), "c")
    label = {p.text: p.label for p in s.paragraphs}
    assert label["The Parties abolish customs duties between them."] == "Article 1"  # the first instrument heads the file
    assert label["Protocol on the common market"] == "Protocol on the common market"
    assert label["The Parties shall form a common market within two years."] == "Protocol on the common market"


def test_a_drafts_blank_signature_is_its_text_not_the_acts_signature():
    s = parse_file(needs_shared(CORPUS / "kremlin_act_18656_ru.txt"))
    signatures = [p for p in s.paragraphs if p.kind == "signature"]
    assert len(signatures) == 1 and "8 октября 2002 года" in signatures[0].text
    form = next(p for p in s.paragraphs if p.text.startswith("Совершено в ____"))
    assert form.kind == "paragraph" and form.label == "Соглашение"
