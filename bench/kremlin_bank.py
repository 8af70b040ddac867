"""Parser agreement with the hand-curated Wikisource references of the kremlin-bank acts: python bench/kremlin_bank.py [--json] [DIR]"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.parse import parse_file  # noqa: E402
from ingest.records import IngestError  # noqa: E402
from tests.kremlin_wiki import compare, read_wiki  # noqa: E402

BANK = ROOT.parent / "shared" / "corpus" / "kremlin-bank"
# Where the wiki differs from the raw text itself, so that even a perfect parse of N.txt cannot agree.
KNOWN = {
    "18486": "title: the wiki keeps the original «ГТК России», the raw text (2013 redaction) says «ФТС России»",
    "18527": "paragraph «…комиссии по делам соотечественников за рубежом»: raw ends with «;»;», the wiki with «;».»",
    "18656": "heading «Статья 3»: the raw text has «Статья З» (Cyrillic Ze)",
}


def run(folder: Path) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for wiki in sorted(folder.glob("*.wiki"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0):
        txt = wiki.with_suffix(".txt")
        if not txt.exists():
            continue
        reference = read_wiki(wiki)
        try:
            statement = parse_file(txt)
        except IngestError as exc:
            results[wiki.stem] = {"error": str(exc), "agree": False}
            continue
        except Exception as exc:  # a parser mid-rewrite: report the act, keep going
            results[wiki.stem] = {"error": f"{type(exc).__name__}: {exc}", "agree": False}
            continue
        results[wiki.stem] = compare(statement, reference)
    return results


def _ratio(d: dict, found: bool = False) -> str:
    text = f"{d['matched']}/{d['expected']}"
    return f"{text} ({d['found']})" if found else text


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def table(results: dict[str, dict]) -> str:
    head = f"{'act':<7}{'paragraphs M/E (F)':<20}{'table rows':<13}{'number':<8}{'date':<6}{'title':<7}{'signature':<11}{'stamps':<8}agree"
    lines = [head, "-" * len(head)]
    total = {k: {"expected": 0, "found": 0, "matched": 0} for k in ("paragraphs", "table_rows", "stamps")}
    checks = {k: 0 for k in ("number", "date", "title", "signature", "agree")}
    for act, r in results.items():
        if "error" in r:
            lines.append(f"{act:<7}error: {r['error']}")
            continue
        for k in total:
            for j in total[k]:
                total[k][j] += r[k][j]
        for k in checks:
            checks[k] += bool(r[k])
        lines.append(
            f"{act:<7}{_ratio(r['paragraphs'], True):<20}{_ratio(r['table_rows']):<13}{_mark(r['number']):<8}{_mark(r['date']):<6}"
            f"{_mark(r['title']):<7}{_mark(r['signature']):<11}{_ratio(r['stamps']):<8}{_mark(r['agree'])}"
        )
    n = len(results)
    if not any("error" not in r for r in results.values()):
        return "\n".join(lines)
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<7}{_ratio(total['paragraphs'], True):<20}{_ratio(total['table_rows']):<13}{checks['number']}/{n:<5}{checks['date']}/{n:<3}"
        f"{checks['title']}/{n:<4}{checks['signature']}/{n:<8}{_ratio(total['stamps']):<8}{checks['agree']}/{n}"
    )
    lines += [f"reference ≠ raw text: {act} {why}" for act, why in KNOWN.items() if act in results]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?", type=Path, default=BANK)
    ap.add_argument("--json", action="store_true", help="print the per-act comparison dicts")
    args = ap.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"{args.folder} not found")
    results = run(args.folder)
    print(json.dumps(results, ensure_ascii=False, indent=1) if args.json else table(results))


if __name__ == "__main__":
    main()
