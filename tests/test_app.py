"""The web app for real: Gradio server on loopback, gradio_client /ask, headless Chromium click-through and XSS."""
from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from tests.conftest import SEED, make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from app import CSS, build
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index

    tmp = tmp_path_factory.mktemp("app")
    hostile = tmp / "hostile.txt"
    hostile.write_text("STATEMENT <script>window.__xss = 1</script>\n\n"
                       "We condemn <img src=x onerror=\"window.__xss = 2\"> attacks on diplomats.\n", encoding="utf-8")
    settings = make_settings(tmp, port=_free_port())
    store = open_store(settings)
    add([SEED, hostile], store, embedder)
    index = Index(store, embedder, settings)
    index.refresh()
    demo = build(index, settings)
    demo.launch(server_name="127.0.0.1", server_port=settings.port, prevent_thread_lock=True, css=CSS, quiet=True)
    yield f"http://127.0.0.1:{settings.port}/"
    demo.close()


def test_gradio_client_ask(server):
    from gradio_client import Client

    result = Client(server, verbose=False).predict("Which operations are named?", api_name="/ask")
    assert result["answered"] and result["citations"][0]["paragraph"] == 8
    assert set(result) >= {"question", "answer", "retrieved", "latency_ms", "translations"}


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


def test_hostile_statement_runs_no_script(server):
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
        browser.close()


def test_upload_from_the_browser_is_searchable_at_once(server, tmp_path):
    statement = tmp_path / "ministers_2021.md"
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
        browser.close()
