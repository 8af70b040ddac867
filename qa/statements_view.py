"""The Statements tab: every stored statement with its warnings, and the per-file report of an upload."""
from __future__ import annotations

import html
import re
from pathlib import Path

from qa.citations import short_title
from qa.i18n import t
from qa.index import Index

e = html.escape
_GENERIC = re.compile(r"^(?:sources?|readme|contents|index|untitled|document|документ|содержание)\b", re.I)


def warnings(item: dict, lang: str) -> list[str]:
    """Undated, stored from several files (duplicates), or a title that does not look like a statement's."""
    out = []
    if not item.get("date"):
        out.append(t("undated", lang))
    sources = item.get("sources") or []
    if len(sources) > 1:
        out.append(f"{t('duplicate', lang)}: " + ", ".join(sources[1:]))
    title = (item.get("title") or "").strip()
    if not title or title == item["id"] or len(title.split()) < 2 or len(title) > 300 or _GENERIC.match(title):
        out.append(t("title_suspect", lang))
    return out


def statements_table(items: list[dict], lang: str) -> str:
    """Title, date, place, issuer, number, paragraphs, source file(s), warnings; escaped."""
    cols = ["title_col", "date", "place", "issuer", "number", "paragraphs", "source", "warnings"]
    rows = []
    for it in items:
        warn = warnings(it, lang)
        cells = [it.get("title") or it["id"], it.get("date") or "—", it.get("place") or "—", it.get("issuer") or "—",
                 it.get("number") or "—", str(it.get("paragraphs", "")), "; ".join(it.get("sources") or [it.get("source", "")]),
                 "; ".join(warn)]
        rows.append(f"<tr data-statement='{e(it['id'])}' class='{'warn' if warn else ''}'>"
                    + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{e(t(c, lang))}</th>" for c in cols)
    return (f"<p>{len(items)} {e(t('statement_count', lang))}</p><div class='table-wrap'><table class='statements'>"
            f"<tr>{head}</tr>{''.join(rows)}</table></div>")


def choices(items: list[dict]) -> list[tuple[str, str]]:
    """(date · short title, id) for dropdowns, newest first."""
    return sorted(((f"{it.get('date') or '—'} · {short_title(it.get('title') or it['id'], 110, subject=True)}", it["id"])
                   for it in items),
                  reverse=True)


def upload_report(files: list, index: Index, settings, replace: bool, lang: str) -> str:
    """Ingest the uploads (qa.uploads, as the API does) and report per file: detected title, date, place, paragraphs and
    warnings — or the one-line reason it was not read (an unsupported type names the supported ones)."""
    from qa.uploads import forget_upload, ingest_uploads

    cached = [Path(getattr(f, "name", f)) for f in files]
    try:  # the name the browser gave, never its path
        results, error = ingest_uploads([(getattr(f, "orig_name", None) or src.name, src) for f, src in zip(files, cached)],
                                        index, settings, replace)
    finally:
        for src in cached:
            forget_upload(src)
    lines = []
    for r in results:
        if r["status"] == "failed":
            why = t("refused", lang).format(sid=r["statement"]) if r["refused"] else r["error"]
            lines.append(_line(r["file"], "bad", f"{t('failed', lang)}: {why}"))
        elif r["status"] == "duplicate":
            lines.append(_line(r["file"], "warn", f"{t('duplicate', lang)} {r['duplicate_of']}"))
        else:
            warn = warnings({**r, "id": r["statement"]}, lang)
            detail = f"{t(r['status'], lang)}: «{r['title'] or '—'}» · {r['date'] or '—'} · {r['place'] or '—'} · " \
                     f"{r['paragraphs']} ¶" + (f" · ⚠ {'; '.join(warn)}" if warn else "")
            lines.append(_line(r["file"], "warn" if warn else "ok", detail))
    if error and not any(r["error"] == error for r in results):
        lines.append(_line("", "bad", error))
    return f"<ul class='report'>{''.join(lines)}</ul>"


def _line(name: str, level: str, text: str) -> str:
    mark = {"ok": "✓", "warn": "⚠", "bad": "✗"}[level]  # in every font, unlike the emoji the old report used
    return f"<li class='{level}'><span class='mark'>{mark}</span> <b>{e(name)}</b> {e(text)}</li>"
