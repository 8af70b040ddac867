"""The evaluation report: provenance, checks, metric tables and a chart, per-statement breakdown, confusions, failures."""
from __future__ import annotations

from pathlib import Path

from qa.metrics import by_statement, confusion, failed, gold_statement

CHART_METRICS = ("cited_correct", "R@3", "unanswerable_refused", "answerable_refused")


def chart(tables: dict[str, dict], path: Path) -> Path:
    """A PNG of the headline metrics per group (all, languages, kinds, files), one bar series per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    groups = [g for g in next(iter(tables.values())) if all(g in t for t in tables.values())]
    fig, axes = plt.subplots(1, len(CHART_METRICS), figsize=(4 * len(CHART_METRICS), 3.6), sharey=True)
    width = 0.8 / len(tables)
    for ax, metric in zip(axes, CHART_METRICS):
        for k, (name, table) in enumerate(tables.items()):
            values = [table[g].get(metric) or 0.0 for g in groups]
            ax.bar(np.arange(len(groups)) + k * width, values, width, label=name)
        ax.set_title(metric)
        ax.set_xticks(np.arange(len(groups)) + width * (len(tables) - 1) / 2)
        ax.set_xticklabels(groups, rotation=45, ha="right", fontsize=8)
        ax.set_ylim(0, 1)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def markdown(table: dict, results: list[dict], provenance: dict, checks: dict, chart_file: Path | None = None,
             comparison: str = "") -> str:
    cols = list(table)
    rows = [f"# Evaluation: {', '.join(q['file'] for q in provenance.get('questions', []))}", ""]
    p = provenance
    if p:
        rows += [f"- store `{p['store']}`, collection `{p['collection']}`: {p['statements']} statements, {p['records']} records",
                 f"- model `{p['model']['name']}` ({p['model']['hash']}); ranker {p['model']['ranker']}; refusal {p['model']['refusal']}",
                 f"- commit {p['git']['commit'][:12]}{' (dirty)' if p['git']['dirty'] else ''}; {p['date']}; "
                 f"{p['machine']['host']} ({p['machine']['cpus']} cpus)", ""]
    problems = [f"- {kind}: {', '.join(map(str, items[:20]))}" for kind, items in checks.items() if items]
    if problems:
        rows += ["## Checks", *problems, ""]
    rows += ["| metric | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for name in table["all"]:
        rows.append(f"| {name} | " + " | ".join(_fmt(table[c].get(name)) for c in cols) + " |")
    if chart_file:
        rows += ["", f"![metrics]({chart_file.name})"]
    if comparison:
        rows += ["", comparison]
    rows += ["", "## Per statement", "", "| gold statement | questions | cited correct | cited instead | missed questions |",
             "|---|---|---|---|---|"]
    for sid, row in sorted(by_statement(results).items()):
        instead = ", ".join(f"{s} ×{n}" for s, n in row["wrongly_cited"].most_common(3))
        rows.append(f"| {sid} | {row['questions']} | {row['cited_correct']} | {instead} | {', '.join(row['failed'][:8])} |")
    rows += ["", "## Confusions (expected → cited first)", ""]
    rows += [f"- {gold} → {got}: {n}" for (gold, got), n in confusion(results).most_common(25)]
    bad = [r for r in results if failed(r)]
    rows += ["", f"## Failed questions ({len(bad)})", ""]
    for r in bad:
        gold = "; ".join(f"{gold_statement(g)} " + (f"«{g['contains']}»" if "contains" in g else f"¶{g['paragraph']}")
                         for g in r["gold"][:4]) or "refusal"
        got = "; ".join(f"{c['statement_id']} ¶{c['paragraph']} «{c['quote'][:80]}»" for c in r["citations"]) or "refused"
        top = ", ".join(f"{h['statement_id']} ¶{h['paragraph']} ({h['dense']:.3f})" for h in r["retrieved"][:3])
        reason = f"\n  - reason: {r['reason']}" if r.get("reason") else ""
        rows.append(f"- **{r['id']}** ({r['lang']}, {r.get('kind', '')}) {r['question']}\n  - expected: {gold}\n  - answered: {got}"
                    f"{reason}\n  - top retrieved: {top}")
    return "\n".join(rows) + "\n"


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
