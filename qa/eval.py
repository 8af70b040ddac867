"""python -m qa.eval FILE... — retrieval, citation, refusal and latency metrics over question sets, with provenance,
checks, breakdowns, saved runs, comparisons, charts and sweeps; `python -m qa.eval diff A.json B.json`."""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from qa.answer import answer, is_russian
from qa.index import Index
from qa.metrics import (  # noqa: F401 — the scoring functions are part of this command's interface
    breakdown,
    gold_statement,
    matches,
    metrics,
    normalise,
    question_kind,
    right,
)

metrics_by_language = breakdown
_right = right


def load_questions(paths: list[Path]) -> list[dict]:
    """JSONL question sets; a malformed line is reported as 'file:line: reason'."""
    questions = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                if not isinstance(q, dict):
                    raise ValueError("expected a JSON object")
                if not isinstance(q.get("question"), str) or not isinstance(q.get("gold", []), list):
                    raise ValueError("needs 'question' (str) and 'gold' (list)")
                for g in q.get("gold", []):
                    if not isinstance(g, dict) or not gold_statement(g) or not ("paragraph" in g or isinstance(g.get("contains"), str)):
                        raise ValueError("each gold needs 'statement_id' (or 'statement') and 'paragraph' or 'contains'")
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
            q.setdefault("id", f"{path.stem}-{n}")
            q.setdefault("lang", "ru" if is_russian(q["question"]) else "en")
            q.setdefault("gold", [])
            q["file"] = path.name
            questions.append(q)
    return questions


def run(questions: list[dict], index: Index, k: int = 10) -> list[dict]:
    """Each question through the same answer() as `python -m qa ask`; one result row per question."""
    from tqdm import tqdm

    results = []
    for q in tqdm(questions, desc="eval", unit="q", file=sys.stderr, disable=None):
        a = answer(q["question"], index, k=k)
        results.append({
            "id": q["id"], "lang": q["lang"], "question": q["question"], "gold": q["gold"], "note": q.get("note", ""),
            "kind": question_kind(q), "file": q.get("file", ""), "answered": a.answered, "reason": a.reason,
            "citations": [{"statement_id": c.statement_id, "paragraph": c.paragraph, "label": c.label, "kind": c.kind,
                           "quote": c.quote, "text": index.paragraph_text(c.statement_id, c.paragraph),
                           "verbatim": c.quote in index.paragraph_text(c.statement_id, c.paragraph)}
                          for c in a.citations],
            "retrieved": [{"statement_id": h.statement_id, "paragraph": h.paragraph, "score": round(h.score, 6),
                           "dense": round(h.dense, 4), "sentence": round(h.sentence, 4), "text": h.text} for h in a.retrieved],
            "latency_ms": round(a.latency_ms, 2),
        })
    return results


def checks(questions: list[dict], index: Index) -> dict[str, list[str]]:
    """Before scoring: gold statements the store lacks, gold paragraphs it lacks, snippets in no paragraph."""
    stored = set(index.metas.statement_ids)
    texts: dict[str, list[str]] = {}
    for (sid, n) in index.by_paragraph:
        texts.setdefault(sid, []).append(normalise(index.paragraph_text(sid, n)))
    found = {"gold statements missing from the store": [], "gold paragraphs missing": [], "snippets found in no paragraph": []}
    for q in questions:
        for g in q["gold"]:
            wanted = gold_statement(g)
            sids = [s for s in stored if s == wanted or s.startswith(wanted + "#")]
            if not sids:
                found["gold statements missing from the store"].append(f"{q['id']}: {wanted}")
            elif "contains" in g and not any(normalise(g["contains"]) in t for s in sids for t in texts[s]):
                found["snippets found in no paragraph"].append(f"{q['id']}: {wanted} «{g['contains']}»")
            elif "paragraph" in g and (wanted, int(g["paragraph"])) not in index.by_paragraph:
                found["gold paragraphs missing"].append(f"{q['id']}: {wanted} ¶{g['paragraph']}")
    return found


def sweep(questions: list[dict], index: Index, grid: list[str], k: int) -> list[dict]:
    """--set QA_X=a,b,c: the question sets over every combination of the given query-time settings."""
    axes = []
    for item in grid:
        name, _, values = item.partition("=")
        field = name.strip().upper().removeprefix("QA_").lower()
        if not values or field not in type(index.settings).model_fields:
            raise ValueError(f"--set {item!r}: expected QA_SETTING=value,value (a field of config.Settings)")
        axes.append([(field, v) for v in values.split(",")])
    rows = []
    for combo in itertools.product(*axes):
        settings = type(index.settings).model_validate({**index.settings.model_dump(), **dict(combo)})
        variant = Index(index.store, index.embedder, settings)
        variant.refresh()
        rows.append({"settings": {f"QA_{f.upper()}": v for f, v in combo}, "metrics": metrics(run(questions, variant, k))})
    return rows


def _diff(argv: list[str]) -> int:
    from qa.compare import compare, load_run, render

    parser = argparse.ArgumentParser(prog="python -m qa.eval diff", description="Compare two saved runs.")
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        cmp = compare(load_run(args.a), load_run(args.b))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(cmp, ensure_ascii=False, indent=1) if args.json else render(cmp, args.a.stem, args.b.stem))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["diff"]:
        return _diff(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m qa.eval", description="Evaluate answering on question sets.")
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--from-feedback", type=Path, metavar="FEEDBACK.jsonl",
                        help="also score the 👍 answers of a feedback file as gold questions (the 👎 go to a review list beside it)")
    parser.add_argument("--json", action="store_true", help="print provenance, checks, metrics and per-question results as JSON")
    parser.add_argument("--report", type=Path, help="write a Markdown report here (and a PNG chart beside it)")
    parser.add_argument("--k", type=int, default=10, help="paragraphs retrieved per question (R@10 needs 10)")
    parser.add_argument("--strict", action="store_true", help="a failed check (unknown gold, missing snippet) is an error")
    parser.add_argument("--save", type=Path, help="save the run (provenance and per-question results) as JSON")
    parser.add_argument("--compare", type=Path, help="a saved run to compare this one with")
    parser.add_argument("--set", action="append", default=[], metavar="QA_X=a,b", help="sweep a setting over values (repeatable)")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("--k must be at least 1")
    if not args.files and not args.from_feedback:
        parser.error("give question files or --from-feedback FILE")
    try:
        if args.from_feedback:
            from qa.feedback import write_sets

            gold, review, n_gold, n_review = write_sets(args.from_feedback, args.from_feedback.parent)
            print(f"feedback: {n_gold} gold question(s) in {gold}, {n_review} to review in {review}", file=sys.stderr)
            args.files = [*args.files, gold]
        questions = load_questions(args.files)
        baseline = None
        if args.compare:
            from qa.compare import load_run

            baseline = load_run(args.compare)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from qa.engine import index_or_none
    from qa.provenance import provenance

    index = index_or_none()
    if index is None:
        return 1
    found = checks(questions, index)
    for kind, items in found.items():
        if items:
            print(f"check: {len(items)} {kind}: {'; '.join(items[:5])}{' …' if len(items) > 5 else ''}", file=sys.stderr)
    if args.strict and any(found.values()):
        print("error: checks failed (--strict)", file=sys.stderr)
        return 2
    if args.set:
        try:
            rows = sweep(questions, index, args.set, args.k)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(_sweep_table(rows))
        return 0
    results = run(questions, index, args.k)
    table = breakdown(results)
    saved = {"provenance": provenance(index, args.files), "checks": found, "metrics": table, "results": results}
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
    comparison = ""
    if baseline is not None:
        from qa.compare import compare, render

        comparison = render(compare(baseline, saved), args.compare.stem, args.save.stem if args.save else "this run")
    if args.report:
        from qa.report import chart, markdown

        tables = {args.compare.stem: breakdown(baseline["results"]), "this run": table} if baseline else {"this run": table}
        png = chart(tables, args.report.with_suffix(".png"))
        args.report.write_text(markdown(table, results, saved["provenance"], found, png, comparison), encoding="utf-8")
    if args.json:
        print(json.dumps(saved, ensure_ascii=False, indent=1))
    else:
        from qa.report import markdown

        print(markdown(table, results, saved["provenance"], found).split("\n## Per statement")[0])
        if comparison:
            print(comparison)
    return 0


def _sweep_table(rows: list[dict]) -> str:
    from qa.compare import HEADLINE

    names = list(rows[0]["settings"]) if rows else []
    out = ["| " + " | ".join(names + list(HEADLINE)) + " |", "|" + "---|" * (len(names) + len(HEADLINE))]
    for row in rows:
        values = [str(row["settings"][n]) for n in names] + [
            "–" if row["metrics"].get(m) is None else f"{row['metrics'][m]:.3f}" for m in HEADLINE]
        out.append("| " + " | ".join(values) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
