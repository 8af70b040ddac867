"""python -m qa ask "QUESTION" — answer from the stored statements with verbatim, cited quotes."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from qa.answer import answer
from qa.retrieve import Filters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Question answering over official statements.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--k", type=int, default=None, help="paragraphs to retrieve")
    ask.add_argument("--statement", action="append", default=[], help="restrict to a statement id (repeatable)")
    ask.add_argument("--since", default="", help="only statements dated on/after YYYY-MM-DD")
    ask.add_argument("--until", default="", help="only statements dated on/before YYYY-MM-DD")
    ask.add_argument("--issuer", default="")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for name, value in (("--since", args.since), ("--until", args.until)):
        if value and not __import__("re").fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            print(f"{name}: expected YYYY-MM-DD, got {value!r}", file=sys.stderr)
            return 2

    from qa.engine import index_or_none

    index = index_or_none()
    if index is None:
        return 1
    result = answer(args.question, index, args.k, Filters(args.statement, args.since, args.until, args.issuer))
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return 0
    print(result.answer)
    if result.translations:
        print("\n(also matched as: " + "; ".join(f"{w} → {', '.join(ts)}" for w, ts in result.translations.items()) + ")")
    if not result.answered:
        print(f"\n({result.reason})")
        print("Closest paragraphs:")
        for h in result.retrieved[:3]:
            print(f"  {h.statement_id} ¶{h.paragraph} ({h.dense:.3f}): {h.text[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
