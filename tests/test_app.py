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


server_settings: dict = {}  # the last served store, for tests that read its files


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
    server_settings[f"http://127.0.0.1:{settings.port}/"] = {"persist_dir": settings.persist_dir, "index": index}
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


def _launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                             "--disable-background-networking", "--disable-component-update"])


def _turn(page, question: str) -> dict:
    """Ask and wait for the new turn; its text, and whether the page stayed put with the answer in view."""
    before = len(page.query_selector_all("#chat .turn"))
    _ask(page, question)
    page.wait_for_function(f"document.querySelectorAll('#chat .turn').length > {before}", timeout=60_000)
    page.wait_for_timeout(400)  # the conversation scrolls itself to the new turn
    box = page.query_selector_all("#chat .turn")[-1].bounding_box()
    view = page.viewport_size
    return {"text": page.query_selector_all("#chat .turn")[-1].inner_text(), "scroll": page.evaluate("window.scrollY"),
            "in_view": box["y"] >= 0 and box["y"] + min(box["height"], 200) <= view["height"] and box["x"] >= 0
            and box["x"] + box["width"] <= view["width"] + 1}


@pytest.mark.parametrize("viewport", [(1400, 1000), (390, 844)])
def test_conversation_follow_ups_chips_and_permalink(server, tmp_path, viewport):
    with _browser() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.goto(server)
        page.wait_for_selector("#ask", timeout=30_000)
        ask, title, switch = (page.query_selector(f"#{x}").bounding_box() for x in ("ask", "title", "language"))
        assert ask["x"] + ask["width"] <= viewport[0] and title["height"] < 110  # the Ask button fits; no tall title
        if viewport[0] < 600:  # a phone: the language switch sits below the title, not beside it
            assert switch["y"] >= title["y"] + title["height"] - 1
        first = _turn(page, "Which operations are named?")
        assert "ПРОКСИ" in first["text"] and "¶8" in first["text"]
        second = _turn(page, "And which one is about recruitment?")
        assert "Наемник" in second["text"] and "¶8" in second["text"] and "read as:" in second["text"]
        third = _turn(page, "Who signed it?")
        assert "read as:" in third["text"]
        assert "The statements do not answer this:" in third["text"] or "header" in third["text"]
        for turn in (first, second, third):  # the page never scrolls away: the answer is on screen
            assert turn["in_view"] and turn["scroll"] == 0
        page.screenshot(path=str(tmp_path / f"conversation-{viewport[0]}.png"))
        page.query_selector_all("#chat a.chip.cited")[0].click()
        cited = page.wait_for_selector("#panel .para.cited", timeout=30_000)
        assert cited.get_attribute("data-paragraph") == "8" and "Наемник" in cited.inner_text()
        assert "statement=" in page.url and "p=8" in page.url  # the address now names the cited paragraph
        assert len(page.query_selector_all("#panel .para")) == 10
        # a refusal's closest paragraphs are marked apart from citations
        if page.query_selector("#chat .turn:last-child a.chip.closest"):
            assert "not an answer" in page.inner_text("#chat .turn:last-child")
        page.goto(server + f"?statement={SEED.stem}&p=8")
        marked = page.wait_for_selector("#panel .para.cited", timeout=30_000)
        assert marked.get_attribute("data-paragraph") == "8"
        page.goto(server + "?q=Which+operations+are+named%3F")
        page.wait_for_selector("#chat .turn >> text=ПРОКСИ", timeout=60_000)
        page.screenshot(path=str(tmp_path / f"permalink-{viewport[0]}.png"))
        browser.close()


def test_api_history_reads_follow_ups(server):
    import httpx

    with httpx.Client(base_url=server, timeout=120) as http:
        first = http.post("/api/ask", json={"question": "Which operations are named?"}).json()
        history = [{"question": "Which operations are named?", "statements": [c["statement_id"] for c in first["citations"]]}]
        second = http.post("/api/ask", json={"question": "А что про вербовку?", "history": history}).json()
        assert second["answered"] and second["citations"][0]["paragraph"] == 8 and "Наемник" in second["citations"][0]["text"]
        assert second["read_as"]["kind"] == "ellipsis" and SEED.stem in second["read_as"]["statements"]
        assert second["read_as"]["note"].startswith("понято как:")
        third = http.post("/api/ask", json={"question": "Who signed it?", "history": history}).json()
        assert not third["answered"] or third["citations"][0]["paragraph"] == 0
        plain = http.post("/api/ask", json={"question": "Who signed it?", "history": ["Which operations are named?"]})
        assert plain.status_code == 200 and plain.json()["read_as"]["kind"] == "new"


def test_russian_interface_and_feedback_to_eval(server, tmp_path):
    import json

    from qa.i18n import STRINGS

    with _browser() as p:
        browser = _launch(p)
        page = browser.new_context(locale="ru-RU", viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(server)
        page.wait_for_selector("text=Спросить", timeout=30_000)
        _turn(page, "Какие операции названы?")
        shown = page.inner_text("body")
        english = [s["en"] for s in STRINGS.values() if s["en"] != s["ru"] and len(s["en"]) > 3 and s["en"] in shown]
        assert not english, english
        assert not [w for w in ("Ask", "Filters", "Statements", "Language", "Chat") if f"\n{w}\n" in f"\n{shown}\n"]
        page.screenshot(path=str(tmp_path / "russian.png"))
        page.click("text=Найденные абзацы и оценки")  # the scores table speaks Russian too
        page.wait_for_selector("#passages th >> text=документ", timeout=30_000)
        assert "fused" not in page.inner_text("#passages") and "Кем принят" in page.inner_text("#panel")
        page.fill("#chat .turn:last-child input.comment", "верно")
        page.click("#chat .turn:last-child button.vote[data-vote='up']")
        page.wait_for_selector("#chat .turn:last-child .voted >> text=Спасибо", timeout=30_000)
        assert page.get_attribute("#chat .turn:last-child button.vote[data-vote='up']", "aria-pressed") == "true"
        assert page.get_attribute("#chat .turn:last-child button.vote[data-vote='down']", "aria-pressed") == "false"
        page.click("text=Фильтры")  # a bad date is said plainly, in Russian, naming the field by its label
        page.fill("#since textarea", "2018-13-45")
        _ask(page, "Какие операции названы?")
        page.wait_for_selector("#chat >> text=Дата «С даты» — 2018-13-45 — не существует", timeout=60_000)
        page.fill("#since textarea", "")
        assert page.get_attribute("#chat .turn:nth-last-child(2) button.vote[data-vote='up']", "aria-pressed") == "true"
        page.click("#language label:has-text('English')")
        page.wait_for_function("document.querySelector('#ask').innerText.trim() === 'Ask'", timeout=30_000)
        page.wait_for_selector("#panel >> text=Issuer:", timeout=30_000)  # the open statement is redrawn in English
        assert "fused" in page.inner_text("#passages") and "Кем принят" not in page.inner_text("#panel")
        browser.close()
    from qa.eval import load_questions, run
    from qa.feedback import write_sets

    votes = Path(server_settings[server]["persist_dir"]) / "feedback.jsonl"
    entry = json.loads(votes.read_text(encoding="utf-8").splitlines()[-1])
    assert entry["vote"] == "up" and entry["comment"] == "верно" and entry["citations"][0]["paragraph"] == 8
    gold_path, _, n_gold, _ = write_sets(votes, tmp_path)
    questions = load_questions([gold_path])
    assert n_gold >= 1 and questions[-1]["question"] == "Какие операции названы?"
    assert run(questions[-1:], server_settings[server]["index"])[0]["gold"][0]["statement"] == SEED.stem


def test_chat_names_a_bad_date_and_an_overlong_question(server):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page()
        page.goto(server)
        page.click("text=Filters")
        page.fill("#until textarea", "2018-13-45")
        _ask(page, "Which operations are named?")
        page.wait_for_selector("#chat >> text=The “Until” date 2018-13-45 does not exist; use YYYY-MM-DD", timeout=60_000)
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


def test_upload_reports_per_file_and_remove_takes_a_statement_out(server, tmp_path):
    from gradio.utils import get_upload_folder

    from tests.conftest import SHARED, needs_shared

    statement = tmp_path / f"ministers_2021_{uuid.uuid4().hex[:8]}.md"
    statement.write_text("# Joint Statement of the Council of Foreign Ministers on Arctic shipping\n\nReykjavik, 20 May 2021\n\n"
                         "The ministers agree to open a year-round ice-class corridor for humanitarian convoys.\n", encoding="utf-8")
    empty, picture = tmp_path / "empty.txt", tmp_path / "map.png"
    empty.write_bytes(b"")
    picture.write_bytes(b"\x89PNG\r\n")
    xml = tmp_path / f"treaty_{uuid.uuid4().hex[:6]}.xml"
    xml.write_text("<?xml version='1.0' encoding='utf-8'?><doc><title>Joint Declaration of the Ministers on glacier "
                   "monitoring</title><para>Oslo, 3 March 2020</para><para>The ministers establish a shared glacier "
                   "monitoring network with yearly reports.</para></doc>", encoding="utf-8")
    corpus = needs_shared(SHARED / "corpus")
    picked = [corpus / "cis_1991-12-08_agreement_establishing_cis_en.txt", corpus / "kremlin_act_18435_ru.txt"]
    with _browser() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        page.click("#statements-tab-button")
        page.set_input_files("#upload input[type=file]", [str(f) for f in (statement, empty, picture, xml, *picked)])
        page.wait_for_selector("#upload-status li", timeout=180_000)
        report = page.inner_text("#upload-status")
        assert f"{statement.name} added: «Joint Statement of the Council of Foreign Ministers on Arctic shipping»" in report
        assert "2021-05-20" in report and "Reykjavik" in report
        assert "empty.txt not read: empty file" in report
        assert "map.png not read: unsupported file type .png (supported: " in report and ".xml" in report
        assert f"{xml.name} added: «Joint Declaration of the Ministers on glacier monitoring»" in report
        assert "Agreement establishing the Commonwealth of Independent States" in report and "1991-12-08" in report
        table = page.inner_text("#statements-table")
        assert "Joint Declaration of the Ministers on glacier monitoring" in table and "hostile" in table
        page.screenshot(path=str(tmp_path / "statements.png"), full_page=True)
        page.click("#chat-tab-button")
        _ask(page, "What corridor for humanitarian convoys was agreed?")
        cited = page.wait_for_selector("#panel .para.cited", timeout=60_000)
        assert "ice-class corridor" in cited.inner_text()
        # another file under the same name is refused (the stored statement stays) unless "Replace" is ticked
        statement.write_text(statement.read_text(encoding="utf-8").replace("ice-class", "nuclear"), encoding="utf-8")
        page.click("#statements-tab-button")
        page.set_input_files("#upload input[type=file]", [str(statement)])
        page.wait_for_selector("#upload-status >> text=is already stored from another file", timeout=120_000)
        page.check("#replace input[type=checkbox]")
        page.set_input_files("#upload input[type=file]", [str(statement)])
        page.wait_for_selector(f"#upload-status >> text={statement.name} replaced", timeout=120_000)
        # remove it: it leaves the table, the filter's choices and the answers
        page.click("#chosen input")
        page.click("#chosen li[role=option]:has-text('Arctic shipping')", timeout=30_000)
        page.click("#remove")  # the first click only asks to confirm, naming the statement
        page.wait_for_function("document.querySelector('#remove').innerText.startsWith('Confirm removal of «')",
                               timeout=30_000)
        assert "Arctic shipping" in page.inner_text("#statements-table")
        page.click("#remove")
        page.wait_for_selector("#removed >> text=«Joint Statement of the Council of Foreign Ministers on Arctic shipping»",
                               timeout=60_000)
        assert statement.stem not in page.inner_text("#removed")
        assert page.inner_text("#remove").strip() == "Remove"
        assert "Arctic shipping" not in page.inner_text("#statements-table")
        page.click("#chat-tab-button")
        page.click("text=Filters")
        page.click("#statements-filter input")
        page.wait_for_selector("#statements-filter li[role=option]", timeout=30_000)
        assert not page.query_selector("#statements-filter li[role=option]:has-text('Arctic shipping')")
        browser.close()
    import httpx

    after = httpx.post(f"{server}api/ask", json={"question": "What corridor for humanitarian convoys was agreed?"},
                       timeout=60).json()
    assert statement.stem not in {c["statement_id"] for c in after["citations"]}
    # Gradio's cached copies are gone once ingested: nothing is left for its file route to serve
    assert not list(Path(get_upload_folder()).glob(f"*/{statement.name}"))


def test_port_in_use_is_one_line_naming_qa_port(tmp_path):
    import os
    import subprocess
    import sys

    from config.settings import ROOT

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {**os.environ, "QA_PORT": str(taken.getsockname()[1]), "QA_PERSIST_DIR": str(tmp_path)}
        done = subprocess.run([sys.executable, str(ROOT / "app.py")], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "QA_PORT" in done.stderr
