"""Who may do what: failed logins rate-limited per client (chat login and API credentials), and statement uploads
open only behind a login or by an explicit opt-in on a loopback address."""
from __future__ import annotations

import ipaddress
import json
import time
from collections import deque

# Where files come in: Gradio takes every file a browser sends there, before any event sees it; the API adds statements
UPLOAD_ROUTES = ("/gradio_api/upload", "/api/statements")
LOGIN_ROUTES = ("/login", "/login/")  # Gradio's login form (QA_AUTH); it answers 400 to wrong credentials
OPEN_API_ROUTES = ("/api/docs", "/api/openapi.json", "/api/docs/oauth2-redirect")  # the API's docs need no credentials
MAX_CLIENTS = 10_000  # clients remembered; beyond it the stalest are forgotten, so spoofed sources cannot fill memory


def is_loopback(host: str) -> bool:
    """Whether the app listens on this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name or 0.0.0.0-like wildcard: reachable from elsewhere
        return False


def upload_refusal(settings) -> str:
    """Why uploads are off, or "" when they are on: a login protects them (QA_AUTH), or QA_ALLOW_UPLOAD=1 opens them on
    a loopback bind. Anyone who can reach an open upload can replace what the app quotes."""
    if settings.auth:
        return ""
    if settings.allow_upload and is_loopback(settings.host):
        return ""
    if settings.allow_upload:
        return (f"Uploads are off: QA_ALLOW_UPLOAD=1 is honoured only when the app listens on a loopback address, not "
                f"{settings.host}; set QA_AUTH=user:password to allow them.")
    return ("Uploads are off: set QA_AUTH=user:password, or QA_ALLOW_UPLOAD=1 when the app listens on 127.0.0.1 only. "
            "Statements can also be added with: python -m ingest add FILE")


class AccessGuard:
    """ASGI middleware over the whole server (API and chat). After `max_failures` failed logins within `window_s` from
    one client address, its login attempts (the chat's login form, any /api/* call) get 429 for `window_s`; a success
    forgets its failures. With `refuse_uploads`, the upload routes (POST) answer 403 with that message, before reading the body."""

    def __init__(self, app, max_failures: int = 5, window_s: float = 60.0, refuse_uploads: str = "", limit_logins: bool = True):
        self.app, self.max_failures, self.window_s = app, max_failures, window_s
        self.refuse_uploads, self.limit_logins = refuse_uploads, limit_logins
        self.failures: dict[str, deque[float]] = {}
        self.blocked_until: dict[str, float] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if self.refuse_uploads and method == "POST" and path.rstrip("/") in UPLOAD_ROUTES:
            await _reply(send, 403, self.refuse_uploads)
            return
        if not self.limit_logins or not _is_login_attempt(path, method):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        wait = self._cooling_down(client, time.monotonic())
        if wait:
            await _reply(send, 429, f"too many failed logins from {client}; try again in {wait} s", {"retry-after": str(wait)})
            return
        status: list[int] = []

        async def send_and_note(message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, send_and_note)
        # a failure is wrong credentials offered: the login form refused, or an API call that sent some and got 401
        offered = path in LOGIN_ROUTES or any(k == b"authorization" for k, _ in scope.get("headers", ()))
        if status and offered:
            self._note(client, failed=status[0] == 401 or (path in LOGIN_ROUTES and status[0] >= 400))

    def _cooling_down(self, client: str, now: float) -> int:
        """Seconds left of the client's cool-down (0: none)."""
        until = self.blocked_until.get(client, 0.0)
        if until > now:
            return max(1, round(until - now))
        if until:
            del self.blocked_until[client]
            self.failures.pop(client, None)
        return 0

    def _note(self, client: str, failed: bool) -> None:
        if not failed:
            self.failures.pop(client, None)
            return
        now = time.monotonic()
        recent = self.failures.setdefault(client, deque())
        recent.append(now)
        while recent and recent[0] <= now - self.window_s:
            recent.popleft()
        if len(recent) >= self.max_failures:
            self.blocked_until[client] = now + self.window_s
        for table in (self.failures, self.blocked_until):
            for stale in list(table)[: max(0, len(table) - MAX_CLIENTS)]:  # the earliest added go first
                del table[stale]


def _is_login_attempt(path: str, method: str) -> bool:
    """The requests that carry credentials: the login form, and the API (every /api/* call is checked when a login or
    token is set)."""
    if path in LOGIN_ROUTES:
        return method == "POST"
    return path.startswith("/api/") and path not in OPEN_API_ROUTES


async def _reply(send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
