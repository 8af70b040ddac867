"""Part metadata as columns and lines: the same dicts back, whatever was kept, dropped, appended or written to a file."""
from __future__ import annotations

import io

import numpy as np

from qa.metas import Metas, ParagraphRows


def _parts() -> list[dict]:
    head = {"title": "Заявление", "issuer": "ОДКБ", "date_int": 20181108, "sha256": "ab"}
    return [{**head, "statement_id": "s1", "paragraph": 0, "part": 0, "kind": "header", "terms": "заявление одкб"},
            {**head, "statement_id": "s1", "paragraph": 1, "part": 1, "terms": "вторая часть", "vector_digest": "d2"},
            {**head, "statement_id": "s1", "paragraph": 1, "part": 0, "terms": "первая часть", "vector_digest": "d1"},
            {"statement_id": "s2", "title": "Decree", "paragraph": 3, "part": 0, "kind": "item", "label": "3.", "terms": "x"}]


def test_metas_give_back_each_part_as_read_and_its_columns() -> None:
    parts = _parts()
    metas = Metas.of(parts)
    assert list(metas) == parts and metas[3] == parts[3] and metas[1:3] == parts[1:3]
    assert metas.statement.tolist() == ["s1", "s1", "s1", "s2"] and metas.statement_ids == ["s1", "s2"]
    # a part without a kind is a header at ¶0 and a paragraph elsewhere (stores written before kinds)
    assert metas.kind.tolist() == ["header", "paragraph", "paragraph", "item"]
    assert metas.date.tolist() == [20181108] * 3 + [0] and metas.issuer.tolist() == ["ОДКБ"] * 3 + [""]
    assert metas.digest.tolist() == [b"", b"d2", b"d1", b""]
    assert metas.values("terms", 2) == ["", "", "первая часть", "x"]
    assert metas.header_rows().tolist() == [0, 0, 0, 3]  # s2 has no header part: its part stands for itself
    # shared fields are kept once per statement, not once per part
    assert "title" in metas.shared["s1"] and b"title" not in bytes(metas.lines[metas.start[1]:metas.stop[1]])


def test_metas_kept_then_appended_then_kept_in_a_file() -> None:
    parts = _parts()
    metas = Metas.of(parts[:3]).taken(np.array([0, 2])).then(Metas.of(parts[3:]))
    assert list(metas) == [parts[0], parts[2], parts[3]] and metas.kind.tolist() == ["header", "paragraph", "item"]
    names, arrays = metas.arrays()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    with np.load(buffer) as data:
        again = Metas.from_arrays(data, names)
    assert list(again) == list(metas) and again.statement.tolist() == ["s1", "s1", "s2"]
    assert len(again.lines) < len(Metas.of(parts).lines)  # the dropped part's line is not written
    # a statement read again with new shared fields (its file changed) after its old parts were dropped: appended
    renewed = [{**m, "sha256": "cd"} for m in parts[:3]]
    kept = Metas.of(parts).taken(np.array([3]))
    again = kept.then(Metas.of(renewed))
    assert list(again) == [parts[3], *renewed] and len(again.lines) == len(kept.lines) + len(Metas.of(renewed).lines)
    assert len(kept.lines) < len(Metas.of(parts).lines)  # most of the buffer dropped: repacked
    assert ("s2", "3") not in ParagraphRows(metas) and ("s2", 3.5) not in ParagraphRows(metas)
    # one statement on both sides with different shared fields: factored again, nothing lost
    changed = {**parts[1], "title": "Заявление (новая редакция)"}
    both = Metas.of(parts[:1]).then(Metas.of([changed]))
    assert list(both) == [parts[0], changed]
    assert list(Metas.empty().then(metas)) == list(metas) and len(Metas.empty()) == 0


def test_paragraph_rows_find_a_paragraphs_parts_in_order() -> None:
    rows = ParagraphRows(Metas.of(_parts()))
    assert rows[("s1", 1)] == [2, 1] and rows.get(("s1", 0)) == [0] and rows.get(("s1", 7)) is None
    assert ("s2", 3) in rows and ("s3", 0) not in rows and ("s2", 4) not in rows
    assert list(rows) == [("s1", 0), ("s1", 1), ("s2", 3)] and len(rows) == 3
    assert rows.of_statement("s1") == [("s1", 0), ("s1", 1)] and rows.of_statement("nope") == []
