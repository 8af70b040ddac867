"""python -m qa.eval FILE... — paragraph-level retrieval, citation, refusal and latency metrics over question sets."""
from __future__ import annotations

import argparse
import json
import re
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
                for g in q.get("gold", []):
                    if not gold_statement(g) or not ("paragraph" in g or isinstance(g.get("contains"), str)):
                        raise ValueError("each gold needs 'statement_id' (or 'statement') and 'paragraph' or 'contains'")
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
            q.setdefault("id", f"{path.stem}-{n}")
            q.setdefault("lang", "ru" if is_russian(q["question"]) else "en")
            q.setdefault("gold", [])
            questions.append(q)
    return questions


def normalise(text: str) -> str:
    """Whitespace runs → one space (the collection-dev scoring rule, applied to paragraph and snippet alike)."""
    return re.sub(r"\s+", " ", text).strip()


def gold_statement(gold: dict) -> str:
    return gold.get("statement_id") or gold.get("statement") or ""


def same_statement(statement_id: str, gold_id: str) -> bool:
    """A statement split out of a file (a compendium's instruments) has an id that starts with the file's stem."""
    return statement_id == gold_id or statement_id.startswith(gold_id + "#")


def matches(item: dict, gold: dict) -> bool:
    """Whether a cited/retrieved paragraph is this gold paragraph: by number, or (text-anchored gold, which survives
    re-parsing) by containing the snippet."""
    if not same_statement(item["statement_id"], gold_statement(gold)):
        return False
    if "contains" in gold:
        return normalise(gold["contains"]) in normalise(item.get("text", ""))
    return int(item["paragraph"]) == int(gold["paragraph"])


def _right(item: dict, golds: list[dict]) -> bool:
    return any(matches(item, g) for g in golds)


def run(questions: list[dict], index: Index, k: int = 10) -> list[dict]:
    """Each question through the same answer() as `python -m qa ask`; one result row per question."""
    from tqdm import tqdm

    results = []
    for q in tqdm(questions, desc="eval", unit="q", file=sys.stderr, disable=None):
        a = answer(q["question"], index, k=k)
        results.append({
            "id": q["id"], "lang": q["lang"], "question": q["question"], "gold": q["gold"], "note": q.get("note", ""),
            "kind": q.get("kind") or question_kind(q), "answered": a.answered, "reason": a.reason,
            "citations": [{"statement_id": c.statement_id, "paragraph": c.paragraph, "label": c.label, "quote": c.quote,
                           "text": index.paragraph_text(c.statement_id, c.paragraph),
                           "verbatim": c.quote in index.paragraph_text(c.statement_id, c.paragraph)}
                          for c in a.citations],
            "retrieved": [{"statement_id": h.statement_id, "paragraph": h.paragraph, "score": round(h.score, 6),
                           "dense": round(h.dense, 4), "sentence": round(h.sentence, 4), "text": h.text} for h in a.retrieved],
            "latency_ms": round(a.latency_ms, 2),
        })
    return results


def question_kind(q: dict) -> str:
    """header / multi-doc / unanswerable / content, from the set's own note (collection-dev) or its gold."""
    note = (q.get("note") or "").lower()
    for kind in ("header", "multi-doc", "unanswerable"):
        if note.startswith(kind):
            return kind
    if not q.get("gold"):
        return "unanswerable"
    return "multi-doc" if len({gold_statement(g) for g in q["gold"]}) > 1 and note.startswith("multi") else "content"


def metrics(results: list[dict]) -> dict:
    """Metrics from result rows alone (so anyone can recompute them from --json output)."""
    answerable = [r for r in results if r["gold"]]
    unanswerable = [r for r in results if not r["gold"]]
    out: dict = {"questions": len(results), "answerable": len(answerable), "unanswerable": len(unanswerable)}

    def rank_of_first_gold(r: dict) -> int | None:
        return next((i + 1 for i, item in enumerate(r["retrieved"][:10]) if _right(item, r["gold"])), None)

    ranks = [rank_of_first_gold(r) for r in answerable]
    depth = max((len(r["retrieved"]) for r in results), default=0)
    for k in (1, 3, 10):
        if k <= max(depth, 1):
            out[f"R@{k}"] = _mean([rk is not None and rk <= k for rk in ranks])
    out["MRR@10"] = _mean([1 / rk if rk else 0.0 for rk in ranks])
    cited_correct, precision, statements_cited = [], [], []
    for r in answerable:
        cited = r["citations"]
        cited_correct.append(bool(cited) and _right(cited[0], r["gold"]))
        if cited:
            precision.append(_mean([_right(c, r["gold"]) for c in cited]))
        wanted = {gold_statement(g) for g in r["gold"]}
        got = {gold_statement(g) for g in r["gold"] for c in cited if matches(c, g)}
        statements_cited.append(len(got) / len(wanted))
    out["cited_correct"] = _mean(cited_correct)
    out["citation_precision"] = _mean(precision)
    out["gold_statements_cited"] = _mean(statements_cited)
    multi = [s for r, s in zip(answerable, statements_cited) if len({gold_statement(g) for g in r["gold"]}) > 1]
    out["multi_doc_statements_cited"] = _mean(multi)
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
    """Metrics for all questions, per language, and per question kind (header, multi-doc, unanswerable, content)."""
    table = {"all": metrics(results)}
    for lang in sorted({r["lang"] for r in results}):
        table[lang] = metrics([r for r in results if r["lang"] == lang])
    kinds = sorted({r.get("kind", "content") for r in results})
    if len(kinds) > 1:
        for kind in kinds:
            table[kind] = metrics([r for r in results if r.get("kind", "content") == kind])
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
        gold = "; ".join(f"{gold_statement(g)} " + (f"«{g['contains']}»" if "contains" in g else f"¶{g['paragraph']}")
                         for g in r["gold"][:4]) or "refusal"
        got = "; ".join(f"{c['statement_id']} ¶{c['paragraph']} «{c['quote'][:80]}»" for c in r["citations"]) or "refused"
        top = ", ".join(f"{h['statement_id']} ¶{h['paragraph']} ({h['dense']:.3f})" for h in r["retrieved"][:3])
        reason = f"\n  - reason: {r['reason']}" if r.get("reason") else ""
        rows.append(f"- **{r['id']}** ({r['lang']}, {r.get('kind', '')}) {r['question']}\n  - expected: {gold}\n  - answered: {got}"
                    f"{reason}\n  - top retrieved: {top}")
    return "\n".join(rows) + "\n"


def _failed(r: dict) -> bool:
    if not r["gold"]:
        return r["answered"]
    return not r["citations"] or not _right(r["citations"][0], r["gold"])


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval", description="Evaluate answering on question sets.")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="print metrics and per-question results as JSON")
    parser.add_argument("--report", type=Path, help="write a markdown report here")
    parser.add_argument("--k", type=int, default=10, help="paragraphs retrieved per question (R@10 needs 10)")
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
