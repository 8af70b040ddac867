"""Candidate pools: one copy of a text competes for a place; the answer cites every copy."""
from __future__ import annotations

import pytest

from qa.answer import answer
from qa.retrieve import search
from tests.conftest import SEED, SHARED, make_settings, needs_shared


@pytest.fixture(scope="module")
def copied(tmp_path_factory, embedder):
    """The seed, and a compendium that reprints it before the UDHR: the seed's paragraphs again, a parallel statement
    (a whole copy would be refused at ingest as a duplicate)."""
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index

    folder = tmp_path_factory.mktemp("copies")
    udhr = needs_shared(SHARED / "corpus" / "udhr_en.txt").read_text(encoding="utf-8")
    compendium = folder / "compendium.txt"
    compendium.write_text(SEED.read_text(encoding="utf-8").replace("ЗАЯВЛЕНИЕ", "СБОРНИК ДОКУМЕНТОВ\n\nЗАЯВЛЕНИЕ", 1)
                          + "\n\n" + udhr, encoding="utf-8")
    s = make_settings(folder)
    store = open_store(s)
    summary = add([SEED, compendium], store, embedder)
    assert not summary.failed and not summary.duplicates
    index = Index(store, embedder, s)
    index.refresh()
    return index


def test_a_copy_takes_no_place_of_its_own_among_the_hits(copied):
    statements = set(copied.statement_of.tolist())
    assert len(statements) == 2 and copied.parallel.get(int(copied.by_paragraph[(SEED.stem, 8)][0]))
    hits = search(copied, "Which operations are named?", 10).hits
    assert hits[0].paragraph == 8 or hits[0].text == copied.paragraph_text(SEED.stem, 8)
    texts = [h.text for h in hits]
    assert len(texts) == len(set(texts))  # each text once: ten different paragraphs, not five twice


def test_the_answer_cites_the_copy_with_the_original(copied):
    a = answer("Which operations are named?", copied)
    assert a.answered and {c.statement_id for c in a.citations if c.paragraph == 8} == set(copied.statement_of.tolist())
