"""Uploads (qa/uploads.py): the index serves an uploaded statement as soon as the upload returns, reading from the
store only what changed — at 100k parts a full read took 50 s — and a removal drops just that statement."""
from __future__ import annotations

import logging

from tests.conftest import ROOT, make_settings

NOTE = """Заявление Министерства иностранных дел о проведении учений

Москва, 3 марта 2024 года

Министерство иностранных дел сообщает, что совместные учения пограничных служб пройдут в Калининградской области.

В учениях примут участие четыре катера береговой охраны и два вертолёта.
"""


def test_an_upload_is_served_at_once_and_only_it_is_read_from_the_store(tmp_path, embedder, caplog):
    from ingest.catalog import remove
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.answer import answer
    from qa.index import Index
    from qa.uploads import ingest_uploads

    settings = make_settings(tmp_path)
    store = open_store(settings)
    add([ROOT / "data" / "statements"], store, embedder)
    index = Index(store, embedder, settings)
    index.refresh()
    seed = set(index.statement_of.tolist())
    (tmp_path / "upload.txt").write_text(NOTE, encoding="utf-8")

    caplog.set_level(logging.INFO, logger="qa.index")
    results, error = ingest_uploads([("учения.txt", tmp_path / "upload.txt")], index, settings)
    assert not error and results[0]["status"] == "added", results
    added = results[0]["statement"]
    assert "(1 statement(s) read from the store, the rest kept)" in caplog.text  # not every record again
    result = answer("Сколько катеров примут участие в учениях?", index)
    assert result.answered and result.citations[0].statement_id == added

    caplog.clear()
    remove(added, store)
    index.refresh()  # at once: this process wrote
    assert set(index.statement_of.tolist()) == seed
    assert "statement(s) read from the store, the rest kept" in caplog.text
    assert answer("Which operations are named?", index).citations[0].paragraph == 8
