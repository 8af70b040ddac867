"""Statement uploads (the web page's and POST /api/statements): ingested one batch at a time, reported per file, no copy kept."""
from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
from pathlib import Path

from qa.index import Index

STATUSES = ("added", "unchanged", "replaced", "duplicate", "failed")
_one_batch = threading.Lock()  # the web page and the API add through here; two batches at once would plan on one manifest


def ingest_uploads(files: list[tuple[str, Path]], index: Index, settings, replace: bool = False) -> tuple[list[dict], str]:
    """Ingest uploaded files, given as (the client's file name, where its bytes are), each under its cleaned name (never
    a path from the client) and at most QA_MAX_UPLOAD_MB; the index serves them as soon as this returns. Returns one
    result per file, in order — file, status (one of STATUSES), statement (for a duplicate, the stored one it repeats),
    title, date, place, paragraphs, sources, duplicate_of, refused (another file is stored under its id), error (one
    line) — and the store's error if it became unreachable and the batch stopped ("" otherwise)."""
    from ingest.catalog import list_statements
    from ingest.parse import clean_name
    from ingest.pipeline import add

    results: list[dict] = []
    folder = Path(tempfile.mkdtemp(prefix="qa-upload-"))
    try:
        for given, src in files:
            name = clean_name(Path(given or "").name)
            results.append(_result(name, "failed"))
            if name in ("", ".", ".."):
                results[-1]["error"] = "no file name"
            elif any(r["file"] == name for r in results[:-1]):
                results[-1]["error"] = "the same file name twice in one upload"
            elif Path(src).stat().st_size > settings.max_upload_mb * 1024 * 1024:
                results[-1]["error"] = f"larger than {settings.max_upload_mb:g} MB (QA_MAX_UPLOAD_MB)"
            else:
                try:
                    shutil.copy(src, folder / name)
                    results[-1]["status"] = ""  # to be ingested
                except OSError as exc:  # a name the file system refuses (too long, say)
                    results[-1]["error"] = f"cannot be stored under this name ({exc.strerror or exc.__class__.__name__})"
        todo = [r for r in results if not r["status"]]
        if not todo:
            return results, ""
        with _one_batch:
            before = index.store.manifests()  # the whole manifest: a replaced file changes its hash and revision
            summary = add([folder / r["file"] for r in todo], index.store, index.embedder, settings.max_chunk_tokens,
                          settings.batch_size, settings.passage_context, replace=replace)
            index.refresh()  # this process wrote: reloads now, reading only the statements whose manifests changed
            after = {it["id"]: it for it in list_statements(index.store)}
            manifests = index.store.manifests()
        problems = {Path(x["path"]).name: (x["error"], False) for x in summary.failed}
        problems.update({Path(x["path"]).name: (x["error"], True) for x in summary.refused})
        dupes = {Path(x["path"]).name: x["duplicate_of"] for x in summary.duplicates}
        for r in todo:
            sid = clean_name(Path(r["file"]).stem)
            r["statement"] = sid
            if r["file"] in problems:
                r.update(status="failed", error=problems[r["file"]][0], refused=problems[r["file"]][1])
            elif r["file"] in dupes:
                r.update(_described(after.get(dupes[r["file"]], {})), status="duplicate", statement=dupes[r["file"]],
                         duplicate_of=dupes[r["file"]])  # the stored statement that now has this file as a source too
            elif sid in after:
                status = "added" if sid not in before else "unchanged" if before[sid] == manifests.get(sid) else "replaced"
                r.update(_described(after[sid]), status=status)
            else:  # the store became unreachable before this file
                r.update(status="failed", error=summary.error or "not stored")
        return results, summary.error
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _result(name: str, status: str) -> dict:
    return {"file": name, "status": status, "statement": "", "title": "", "date": "", "place": "", "paragraphs": 0,
            "sources": [], "duplicate_of": "", "refused": False, "error": ""}


def _described(item: dict) -> dict:
    """What the statement list says of a stored statement, under the result's keys."""
    return {k: item.get(k, "") for k in ("title", "date", "place")} | {
        "paragraphs": int(item.get("paragraphs", 0)), "sources": list(item.get("sources") or [])}


def forget_upload(path: Path) -> None:
    """Delete Gradio's cached copy of an upload (its file route would otherwise serve it for ever), and the one-off
    folder it sits in once that is empty; nothing outside Gradio's upload folder is touched."""
    from gradio.utils import get_upload_folder

    root, path = Path(get_upload_folder()).resolve(), Path(path).resolve()
    if root not in path.parents:
        return
    path.unlink(missing_ok=True)
    if path.parent != root:
        with contextlib.suppress(OSError):  # not empty: another upload shares it
            path.parent.rmdir()
