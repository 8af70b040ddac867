"""Web chat (Gradio): a conversation with quoted, cited answers; chips open the statement at its paragraph; a
Statements tab to list, open, add and remove statements. A thin shell over qa/."""
from __future__ import annotations

import html
import logging
import sys

from config import get_settings
from config.settings import settings_error
from qa import chat_view, conversation, feedback
from qa.access import upload_refusal
from qa.citations import short_title
from qa.engine import serving_index
from qa.gradio_import import import_gradio
from qa.i18n import browser_language, t
from qa.index import Index
from qa.limits import AnswerPool, Busy, TooSlow
from qa.retrieve import Filters, iso_date
from qa.statements_view import choices, statements_table, upload_report
from qa.web_assets import APP_CSS, CHAT_JS, CSS, PANEL_JS, VOTE_JS

gr = import_gradio()
log = logging.getLogger("app")
EXAMPLES = {"en": ["Which operations are named?", "When and where was the statement adopted?",
                   "What is said about using terrorists for political ends?"],
            "ru": ["Какие операции названы?", "Когда и где принято заявление?",
                   "Что говорится об использовании террористов в политических целях?"]}


def build(index: Index, settings, pool: AnswerPool | None = None) -> gr.Blocks:
    """The page; answers run in `pool` (shared with the JSON API), at most QA_MAX_CONCURRENT_ANSWERS at once."""
    from ingest.catalog import list_statements, remove

    pool = pool or AnswerPool.from_settings(settings)
    uploads_off = upload_refusal(settings)
    answering = {"concurrency_limit": settings.max_concurrent_answers, "concurrency_id": "answer"}
    recent, votes = feedback.Recent(), feedback.feedback_path(settings)
    quiet = {"api_visibility": "private"}

    def show(sid: str, p: int, kind: str, lang: str) -> str:
        return chat_view.statement_html(index, sid, p, kind, lang)

    def open_statement(asked: dict) -> str:
        """Called by a chip in the browser: {sid, p, kind, lang} → the statement at that paragraph."""
        return show(str(asked.get("sid", "")), int(asked.get("p") or 0), str(asked.get("kind", "cited")),
                    str(asked.get("lang", "en")))

    def record_vote(vote: dict) -> str:
        """Called by 👍/👎 in the browser: {id, vote, comment, lang} → appended to the feedback file."""
        turn, lang = recent.get(str(vote.get("id", ""))), str(vote.get("lang", "en"))
        if turn is None:  # the server restarted since the answer was shown
            return "—"
        feedback.record(votes, turn, str(vote.get("vote", "")), str(vote.get("comment") or ""))
        return t("thanks", lang)

    def listing(lang: str):
        items = list_statements(index.store)
        options = choices(items)
        return (statements_table(items, lang), gr.update(choices=options), gr.update(choices=options, value=None),
                gr.update(samples=[[q] for q in EXAMPLES[lang]]))

    def on_ask(question, turns, statements, since, until, lang):
        turns, question = list(turns or []), (question or "").strip()
        if not question:
            return gr.update(), turns, gr.update(), gr.update(), gr.update()
        for key, value in (("since", since), ("until", until)):  # a bad date: one plain line naming the field
            try:
                iso_date(key, value)
            except ValueError:
                turns.append(chat_view.error_turn(question, t("bad_date", lang).format(
                    field=t(f"{key}_name", lang), value=(value or "").strip())))
                return chat_view.render_conversation(turns, lang), turns, gr.update(), gr.update(), question
        try:
            filters = Filters(list(statements or []), since, until)
            result, reading = pool.run(conversation.ask, question, index, conversation.turns_from(turns), filters)
        except (ValueError, Busy, TooSlow) as exc:  # the question stays in the box, to fix the filter and ask again
            turns.append(chat_view.error_turn(question, f"{t('sorry', lang)}: {exc}"))
            return chat_view.render_conversation(turns, lang), turns, gr.update(), gr.update(), question
        except Exception:  # the UI must stay alive; the log keeps the details
            log.exception("question failed")
            turns.append(chat_view.error_turn(question, t("went_wrong", lang)))
            return chat_view.render_conversation(turns, lang), turns, gr.update(), gr.update(), question
        turn = chat_view.make_turn(result, reading, index, filters)
        recent.put(turn)
        turns.append(turn)
        first = (turn["cited"] or turn["closest"] or [None])[0]
        panel = show(first["statement_id"], first["paragraph"], "cited" if turn["cited"] else "closest",
                               lang) if first else gr.update()
        return chat_view.render_conversation(turns, lang), turns, panel, chat_view.passages_html(result, lang), ""

    def on_load(request: gr.Request):
        params = request.query_params if request else {}
        lang = browser_language(request.headers.get("accept-language") if request else "", params.get("lang"))
        panel, turns = t("panel_empty", lang), []
        if params.get("statement"):
            try:
                p = int(params.get("p", 0))
            except ValueError:
                p = 0
            panel = show(params["statement"], p, "cited", lang)
        out = on_ask(params.get("q", ""), [], params.getlist("s"), params.get("since", ""), params.get("until", ""), lang) \
            if params.get("q") else (chat_view.render_conversation([], lang), [], panel, "", "")
        chat, turns, answered_panel, passages, _ = out
        if params.get("statement"):  # a permalink to a paragraph wins over the answer's first citation
            answered_panel = panel
        return (lang, *relabel(lang), chat, turns, answered_panel if answered_panel is not None else panel, passages,
                *listing(lang))

    def relabel(lang: str) -> list:
        """Every label in `lang` (the page is drawn in English first, then relabelled on load)."""
        return [f"### {t('title', lang)}", gr.update(label=t("chat_tab", lang)), gr.update(label=t("statements_tab", lang)),
                gr.update(placeholder=t("placeholder", lang)), gr.update(value=t("ask", lang)), gr.update(value=t("clear", lang)),
                gr.update(label=t("examples", lang)), gr.update(label=t("filters", lang)),
                gr.update(label=t("statements_filter", lang)), gr.update(label=t("since", lang)), gr.update(label=t("until", lang)),
                gr.update(label=t("passages", lang)), gr.update(label=t("upload", lang)), gr.update(label=t("replace", lang)),
                gr.update(label=t("choose_statement", lang)), gr.update(value=t("open", lang)), gr.update(value=t("remove", lang)),
                gr.update(label=t("language", lang), value=lang)]

    def switch(lang, turns, shown, viewed, scores):
        """Everything drawn again in `lang`: labels, conversation, the statements open in the panel and the viewer."""
        empty = {t("panel_empty", lng) for lng in ("en", "ru")}
        panel_now = chat_view.redraw_statement(index, shown, lang, t("panel_empty", lang) if shown in empty else shown)
        return (*relabel(lang), chat_view.render_conversation(turns or [], lang), panel_now,
                chat_view.redraw_statement(index, viewed, lang, viewed), chat_view.relabel_passages(scores, lang), "",
                *listing(lang))

    def upload(files, replace, lang):
        if uploads_off:
            return html.escape(uploads_off), gr.update(value=None), *listing(lang)
        if not files:
            return t("no_file", lang), gr.update(value=None), *listing(lang)
        report = upload_report(files if isinstance(files, list) else [files], index, settings, bool(replace), lang)
        return report, gr.update(value=None), *listing(lang)

    def drop(sid, pending, lang):
        """The first click asks to confirm (the button names the statement); a second click on the same one removes it."""
        keep = (gr.update(),) * 4
        if uploads_off:  # removing is as guarded as adding
            return html.escape(uploads_off), gr.update(), "", *keep
        if not sid:
            return "", gr.update(value=t("remove", lang)), "", *keep
        title = next((it.get("title") or sid for it in list_statements(index.store) if it["id"] == sid), sid)
        if pending != sid:
            return "", gr.update(value=t("confirm_remove", lang).format(title=short_title(title, 80))), sid, *keep
        remove(sid, index.store)
        index.refresh()  # at once (this process wrote), dropping that statement and keeping the rest
        return (f"{html.escape(t('removed', lang))}: «{html.escape(title)}»", gr.update(value=t("remove", lang)), "",
                *listing(lang))

    def ask_api(question: str) -> dict:
        """Answer a question; the same JSON as `python -m qa ask --json`."""
        from qa.answer import answer

        try:
            return pool.run(answer, question, index).to_json()
        except (Busy, TooSlow) as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="Statement QA", delete_cache=(3600, 3600)) as demo:
        lang = gr.State("en")
        pending = gr.State("")  # the statement whose removal awaits a second click
        turns = gr.State([])
        with gr.Row(elem_id="header"):
            title = gr.Markdown(f"### {t('title', 'en')}", elem_id="title")
            language = gr.Radio([("English", "en"), ("Русский", "ru")], value="en", label=t("language", "en"),
                                elem_id="language", scale=0, min_width=220)
        with gr.Tabs():
            with gr.Tab(t("chat_tab", "en"), elem_id="chat-tab") as chat_tab:
                with gr.Row():
                    with gr.Column(scale=5, min_width=320):
                        # Statement text is escaped into this HTML: never rendered as Markdown or HTML, so nothing a
                        # statement says reaches the browser as markup (tests/test_app.py checks a hostile one).
                        chat = gr.HTML(chat_view.render_conversation([], "en"), elem_id="chat", js_on_load=CHAT_JS + VOTE_JS,
                                       server_functions=[record_vote], apply_default_css=False)
                        with gr.Row(elem_id="ask-row"):
                            box = gr.Textbox(placeholder=t("placeholder", "en"), show_label=False, scale=5, elem_id="question")
                            send = gr.Button(t("ask", "en"), variant="primary", scale=1, min_width=80, elem_id="ask")
                            clear = gr.Button(t("clear", "en"), scale=1, min_width=80, elem_id="clear")
                        examples = gr.Dataset(components=["textbox"], samples=[[q] for q in EXAMPLES["en"]],
                                              label=t("examples", "en"), elem_id="examples")
                        with gr.Accordion(t("filters", "en"), open=False) as filters_box:
                            statements = gr.Dropdown([], multiselect=True, label=t("statements_filter", "en"),
                                                     elem_id="statements-filter")
                            with gr.Row():
                                since = gr.Textbox(label=t("since", "en"), elem_id="since")
                                until = gr.Textbox(label=t("until", "en"), elem_id="until")
                        with gr.Accordion(t("passages", "en"), open=False) as passages_box:
                            passages = gr.HTML(elem_id="passages")
                    with gr.Column(scale=4, min_width=320, elem_id="panel-col"):
                        panel = gr.HTML(t("panel_empty", "en"), elem_id="panel", js_on_load=PANEL_JS,
                                        server_functions=[open_statement], apply_default_css=False)
            with gr.Tab(t("statements_tab", "en"), elem_id="statements-tab") as statements_tab:
                table = gr.HTML(elem_id="statements-table")
                with gr.Row():
                    chosen = gr.Dropdown([], label=t("choose_statement", "en"), elem_id="chosen", scale=4)
                    open_btn = gr.Button(t("open", "en"), elem_id="open", scale=1, min_width=80)
                    remove_btn = gr.Button(t("remove", "en"), variant="stop", elem_id="remove", scale=1, min_width=80)
                removed = gr.HTML(elem_id="removed")
                files = gr.File(file_count="multiple", label=t("upload", "en"), elem_id="upload", visible=not uploads_off)
                replace = gr.Checkbox(False, label=t("replace", "en"), elem_id="replace", visible=not uploads_off)
                report = gr.HTML(html.escape(uploads_off), elem_id="upload-status")
                viewer = gr.HTML(elem_id="viewer")

        labelled = [title, chat_tab, statements_tab, box, send, clear, examples, filters_box, statements, since, until,
                    passages_box, files, replace, chosen, open_btn, remove_btn, language]
        lists = [table, statements, chosen, examples]
        asked = [chat, turns, panel, passages, box]
        for trigger in (send.click, box.submit):
            trigger(on_ask, [box, turns, statements, since, until, lang], asked, **quiet, **answering)
        examples.click(lambda sample, *rest: on_ask(sample[0], *rest), [examples, turns, statements, since, until, lang], asked,
                       **quiet, **answering)
        clear.click(lambda lng: (chat_view.render_conversation([], lng), [], t("panel_empty", lng), "", ""), lang, asked, **quiet)
        redrawn = [*labelled, chat, panel, viewer, passages, pending, *lists]
        language.input(lambda lng: lng, language, lang, **quiet).then(switch, [lang, turns, panel, viewer, passages], redrawn,
                                                                      **quiet)
        demo.load(on_load, None, [lang, *labelled, chat, turns, panel, passages, *lists], **quiet)
        files.upload(upload, [files, replace, lang], [report, files, *lists], **quiet)
        open_btn.click(lambda sid, lng: show(sid, -1, "cited", lng) if sid else "", [chosen, lang], viewer, **quiet)
        remove_btn.click(drop, [chosen, pending, lang], [removed, remove_btn, pending, *lists], **quiet)
        chosen.change(lambda lng: (gr.update(value=t("remove", lng)), ""), lang, [remove_btn, pending], **quiet)
        gr.api(ask_api, api_name="ask", **answering)

    return demo


def serve(index: Index, settings, block: bool = True):
    """The chat and the JSON API (qa/api.py) on one server; with block=False, in a thread (returns the uvicorn server)."""
    import threading
    import time

    import uvicorn

    from qa.api import build_api

    auth = tuple(settings.auth.split(":", 1)) if settings.auth and ":" in settings.auth else None
    pool = AnswerPool.from_settings(settings)  # one pool for the chat and the API: their answers share the limit
    web = gr.mount_gradio_app(build_api(index, settings, pool), build(index, settings, pool), path="/", auth=auth, css=CSS + APP_CSS,
                              show_error=False, max_file_size=int(settings.max_upload_mb * 1024 * 1024), footer_links=[],
                              run_history=False)
    server = uvicorn.Server(uvicorn.Config(web, host=settings.host, port=settings.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if block:
        print(f"Statement QA is running at http://{settings.host}:{settings.port}/  (Ctrl+C stops it)", flush=True)
        try:
            thread.join()
        except KeyboardInterrupt:
            server.should_exit = True
            thread.join(timeout=10)
    return server


def port_in_use(host: str, port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = get_settings()
    except ValueError as exc:  # a bad QA_* value refuses to start, in one line
        print(settings_error(exc), file=sys.stderr)
        sys.exit(2)
    if port_in_use(settings.host, settings.port):  # checked before loading anything, and said in one line
        print(f"error: port {settings.port} on {settings.host} is in use; set QA_PORT to a free one (e.g. QA_PORT="
              f"{settings.port + 1} make run)", file=sys.stderr)
        sys.exit(2)
    index = serving_index(settings)
    if not index.ids and not index.unreachable:
        from ingest.pipeline import add

        log.info("empty store: ingesting the bundled statements from %s", settings.statements_dir)
        summary = add([settings.statements_dir], index.store, index.embedder, settings.max_chunk_tokens, settings.batch_size,
                      settings.passage_context)
        log.info("ingested: %s", summary.to_json())
        index.refresh(force=True)
    log.info("JSON API under /api, docs at /api/docs")
    serve(index, settings)


if __name__ == "__main__":
    main()
