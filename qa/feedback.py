"""👍/👎 on answers, appended to a JSONL file in the store folder; `python -m qa.feedback FILE` turns the 👍 answers into
a gold question set for qa.eval (cited paragraphs anchored by their quoted text) and the 👎 ones into a review list."""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

_lock = threading.Lock()


def feedback_path(settings) -> Path:
    """The feedback file sits with the statements it judges, so QA_PERSIST_DIR moves it too."""
    return Path(settings.persist_dir) / "feedback.jsonl"


class Recent:
    """The answers shown lately, by id, so a vote names what was answered (bounded: old ones fall out)."""

    def __init__(self, size: int = 2000) -> None:
        self.items: OrderedDict[str, dict] = OrderedDict()
        self.size = size

    def put(self, turn: dict) -> None:
        with _lock:
            self.items[turn["id"]] = turn
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def get(self, turn_id: str) -> dict | None:
        with _lock:
            return self.items.get(turn_id)


def record(path: Path, turn: dict, vote: str, comment: str = "") -> dict:
    """Append one vote: question (as asked and as read), answer, citations, vote, comment, time."""
    if vote not in ("up", "down"):
        raise ValueError(f"vote must be 'up' or 'down', got {vote!r}")
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "vote": vote, "comment": comment[:500],
             "question": turn["question"], "read_as": turn.get("read_as", turn["question"]),
             "follow_up": turn.get("kind") not in (None, "new", "other"),
             "answered": bool(turn.get("answered")), "reason": turn.get("reason", ""),
             "citations": [{k: c[k] for k in ("statement_id", "paragraph", "label", "text")} for c in turn.get("cited", [])]}
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def questions_from_feedback(path: Path) -> tuple[list[dict], list[dict]]:
    """(gold questions, review list). A 👍 answer becomes a question whose gold is each cited paragraph, anchored by its
    quoted text (it survives renumbering); a 👍 refusal, an unanswerable question. 👎 answers and follow-ups (their
    wording leans on the turn before) go to the review list."""
    gold, review = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        entry = json.loads(line)
        if entry["vote"] != "up" or entry.get("follow_up"):
            review.append({**entry, "why": "👎" if entry["vote"] != "up" else "follow-up: reword it to stand alone"})
            continue
        item = {"id": f"feedback-{n}", "question": entry["question"],
                "gold": [{"statement": c["statement_id"], "contains": c["text"]} for c in entry["citations"]],
                "note": "from feedback 👍" + ("" if entry["answered"] else "; unanswerable")}
        if entry.get("comment"):
            item["comment"] = entry["comment"]
        gold.append(item)
    seen, unique = set(), []
    for q in gold:  # the same question voted twice is one question
        if q["question"] not in seen:
            seen.add(q["question"])
            unique.append(q)
    return unique, review


def write_sets(path: Path, out_dir: Path) -> tuple[Path, Path, int, int]:
    """Write FILE's gold set and review list beside each other in out_dir; returns their paths and sizes."""
    gold, review = questions_from_feedback(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    gold_path, review_path = out_dir / f"{path.stem}-gold.jsonl", out_dir / f"{path.stem}-review.jsonl"
    gold_path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in gold), encoding="utf-8")
    review_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in review), encoding="utf-8")
    return gold_path, review_path, len(gold), len(review)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.feedback", description=__doc__.split(";")[0])
    parser.add_argument("file", type=Path, help="feedback JSONL (QA_PERSIST_DIR/feedback.jsonl)")
    parser.add_argument("--out", type=Path, default=None, help="folder for FILE-gold.jsonl and FILE-review.jsonl "
                        "(default: beside FILE)")
    args = parser.parse_args(argv)
    try:
        gold_path, review_path, n_gold, n_review = write_sets(args.file, args.out or args.file.parent)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    print(f"{n_gold} question(s) → {gold_path}  (score them: python -m qa.eval {gold_path})\n"
          f"{n_review} to review → {review_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
