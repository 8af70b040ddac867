"""The web app for real: the chat and the JSON API on one loopback server; gradio_client /ask, httpx on /api, headless
Chromium click-through, XSS and upload."""
from __future__ import annotations

import shutil
import socket
import uuid
from pathlib import Path

import pytest

from tests.conftest import SEED, make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def listener():
    """A loopback HTTP server that counts the requests it gets: nothing a statement says may make a browser call it."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1], hits
    httpd.shutdown()


def _serve(tmp, embedder, beacon: int = 0, **overrides):
    from app import serve
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index

    hostile = tmp / "hostile.txt"
    hostile.write_text("STATEMENT <script>window.__xss = 1</script>\n\n"
                       "We condemn <img src=x onerror=\"window.__xss = 2\"> attacks on diplomats "
                       f"![t](http://127.0.0.1:{beacon}/x.png) and [here](http://127.0.0.1:{beacon}/link).\n", encoding="utf-8")
    settings = make_settings(tmp, port=_free_port(), **overrides)
    store = open_store(settings)
    add([SEED, hostile], store, embedder)
    index = Index(store, embedder, settings)
    index.refresh()
    return serve(index, settings, block=False), f"http://127.0.0.1:{settings.port}/"


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder, listener):
    running, url = _serve(tmp_path_factory.mktemp("app"), embedder, beacon=listener[0], allow_upload=True)
    yield url
    running.should_exit = True


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, embedder):
    running, url = _serve(tmp_path_factory.mktemp("guarded"), embedder, auth="ana:s3cret-pass", api_token="tok-123")
    yield url
    running.should_exit = True


def test_json_api(server):
    import httpx

    with httpx.Client(base_url=server, timeout=120) as http:
        assert http.get("/api/health").json()["statements"] == 2
        listed = http.get("/api/statements").json()
        assert {s["id"] for s in listed["statements"]} == {SEED.stem, "hostile"}
        statement = http.get(f"/api/statements/{SEED.stem}").json()
        assert statement["date"] == "2018-11-08" and [p["n"] for p in statement["paragraphs"]] == list(range(10))
        assert statement["paragraphs"][8]["kind"] == "paragraph" and "Наемник" in statement["paragraphs"][8]["text"]
        assert http.get("/api/statements/nope").status_code == 404
        answered = http.post("/api/ask", json={"question": "Which operations are named?", "k": 5}).json()
        assert answered["answered"] and answered["citations"][0]["paragraph"] == 8 and answered["statements"]
        bad = http.post("/api/ask", json={"question": "", "since": "2018-13"})
        assert bad.status_code == 422
        fields = {tuple(e["loc"]) for e in bad.json()["detail"]}
        assert ("body", "question") in fields and ("body", "since") in fields
        impossible = http.post("/api/ask", json={"question": "Which operations are named?", "until": "2018-13-45"})
        assert impossible.status_code == 422 and "until: 2018-13-45 is not a calendar date" in impossible.text
        unknown = http.post("/api/ask", json={"question": "Which operations are named?", "statements": ["nope"]})
        assert unknown.status_code == 404 and unknown.json()["detail"] == "no statement 'nope' in the store"
        long = http.post("/api/ask", json={"question": "Which operations are named? " * 40})
        assert long.status_code == 422 and "question too long: 1119 characters, at most 1000" in long.json()["detail"][0]["msg"]
        assert http.get("/api/openapi.json").json()["paths"].keys() >= {"/api/ask", "/api/statements", "/api/health"}
        assert http.get("/api/docs").status_code == 200


def test_json_api_needs_credentials_when_auth_is_set(guarded):
    import httpx

    with httpx.Client(base_url=guarded, timeout=120) as http:
        assert http.get("/api/health").status_code == 401
        assert http.post("/api/ask", json={"question": "Which operations are named?"}).status_code == 401
        assert http.get("/api/health", auth=("ana", "wrong")).status_code == 401
        assert http.get("/api/health", auth=("ana", "s3cret-pass")).status_code == 200
        assert http.get("/api/statements", headers={"Authorization": "Bearer tok-123"}).status_code == 200


def test_gradio_client_ask(server):
    from gradio_client import Client

    result = Client(server, verbose=False).predict("Which operations are named?", api_name="/ask")
    assert result["answered"] and result["citations"][0]["paragraph"] == 8
    assert set(result) >= {"question", "answer", "retrieved", "latency_ms", "translations"}
    long = Client(server, verbose=False).predict("Which operations are named? " * 40, api_name="/ask")
    assert not long["answered"] and long["reason"] == "the question is too long (1119 characters; at most 1000)"


def _browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def _ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#ask")


def test_click_through_highlights_paragraph_8(server, tmp_path):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server)
        _ask(page, "Which operations are named?")
        page.wait_for_selector("#chat >> text=ПРОКСИ", timeout=60_000)
        page.click("#citations label:first-of-type")
        cited = page.wait_for_selector(".statement .cited", timeout=30_000)
        assert cited.get_attribute("data-paragraph") == "8"
        assert "Наемник" in cited.inner_text()
        assert len(page.query_selector_all(".statement .para")) == 10
        page.screenshot(path=str(tmp_path / "answer.png"))
        browser.close()


def test_chat_names_a_bad_date_and_an_overlong_question(server):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page()
        page.goto(server)
        page.click("text=Filters")
        page.fill("#until textarea", "2018-13-45")
        _ask(page, "Which operations are named?")
        page.wait_for_selector("#chat >> text=until: 2018-13-45 is not a calendar date", timeout=60_000)
        page.fill("#until textarea", "")
        _ask(page, "Which operations are named? " * 40)
        page.wait_for_selector("#chat >> text=the question is too long (1119 characters; at most 1000)", timeout=60_000)
        browser.close()


def test_hostile_statement_runs_no_script_and_fetches_nothing(server, listener):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page()
        page.goto(server)
        _ask(page, "Who condemns attacks on diplomats?")
        page.wait_for_selector(".statement .cited", timeout=60_000)
        assert "<img" in page.inner_text(".statement") or "<script>" in page.inner_text(".statement")
        assert page.evaluate("window.__xss") is None
        assert page.query_selector(".statement img") is None
        chat = page.inner_text("#chat")
        assert f"![t](http://127.0.0.1:{listener[0]}/x.png)" in chat  # the quote verbatim, as text
        assert page.query_selector("#chat img") is None and page.query_selector("#chat a[href*='127.0.0.1']") is None
        page.wait_for_timeout(1000)
        assert listener[1] == []  # no image, link or HTML from a statement was fetched
        browser.close()


def test_upload_from_the_browser_is_searchable_at_once(server, tmp_path):
    from gradio.utils import get_upload_folder

    statement = tmp_path / f"ministers_2021_{uuid.uuid4().hex[:8]}.md"
    statement.write_text("# Joint Statement of the Council of Foreign Ministers on Arctic shipping\n\nReykjavik, 20 May 2021\n\n"
                         "The ministers agree to open a year-round ice-class corridor for humanitarian convoys.\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page()
        page.goto(server)
        page.click("text=Add statements")
        page.set_input_files("#upload input[type=file]", [str(statement), str(empty)])
        page.wait_for_selector("#upload-status >> text=added", timeout=120_000)
        status = page.inner_text("#upload-status")
        assert "added 2" in status and "empty.txt: empty file" in status
        _ask(page, "What corridor for humanitarian convoys was agreed?")
        cited = page.wait_for_selector(".statement .cited", timeout=60_000)
        assert "ice-class corridor" in cited.inner_text()
        # another file under the same name is refused (the stored statement stays) unless "Replace" is ticked
        statement.write_text(statement.read_text(encoding="utf-8").replace("ice-class", "nuclear"), encoding="utf-8")
        page.set_input_files("#upload input[type=file]", [str(statement)])
        page.wait_for_selector("#upload-status >> text=is already stored from another file", timeout=120_000)
        page.check("#replace input[type=checkbox]")
        page.set_input_files("#upload input[type=file]", [str(statement)])
        page.wait_for_selector("#upload-status >> text=/replaced [1-9]/", timeout=120_000)
        browser.close()
    # Gradio's cached copies are gone once ingested: nothing is left for its file route to serve
    assert not list(Path(get_upload_folder()).glob(f"*/{statement.name}"))
