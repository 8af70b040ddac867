"""Scoring of evaluation results: gold by paragraph number or by text snippet, metrics, breakdowns, confusions.

Every metric is a pure function of the per-question result rows, so anyone can recompute it from a saved run."""
from __future__ import annotations

import re
from collections import Counter

import numpy as np


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


def right(item: dict, golds: list[dict]) -> bool:
    return any(matches(item, g) for g in golds)


def question_kind(q: dict) -> str:
    """header / multi-doc / unanswerable / content, from the set's own `kind` or `note` (collection-dev) or its gold."""
    if q.get("kind"):
        return str(q["kind"])
    note = (q.get("note") or "").lower()
    for kind in ("header", "multi-doc", "unanswerable"):
        if note.startswith(kind):
            return kind
    if not q.get("gold"):
        return "unanswerable"
    return "multi-doc" if len({gold_statement(g) for g in q["gold"]}) > 1 and note.startswith("multi") else "content"


def cited_correct(r: dict) -> bool:
    """The per-question outcome the headline metric averages: answerable, answered, first citation right."""
    return bool(r["gold"]) and bool(r["citations"]) and right(r["citations"][0], r["gold"])


def failed(r: dict) -> bool:
    if not r["gold"]:
        return r["answered"]
    return not cited_correct(r)


def metrics(results: list[dict]) -> dict:
    """Metrics from result rows alone (so anyone can recompute them from --json output or a saved run)."""
    answerable = [r for r in results if r["gold"]]
    unanswerable = [r for r in results if not r["gold"]]
    out: dict = {"questions": len(results), "answerable": len(answerable), "unanswerable": len(unanswerable)}

    def rank_of_first_gold(r: dict) -> int | None:
        return next((i + 1 for i, item in enumerate(r["retrieved"][:10]) if right(item, r["gold"])), None)

    ranks = [rank_of_first_gold(r) for r in answerable]
    depth = max((len(r["retrieved"]) for r in results), default=0)
    for k in (1, 3, 10):
        if k <= max(depth, 1):
            out[f"R@{k}"] = mean([rk is not None and rk <= k for rk in ranks])
    out["MRR@10"] = mean([1 / rk if rk else 0.0 for rk in ranks])
    precision, statements_cited = [], []
    for r in answerable:
        cited = r["citations"]
        if cited:
            precision.append(mean([right(c, r["gold"]) for c in cited]))
        wanted = {gold_statement(g) for g in r["gold"]}
        got = {gold_statement(g) for g in r["gold"] for c in cited if matches(c, g)}
        statements_cited.append(len(got) / len(wanted))
    out["cited_correct"] = mean([cited_correct(r) for r in answerable])
    out["citation_precision"] = mean(precision)
    out["gold_statements_cited"] = mean(statements_cited)
    multi = [s for r, s in zip(answerable, statements_cited) if len({gold_statement(g) for g in r["gold"]}) > 1]
    out["multi_doc_statements_cited"] = mean(multi)
    quotes = [c["verbatim"] for r in results for c in r["citations"]]
    out["verbatim_quotes"] = mean(quotes) if quotes else 1.0
    out["unanswerable_refused"] = mean([not r["answered"] for r in unanswerable])
    out["answerable_refused"] = mean([not r["answered"] for r in answerable])
    lat = [r["latency_ms"] for r in results]
    out["latency_p50_ms"] = round(float(np.percentile(lat, 50)), 1) if lat else None
    out["latency_p95_ms"] = round(float(np.percentile(lat, 95)), 1) if lat else None
    return out


def mean(values: list) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def breakdown(results: list[dict]) -> dict:
    """Metrics for all questions, per language, per question kind and per question file (when there are several)."""
    table = {"all": metrics(results)}
    for field, prefix in (("lang", ""), ("kind", ""), ("file", "file: ")):
        values = sorted({str(r.get(field, "")) for r in results if r.get(field)})
        if len(values) > 1 or (field == "lang" and values):
            for value in values:
                table[prefix + value] = metrics([r for r in results if str(r.get(field, "")) == value])
    return table


def by_statement(results: list[dict]) -> dict[str, dict]:
    """Per gold statement: its questions, how many were cited right, and which wrong statements were cited instead."""
    out: dict[str, dict] = {}
    for r in results:
        for sid in dict.fromkeys(gold_statement(g) for g in r["gold"]):
            row = out.setdefault(sid, {"questions": 0, "cited_correct": 0, "wrongly_cited": Counter(), "failed": []})
            row["questions"] += 1
            if cited_correct(r):
                row["cited_correct"] += 1
            else:
                row["failed"].append(r["id"])
                if r["citations"]:
                    row["wrongly_cited"][r["citations"][0]["statement_id"]] += 1
    return out


def _where(gold: dict) -> str:
    return f"{gold_statement(gold)} " + (f"«{gold['contains'][:30]}»" if "contains" in gold else f"¶{gold['paragraph']}")


def confusion(results: list[dict]) -> Counter:
    """(gold statement ¶/snippet, what was cited first) → count, over the questions not cited right."""
    pairs: Counter = Counter()
    for r in results:
        if not failed(r):
            continue
        gold = "; ".join(dict.fromkeys(_where(g) for g in r["gold"][:2])) or "(refusal)"
        first = r["citations"][0] if r["citations"] else None
        got = f"{first['statement_id']} ¶{first['paragraph']}" + (f" ({first.get('kind')})" if first.get("kind") else "") if first else "(refused)"
        pairs[(gold, got)] += 1
    return pairs
