"""Statements uploaded from the browser: size-checked, copied to a private folder, ingested, and then every copy
deleted — ours and the one Gradio keeps in its upload cache, which its file route would otherwise serve for ever."""
from __future__ import annotations

import contextlib
import html
import shutil
import tempfile
from pathlib import Path

from qa.index import Index


def ingest_uploads(files: list, index: Index, settings, replace: bool = False) -> list[str]:
    """Ingest the uploaded files (Gradio file objects or paths); the lines to show, HTML-escaped: the counts, then
    one line per file refused or failed. A different file under a stored statement's id is refused unless `replace`
    (the user ticked the confirmation): an upload must not silently rewrite what the app quotes."""
    from ingest.pipeline import add

    cached = [Path(getattr(f, "name", f)) for f in files]
    folder = Path(tempfile.mkdtemp(prefix="qa-upload-"))
    lines, paths = [], []
    try:
        for f, src in zip(files, cached):
            name = Path(getattr(f, "orig_name", None) or src.name).name  # never a path from the browser
            if src.stat().st_size > settings.max_upload_mb * 1024 * 1024:
                lines.append(f"❌ {html.escape(name)}: larger than {settings.max_upload_mb} MB")
                continue
            shutil.copy(src, folder / name)
            paths.append(folder / name)
        if paths:
            summary = add(paths, index.store, index.embedder, settings.max_chunk_tokens, settings.batch_size,
                          settings.passage_context, replace=replace)
            index.refresh(force=True)
            lines.append(f"✅ added {summary.added}, replaced {summary.replaced}, unchanged {summary.unchanged} paragraph records")
            lines += [f"❌ {html.escape(Path(x['path']).name)}: {html.escape(x['error'])}" for x in summary.failed]
            lines += [f"❌ {html.escape(Path(x['path']).name)}: statement {html.escape(x['statement'])} is already stored from "
                      "another file with different content; the stored one is kept (tick “Replace” and upload again to "
                      "replace it)" for x in summary.refused]
            if summary.error:
                lines.append(f"❌ {html.escape(summary.error)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for src in cached:
            forget_upload(src)
    return lines


def forget_upload(path: Path) -> None:
    """Delete Gradio's cached copy of an upload, and the one-off folder it sits in once that is empty; nothing outside
    Gradio's upload folder is touched."""
    from gradio.utils import get_upload_folder

    root, path = Path(get_upload_folder()).resolve(), Path(path).resolve()
    if root not in path.parents:
        return
    path.unlink(missing_ok=True)
    if path.parent != root:
        with contextlib.suppress(OSError):  # not empty: another upload shares it
            path.parent.rmdir()
