"""Wikisource references for the kremlin-bank acts (N.wiki): reader, text normalisation and agreement with a parsed statement."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path


@dataclass
class Unit:
    """One block of the act as the wiki shows it: paragraph, heading, signature, stamp, table-row or note."""

    kind: str
    text: str
    role: str = ""
    name: str = ""
    cells: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)


@dataclass
class Reference:
    """The header template's fields (НОМЕР, ДАТА as ISO, НАЗВАНИЕ, УТРАТИЛ СИЛУ, ДРУГОЕ) and the body's units in order."""

    number: str
    date: str
    title: str
    repealed: str
    units: list[Unit] = field(default_factory=list)
    amended: str = ""

    def of(self, *kinds: str) -> list[Unit]:
        return [u for u in self.units if u.kind in kinds]


_TEMPLATE = re.compile(r"\{\{([^{}]*)\}\}")
_LINK = re.compile(r"\[\[([^\[\]]*)\]\]")
_LINE_TEMPLATE = re.compile(r"^\{\{(left|right|center|Подпись)\|(.*)\}\}$")
_HEADING = re.compile(r"^(={2,})\s*(.*?)\s*\1$")
_CELL = re.compile(r"^\s*((?:[\w-]+=(?:\"[^\"]*\"|[^\s|]*)\s*)+)\|(?!\|)(.*)$")
_NOTE = re.compile(r"^\((?:в\s+редакции|утратил\w*\s+силу|см\.)", re.I)


def plain(text: str) -> str:
    """Wiki markup → plain text: templates keep their last argument, links their label; tags, bold and refs go."""
    text = re.sub(r"<ref[^>]*/>|<ref[^>]*>.*?</ref>", "", text, flags=re.S)
    while (new := _TEMPLATE.sub(lambda m: m[1].split("|")[-1] if "|" in m[1] else "", text)) != text:
        text = new
    text = _LINK.sub(lambda m: "" if m[1].startswith("Категория:") else m[1].split("|")[-1].lstrip(":"), text)
    text = re.sub(r"<br\s*/?>", " ", text)
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)
    text = re.sub(r"'{2,}", "", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def read_wiki(path: str | Path) -> Reference:
    raw = Path(path).read_text(encoding="utf-8")
    end = _template_end(raw)
    f = {k.strip(): plain(v) for k, v in re.findall(r"^\|\s*([^=\n]+?)\s*=[ \t]*(.*)$", raw[:end], re.M)}
    body = re.sub(r"^\s*<div[^>]*>", "", raw[end:].rsplit("</div>", 1)[0])
    day, month, year = (f.get("ДАТА", "").split(".") + ["", "", ""])[:3]
    date = f"{year}-{month}-{day}" if year else ""
    return Reference(f.get("НОМЕР", ""), date, f.get("НАЗВАНИЕ", ""), f.get("УТРАТИЛ СИЛУ", ""), _units(body.split("\n")), f.get("ДРУГОЕ", ""))


def _template_end(text: str) -> int:
    depth = 0  # the header template holds {{nobr|…}} of its own
    for m in re.finditer(r"\{\{|\}\}", text):
        depth += 1 if m[0] == "{{" else -1
        if depth == 0:
            return m.end()
    raise ValueError("no header template")


def _units(lines: list[str]) -> list[Unit]:
    """Line by line: a blank line ends a paragraph; {{left}} runs are one stamp; tables give one unit per row."""
    units: list[Unit] = []
    block: list[str] = []
    block_heading = False
    prev, adjacent = "", False  # what the last non-blank line was; whether it is the line right above
    table: dict | None = None

    def flush() -> None:
        nonlocal block, block_heading
        if block:
            text = plain(" ".join(block))
            units.append(Unit("heading" if block_heading else "note" if _NOTE.match(text) and text.endswith(")") else "paragraph", text))
        block, block_heading = [], False

    for line in lines:
        s = line.strip()
        if table is not None:
            if s.startswith(("|-", "|}")):
                if table["row"]:
                    units.append(_row(table["row"], table["headers"]))
                table["row"] = []
                if s.startswith("|}"):
                    table = None
            elif s.startswith("!"):
                table["headers"].append(_cell(s[1:]))
            elif s.startswith("|"):
                table["row"].append(_cell(s[1:]))
            elif s and table["row"]:
                table["row"][-1] = plain(table["row"][-1] + " " + s)
            continue
        if not s:
            flush()
            adjacent = False
            continue
        if s == "----" or re.fullmatch(r"\[\[Категория:[^\]]*\]\]", s):
            flush()
            prev = ""
            continue
        if s.startswith("{|"):
            flush()
            table, prev = {"headers": [], "row": []}, "table"
            continue
        heading = _HEADING.match(s)
        template = _LINE_TEMPLATE.match(s)
        if heading:
            flush()
            units.append(Unit("heading", plain(heading[2])))
            prev = "heading"
        elif template and template[1] in ("left", "right"):
            flush()
            text = plain(template[2])
            if template[1] == "left" and prev == "left" and adjacent:
                units[-1].text += " " + text
            else:
                units.append(Unit("stamp", text))
            prev = template[1]
        elif template and template[1] == "Подпись":
            flush()
            role, _, name = template[2].rpartition("|")
            units.append(Unit("signature", plain(f"{role} {name}"), role=plain(role), name=plain(name)))
            prev = "signature"
        elif template:  # {{center|…}}
            text = plain(template[2])
            if block:  # a centred line right under a text line continues it (18517: «в таможнях … / {{center|Государственного …}})
                block.append(template[2])
                block_heading = True
            elif _NOTE.match(text):
                units.append(Unit("note", text))
            elif prev == "center" and units[-1].kind == "heading" and (units[-1].text.count('"') % 2 or text[:1].islower()):
                units[-1].text += " " + text  # one centred heading hard-wrapped over two wiki lines (18517)
            else:
                units.append(Unit("heading", text))
            prev = "center"
        else:
            block.append(s)
            prev = "text"
        adjacent = True
    flush()
    return units


def _cell(s: str) -> str:
    m = _CELL.match(s)
    return plain(m[2] if m else s)


def _row(cells: list[str], headers: list[str]) -> Unit:
    text = "; ".join(f"{h}: {c}" if h else c for h, c in zip(headers + [""] * len(cells), cells))
    return Unit("table-row", text, cells=list(cells), headers=list(headers))


_QUOTES = str.maketrans({q: '"' for q in "„“”«»‟‹›"})
_DASHES = str.maketrans({d: "-" for d in "—–‑‒―−"})


def normalise(text: str) -> str:
    """Text → comparison key: entities, wiki markup, quotes, №, dashes, letter-spacing, spaces, rule lines, case.

    Each rule makes equal content in the raw kremlin.ru text and in the wiki compare equal, nothing more: entities
    unescaped (&#34;); wiki markup stripped as in plain(); «» „“ ” " → '"' and a run of them → one (raw «… "Стрела"»
    closes two quotes with one &#34;); № → N; — – ‑ − → '-'; soft hyphens dropped; a hyphen ending a wrapped table cell
    ("дом- интернат") closes up, a suspended one ("аудио- и видео…") stays; letter-spaced words (п о с т а н о в л я ю)
    joined; drawn rules (----, ____, ==) dropped; whitespace collapsed; no space before , . ; : ! ? ) ] nor after ( [;
    ё → е; casefold. Paragraph boundaries, word order, digits and the punctuation marks themselves are kept.
    """
    while (unescaped := html.unescape(text)) != text:
        text = unescaped
    text = plain(text) if re.search(r"\{\{|\[\[|<\w|''", text) else text
    text = text.replace("\u00ad", "").translate(_QUOTES).translate(_DASHES).replace("№", "N")
    text = re.sub(r'"{2,}', '"', text)
    text = re.sub(r"-{3,}|_{3,}|={2,}", " ", text)
    text = re.sub(r"(?<!\w)(?:[^\W\d_] ){3,}[^\W\d_](?!\w)", lambda m: m[0].replace(" ", ""), text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"(?<=\w)- (?!(?:и|или|либо) )(?=\w)", "-", text)
    text = re.sub(r" ([,.;:!?)\]])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return text.replace("ё", "е").replace("Ё", "Е").casefold().strip()


_BODY_KINDS = ("preamble", "item", "paragraph", "heading", "note")
_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
_DATE = re.compile(r"(?:от )?(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4}) (?:года|г\.)?")
_NUMBER = re.compile(r"\bn ?([\w-]+)\)?")


def compare(statement: object, reference: Reference) -> dict:
    """Agreement of a parsed statement with the reference; runs on the old parser too (missing attributes default).

    paragraphs: reference paragraph/heading/note texts vs our body parts (n > 0) of kind preamble/item/paragraph/heading/note
    (plus annex-title parts whose text is a reference heading, e.g. an annex's «СПИСОК …»), normalised, aligned by
    SequenceMatcher; matched = equal pairs. table_rows: reference rows vs our table-row parts in order, as normalised
    cells without empty or dash-only cells (the «—» column of 18454, 18376); our cells are p.cells, else the text split
    at "; " with any "Header: " prefix cut. number/date: equal ("N 1261" = "1261"); title: the reference title, if any,
    occurs in ours; signature: each reference signatory name occurs in a statement.signatories entry. stamps: a stamp
    is matched when its normalised text occurs in one of our annex-title/signature parts, or, for a stamp of only the
    act's place, date and number («Москва, Кремль 25 октября 2002 года № 1261»), when they equal statement.date,
    statement.number and (if named) «Москва» is in statement.place; found = our annex-title parts. agree: matched ==
    expected == found for paragraphs and table rows, all stamps matched, every check true.
    """
    parts = [p for p in getattr(statement, "paragraphs", []) if getattr(p, "n", 1) > 0]
    kinds = [getattr(p, "kind", "") or "paragraph" for p in parts]
    texts = [normalise(getattr(p, "text", "")) for p in parts]
    expected = [normalise(u.text) for u in reference.of("paragraph", "heading", "note")]
    headings = {normalise(u.text) for u in reference.of("heading")}
    ours = [t for t, k in zip(texts, kinds) if k in _BODY_KINDS or (k == "annex-title" and t in headings)]
    ref_rows = [_cells_key(u.cells) for u in reference.of("table-row")]
    our_rows = [_cells_key(_cells_of(p)) for p, k in zip(parts, kinds) if k == "table-row"]
    number = re.sub(r"^n ?", "", normalise(getattr(statement, "number", "") or ""))
    date = getattr(statement, "date", "") or ""
    title = normalise(getattr(statement, "title", "") or "")
    signatories = [normalise(s) for s in getattr(statement, "signatories", None) or []]
    signed = all(any(normalise(u.name) in s for s in signatories) for u in reference.of("signature"))
    marks = [f" {t} " for t, k in zip(texts, kinds) if k in ("annex-title", "signature")]
    place = normalise(getattr(statement, "place", "") or "")
    stamps = reference.of("stamp")
    stamp_hits = sum(any(f" {normalise(u.text)} " in m for m in marks) or _metadata_stamp(u.text, date, number, place) for u in stamps)

    out = {
        "paragraphs": {"expected": len(expected), "found": len(ours), "matched": _matched(expected, ours)},
        "table_rows": {"expected": len(ref_rows), "found": len(our_rows), "matched": _matched(ref_rows, our_rows)},
        "number": number == normalise(reference.number),
        "date": date == reference.date,
        "title": not reference.title or normalise(reference.title) in title,
        "signature": signed,
        "stamps": {"expected": len(stamps), "found": kinds.count("annex-title"), "matched": stamp_hits},
    }
    counts_ok = all(out[k]["matched"] == out[k]["expected"] == out[k]["found"] for k in ("paragraphs", "table_rows"))
    checks_ok = all(out[k] for k in ("number", "date", "title", "signature"))
    out["agree"] = counts_ok and checks_ok and stamp_hits == len(stamps)
    return out


def _matched(a: list, b: list) -> int:
    return sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())


def _cells_of(part: object) -> list[str]:
    cells = getattr(part, "cells", None)
    if cells is not None:
        return list(cells)
    return [re.sub(r"^[^:;]{1,60}: ", "", piece) for piece in getattr(part, "text", "").split("; ")]


def _cells_key(cells: list[str]) -> tuple[str, ...]:
    return tuple(c for c in map(normalise, cells) if not re.fullmatch(r"[-\s]*", c))


def _metadata_stamp(text: str, date: str, number: str, place: str) -> bool:
    """A stamp of only place, date and number (the act's own) is matched by the statement's date/number/place."""
    key = normalise(text)
    dates = [f"{y}-{_MONTHS.index(m) + 1:02d}-{int(d):02d}" for d, m, y in _DATE.findall(key)]
    numbers = _NUMBER.findall(key)
    rest = _NUMBER.sub("", _DATE.sub("", key.replace("москва, кремль", ""))).strip(" ,.")
    if rest or not (dates or numbers):
        return False
    return all(d == date for d in dates) and all(n == number for n in numbers) and ("москва" not in key or "москва" in place)
