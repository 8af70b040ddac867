"""The statements in a store: list them (from their manifests, no record scan) and remove one."""
from __future__ import annotations

from ingest.store import Store


def remove(statement_id: str, store: Store) -> int:
    """Delete a statement: first from readers (its manifest), then its records; returns how many records went."""
    ids = store.ids({"statement_id": statement_id})
    if ids or statement_id in store.manifests():
        # also when a removal stopped between its manifest delete and its new changes token: this one writes the token
        store.uncommit(statement_id)
    if ids:
        store.delete(ids)
    return len(ids)


def list_statements(store: Store) -> list[dict]:
    """Statements in the store with their metadata, paragraph and record counts (from the manifest: no record scan)."""
    if store.legacy:
        return _list_legacy(store)
    out = []
    for sid, m in store.manifests().items():
        out.append({"id": sid, **{k: m.get(k, "") for k in ("title", "issuer", "date", "place", "number", "source")},
                    "sources": [s for s in (m.get("sources") or "").split("; ") if s],
                    "paragraphs": int(m.get("paragraphs", 0)), "records": int(m.get("records", 0))})
    return sorted(out, key=lambda x: (x["date"], x["id"]))


def _list_legacy(store: Store) -> list[dict]:
    by_id: dict[str, dict] = {}
    for meta in store.records()["metadatas"]:
        item = by_id.setdefault(meta["statement_id"], {
            "id": meta["statement_id"], **{k: meta.get(k, "") for k in ("title", "issuer", "date", "place", "number", "source")},
            "sources": [meta.get("source", "")], "paragraphs": set(), "records": 0})
        item["paragraphs"].add(meta["paragraph"])
        item["records"] += 1
    out = []
    for item in sorted(by_id.values(), key=lambda x: (x["date"], x["id"])):
        item["paragraphs"] = len(item["paragraphs"] - {0})
        out.append(item)
    return out
