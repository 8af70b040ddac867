"""A store past what embedding on this machine can build in a session: the man pages of a built store copied under
new statement ids, their vectors reused (near-duplicate text at scale, as a team's corpus of reissued texts has)."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

PAGE = 200  # statements read and written at a time


def copied_id(statement_id: str, copy: int) -> str:
    return f"{statement_id}~{copy}"


def _renamed(data: dict, old: str, new: str) -> tuple[list[str], list[dict]]:
    """Ids and metadata of one statement's records or sentences under another statement id (ids carry it first)."""
    ids = [new + rid[len(old):] for rid in data["ids"]]
    metas = []
    for m in data["metadatas"]:
        m = {**m, "statement_id": new}
        if "chunk_id" in m:
            m["chunk_id"] = new + m["chunk_id"][len(old):]
        metas.append(m)
    return ids, metas


def grow_by_copies(source: Path, target: Path, size: int, copied=lambda sid: sid[:3] in ("ru_", "en_")) -> dict:
    """`target`: a copy of the `source` store, grown to at least `size` paragraph records by committing copies of the
    statements `copied` selects (the man pages, not the statements question sets are asked over, whose gold would
    otherwise be shared with copies). Vectors are reused, nothing is embedded."""
    from config import Settings
    from ingest.store import open_store

    start = time.perf_counter()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".qa-index", ".complete"))
    store = open_store(Settings(persist_dir=target))
    manifests = store.manifests()
    pages = sorted(sid for sid in manifests if copied(sid))
    copy, count = 1, store.count()
    while count < size:
        for at in range(0, len(pages), PAGE):
            batch = pages[at:at + PAGE]
            where = {"statement_id": {"$in": batch}}
            records, sentences = store.records(where, True), store.sentence_records(where, True)
            for sid in batch:
                new = copied_id(sid, copy)
                for data, write in ((records, store.upsert), (sentences, store.upsert_sentences)):
                    rows = [i for i, m in enumerate(data["metadatas"]) if m["statement_id"] == sid]
                    part = {k: [data[k][i] for i in rows] for k in ("ids", "metadatas", "documents", "embeddings")}
                    ids, metas = _renamed(part, sid, new)
                    if ids:
                        write(ids, part["embeddings"], part["documents"], metas)
                store.commit(new, {**manifests[sid], "source": f"{manifests[sid].get('source', '')} (copy {copy})"})
                count += int(manifests[sid].get("records", 0))
                if count >= size:
                    break
            if count >= size:
                break
        copy += 1
    (target / ".complete").write_text(f"grown from {source.name} by copies in {time.perf_counter() - start:.0f} s\n")
    return {"records": store.count(), "sentences": store.sentences.count(), "copies": copy - 1,
            "seconds": round(time.perf_counter() - start)}
