"""Ingestion into a real Chroma: idempotent, replace-on-change, remove, bad files isolated, CLI contract."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from ingest.catalog import list_statements, remove
from ingest.pipeline import add
from tests.conftest import MODEL_CACHE, ROOT, SEED


def test_add_is_idempotent_and_replaces_exactly(tmp_path, store, embedder):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "other.md").write_text("# Joint Statement of the Test Council on Trade\n\nMoscow, 1 June 2020\n\n"
                                     "We agree to trade.\n\nWe agree to talk.\n", encoding="utf-8")
    first = add([folder], store, embedder)
    assert (first.added, first.unchanged, first.replaced, first.failed) == (10 + 3, 0, 0, [])
    ids_before = set(store.records()["ids"])

    again = add([folder], store, embedder)
    assert (again.added, again.unchanged, again.replaced) == (0, 13, 0)
    assert set(store.records()["ids"]) == ids_before

    (folder / "other.md").write_text("# Joint Statement of the Test Council on Trade\n\nMoscow, 1 June 2020\n\n"
                                     "We agree to trade freely.\n\nWe agree to talk.\n\nWe meet again.\n", encoding="utf-8")
    changed = add([folder], store, embedder)
    assert (changed.added, changed.unchanged, changed.replaced) == (0, 10, 4)
    other = store.statement_records("other")
    assert sorted(m["paragraph"] for m in other["metadatas"]) == [0, 1, 2, 3]
    assert "We agree to trade freely." in other["documents"]
    assert {i for i in ids_before if i.startswith("seed/")} <= set(store.records()["ids"])

    assert remove("other", store) == 4
    assert [s["id"] for s in list_statements(store)] == ["seed"]
    assert store.count() == 10


def test_metadata_on_records(store, embedder):
    add([SEED], store, embedder)
    recs = store.statement_records(SEED.stem)
    meta = {m["paragraph"]: m for m in recs["metadatas"]}
    assert sorted(meta) == list(range(10))
    m8 = meta[8]
    for key in ["statement_id", "paragraph", "label", "title", "issuer", "date", "source", "sha256", "tokens"]:
        assert key in m8
    assert m8["date"] == "2018-11-08" and m8["tokens"] > 50 and len(m8["sha256"]) == 64


def test_bad_files_fail_alone_and_store_survives(tmp_path, store, embedder):
    add([SEED], store, embedder)
    before = store.count()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (bad / "ok.txt").write_text("STATEMENT\n\nWe support peace and dialogue.\n", encoding="utf-8")
    (bad / "image.png").write_bytes(b"\x89PNG")
    summary = add([bad, bad / "image.png"], store, embedder)
    reasons = {os.path.basename(f["path"]): f["error"] for f in summary.failed}
    assert set(reasons) == {"empty.txt", "binary.txt", "image.png"}
    assert summary.added == 2
    assert store.count() == before + 2


def _cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_contract(tmp_path):
    env = {**os.environ, "QA_PERSIST_DIR": str(tmp_path / "store"), "QA_MODEL_CACHE": str(MODEL_CACHE)}
    parsed = json.loads(_cli(["parse", str(SEED), "--json"], env).stdout)
    st = parsed["statements"][0]
    assert set(st) >= {"id", "title", "issuer", "date", "place", "source", "paragraphs"}
    assert [p["n"] for p in st["paragraphs"]] == list(range(10))
    assert set(st["paragraphs"][1]) == {"n", "label", "kind", "context", "text"}
    assert set(st) >= {"number", "signatories"}
    assert not (tmp_path / "store").exists()

    (tmp_path / "empty.txt").write_bytes(b"")
    added = _cli(["add", str(SEED), str(tmp_path / "empty.txt"), "--json"], env)
    assert added.returncode == 1
    summary = json.loads(added.stdout)
    assert summary["added"] == 10 and summary["failed"][0]["path"].endswith("empty.txt")
    assert "empty.txt: empty file" in added.stderr
    assert "ingest: 10/10 paragraphs (100%)" in added.stderr  # progress as plain lines when not on a terminal

    listing = json.loads(_cli(["list", "--json"], env).stdout)
    assert listing["records"] == 10 and listing["statements"][0]["paragraphs"] == 9

    removed = _cli(["remove", SEED.stem], env)
    assert removed.returncode == 0
    assert json.loads(_cli(["list", "--json"], env).stdout)["records"] == 0


def test_the_same_document_in_two_files_is_stored_once(tmp_path, store, embedder):
    from ingest.dedupe import fingerprint, similarity
    from ingest.parse import parse_file
    from tests.conftest import SHARED, needs_shared

    original = needs_shared(SHARED / "corpus" / "originals" / "kremlin_act_18643.txt")
    reflowed = SHARED / "corpus" / "kremlin_act_18643_ru.txt"
    other = SHARED / "corpus" / "kremlin_act_18435_ru.txt"
    assert similarity(fingerprint(parse_file(original)), fingerprint(parse_file(reflowed))) >= 0.97
    assert similarity(fingerprint(parse_file(original)), fingerprint(parse_file(other))) < 0.5
    first = add([reflowed, other], store, embedder)
    again = add([original], store, embedder)
    assert again.added == 0 and again.duplicates == [{"path": original.name, "statement": "kremlin_act_18643",
                                                      "duplicate_of": "kremlin_act_18643_ru", "similarity": 1.0}]
    listed = {s["id"]: s for s in list_statements(store)}
    assert set(listed) == set(first.statements)
    assert listed["kremlin_act_18643_ru"]["sources"] == [reflowed.name, original.name]


def test_another_file_under_a_stored_id_is_refused_and_the_stored_statement_stays(tmp_path, store, embedder):
    from qa.answer import answer
    from qa.index import Index
    from tests.conftest import make_settings

    add([SEED], store, embedder)
    forged = tmp_path / "elsewhere" / SEED.name
    forged.parent.mkdir()
    forged.write_text("ЗАЯВЛЕНИЕ\n\nМосква, 1 июня 2020 года\n\nОперации «ПРОКСИ» и «Наемник» никогда не проводились.\n",
                      encoding="utf-8")
    summary = add([forged], store, embedder)
    assert (summary.added, summary.replaced) == (0, 0)
    assert summary.refused[0]["statement"] == SEED.stem
    assert "already stored from" in summary.refused[0]["error"] and "--replace" in summary.refused[0]["error"]
    index = Index(store, embedder, make_settings(tmp_path))
    cited = answer("Which operations are named?", index).citations[0]
    assert cited.paragraph == 8 and "никогда" not in cited.text

    env = {**os.environ, "QA_PERSIST_DIR": str(store.settings.persist_dir), "QA_MODEL_CACHE": str(MODEL_CACHE)}
    refused = _cli(["add", str(forged)], env)
    assert refused.returncode == 1 and "use --replace" in refused.stderr
    replaced = _cli(["add", str(forged), "--replace", "--json"], env)
    assert replaced.returncode == 0 and json.loads(replaced.stdout)["replaced"] == 2
    index.refresh(force=True)
    assert "никогда" in answer("Which operations are named?", index).citations[0].text


def test_a_folder_streams_through_in_slices_with_the_same_outcome(tmp_path, embedder):
    """A folder read a few files at a time (memory holds one slice) stores what one pass stores: a copy of a document
    in a later slice is still its duplicate, and an id met again in a later slice is still refused."""
    from ingest.store import open_store
    from tests.conftest import make_settings

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for n, topic in enumerate(["trade", "fisheries", "transport", "energy"]):
        (folder / f"a{n}_{topic}.md").write_text(f"# Joint Statement of the Test Council on {topic.title()}\n\n"
                                                 f"Moscow, {n + 1} June 2020\n\nWe agree on {topic}.\n\nWe meet again.\n",
                                                 encoding="utf-8")
    shutil.copy(folder / "a0_trade.md", folder / "z_copy_of_trade.md")  # same document, another name, last slice
    (folder / "sub" / "a1_fisheries.md").write_text("# Another text\n\nWe disagree.\n", encoding="utf-8")  # same id
    outcomes = []
    for at_once in (2, 100):
        store = open_store(make_settings(tmp_path / f"slices{at_once}"))
        summary = add([folder], store, embedder, files_at_once=at_once)
        outcomes.append((summary.added, sorted(summary.statements), [d["duplicate_of"] for d in summary.duplicates],
                         [os.path.basename(f["path"]) for f in summary.failed], sorted(store.records()["ids"])))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][2] == ["a0_trade"] and outcomes[0][3] == ["a1_fisheries.md"]
