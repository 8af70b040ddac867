"""The plain JSON HTTP API (FastAPI): /api/ask, /api/statements, /api/statements/{id}, /api/health, docs at /api/docs."""
from __future__ import annotations

import base64
import hmac
import re

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field, field_validator

from qa.answer import answer
from qa.index import Index
from qa.retrieve import Filters

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AskRequest(BaseModel):
    """A question and, optionally, how many paragraphs to retrieve and which statements or dates to keep."""

    question: str = Field(min_length=1, max_length=1000)
    k: int | None = Field(None, ge=1, le=50)
    statements: list[str] = Field(default_factory=list, max_length=200)
    since: str = ""
    until: str = ""
    history: list[str] = Field(default_factory=list, max_length=20, description="Earlier turns (not used yet).")

    @field_validator("since", "until")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if value and not _DATE.match(value):
            raise ValueError("expected a date like 2018-11-08")
        return value


def _guard(settings):
    """HTTP basic with QA_AUTH (user:pass) or a bearer token QA_API_TOKEN; open when neither is set."""
    expected_basic = "Basic " + base64.b64encode(settings.auth.encode()).decode() if settings.auth else None
    expected_bearer = f"Bearer {settings.api_token}" if settings.api_token else None

    def check(request: Request) -> None:
        if not expected_basic and not expected_bearer:
            return
        given = request.headers.get("authorization", "")
        if any(e and hmac.compare_digest(given, e) for e in (expected_basic, expected_bearer)):
            return
        raise HTTPException(401, "authentication required", headers={"WWW-Authenticate": 'Basic realm="statement-qa"'})

    return check


def build_api(index: Index, settings) -> FastAPI:
    """The API app; app.py mounts the Gradio chat beside it on the same server."""
    api = FastAPI(title="Statement QA", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    guard = Depends(_guard(settings))

    @api.post("/api/ask", dependencies=[guard])
    def ask(body: AskRequest) -> dict:
        """The same JSON as `python -m qa ask --json`."""
        return answer(body.question, index, body.k, Filters(body.statements, body.since, body.until)).to_json()

    @api.get("/api/statements", dependencies=[guard])
    def statements() -> dict:
        from ingest.pipeline import list_statements

        items = list_statements(index.store)
        return {"statements": items, "count": len(items)}

    @api.get("/api/statements/{statement_id}", dependencies=[guard])
    def statement(statement_id: str) -> dict:
        index.refresh()
        try:
            meta, paragraphs = index.statement(statement_id)
        except KeyError:
            raise HTTPException(404, f"no statement {statement_id!r} in the store") from None
        kinds = {(m["statement_id"], m["paragraph"]): m.get("kind", "") for m in index.metas if m["statement_id"] == statement_id}
        keep = ("title", "issuer", "date", "place", "number", "signatories", "source", "sources")
        return {"id": statement_id, **{k: meta.get(k, "") for k in keep},
                "paragraphs": [{"n": n, "label": label, "kind": kinds.get((statement_id, n), ""), "text": text}
                               for n, label, text in paragraphs]}

    @api.get("/api/health", dependencies=[guard])
    def health() -> dict:
        index.refresh()
        return {"status": "ok", "statements": len({m["statement_id"] for m in index.metas}), "records": len(index.ids)}

    return api
