"""The body of POST /api/statements: a multipart form of statement files, bounded in size and count, saved for ingestion."""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

MAX_FILES = 20  # files in one request
FIELD = "files"
OPENAPI = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": [FIELD], "properties": {
        FIELD: {"type": "array", "items": {"type": "string", "format": "binary"},
                "description": f"One or more statement files (txt, md, html, pdf, docx, xml), at most {MAX_FILES}, each at "
                               "most QA_MAX_UPLOAD_MB."},
        "replace": {"type": "boolean", "default": False,
                    "description": "A file under the id of a stored statement replaces it (otherwise it is refused)."}}}}}}}


class _TooLarge(Exception):
    """The body went past the cap while being read."""


@contextlib.asynccontextmanager
async def uploaded_files(request: Request, max_upload_mb: float):
    """Yields ([(file name as the client gave it, path of its bytes)], replace) and deletes the saved bytes afterwards;
    a request that is not such a form gets a 4xx with one line: 415 not multipart, 413 too large, 400 otherwise."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise HTTPException(415, f"send the statement files as multipart/form-data, in the field {FIELD!r}")
    cap = int(MAX_FILES * max_upload_mb * 1024 * 1024) + 1024 * 1024  # every file at its limit, and the form around them
    too_large = f"the upload is larger than {cap // 2**20} MB; send at most {MAX_FILES} files of at most {max_upload_mb:g} MB"
    with contextlib.suppress(ValueError):
        if int(request.headers.get("content-length", "0")) > cap:
            raise HTTPException(413, too_large)
    folder = Path(tempfile.mkdtemp(prefix="qa-api-upload-"))
    try:
        try:  # a malformed form, or too many files or fields, is Starlette's own one-line 400
            form = await Request(request.scope, _capped(request.receive, cap)).form(max_files=MAX_FILES, max_fields=10)
        except _TooLarge:
            raise HTTPException(413, too_large) from None
        try:
            uploads = list(_uploads(form))
            files = await run_in_threadpool(lambda: [(v.filename or "", _save(v, folder / str(i))) for i, v in enumerate(uploads)])
            replace = _flag(str(form.get("replace") or "false"))
        finally:
            await form.close()
        if not files:
            raise HTTPException(400, f"no file in the request: send one or more files in the multipart field {FIELD!r}")
        yield files, replace
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _capped(receive, cap: int):
    """The ASGI receive, raising _TooLarge once more than `cap` body bytes came (a chunked body has no length to check)."""
    seen = [0]

    async def receive_capped():
        message = await receive()
        seen[0] += len(message.get("body", b""))
        if seen[0] > cap:
            raise _TooLarge
        return message

    return receive_capped


def _uploads(form) -> Iterator[UploadFile]:
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            yield value
        elif key == FIELD:
            raise HTTPException(400, f"the field {FIELD!r} must carry files, not text")


def _save(upload: UploadFile, path: Path) -> Path:
    upload.file.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out)
    return path


def _flag(value: str) -> bool:
    value = value.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise HTTPException(400, f"replace must be true or false, not {_one_line(value)[:40]!r}")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
