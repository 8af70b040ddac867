"""The Statements tab: every stored statement with its warnings, and the per-file report of an upload."""
from __future__ import annotations

import html
import re
import shutil
import tempfile
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
    """Ingest the uploads and report per file: detected title, date, place, paragraphs and warnings — or the one-line
    reason it was not read (an unsupported type names the supported ones)."""
    from ingest.catalog import list_statements
    from ingest.parse import clean_name
    from ingest.pipeline import add
    from qa.uploads import forget_upload

    cached = [Path(getattr(f, "name", f)) for f in files]
    folder = Path(tempfile.mkdtemp(prefix="qa-upload-"))
    lines, names = [], []
    try:
        before = index.store.manifests()  # the whole manifest: a replaced file changes its hash and revision
        for f, src in zip(files, cached):
            name = clean_name(Path(getattr(f, "orig_name", None) or src.name).name)  # never a path from the browser
            if src.stat().st_size > settings.max_upload_mb * 1024 * 1024:
                lines.append(_line(name, "bad", f"larger than {settings.max_upload_mb} MB"))
                continue
            shutil.copy(src, folder / name)
            names.append(name)
        if not names:
            return "".join(lines)
        summary = add([folder / n for n in names], index.store, index.embedder, settings.max_chunk_tokens,
                      settings.batch_size, settings.passage_context, replace=replace)
        index.refresh(force=True)
        after = {it["id"]: it for it in list_statements(index.store)}
        manifests = index.store.manifests()
        problems = {Path(x["path"]).name: x["error"] for x in summary.failed}
        problems.update({Path(x["path"]).name: t("refused", lang).format(sid=x["statement"]) for x in summary.refused})
        dupes = {Path(x["path"]).name: x["duplicate_of"] for x in summary.duplicates}
        for name in names:
            sid = clean_name(Path(name).stem)
            if name in problems:
                lines.append(_line(name, "bad", f"{t('failed', lang)}: {problems[name]}"))
            elif name in dupes:
                lines.append(_line(name, "warn", f"{t('duplicate', lang)} {dupes[name]}"))
            elif sid in after:
                it = after[sid]
                status = t("added", lang) if sid not in before else \
                    t("unchanged", lang) if before[sid] == manifests.get(sid) else t("replaced", lang)
                warn = warnings(it, lang)
                detail = f"{status}: «{it.get('title') or '—'}» · {it.get('date') or '—'} · {it.get('place') or '—'} · " \
                         f"{it.get('paragraphs', 0)} ¶" + (f" · ⚠ {'; '.join(warn)}" if warn else "")
                lines.append(_line(name, "warn" if warn else "ok", detail))
        if summary.error:
            lines.append(_line("", "bad", summary.error))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for src in cached:
            forget_upload(src)
    return f"<ul class='report'>{''.join(lines)}</ul>"


def _line(name: str, level: str, text: str) -> str:
    mark = {"ok": "✓", "warn": "⚠", "bad": "✗"}[level]  # in every font, unlike the emoji the old report used
    return f"<li class='{level}'><span class='mark'>{mark}</span> <b>{e(name)}</b> {e(text)}</li>"
