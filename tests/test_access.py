"""Auth that fails closed, on real servers: a malformed QA_AUTH refuses to start, failed logins are rate-limited per
client (chat login form, API basic and bearer), file routes need the login, and uploads are off unless a login or an
explicit loopback opt-in allows them."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from config import Settings
from qa.access import upload_refusal
from tests.conftest import ROOT, make_settings
from tests.test_app import _free_port

LOGIN = ("ana", "s3cret-pass")


def _start(seed_index, tmp, **overrides) -> tuple[object, str]:
    from app import serve

    settings = make_settings(tmp, port=_free_port(), **overrides)
    return serve(seed_index, settings, block=False), f"http://127.0.0.1:{settings.port}"


def _client(url: str, source: str) -> httpx.Client:
    """A client connecting from its own loopback address (127.0.0.0/8 is all this machine): one 'client' per test."""
    return httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=source))


@pytest.fixture(scope="module")
def guarded(seed_index, tmp_path_factory):
    running, url = _start(seed_index, tmp_path_factory.mktemp("guarded"), auth=":".join(LOGIN), api_token="tok-123",
                          login_window_s=3)
    yield url
    running.should_exit = True


@pytest.mark.parametrize("value", ["supersecret", ":pass", "user:"])
def test_malformed_auth_refuses_to_start_in_one_line(value):
    env = {**os.environ, "QA_AUTH": value, "QA_PORT": str(_free_port())}
    out = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.strip() == "QA_AUTH: QA_AUTH must be 'user:password'"


def test_failed_chat_logins_are_rate_limited_per_client(guarded):
    with _client(guarded, "127.0.0.2") as http, _client(guarded, "127.0.0.3") as other:
        for _ in range(5):
            assert http.post("/login", data={"username": "ana", "password": "guess"}).status_code == 400
        refused = http.post("/login", data={"username": LOGIN[0], "password": LOGIN[1]})  # even the right one, now
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "too many failed logins" in refused.json()["detail"]
        assert http.get("/api/health", auth=LOGIN).status_code == 429  # the API is the same login
        assert other.post("/login", data={"username": LOGIN[0], "password": LOGIN[1]}).status_code == 200  # per client
        time.sleep(3.5)  # the cool-down (QA_LOGIN_WINDOW_S) passes
        assert http.post("/login", data={"username": LOGIN[0], "password": LOGIN[1]}).status_code == 200


@pytest.mark.parametrize(("source", "wrong"), [("127.0.0.4", {"auth": ("ana", "guess")}),
                                               ("127.0.0.5", {"headers": {"Authorization": "Bearer guess"}}),
                                               ("127.0.0.6", {"headers": {"Authorization": "Basic ¤¤¤".encode("latin-1")}})])
def test_failed_api_credentials_are_rate_limited(guarded, source, wrong):
    with _client(guarded, source) as http:
        assert [http.get("/api/health", **wrong).status_code for _ in range(5)] == [401] * 5
        assert http.get("/api/health", **wrong).status_code == 429
        assert http.get("/api/statements", headers={"Authorization": "Bearer tok-123"}).status_code == 429


def test_requests_without_credentials_are_not_failed_logins(guarded):
    with _client(guarded, "127.0.0.7") as http:
        assert {http.get("/api/health").status_code for _ in range(8)} == {401}
        assert http.get("/api/health", auth=LOGIN).status_code == 200
        assert http.get("/api/docs").status_code == 200  # the docs stay open


def test_file_routes_need_the_login(guarded):
    with _client(guarded, "127.0.0.8") as http:
        assert http.post("/login", data={"username": LOGIN[0], "password": LOGIN[1]}).status_code == 200
        stored = http.post("/gradio_api/upload", files={"files": ("secret.txt", b"not for strangers")})
        assert stored.status_code == 200
        path = stored.json()[0]
        assert http.get(f"/gradio_api/file={path}").content == b"not for strangers"
        with _client(guarded, "127.0.0.9") as stranger:
            for route in (f"/gradio_api/file={path}", f"/gradio_api/file/{path}", "/gradio_api/upload"):
                answer = stranger.post(route, files={"files": ("x.txt", b"x")}) if route.endswith("upload") else stranger.get(route)
                assert answer.status_code in (401, 403), route
        from qa.uploads import forget_upload

        forget_upload(path)
        assert http.get(f"/gradio_api/file={path}").status_code in (403, 404)  # gone


def test_uploads_are_off_without_a_login_or_a_loopback_opt_in(seed_index, tmp_path):
    off, url = _start(seed_index, tmp_path / "off")
    on, url_on = _start(seed_index, tmp_path / "on", allow_upload=True)
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            refused = http.post("/gradio_api/upload", files={"files": ("x.txt", b"x")})
            assert refused.status_code == 403 and "Uploads are off: set QA_AUTH" in refused.json()["detail"]
            upload = [c for c in http.get("/config").json()["components"] if c["props"].get("elem_id") == "upload"]
            assert upload and upload[0]["props"]["visible"] is False
        with httpx.Client(base_url=url_on, timeout=60) as http:
            stored = http.post("/gradio_api/upload", files={"files": ("x.txt", b"x")})
            assert stored.status_code == 200
            from qa.uploads import forget_upload

            forget_upload(stored.json()[0])
    finally:
        off.should_exit = on.should_exit = True
    assert upload_refusal(Settings(host="0.0.0.0", allow_upload=True)).startswith("Uploads are off: QA_ALLOW_UPLOAD=1 is honoured only")
    assert upload_refusal(Settings(host="0.0.0.0", auth="ana:pw")) == ""
    assert upload_refusal(Settings(host="::1", allow_upload=True)) == ""
