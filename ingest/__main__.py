"""python -m ingest parse|add|list|remove|reindex — the ingestion CLI (a stable contract for tests and tools)."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from config import get_settings
from config.settings import settings_error

REINDEX_HINT_AT = 10_000  # records: a little before QA_STAGE_ONE=auto (20,000 parts) would use a reindexed store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Parse and store official statements.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_parse = sub.add_parser("parse", help="parse files/folders and print their paragraphs (no store touched)")
    p_parse.add_argument("paths", nargs="+", type=Path)
    p_parse.add_argument("--json", action="store_true")
    p_add = sub.add_parser("add", help="parse, embed and store files/folders")
    p_add.add_argument("paths", nargs="+", type=Path)
    p_add.add_argument("--json", action="store_true")
    p_add.add_argument("--replace", action="store_true",
                       help="replace a stored statement of the same id even when it came from another file")
    p_list = sub.add_parser("list", help="statements in the store")
    p_list.add_argument("--json", action="store_true")
    p_remove = sub.add_parser("remove", help="delete a statement's records")
    p_remove.add_argument("statement_id")
    sub.add_parser("reindex", help="remake the vector collections' HNSW index with the configured settings, centered on "
                   "the store's mean (run with no writer at work)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from ingest.pipeline import parse_paths

    if args.command == "parse":
        statements, failed = parse_paths(args.paths)
        if args.json:
            print(json.dumps({"statements": [s.to_json() for s in statements], "failed": failed}, ensure_ascii=False, indent=1))
        else:
            for s in statements:
                print(f"{s.id}: {s.title} | {s.issuer} | {s.date} | {s.place} | {s.number or '-'}"
                      + (f" | signed: {', '.join(s.signatories)}" if s.signatories else ""))
                for p in s.paragraphs:
                    label = f" [{p.label}]" if p.label else ""
                    print(f"  ¶{p.n} {p.kind}{label}: {p.text[:100]}".replace("\n", " / "))
        for f in failed:
            print(f"{shown(f['path'])}: {f['error']}", file=sys.stderr)
        return 1 if failed else 0

    from ingest.store import StoreUnavailable, open_store, unavailable

    try:
        settings = get_settings()
    except ValueError as exc:  # a bad QA_* value: one line naming it, as the app says it
        print(f"error: {settings_error(exc)}", file=sys.stderr)
        return 2
    try:
        store = open_store(settings)
    except StoreUnavailable as exc:
        if args.command == "add" and args.json:
            from ingest.pipeline import Summary

            print(json.dumps(Summary(error=str(exc)).to_json(), ensure_ascii=False, indent=1))
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return _with_store(args, settings, store)
    except Exception as exc:  # an outage in the middle of list/remove: one line, not a traceback
        if store.reachable():
            raise
        print(f"error: {unavailable(settings, exc)}", file=sys.stderr)
        return 2


def _with_store(args, settings, store) -> int:
    if args.command == "add":
        from ingest.embedder import embedder_for
        from ingest.pipeline import add

        summary = add(args.paths, store, embedder_for(settings), settings.max_chunk_tokens, settings.batch_size,
                      settings.passage_context, replace=args.replace)
        if args.json:
            print(json.dumps(summary.to_json(), ensure_ascii=False, indent=1))
        else:
            print(f"added {summary.added}, unchanged {summary.unchanged}, replaced {summary.replaced} records; "
                  f"{len(summary.duplicates)} duplicate file(s); {len(summary.failed)} file(s) failed")
            for d in summary.duplicates:
                print(f"{shown(d['path'])}: duplicate_of {d['duplicate_of']} (similarity {d['similarity']}); recorded as a second source")
        for f in summary.failed + summary.refused:
            print(f"{shown(f['path'])}: {f['error']}", file=sys.stderr)
        if store.centers[0] is None and store.count() >= REINDEX_HINT_AT:
            print(f"hint: {store.count()} records and the vector index was never centered; `python -m ingest reindex` "
                  "lets stage one come from the store (QA_STAGE_ONE=auto) without missing the nearest parts", file=sys.stderr)
        if summary.error:
            print(f"error: {summary.error}; stopped, nothing half-written is served", file=sys.stderr)
            return 2
        return 1 if summary.failed or summary.refused else 0
    if args.command == "list":
        from ingest.catalog import list_statements

        items = list_statements(store)
        if args.json:
            print(json.dumps({"statements": items, "records": store.count()}, ensure_ascii=False, indent=1))
        else:
            for it in items:
                print(f"{it['id']}  {it['date'] or '----------'}  {it['paragraphs']:>3} ¶  {it['records']:>3} rec  {it['title'][:70]}")
            print(f"{len(items)} statements, {store.count()} records")
        return 0
    if args.command == "reindex":
        from ingest.reindex import reindex

        for name, done in reindex(store, progress=lambda line: print(line, file=sys.stderr)).items():
            print(f"{name}: {done['records']} records reindexed in {done['seconds']} s ({done['distinct']} distinct vectors)")
        return 0
    from ingest.catalog import remove

    removed = remove(args.statement_id, store)
    if not removed:
        print(f"{args.statement_id}: no such statement in the store", file=sys.stderr)
        return 1
    print(f"removed {removed} records of {args.statement_id}")
    return 0


def shown(path: str) -> str:
    """A file name as one printable line: a newline or other control character in it must not split the report."""
    return "".join(c if c.isprintable() else "?" for c in path)


if __name__ == "__main__":
    sys.exit(main())
