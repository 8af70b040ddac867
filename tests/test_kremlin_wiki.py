"""The kremlin-bank reference reader (tests/kremlin_wiki.py): units read from the wiki, normalisation, comparison."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import SHARED, needs_shared
from tests.kremlin_wiki import Reference, compare, normalise, read_wiki

BANK = SHARED / "corpus" / "kremlin-bank"


def ref(act: str) -> Reference:
    return read_wiki(needs_shared(BANK / f"{act}.wiki"))


def tables(reference: Reference) -> list[list]:
    """Table rows grouped into tables (runs of consecutive table-row units)."""
    out: list[list] = []
    previous = ""
    for unit in reference.units:
        if unit.kind == "table-row":
            if previous != "table-row":
                out.append([])
            out[-1].append(unit)
        previous = unit.kind
    return out


def test_18447_header_tables_signature_stamps():
    r = ref("18447")
    assert (r.number, r.date, r.title, r.repealed) == ("359-рп", "2002-08-01", "", "")
    assert [len(t) for t in tables(r)] == [2, 10]
    first = tables(r)[0][0]
    assert first.headers == ["Наименование учреждения", "Адрес учреждения", "Сумма (тыс. рублей)", "Назначение"]
    assert first.cells == ["Цаган-Аманская санаторная школа-интернат", "Республика Калмыкия, Юстинский р-н, пос. Цаган Аман, Школьный пер., д. 2",
                           "620", "капитальный ремонт зданий"]
    assert first.text.startswith("Наименование учреждения: Цаган-Аманская санаторная школа-интернат; Адрес учреждения: Республика Калмыкия")
    [signature] = r.of("signature")
    assert (signature.role, signature.name) == ("Президент Российской Федерации", "В.Путин")
    assert [u.text for u in r.of("stamp")] == [
        "1 августа 2002 года № 359-рп",
        "ПРИЛОЖЕНИЕ № 1 к распоряжению Президента Российской Федерации от 1 августа 2002 г. № 359-рп",
        "ПРИЛОЖЕНИЕ № 2 к распоряжению Президента Российской Федерации от 1 августа 2002 г. № 359-рп",
    ]
    assert [u.text for u in r.of("heading")] == ["СПИСОК образовательных учреждений", "СПИСОК учреждений социального обслуживания"]
    paragraphs = [u.text for u in r.of("paragraph")]
    assert len(paragraphs) == 7
    assert paragraphs[1] == "3 120 тыс. рублей Минобразованию России для образовательных учреждений по списку согласно приложению № 1;"
    assert paragraphs[4] == "обеспечить контроль за целевым расходованием выделенных средств;"


def test_18777_centred_headings_and_names():
    r = ref("18777")
    assert (r.number, r.date) == ("1261", "2002-10-25")
    assert r.units[0].text.endswith("Руководствуясь статьями 83 и 128 Конституции Российской Федерации, постановляю:")
    texts = [u.text for u in r.units]
    i = texts.index("судьями Курского областного суда")
    assert r.units[i].kind == "heading"
    assert [(u.kind, u.text) for u in r.units[i + 1:i + 6]] == [
        ("paragraph", "Рудакова Николая Вячеславовича"),
        ("paragraph", "Мухаметзянову Наталью Ивановну"),
        ("paragraph", "Полунину Галину Ивановну"),
        ("paragraph", "Полянскую Нину Дмитриевну"),
        ("heading", "судьей Московского городского суда"),
    ]
    assert len(r.of("heading")) == 24
    assert r.of("stamp")[0].text == "Москва, Кремль 25 октября 2002 года № 1261"


def test_18454_headerless_tables_under_linked_headings():
    r = ref("18454")
    assert [u.text for u in r.of("heading")] == [
        "ОРДЕНОМ МУЖЕСТВА", "МЕДАЛЬЮ ОРДЕНА «ЗА ЗАСЛУГИ ПЕРЕД ОТЕЧЕСТВОМ» II СТЕПЕНИ", "МЕДАЛЬЮ «ЗА СПАСЕНИЕ ПОГИБАВШИХ»"]
    assert [len(t) for t in tables(r)] == [5, 2, 57]
    row = tables(r)[0][0]
    assert (row.cells, row.headers) == (["БУРМИСТРОВА Виктора Петровича", "—", "старшего прапорщика"], [])


def test_notes_stamps_and_continued_lines():
    r = ref("18560")
    assert r.repealed == "Указ Президента РФ от 11.07.2004 № 868"
    assert r.amended.startswith("В редакции указов Президента Российской Федерации от 19.08.2003 г. № 971с")
    assert [u.text for u in r.of("note")] == ["(В редакции Указа Президента Российской Федерации от 28.08.2003 г. № 991)"]
    assert [u.text for u in r.of("stamp")][1] == "УТВЕРЖДЕНО Указом Президента Российской Федерации от 21 августа 2002 г. № 1011"
    assert "I. Общие положения" in [u.text for u in r.of("heading")]

    r = ref("18833")
    assert r.of("note")[-1].text == "(Утратил силу — Указ Президента Российской Федерации от 07.04.2006 г. № 332)"
    assert r.of("heading")[-1].text == "СОСТАВ Комиссии по вопросам гражданства при Президенте Российской Федерации"
    assert any(u.text.endswith("— вступает в силу с 6 августа 2014 г.)") for u in r.of("paragraph"))  # a block over two wiki lines

    r = ref("18517")  # a repealed numbered item stays an item; a heading wrapped over two {{center}} lines is one heading
    assert r.of("paragraph")[1].text.startswith("1. (Утратил силу с 1 августа 2006 г.")
    assert [u.text[:40] for u in r.of("heading")] == [
        '"в Государственном таможенном комитете Р', '"в региональном таможенном управлении Го', "«в таможнях, на таможенных постах межрег"]

    [_, approved] = ref("18458").of("stamp")  # nine {{left}} lines, one stamp
    assert approved.text.startswith("УТВЕРЖДЕНЫ Указом Президента") and approved.text.endswith("от 16 июля 2009 г. N 814)")

    r = ref("18656")
    assert [u.text for u in r.of("stamp")] == ["8 октября 2002 года № 484-рп", "Проект"]
    assert [u.text for u in r.of("heading")][1:] == [f"Статья {i}" for i in range(1, 11)]
    assert r.of("table-row")[-1].cells == ["За Российскую Федерацию", "За Республику Таджикистан"]


def test_normalise_equal_content():
    assert normalise("центр &#34;Радуга&#34;") == normalise("центр «Радуга»") == 'центр "радуга"'
    assert normalise("Федерации,  п о с т а н о в л я ю:") == normalise("Федерации, {{razr|постановляю}}:") == "федерации, постановляю:"
    assert normalise("У К А З\nПРЕЗИДЕНТА") == "указ президента"
    assert normalise("приложению {{nobr|№ 1}}") == normalise("приложению N 1")
    assert normalise("Северная Осетия — Алания") == normalise("Северная Осетия - Алания")
    assert normalise("Нальчикский детский дом- интернат") == normalise("Нальчикский детский дом-интернат")
    assert normalise('"Производственное объединение "Стрела" (г. Оренбург)') == normalise("«Производственное объединение „Стрела“» (г.  Оренбург)")
    assert normalise("[[Указ Президента РФ от 15.05.2000 № 856|Указом]] ( см. )") == "указом (см.)"


def test_normalise_keeps_real_differences():
    a, b = "2. Минобразованию России и Минтруду России:", "обеспечить контроль за целевым расходованием выделенных средств;"
    assert normalise(f"{a} {b}") not in (normalise(a), normalise(b))
    assert normalise("Нальчикский детский доминтернат") != normalise("Нальчикский детский дом-интернат")
    assert normalise("аудио- и видеотехники") != normalise("аудио-и видеотехники")
    assert normalise("Статья З") != normalise("Статья 3")  # 18656.txt really has a Cyrillic З
    assert normalise("3120 тыс.") != normalise("3 120 тыс.")


# Wiki text that is not in the raw file, and why: the wiki's editor changed it.
_RAW_DIFFERS = {
    ("18527", "обеспечивает деятельность правительственной комиссии"),  # raw «…за рубежом;";», wiki «…за рубежом;».»
    ("18656", "статья 3"),  # raw "Статья З" (Cyrillic Ze)
}


@pytest.mark.parametrize("act", sorted(p.stem for p in BANK.glob("*.wiki")) or ["none"])
def test_reference_text_is_in_the_raw_file(act: str):
    """Every paragraph, heading, note and stamp of the wiki occurs, normalised, in the normalised raw N.txt."""
    r = ref(act)
    raw = normalise(Path(BANK / f"{act}.txt").read_text(encoding="utf-8"))
    missing = [u.text for u in r.units if u.kind in ("paragraph", "heading", "note", "stamp") and normalise(u.text) not in raw]
    missing = [t for t in missing if not any(a == act and normalise(t).startswith(s) for a, s in _RAW_DIFFERS)]
    assert missing == []
    assert all(normalise(u.name) in raw for u in r.of("signature"))


def _statement(r: Reference, **overrides) -> SimpleNamespace:
    kinds = {"stamp": "annex-title"}
    parts = [SimpleNamespace(n=0, text="header", label="", kind="header")]
    parts += [SimpleNamespace(n=i, text=u.text, label="", kind=kinds.get(u.kind, u.kind)) for i, u in enumerate(r.units, 1)]
    fields = {"number": r.number, "date": r.date, "title": r.title, "signatories": ["В.Путин"], "place": "Москва", "paragraphs": parts}
    return SimpleNamespace(**(fields | overrides))


def test_compare_perfect_joined_and_old_parser():
    r = ref("18447")
    perfect = compare(_statement(r), r)
    assert perfect["agree"] and perfect["paragraphs"] == {"expected": 9, "found": 9, "matched": 9}
    assert perfect["table_rows"] == {"expected": 12, "found": 12, "matched": 12} and perfect["stamps"]["matched"] == 3

    s = _statement(r)  # items 2 and its first list line read as one paragraph
    s.paragraphs[4:6] = [SimpleNamespace(n=4, text=s.paragraphs[4].text + " " + s.paragraphs[5].text, kind="item")]
    joined = compare(s, r)
    assert joined["paragraphs"] == {"expected": 9, "found": 8, "matched": 7} and not joined["agree"]

    old = SimpleNamespace(date=r.date, title="Распоряжение", paragraphs=[SimpleNamespace(n=i, text=u.text) for i, u in enumerate(r.units)])
    result = compare(old, r)
    assert (result["number"], result["signature"], result["table_rows"]["found"], result["agree"]) == (False, False, 0, False)


def test_stamp_matched_by_metadata():
    r = ref("18777")
    s = _statement(r)
    s.paragraphs = [p for p in s.paragraphs if p.kind != "annex-title"]
    assert compare(s, r)["stamps"] == {"expected": 1, "found": 0, "matched": 1}
    s.number = "1262"
    assert compare(s, r)["stamps"]["matched"] == 0
