"""The conversation and the statement panel as HTML: every statement text escaped (inert), chips that open the panel,
refusals in words, closest paragraphs marked apart from citations."""
from __future__ import annotations

import html
import re
import uuid
from urllib.parse import urlencode

from qa.answer import Answer
from qa.citations import chip, date_words, grouped, reference, short_title
from qa.conversation import Reading
from qa.explain import refusal_line
from qa.i18n import question_language, t
from qa.index import Index
from qa.retrieve import Filters

e = html.escape


def _meta(index: Index, sid: str) -> dict:
    try:
        return index.snapshot().statement(sid)[0]
    except KeyError:
        return {}


def permalink(question: str, filters: Filters | None) -> str:
    """?q=…&since=…&until=…&statement=… — opening it asks the same question with the same filters."""
    query: list[tuple[str, str]] = [("q", question)]
    if filters:
        query += [("s", sid) for sid in filters.statement_ids]
        query += [(k, v) for k, v in (("since", filters.since), ("until", filters.until)) if v]
    return "?" + urlencode(query)


def make_turn(result: Answer, reading: Reading, index: Index, filters: Filters | None = None) -> dict:
    """One answered (or refused) turn as plain data, so the page can be drawn again in another language."""
    def item(sid: str, paragraph: int, label: str, text: str) -> dict:
        meta = _meta(index, sid)
        keep = {k: meta.get(k, "") for k in ("title", "date", "place", "number")}
        return {"statement_id": sid, "paragraph": paragraph, "label": label, "text": text, **keep}

    cited = [item(c.statement_id, c.paragraph, c.label, c.quote) for c in result.citations]
    closest = [] if result.answered else [item(h.statement_id, h.paragraph, h.meta.get("label", ""), h.text)
                                          for h in result.retrieved[:3]]
    focus_names = {lang: " / ".join(_name(_meta(index, s), s, lang) for s in reading.focus[:2]) for lang in ("en", "ru")}
    return {"id": uuid.uuid4().hex[:12], "question": reading.question, "read_as": reading.text, "kind": reading.kind,
            "note": {lang: reading.note(index, lang) for lang in ("en", "ru")}, "answered": result.answered,
            "reason": result.reason, "reasons": [r.to_json() for r in result.reasons],
            "outside_names": {lang: [_name(_meta(index, sid), sid, lang) for r in result.reasons for sid in r.statements]
                              for lang in ("en", "ru")},
            "cited": cited, "closest": closest, "focus_names": focus_names,
            "link": permalink(reading.text if reading.follow_up else reading.question, reading.scope(filters)),
            "statements": list(dict.fromkeys(c.statement_id for c in result.citations))}


def error_turn(question: str, message: str) -> dict:
    return {"id": uuid.uuid4().hex[:12], "question": question, "error": message, "cited": [], "closest": []}


def _name(meta: dict, sid: str, lang: str) -> str:
    date = date_words(meta.get("date", ""), lang, short=True)
    return short_title(meta.get("title") or sid) + (f" ({date})" if date else "")


def _chip(n: int | str, it: dict, lang: str, kind: str) -> str:
    label = chip(n, it["title"], it["date"], it["paragraph"], it["label"], lang) if kind == "cited" else \
        f"{short_title(it['title'])} · {where_short(it, lang)}"
    href = "?" + urlencode({"statement": it["statement_id"], "p": it["paragraph"]})
    return (f"<a class='chip {kind}' href='{e(href)}' data-sid='{e(it['statement_id'])}' data-p='{it['paragraph']}' "
            f"data-kind='{kind}'>{e(label)}</a>")


def where_short(it: dict, lang: str) -> str:
    return (("заголовок" if lang == "ru" else "header") if it["paragraph"] == 0 else f"¶{it['paragraph']}")


def render_turn(turn: dict, lang: str) -> str:
    """One question and its answer."""
    out = [f"<div class='turn' data-turn='{e(turn['id'])}'><div class='q'>{e(turn['question'])}</div>"]
    if turn.get("error"):
        return "".join(out) + f"<div class='a error'>{e(turn['error'])}</div></div>"
    qlang = question_language(turn["question"])
    out.append(f"<div class='a {'answered' if turn['answered'] else 'refused'}' data-answer='{e(turn['id'])}'>")
    if note := turn["note"].get(lang):
        out.append(f"<div class='read-as'>({e(note)})</div>")
    if turn["answered"]:
        groups = grouped([_Cited(c) for c in turn["cited"]])
        for sid, items in groups:
            if len(groups) > 1:
                first = items[0][1].data
                out.append(f"<div class='group-title'>{e(_name(first, sid, lang))}</div>")
            for n, c in items:
                it = c.data
                ref = reference(it, it["paragraph"], it["label"], question_language(it["text"]))
                out.append(f"<div class='quote'>«{e(it['text'])}» {_chip(n, it, lang, 'cited')} "
                           f"<button class='copy' data-ref='{e(ref)}' title='{e(ref)}'>{e(t('copy', lang))}</button></div>")
    else:
        focus = turn.get("focus_names", {}).get(qlang, "") if turn.get("kind") not in ("new", "other") else ""
        outside = turn.get("outside_names", {}).get(qlang, [])
        out.append(f"<div class='refusal'>{e(refusal_line(turn.get('reasons', []), qlang, focus, outside))}</div>")
        if turn["closest"]:
            out.append(f"<div class='closest-list'><div class='closest-title'>{e(t('closest', lang))}</div>")
            for it in turn["closest"]:
                text = it["text"] if len(it["text"]) <= 220 else it["text"][:220] + "…"
                out.append(f"<div class='quote closest'>{e(text)} {_chip('', it, lang, 'closest')}</div>")
            out.append("</div>")
    out.append(f"<div class='actions'><a class='permalink' href='{e(turn['link'])}' target='_blank' rel='noopener'>{e(t('link', lang))}</a>"
               f"<span class='vote-box'>{e(t('feedback_title', lang))} "
               f"<button class='vote' data-vote='up'>{e(t('yes', lang))}</button>"
               f"<button class='vote' data-vote='down'>{e(t('no', lang))}</button>"
               f"<input class='comment' placeholder='{e(t('comment', lang))}' maxlength='500'>"
               f"<span class='voted'></span></span></div></div></div>")
    return "".join(out)


class _Cited:
    """A stored citation with the attribute grouped() reads."""

    def __init__(self, data: dict) -> None:
        self.data, self.statement_id = data, data["statement_id"]


def render_conversation(turns: list[dict], lang: str) -> str:
    """The whole conversation; the empty one says what to do."""
    body = "".join(render_turn(turn, lang) for turn in turns) or f"<p class='hint'>{e(t('empty_chat', lang))}</p>"
    return f"<div class='convo' data-lang='{lang}'>{body}</div>"


def statement_html(index: Index, statement_id: str, paragraph: int | None, kind: str, lang: str) -> str:
    """The whole statement, escaped: header, every paragraph numbered, the chosen one marked as cited or as closest."""
    try:
        meta, paragraphs = index.snapshot().statement(statement_id)
    except KeyError:
        return f"<div class='statement'><p>{e(t('gone', lang))} ({e(statement_id)})</p></div>"
    mark = "cited" if kind == "cited" else "closest"
    fields = [(t(k, lang), meta.get(k) or "—") for k in ("issuer", "date", "place")] + [(t("source", lang), meta.get("source", ""))]
    if meta.get("date"):
        fields[1] = (t("date", lang), date_words(meta["date"], lang))
    out = [f"<div class='statement' data-statement='{e(statement_id)}'><h3>{e(meta.get('title', ''))}</h3><p class='meta'>",
           " · ".join(f"<b>{e(k)}:</b> {e(str(v))}" for k, v in fields), "</p>"]
    for n, label, text in paragraphs:
        cls = f"para {mark}" if n == paragraph else "para"
        tag = (f"¶{n}" + (f" ({e(label)})" if label else "")) if n else ("заголовок" if lang == "ru" else "header")
        out.append(f"<div class='{cls}' data-paragraph='{n}'><span class='num'>{tag}</span>{e(text)}</div>")
    return "".join(out) + "</div>"


def passages_head(lang: str) -> str:
    """The passages table's header row in `lang` (a language switch swaps it in place)."""
    cols = ["#", t("col_statement", lang), "¶", t("col_fused", lang), t("col_dense", lang), t("col_bm25", lang),
            t("col_text", lang)]
    return "<tr class='head'>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>"


def passages_html(result: Answer, lang: str = "en") -> str:
    """The retrieved paragraphs with their scores, for readers who want to see why."""
    rows = "".join(f"<tr><td>{i}</td><td>{e(h.statement_id)}</td><td>{h.paragraph}</td><td>{h.score:.4f}</td>"
                   f"<td>{h.dense:.3f}</td><td>{h.lexical:.2f}</td><td>{e(h.text[:200])}</td></tr>"
                   for i, h in enumerate(result.retrieved, 1))
    matched = "; ".join(f"{e(w)} → {e(', '.join(ts))}" for w, ts in result.translations.items())
    return (f"<table>{passages_head(lang)}"
            f"{rows}</table>" + (f"<p class='matched-as'><span class='matched-label'>{e(t('matched_as', lang))}</span>: "
                                 f"{matched}</p>" if matched else "")
            + (f"<p>{e(result.reason)}</p>" if result.reason else ""))


_HEAD = re.compile(r"<tr class='head'>.*?</tr>")
_MATCHED = re.compile(r"<span class='matched-label'>[^<]*</span>")
_SHOWN = re.compile(r"data-statement='([^']*)'")
_MARKED = re.compile(r"<div class='para (cited|closest)' data-paragraph='(\d+)'")


def relabel_passages(shown: str, lang: str) -> str:
    """The passages HTML already shown, with its header (and "also matched as") in `lang`."""
    if not shown:
        return shown
    shown = _HEAD.sub(lambda _: passages_head(lang), shown, count=1)
    return _MATCHED.sub(lambda _: f"<span class='matched-label'>{e(t('matched_as', lang))}</span>", shown, count=1)


def redraw_statement(index: Index, shown: str, lang: str, fallback: str) -> str:
    """The statement shown in a panel, drawn again in `lang` at the same marked paragraph; `fallback` when none is shown."""
    found = _SHOWN.search(shown or "")
    if not found:
        return fallback
    marked = _MARKED.search(shown)
    kind, p = (marked.group(1), int(marked.group(2))) if marked else ("cited", -1)
    return statement_html(index, html.unescape(found.group(1)), p, kind, lang)
