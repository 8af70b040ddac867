"""Web chat (Gradio): ask, read quoted answers, click a citation to see the whole statement with the paragraph highlighted."""
from __future__ import annotations

import html
import logging
import sys

import gradio as gr

from config import get_settings
from config.settings import settings_error
from qa.access import upload_refusal
from qa.answer import answer
from qa.engine import serving_index
from qa.index import Index
from qa.limits import AnswerPool, Busy, TooSlow
from qa.retrieve import Filters
from qa.uploads import ingest_uploads

log = logging.getLogger("app")
EXAMPLES = ["Which operations are named?", "Какие операции названы?", "When and where was the statement adopted?",
            "Что говорится об использовании террористов в политических целях?"]
CSS = """
.statement .para {padding: 6px 8px; margin: 4px 0; border-radius: 6px; white-space: pre-wrap}
.statement .cited {background: #fff3b0; border-left: 4px solid #e0a800}
.statement .num {color: #888; font-weight: bold; margin-right: 6px}
.statement h3 {margin-bottom: 2px}
"""
SCROLL_JS = "() => { setTimeout(() => document.querySelector('.statement .cited')?.scrollIntoView({block: 'center'}), 150); }"


def matched_as(result) -> str:
    """How the question's words were also matched in the corpus's other language (dictionary translations)."""
    if not result.translations:
        return ""
    pairs = "; ".join(f"{html.escape(w)} → {html.escape(', '.join(ts))}" for w, ts in result.translations.items())
    return f'<p class="matched-as">Also matched as: {pairs}</p>'


def statement_html(index: Index, statement_id: str, cited: set[int]) -> str:
    """The whole statement as escaped HTML: header, every paragraph numbered, cited ones highlighted."""
    meta, paragraphs = index.snapshot().statement(statement_id)
    e = html.escape
    out = [f"<div class='statement'><h3>{e(meta.get('title', ''))}</h3>",
           f"<p><b>Issuer:</b> {e(meta.get('issuer') or '—')} · <b>Date:</b> {e(meta.get('date') or '—')} · "
           f"<b>Place:</b> {e(meta.get('place') or '—')} · <b>Source:</b> {e(meta.get('source', ''))}</p>"]
    for n, label, text in paragraphs:
        cls = "para cited" if n in cited else "para"
        tag = f"¶{n}" + (f" ({e(label)})" if label else "") if n else "header"
        out.append(f"<div class='{cls}' data-paragraph='{n}'><span class='num'>{tag}</span>{e(text)}</div>")
    return "".join(out) + "</div>"


def build(index: Index, settings, pool: AnswerPool | None = None) -> gr.Blocks:
    """The chat page; answers run in `pool` (shared with the JSON API), at most QA_MAX_CONCURRENT_ANSWERS at once."""
    pool = pool or AnswerPool.from_settings(settings)
    uploads_off = upload_refusal(settings)
    answering = {"concurrency_limit": settings.max_concurrent_answers, "concurrency_id": "answer"}

    def statement_choices() -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for m in index.metas:
            seen.setdefault(m["statement_id"], f"{m.get('date') or 'undated'} · {m.get('title', '')[:70]}")
        return sorted(((label, sid) for sid, label in seen.items()), reverse=True)

    def on_ask(question, history, statements, since, until):
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            return history, gr.update(), "", ""
        try:
            filters = Filters(list(statements or []), since, until)  # a bad date: one line naming the field
            result = pool.run(answer, question, index, None, filters)
        except (ValueError, Busy, TooSlow) as exc:
            history += [{"role": "user", "content": html.escape(question)},
                        {"role": "assistant", "content": html.escape(f"Sorry: {exc}")}]
            return history, gr.update(choices=[], value=None), "", ""
        except Exception as exc:  # the UI must stay alive; the log keeps the details
            log.exception("question failed")
            history += [{"role": "user", "content": html.escape(question)},
                        {"role": "assistant", "content": html.escape(f"Sorry, something went wrong: {exc}")}]
            return history, gr.update(choices=[], value=None), "", ""
        if result.answered:
            body = "\n\n".join(f"{i}. {html.escape(c.render())}" for i, c in enumerate(result.citations, 1))
            choices = [(f"[{i}] {c.statement_id} ¶{c.paragraph}", f"{c.statement_id}|{c.paragraph}")
                       for i, c in enumerate(result.citations, 1)]
        else:
            note = filters.undated_note(index.metas)
            body = html.escape(f"{result.answer} ({result.reason})" + (f"\n\n({note})" if note else ""))
            if result.retrieved:
                body += "\n\nClosest paragraphs:\n\n" + "\n\n".join(
                    html.escape(f"- {h.statement_id} ¶{h.paragraph}: {h.text[:160]}…") for h in result.retrieved[:3])
            choices = [(f"closest: {h.statement_id} ¶{h.paragraph}", f"{h.statement_id}|{h.paragraph}") for h in result.retrieved[:3]]
        history += [{"role": "user", "content": html.escape(question)}, {"role": "assistant", "content": body}]
        passages = "<table><tr><th>#</th><th>statement</th><th>¶</th><th>fused</th><th>dense</th><th>bm25</th><th>text</th></tr>" + "".join(
            f"<tr><td>{i}</td><td>{html.escape(h.statement_id)}</td><td>{h.paragraph}</td><td>{h.score:.4f}</td>"
            f"<td>{h.dense:.3f}</td><td>{h.lexical:.2f}</td><td>{html.escape(h.text[:200])}</td></tr>"
            for i, h in enumerate(result.retrieved, 1)) + "</table>" + matched_as(result)
        first = choices[0][1] if choices else None
        panel = open_citation(first, result) if first else ""
        return history, gr.update(choices=choices, value=first), panel, passages

    def open_citation(value, result=None):
        if not value:
            return ""
        sid, n = value.rsplit("|", 1)
        try:
            return statement_html(index, sid, {int(n)})
        except KeyError:
            return f"<p>Statement {html.escape(sid)} is no longer in the store.</p>"

    def upload(files, replace):
        if uploads_off:  # the upload area is not shown then, and Gradio's upload route refuses files (qa.access)
            return html.escape(uploads_off), gr.update(), gr.update(value=None)
        if not files:
            return "No file chosen.", gr.update(), gr.update(value=None)
        lines = ingest_uploads(files if isinstance(files, list) else [files], index, settings, replace=bool(replace))
        return "\n\n".join(lines), gr.update(choices=statement_choices()), gr.update(value=None)

    def ask_api(question: str) -> dict:
        """Answer a question; the same JSON as `python -m qa ask --json`."""
        try:
            return pool.run(answer, question, index).to_json()
        except (Busy, TooSlow) as exc:
            raise gr.Error(str(exc)) from None

    # Uploads that never reach an event (a bare POST to Gradio's upload route) are deleted within two hours.
    with gr.Blocks(title="Statement QA", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("## Statement QA — quoted, cited answers from official statements")
        with gr.Row():
            with gr.Column(scale=5):
                # Quotes are shown as text, never rendered: no Markdown (render_markdown=False) and no HTML (escaped), so a
                # statement's image, link or markup never reaches a browser.
                chat = gr.Chatbot(label="Answers", height=420, sanitize_html=True, render_markdown=False, elem_id="chat")
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask in English or Russian…", show_label=False, scale=5, elem_id="question")
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                gr.Examples(EXAMPLES, inputs=box, label="Examples")
                cites = gr.Radio(label="Citations — click to open the statement", choices=[], elem_id="citations")
                with gr.Accordion("Filters", open=False):
                    statements = gr.Dropdown(statement_choices(), multiselect=True, label="Statements")
                    with gr.Row():
                        since = gr.Textbox(label="Since (YYYY-MM-DD)", elem_id="since")
                        until = gr.Textbox(label="Until (YYYY-MM-DD)", elem_id="until")
                with gr.Accordion("Retrieved passages and scores", open=False):
                    passages = gr.HTML()
                with gr.Accordion("Add statements", open=False):
                    files = gr.File(file_count="multiple", file_types=[".txt", ".md", ".html", ".htm", ".pdf", ".docx"],
                                    elem_id="upload", visible=not uploads_off)
                    replace = gr.Checkbox(False, label="Replace: a file under the id of a stored statement replaces it "
                                          "(otherwise it is refused)", elem_id="replace", visible=not uploads_off)
                    status = gr.Markdown(html.escape(uploads_off), elem_id="upload-status")
            with gr.Column(scale=4):
                panel = gr.HTML("<p>Click a citation to see the whole statement here.</p>", elem_id="panel")
        inputs = [box, chat, statements, since, until]
        outputs = [chat, cites, panel, passages]
        for trigger in (send.click, box.submit):
            trigger(on_ask, inputs, outputs, api_visibility="private", **answering).then(
                lambda: "", None, box, js=SCROLL_JS, api_visibility="private")
        cites.input(open_citation, cites, panel, api_visibility="private").then(
            None, None, None, js=SCROLL_JS, api_visibility="private")
        files.upload(upload, [files, replace], [status, statements, files], api_visibility="private")
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
    web = gr.mount_gradio_app(build_api(index, settings, pool), build(index, settings, pool), path="/", auth=auth, css=CSS,
                              show_error=False, max_file_size=int(settings.max_upload_mb * 1024 * 1024))
    server = uvicorn.Server(uvicorn.Config(web, host=settings.host, port=settings.port, log_level="warning"))
    if block:
        server.run()
        return server
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = get_settings()
    except ValueError as exc:  # a bad QA_* value refuses to start, in one line
        print(settings_error(exc), file=sys.stderr)
        sys.exit(2)
    index = serving_index(settings)
    if not index.ids and not index.unreachable:
        from ingest.pipeline import add

        log.info("empty store: ingesting the bundled statements from %s", settings.statements_dir)
        summary = add([settings.statements_dir], index.store, index.embedder, settings.max_chunk_tokens, settings.batch_size,
                      settings.passage_context)
        log.info("ingested: %s", summary.to_json())
        index.refresh(force=True)
    log.info("serving on http://%s:%d/ (JSON API under /api, docs at /api/docs)", settings.host, settings.port)
    serve(index, settings)


if __name__ == "__main__":
    main()
