"""python -m qa ask "QUESTION" — answer from the stored statements with verbatim, cited quotes."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from qa.conversation import Turn, turn_of, turns_from
from qa.conversation import ask as ask_in_turn
from qa.i18n import question_language
from qa.retrieve import Filters, iso_date


def _last_turn(session: Path) -> list[Turn]:
    """The turn saved by the previous `ask` (none when there is no readable session file)."""
    try:
        return turns_from([json.loads(session.read_text(encoding="utf-8"))])
    except (OSError, ValueError):
        return []


def _save_turn(session: Path, turn: Turn) -> None:
    try:
        session.parent.mkdir(parents=True, exist_ok=True)
        session.write_text(json.dumps(turn.__dict__, ensure_ascii=False), encoding="utf-8")
    except OSError:  # a read-only store folder must not stop the answer
        pass


def _at_least_one(text: str) -> int:
    k = int(text)
    if k < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {k}")
    return k


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Question answering over official statements.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--k", type=_at_least_one, default=None, help="paragraphs to retrieve (1 or more)")
    ask.add_argument("--statement", action="append", default=[], help="restrict to a statement id (repeatable)")
    ask.add_argument("--since", default="", help="only statements dated on/after YYYY-MM-DD (undated ones are left out)")
    ask.add_argument("--until", default="", help="only statements dated on/before YYYY-MM-DD (undated ones are left out)")
    ask.add_argument("--issuer", default="")
    ask.add_argument("--follow-up", action="store_true", help="read the question as a follow-up to the last one asked "
                     "(from the session file): the statements it cited become the focus")
    ask.add_argument("--session", type=Path, default=None, help="session file holding the last turn (default: "
                     "QA_PERSIST_DIR/session.json; every ask writes it)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        filters = Filters(args.statement, iso_date("--since", args.since), iso_date("--until", args.until), args.issuer)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from qa.engine import index_or_none

    index = index_or_none()
    if index is None:
        return 1
    if unknown := filters.unknown_statements(index.metas):
        print("error: " + "; ".join(f"no statement {sid!r} in the store" for sid in unknown)
              + " (python -m ingest list shows the ids)", file=sys.stderr)
        return 2
    session = args.session or Path(index.settings.persist_dir) / "session.json"
    history = _last_turn(session) if args.follow_up else []
    result, reading = ask_in_turn(args.question, index, history, filters, args.k)
    _save_turn(session, turn_of(result, reading))
    note = "" if result.answered else filters.undated_note(index.metas)
    read_as = reading.note(index, question_language(args.question))
    if args.json:
        out = result.to_json()
        out["read_as"] = {"question": reading.text, "statements": reading.focus, "kind": reading.kind, "note": read_as}
        if note:
            out["note"] = note
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    if read_as:
        print(f"({read_as})")
    print(result.answer)
    if result.translations:
        print("\n(also matched as: " + "; ".join(f"{w} → {', '.join(ts)}" for w, ts in result.translations.items()) + ")")
    if not result.answered:
        print(f"\n({result.reason})")
        if note:
            print(f"({note})")
        if result.retrieved:
            print("Closest paragraphs:")
        for h in result.retrieved[:3]:
            print(f"  {h.statement_id} ¶{h.paragraph} ({h.dense:.3f}): {h.text[:120]}")
    return 0


def _exit(code: int) -> None:
    """Leave once the output and the kept-index saves already started are written, without tearing down every object:
    at 100k parts the interpreter's teardown (and Chroma's) took 0.8 s after the answer was printed. (A periodic store
    check a question started in the background is dropped: the next process checks again.)"""
    from qa import loaded

    loaded.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main())
