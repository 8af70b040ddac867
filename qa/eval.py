"""python -m qa.eval FILE... — paragraph-level retrieval, citation, refusal and latency metrics over question sets."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from qa.answer import answer, is_russian
from qa.index import Index


def load_questions(paths: list[Path]) -> list[dict]:
    """JSONL question sets; a malformed line is reported as 'file:line: reason'."""
    questions = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                if not isinstance(q.get("question"), str) or not isinstance(q.get("gold", []), list):
                    raise ValueError("needs 'question' (str) and 'gold' (list)")
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
            q.setdefault("id", f"{path.stem}-{n}")
            q.setdefault("lang", "ru" if is_russian(q["question"]) else "en")
            q.setdefault("gold", [])
            questions.append(q)
    return questions


def run(questions: list[dict], index: Index, k: int = 10) -> list[dict]:
    """Each question through the same answer() as `python -m qa ask`; one result row per question."""
    from tqdm import tqdm

    results = []
    for q in tqdm(questions, desc="eval", unit="q", file=sys.stderr, disable=None):
        a = answer(q["question"], index, k=max(k, 10))
        results.append({
            "id": q["id"], "lang": q["lang"], "question": q["question"], "gold": q["gold"],
            "answered": a.answered,
            "citations": [{"statement_id": c.statement_id, "paragraph": c.paragraph, "quote": c.quote,
                           "verbatim": c.quote in index.paragraph_text(c.statement_id, c.paragraph)}
                          for c in a.citations],
            "retrieved": [{"statement_id": h.statement_id, "paragraph": h.paragraph, "score": round(h.score, 6),
                           "dense": round(h.dense, 4), "sentence": round(h.sentence, 4)} for h in a.retrieved],
            "latency_ms": round(a.latency_ms, 2),
        })
    return results


def _key(item: dict) -> tuple[str, int]:
    return item["statement_id"], int(item["paragraph"])


def metrics(results: list[dict]) -> dict:
    """Metrics from result rows alone (so anyone can recompute them from --json output)."""
    answerable = [r for r in results if r["gold"]]
    unanswerable = [r for r in results if not r["gold"]]
    out: dict = {"questions": len(results), "answerable": len(answerable), "unanswerable": len(unanswerable)}

    def rank_of_first_gold(r: dict) -> int | None:
        gold = {_key(g) for g in r["gold"]}
        for i, item in enumerate(r["retrieved"][:10]):
            if _key(item) in gold:
                return i + 1
        return None

    ranks = [rank_of_first_gold(r) for r in answerable]
    for k in (1, 3, 10):
        out[f"R@{k}"] = _mean([rk is not None and rk <= k for rk in ranks])
    out["MRR@10"] = _mean([1 / rk if rk else 0.0 for rk in ranks])
    cited_correct, precision, recall = [], [], []
    for r in answerable:
        gold = {_key(g) for g in r["gold"]}
        cited = [_key(c) for c in r["citations"]]
        cited_correct.append(bool(cited) and cited[0] in gold)
        if cited:
            precision.append(len(set(cited) & gold) / len(set(cited)))
        recall.append(len(set(cited) & gold) / len(gold))
    out["cited_correct"] = _mean(cited_correct)
    out["citation_precision"] = _mean(precision)
    out["citation_recall"] = _mean(recall)
    quotes = [c["verbatim"] for r in results for c in r["citations"]]
    out["verbatim_quotes"] = _mean(quotes) if quotes else 1.0
    out["unanswerable_refused"] = _mean([not r["answered"] for r in unanswerable])
    out["answerable_refused"] = _mean([not r["answered"] for r in answerable])
    lat = [r["latency_ms"] for r in results]
    out["latency_p50_ms"] = round(float(np.percentile(lat, 50)), 1) if lat else None
    out["latency_p95_ms"] = round(float(np.percentile(lat, 95)), 1) if lat else None
    return out


def _mean(values: list) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def metrics_by_language(results: list[dict]) -> dict:
    table = {"all": metrics(results)}
    for lang in sorted({r["lang"] for r in results}):
        table[lang] = metrics([r for r in results if r["lang"] == lang])
    return table


def report(table: dict, results: list[dict], sources: list[str]) -> str:
    """A markdown report: the metrics table, then every failed question with expected vs returned."""
    cols = list(table)
    rows = [f"# Evaluation: {', '.join(sources)}", "", "| metric | " + " | ".join(cols) + " |",
            "|---|" + "---|" * len(cols)]
    for name in table["all"]:
        rows.append(f"| {name} | " + " | ".join(_fmt(table[c].get(name)) for c in cols) + " |")
    failed = [r for r in results if _failed(r)]
    rows += ["", f"## Failed questions ({len(failed)})", ""]
    for r in failed:
        gold = ", ".join(f"{g['statement_id']} ¶{g['paragraph']}" for g in r["gold"]) or "refusal"
        got = ", ".join(f"{c['statement_id']} ¶{c['paragraph']}" for c in r["citations"]) or "refused"
        top = ", ".join(f"¶{h['paragraph']} ({h['dense']:.3f})" for h in r["retrieved"][:3])
        rows.append(f"- **{r['id']}** ({r['lang']}) {r['question']}\n  - expected: {gold}\n  - answered: {got}\n"
                    f"  - top retrieved: {top}")
    return "\n".join(rows) + "\n"


def _failed(r: dict) -> bool:
    if not r["gold"]:
        return r["answered"]
    gold = {_key(g) for g in r["gold"]}
    return not r["citations"] or _key(r["citations"][0]) not in gold


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval", description="Evaluate answering on question sets.")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="print metrics and per-question results as JSON")
    parser.add_argument("--report", type=Path, help="write a markdown report here")
    parser.add_argument("--k", type=int, default=10, help="paragraphs retrieved per question (≥ 10)")
    args = parser.parse_args(argv)
    try:
        questions = load_questions(args.files)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from qa.engine import index_or_none

    index = index_or_none()
    if index is None:
        return 1
    results = run(questions, index, args.k)
    table = metrics_by_language(results)
    if args.report:
        args.report.write_text(report(table, results, [str(f) for f in args.files]), encoding="utf-8")
    if args.json:
        print(json.dumps({"metrics": table, "results": results}, ensure_ascii=False, indent=1))
    else:
        print(report(table, results, [str(f) for f in args.files]).split("\n## Failed")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
