"""qa/columns.py: sentences and part facts as columns, kept across a reload by row, as the metadata they come from."""
from __future__ import annotations

import numpy as np

from qa.columns import Facts, Sentences
from qa.parts import facts
from qa.stage_one import Digests

ROW_OF = {"s1/p0": 0, "s1/p1": 1, "s2/p0": 2}
METAS = [{"chunk_id": "s1/p0", "start": 0, "stop": 10, "vector_digest": "aa", "terms": "один"},
         {"chunk_id": "gone/p9", "start": 0, "stop": 5, "vector_digest": "zz"},  # a part not loaded: left out
         {"chunk_id": "s1/p1", "start": 0, "stop": 7, "vector_digest": "bb"},
         {"chunk_id": "s2/p0", "start": 3, "stop": 9, "vector_digest": "aa", "terms": "три"}]


def test_sentences_of_loaded_parts_and_kept_when_parts_go():
    table, keep = Sentences.of(METAS, ROW_OF)
    assert keep == [0, 2, 3] and table.owner.tolist() == [0, 1, 2] and table.stop.tolist() == [10, 7, 9]
    # the statement of rows 0 and 1 removed: its sentences go, the rest are renumbered as the kept parts will be
    kept, mask = table.kept(np.array([False, False, True]))
    assert mask.tolist() == [False, False, True] and kept.owner.tolist() == [0] and kept.start.tolist() == [3]
    grown = kept.then(Sentences.of(METAS[:1], {"s1/p0": 1})[0])
    assert grown.owner.tolist() == [0, 1] and grown.digest.tolist() == [b"aa", b"aa"]


def test_sentence_terms_come_from_the_store_or_the_text_and_kept_ones_are_not_read():
    docs = ["Первое предложение.", "Второе.", "xxxпятое словоyyy"]
    table, keep = Sentences.of(METAS, ROW_OF)
    new = [METAS[i] for i in keep]
    got = table.terms(docs, new)
    assert got[0] == "один" and got[2] == "три" and got[1] == "второе"  # no terms kept at ingest: read from the text
    assert table.terms(docs, new[1:], kept=1) == ["", "второе", "три"]


def test_facts_by_row_kept_and_grown():
    parts = [facts({}, text, False, None, None) for text in ("In 2002 the Council met.", "Иванов Иван Иванович", "Nothing.")]
    table = Facts.of(parts)
    assert table.has_date.tolist() == [True, False, False] and table.has_person.tolist() == [False, True, False]
    assert table.words() == {"Council", "Иванов", "Иван", "Иванович", "Nothing"}
    kept = table.kept(np.array([2, 0]))
    assert kept.names == ["Nothing", "Council"] and kept.has_number.tolist() == [False, True]
    assert len(kept.then(table)) == 5


def test_every_copy_of_a_digest_is_found_and_a_missing_digest_means_no_lookup():
    digests = np.array([b"bb", b"aa", b"cc", b"aa"])
    assert Digests.of(digests).rows([["aa"], ["cc", "dd"]]).tolist() == [1, 2, 3]
    assert Digests.of(np.array([b"aa", b""])) is None
