"""Two evaluation runs side by side: metric deltas, an exact McNemar test on per-question outcomes, the flipped questions."""
from __future__ import annotations

import json
import math
from pathlib import Path

from qa.metrics import breakdown, failed

HEADLINE = ("cited_correct", "R@1", "R@3", "unanswerable_refused", "answerable_refused", "gold_statements_cited",
            "multi_doc_statements_cited", "latency_p50_ms")


def load_run(path: Path) -> dict:
    """A saved run (--save) or a --json dump: {"results": [...], optional "provenance"}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ValueError(f"{path}: not an evaluation run (needs a 'results' list)")
    return data


def mcnemar(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for b questions only the first run got right and c only the second did."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def compare(a: dict, b: dict) -> dict:
    """Deltas of the headline metrics (all questions and per breakdown), and the questions whose outcome flipped."""
    ra, rb = {r["id"]: r for r in a["results"]}, {r["id"]: r for r in b["results"]}
    shared = [i for i in ra if i in rb]
    ta = breakdown([ra[i] for i in shared])
    tb = breakdown([rb[i] for i in shared])
    deltas = {group: {m: (ta[group].get(m), tb[group].get(m)) for m in HEADLINE}
              for group in ta if group in tb}
    fixed = [i for i in shared if failed(ra[i]) and not failed(rb[i])]
    broken = [i for i in shared if not failed(ra[i]) and failed(rb[i])]
    return {"questions": len(shared), "only_in_a": sorted(set(ra) - set(rb)), "only_in_b": sorted(set(rb) - set(ra)),
            "metrics": deltas, "fixed": fixed, "broken": broken, "mcnemar_p": round(mcnemar(len(broken), len(fixed)), 4),
            "question_text": {i: rb[i]["question"] for i in fixed + broken}}


def render(cmp: dict, name_a: str = "A", name_b: str = "B") -> str:
    """Markdown: the metric table with deltas, the significance hint, the flipped questions."""
    rows = [f"## Compare: {name_a} → {name_b} ({cmp['questions']} shared questions)", "",
            "| group | metric | " + name_a + " | " + name_b + " | Δ |", "|---|---|---|---|---|"]
    for group, table in cmp["metrics"].items():
        for metric, (x, y) in table.items():
            if x is None and y is None:
                continue
            delta = f"{y - x:+.3f}" if x is not None and y is not None else "–"
            rows.append(f"| {group} | {metric} | {_fmt(x)} | {_fmt(y)} | {delta} |")
    verdict = "significant at 5%" if cmp["mcnemar_p"] < 0.05 else "not significant at 5%"
    rows += ["", f"Outcome flips: {len(cmp['fixed'])} fixed, {len(cmp['broken'])} broken; exact McNemar p = "
             f"{cmp['mcnemar_p']} ({verdict}).", ""]
    for title, ids in (("Fixed", cmp["fixed"]), ("Broken", cmp["broken"])):
        if ids:
            rows.append(f"**{title}:**")
            rows += [f"- {i}: {cmp['question_text'][i]}" for i in ids]
            rows.append("")
    return "\n".join(rows)


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
