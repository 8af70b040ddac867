"""The plain JSON HTTP API (FastAPI): /api/ask, /api/statements (GET, POST), /api/statements/{id}, /api/health, docs at /api/docs."""
from __future__ import annotations

import base64
import hmac

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from qa.access import AccessGuard, upload_refusal
from qa.api_uploads import OPENAPI, uploaded_files
from qa.conversation import ask as ask_in_turn
from qa.conversation import turns_from
from qa.i18n import question_language
from qa.index import Index
from qa.limits import AnswerPool, Busy, TooSlow
from qa.retrieve import Filters, iso_date
from qa.uploads import STATUSES, ingest_uploads


class HistoryTurn(BaseModel):
    """An earlier turn: its question and the statement ids its answer cited (they become the follow-up's focus)."""

    question: str = Field(max_length=1000)
    statements: list[str] = Field(default_factory=list, max_length=20)
    read_as: str = Field("", max_length=3000, description="How that turn was read (its answer's read_as), if known.")


class AskRequest(BaseModel):
    """A question and, optionally, how many paragraphs to retrieve and which statements or dates to keep."""

    question: str = Field(min_length=1, description="At most QA_MAX_QUESTION_CHARS characters (1,000 by default).")
    k: int | None = Field(None, ge=1, le=50)
    statements: list[str] = Field(default_factory=list, max_length=200)
    since: str = Field("", description="Only statements dated on or after this day (YYYY-MM-DD); undated ones are left out.")
    until: str = Field("", description="Only statements dated on or before this day (YYYY-MM-DD); undated ones are left out.")
    history: list[HistoryTurn | str] = Field(default_factory=list, max_length=20, description="Earlier turns, oldest first: "
                                             "the statements cited last become the focus of a follow-up (see read_as).")

    @field_validator("since", "until")
    @classmethod
    def _calendar_date(cls, value: str, info: ValidationInfo) -> str:
        return iso_date(info.field_name, value)


class _UnknownStatement(LookupError):
    """A statement id in the request that the store does not have (404)."""


def _guard(settings):
    """HTTP basic with QA_AUTH (user:pass) or a bearer token QA_API_TOKEN; open when neither is set."""
    expected_basic = "Basic " + base64.b64encode(settings.auth.encode()).decode() if settings.auth else None
    expected_bearer = f"Bearer {settings.api_token}" if settings.api_token else None

    def check(request: Request) -> None:
        if not expected_basic and not expected_bearer:
            return
        given = request.headers.get("authorization", "")
        # as bytes: compare_digest refuses str with non-ASCII characters, which a hostile header may carry
        if any(e and hmac.compare_digest(given.encode(), e.encode()) for e in (expected_basic, expected_bearer)):
            return
        raise HTTPException(401, "authentication required", headers={"WWW-Authenticate": 'Basic realm="statement-qa"'})

    return check


def build_api(index: Index, settings, pool: AnswerPool | None = None) -> FastAPI:
    """The API app; app.py mounts the Gradio chat beside it on the same server, so the middleware here (failed-login
    limits, the upload switch) covers both. Answers run in `pool`, shared with the chat."""
    api = FastAPI(title="Statement QA", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    api.add_middleware(AccessGuard, max_failures=settings.login_max_failures, window_s=settings.login_window_s,
                       refuse_uploads=upload_refusal(settings), limit_logins=bool(settings.auth or settings.api_token))
    guard = Depends(_guard(settings))
    pool = pool or AnswerPool.from_settings(settings)

    def answer_json(body: AskRequest) -> dict:
        index.refresh()
        filters = Filters(body.statements, body.since, body.until)
        if unknown := filters.unknown_statements(index.metas):
            raise _UnknownStatement(", ".join(f"no statement {sid!r} in the store" for sid in unknown))
        history = turns_from([h if isinstance(h, str) else h.model_dump() for h in body.history])
        result, reading = ask_in_turn(body.question, index, history, filters, body.k)
        out = result.to_json()
        out["read_as"] = {"question": reading.text, "statements": reading.focus, "kind": reading.kind,
                          "note": reading.note(index, question_language(body.question))}
        if not result.answered and (note := filters.undated_note(index.metas)):
            out["note"] = note
        return out

    @api.post("/api/ask", dependencies=[guard], responses={404: {"description": "A statement asked for is not in the store"},
                                                           503: {"description": "Busy: no answer could start in time"},
                                                           504: {"description": "The answer took too long"}})
    async def ask(body: AskRequest) -> dict:
        """The same JSON as `python -m qa ask --json`, computed off the event loop within QA_ANSWER_TIMEOUT_S."""
        if len(body.question.strip()) > settings.max_question_chars:
            raise HTTPException(422, [{"loc": ["body", "question"], "type": "too_long",
                                       "msg": f"question too long: {len(body.question.strip())} characters, at most "
                                              f"{settings.max_question_chars} (QA_MAX_QUESTION_CHARS)"}])
        try:
            return await pool.arun(answer_json, body)
        except _UnknownStatement as exc:
            raise HTTPException(404, str(exc)) from None
        except Busy as exc:
            raise HTTPException(503, str(exc), headers={"Retry-After": "5"}) from None
        except TooSlow as exc:
            raise HTTPException(504, str(exc)) from None

    @api.get("/api/statements", dependencies=[guard])
    def statements() -> dict:
        from ingest.catalog import list_statements

        items = list_statements(index.store)
        return {"statements": items, "count": len(items)}

    @api.post("/api/statements", dependencies=[guard], openapi_extra=OPENAPI, responses={
        400: {"description": "Not a readable form, or no file in it"}, 403: {"description": "Uploads are off (the reason)"},
        413: {"description": "The upload is too large"}, 415: {"description": "Not multipart/form-data"},
        503: {"description": "The store became unreachable; the files up to then are reported"}})
    async def add_statements(request: Request):
        """Add statement files: multipart/form-data, one or more in the field `files` (`replace=true` replaces a stored
        statement under the same id). The web upload's path, types, limits and rules: uploads need QA_AUTH, or
        QA_ALLOW_UPLOAD=1 on a loopback address, else 403 (qa.access). Per file: its statement id, title, date,
        paragraphs and status (added, unchanged, replaced, duplicate, failed, with a one-line error); answers see the
        new statements at once."""
        async with uploaded_files(request, settings.max_upload_mb) as (files, replace):
            results, error = await run_in_threadpool(ingest_uploads, files, index, settings, replace)
        body = {"files": results, "error": error, **{s: sum(r["status"] == s for r in results) for s in STATUSES}}
        return JSONResponse(body, status_code=503 if error else 200)

    @api.get("/api/statements/{statement_id}", dependencies=[guard])
    def statement(statement_id: str) -> dict:
        index.refresh()
        try:
            snap = index.snapshot()  # metadata and kinds from the same load
            meta, paragraphs = snap.statement(statement_id)
        except KeyError:
            raise HTTPException(404, f"no statement {statement_id!r} in the store") from None
        kinds = {(statement_id, snap.metas[i]["paragraph"]): snap.metas[i].get("kind", "")
                 for i in snap.by_paragraph.statement_rows(statement_id).tolist()}
        keep = ("title", "issuer", "date", "place", "number", "signatories", "source", "sources")
        return {"id": statement_id, **{k: meta.get(k, "") for k in keep},
                "paragraphs": [{"n": n, "label": label, "kind": kinds.get((statement_id, n), ""), "text": text}
                               for n, label, text in paragraphs]}

    @api.get("/api/health", dependencies=[guard])
    def health() -> dict:
        index.refresh()
        return {"status": "ok", "statements": len(index.metas.statement_ids), "records": len(index.ids)}

    return api
