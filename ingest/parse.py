"""Text blocks → Statement: header metadata (paragraph 0) and numbered body paragraphs."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ingest.dates import find_date, find_place
from ingest.readers import read_blocks
from ingest.records import IngestError, Paragraph, Statement

_TRAILING_NOTE = re.compile(r"(\s*\[[^\[\]\n]{1,40}\])+$")
_TERMINAL = tuple('.!?…:;»"”)') + ("».", '".')
_LABEL = re.compile(
    r"^(?:(?P<art>(?:Статья|Article|Art\.|Пункт|Раздел|Section|Chapter|Глава)\s+[\dIVXLC]+[\.\d]*|Preamble|Преамбула)"
    r"|(?P<pt>п\.\s*\d+[\.\d]*)"
    r"|(?P<num>\d{1,3}(?:\.\d{1,3})*)[.)](?=\s)"
    r"|(?P<let>[а-яa-z])\)(?=\s))",
    re.I,
)
_DOC_TYPES = re.compile(
    r"^(совместное\s+заявление|заявление|декларация|указ|распоряжение|постановление|соглашение|"
    r"договор|протокол|коммюнике|обращение|резолюция|joint\s+statement|statement|declaration|"
    r"agreement|treaty|protocol|communiqu[eé]|resolution|decree|charter)\b",
    re.I,
)
_HEADER_MAX = 6
# Editorial notes in a header ("(В редакции Указа … от 30.08.2004)", "Утратил силу - Указ … от 11.07.2004") date an
# amendment or a repeal, not the statement, and are not part of its title.
_NOTE_START = re.compile(r"^(?:\(|Утратил[аио]?\s+силу|В\s+редакции|Amended\s+by|Repealed\s+by)", re.I)


def parse_file(path: Path, statement_id: str | None = None) -> Statement:
    """Read and parse one file; IngestError says why a file cannot be a statement."""
    data = path.read_bytes()
    blocks = read_blocks(path)
    statement = parse_blocks(blocks, statement_id or path.stem, source=path.name)
    statement.sha256 = hashlib.sha256(data).hexdigest()
    return statement


def parse_blocks(blocks: list[str], statement_id: str, source: str = "") -> Statement:
    blocks = [_unspace(b) for b in blocks if b.strip()]
    n_header = _header_length(blocks)
    header, body = blocks[:n_header], _join_continuations(blocks[n_header:])
    if not body:
        raise IngestError("no body paragraphs found (only a header)")
    header = _join_continuations(header, header=True)
    lines = [ln for block in header for ln in block.split("\n")]
    lines = [ln for i, ln in enumerate(lines) if i not in _notes(lines)]
    date = next((d for d in map(find_date, lines) if d), "")
    place = next((p for p in map(find_place, lines) if p), "")
    if not date or not place:
        tail = [ln for block in body if len(block) < 120 for ln in block.split("\n")]
        date = date or next((d for d in map(find_date, tail) if d and len(_line_without_date(tail, d)) < 40), "")
        place = place or next((p for p in map(find_place, tail) if p), "")
    title_lines = [ln for ln in lines if not find_date(ln) and not find_place(ln)] or lines[:1]
    title = _title(title_lines)
    paragraphs = [Paragraph(0, "\n".join(header), "")]
    paragraphs += [Paragraph(i, text, _label(text)) for i, text in enumerate(body, 1)]
    return Statement(statement_id, title, _issuer(title) or _parties(body[0]), date, place, source, paragraphs)


def _notes(lines: list[str]) -> set[int]:
    """Which lines (or blocks) are editorial notes: from a note's start through the line that dates or closes it."""
    notes: set[int] = set()
    inside = False
    for i, line in enumerate(lines):
        text = line.strip()
        inside = inside or bool(_NOTE_START.match(text))
        if inside:
            notes.add(i)
            inside = not (find_date(text) or text.endswith(")"))
    return notes


def _line_without_date(lines: list[str], date: str) -> str:
    line = next(ln for ln in lines if find_date(ln) == date)
    return re.sub(r"[\d.,\s]|года?|г\.", "", line)


def _unspace(block: str) -> str:
    """'У К А З' (letter-spaced headings) → 'УКАЗ'."""
    if re.fullmatch(r"(?:\w ){2,}\w", block.strip()):
        return block.replace(" ", "")
    return block


def _is_header_like(block: str) -> bool:
    text = block.strip()
    if len(text) > 400 or _LABEL.match(text):
        return False
    if find_date(text) and len(text) < 200:
        return True
    if len(text) < 300 and not _TRAILING_NOTE.sub("", text).endswith((".", "!", "?", ";", ":", ",")):
        return True
    return text.isupper()


def _header_length(blocks: list[str]) -> int:
    """The header runs to the date/place block near the top, else over the leading title-like blocks."""
    limit = min(len(blocks) - 1, _HEADER_MAX)
    notes = _notes(blocks[:limit])
    for i in range(1, limit):
        block = blocks[i]
        if len(block) < 200 and i not in notes and not _LABEL.match(block) and (find_date(block) or find_place(block)):
            if all(len(b) < 400 and not _LABEL.match(b) for b in blocks[:i]):
                return i + 1
            break
    n = 0
    while n < limit and _is_header_like(blocks[n]):
        n += 1
    return max(n, 1)


def _ends_sentence(text: str) -> bool:
    # A trailing editorial note or footnote mark ("… пара. [нет в источнике]", "… 2018.[3]") does not cut the sentence.
    return _TRAILING_NOTE.sub("", text.rstrip()).endswith(_TERMINAL)


def _join_continuations(blocks: list[str], header: bool = False) -> list[str]:
    """A block starting mid-sentence continues the previous one (a page or column break)."""
    out: list[str] = []
    for block in blocks:
        starts_lower = block[:1].islower() and not _LABEL.match(block)
        if out and header:
            if starts_lower:
                out[-1] += " " + block
                continue
        elif out and (starts_lower or (_broken_sentence(out[-1]) and not _LABEL.match(block))):
            sep = "" if re.search(r"\w-$", out[-1]) and block[:1].islower() else " "
            out[-1] = (out[-1][:-1] if sep == "" else out[-1]) + sep + block
            continue
        elif out and _is_heading(out[-1]) and not _is_heading(block):
            out[-1] += "\n" + block
            continue
        out.append(block)
    return out


def _broken_sentence(text: str) -> bool:
    """A long block that stops without terminal punctuation was cut by a page break."""
    return len(text) >= 120 and not _ends_sentence(text) and not _is_heading(text)


def _is_heading(text: str) -> bool:
    """'Статья 5' / 'Article 5' / 'ПРЕАМБУЛА' standing alone: it labels the paragraph after it."""
    m = _LABEL.match(text)
    if m and m.group("art") and len(text) < 40 and "\n" not in text:
        return True
    return text.isupper() and len(text) < 60 and "\n" not in text


def _label(text: str) -> str:
    m = _LABEL.match(text)
    if not m:
        return ""
    label = m.group(0).rstrip(".")
    return label


def _title(lines: list[str]) -> str:
    text = " ".join(ln.strip().title() if ln.isupper() and " " in ln.strip() else ln.strip() for ln in lines if ln.strip())
    text = re.sub(r"\s+", " ", text)
    m = _DOC_TYPES.match(text)
    if m and text[: m.end()].isupper() and len(text) > m.end():
        head = m.group(0).capitalize()
        rest = text[m.end():].strip()
        if rest.isupper():
            rest = rest.capitalize()
        text = f"{head} {rest}"
    elif text.isupper():
        text = text.capitalize()
    return text


_ISSUER_RE = re.compile(
    r"^(?:joint\s+|final\s+)?[a-zé]+\s+(?:by\s+(?:the\s+)?|of\s+the\s+|of\s+(?=(?-i:[A-Z]{2})))"  # not 'Declaration of Human Rights'
    r"(?P<en>.+?)(?:\s+(?:on|regarding|concerning|about|in connection with)\s+|$)"
    r"|^(?:совместное\s+)?\w+\s+(?P<ru>[А-ЯЁ].+?)(?:\s+(?:о|об|по|в связи с)\s+|$)",
    re.I,
)
# Names of bodies that contain a topic-like 'о …' phrase of their own.
_PROTECTED = re.compile(r"(Договора?|Договором|Договоре)\s+о\s+(коллективной\s+безопасности)", re.I)


def _issuer(title: str) -> str:
    """The body that issued it, from 'Statement of X on …' / 'Заявление X о …' (X put in the nominative)."""
    if not _DOC_TYPES.match(title):
        return ""
    m = _ISSUER_RE.match(_PROTECTED.sub("\\1~о~\\2", title))
    if not m:
        return ""
    if m.group("en"):
        return m.group("en").strip(" ,")
    issuer = m.group("ru").strip(" ,").replace("~", " ")
    return _nominative(issuer)


_PARTIES = re.compile(r"^We,\s+(?:the\s+)?(?P<parties>[A-Z].{2,200}?),\s+(?:as|being|hereinafter|having|meeting|gathered)\b")


def _parties(first_paragraph: str) -> str:
    """An agreement's title names no issuer, but its preamble does: 'We, the Republic of Belarus, … and Ukraine, as …'."""
    m = _PARTIES.match(first_paragraph)
    return m.group("parties") if m else ""


def _nominative(phrase: str) -> str:
    """'Совета коллективной безопасности …' → 'Совет коллективной безопасности …' (the head noun only)."""
    try:
        import pymorphy3
    except ImportError:
        return phrase
    morph = _morph(pymorphy3)
    words = phrase.split(" ")
    for parse in morph.parse(words[0]):
        if {"gent", "NOUN"} <= set(parse.tag.grammemes) or {"gent", "NOUN"} <= parse.tag.grammemes:
            inflected = parse.inflect({"nomn"})
            if inflected:
                word = inflected.word
                words[0] = word.capitalize() if words[0][:1].isupper() else word
                if words[0].isupper():
                    words[0] = word.upper()
            break
    return " ".join(words)


_MORPH = None


def _morph(pymorphy3):
    global _MORPH
    if _MORPH is None:
        _MORPH = pymorphy3.MorphAnalyzer()
    return _MORPH
