"""Blocks → Statement: the header (¶0), then every part with its kind and its label path in the document's numbering."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from ingest.dates import find_date, find_place
from ingest.header import NOTE, issuer_from, number_of, signers, title_from
from ingest.readers import read_blocks
from ingest.records import Block, IngestError, Paragraph, Statement
from ingest.structure import CUT_TITLE, ENDS_CLAUSE, LABEL, PREAMBLE, names_instrument, structure

_TRAILING_NOTE = re.compile(r"(\s*\[[^\[\]\n]{1,40}\])+$")
_HEADER_MAX = 8
_TITLE_SEARCH = 15


def parse_file(path: Path, statement_id: str | None = None) -> Statement:
    """Read and parse one file; IngestError says why a file cannot be a statement."""
    data = path.read_bytes()
    statement = parse_blocks(read_blocks(path), statement_id or clean_name(path.stem), source=clean_name(path.name))
    statement.sha256 = hashlib.sha256(data).hexdigest()
    statement.origin = str(path.resolve())
    return statement


def clean_name(name: str) -> str:
    """A file name fit to be an id and to be printed: control and invisible characters (a newline, a right-to-left
    override) each become "_", so a listing line stays one line and shows what it names."""
    return "".join("_" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in name)


def parse_blocks(blocks: list[Block | str], statement_id: str, source: str = "") -> Statement:
    blocks = [b if isinstance(b, Block) else Block(b) for b in blocks]
    blocks = [Block(_unspace(b.text), b.kind, b.label, b.cells, b.headers) for b in blocks]
    blocks = [b for b in blocks if _has_words(b)]
    # By position, computed once: index() and `in` per block made a long preface quadratic.
    first_content = _first_content(blocks)
    preface = [b for b in blocks[:first_content] if b.kind == "note"]
    blocks = [b for i, b in enumerate(blocks) if i >= first_content or b.kind != "note"]
    n_header = _header_length(blocks)
    header, body = blocks[:n_header], _join_continuations(blocks[n_header:])
    notes = [b for b in header if NOTE.match(b.text)]
    header = _join_header([b for b in header if not NOTE.match(b.text)])
    body_text = "\n".join(b.text for b in body)
    lines = [ln for b in header for ln in b.text.split("\n")]
    title_lines = [ln for ln in lines if not find_date(ln) and not find_place(ln) and not number_of(ln)] or lines[:1]
    if not any(_names_document(ln) for ln in title_lines):
        # A cover page or a preface heads the file: the title is the first document heading further on, and the
        # cover joins the header.
        at = next((i for i, b in enumerate(body[:_TITLE_SEARCH]) if _names_document(b.text) and _title_line(b.text)), None)
        if at is not None:
            end = at + 1
            while end < len(body) and _title_line(body[end].text) and len(body[end].text) < 80 and not _names_document(body[end].text):
                end += 1
            header, body = header + body[:end], body[end:]
            lines = [ln for b in header for ln in b.text.split("\n")]
            title_lines = [ln for b in header[-(end - at):] for ln in b.text.split("\n")]
    if not body:
        raise IngestError("no body paragraphs found (only a header)")
    # A repository's preface is not the document's: it goes after it, so the document's own parts keep the numbers
    # they have in a copy without the preface.
    parts = structure(notes + body) + structure(preface)
    if not any(p.kind != "note" for p in parts):
        raise IngestError("no body paragraphs found (only a header and notes)")
    closing = [p.text for p in parts if p.kind == "signature"]
    # The act's own signature block dates and places it; header lines may cite another act's date («в Указ … от
    # 12 мая 2000 г.»), and annex stamps repeat (sometimes misprint) it.
    own = [ln for ln in (closing[0].split("\n") if closing else []) if len(ln) < 200]
    date = _first(find_date, own) or _first(find_date, lines) or _first(find_date, closing)
    place = _first(find_place, own) or _first(find_place, lines) or _first(find_place, closing)
    number = _first(number_of, lines) or _first(number_of, [ln for t in closing for ln in t.split("\n")])
    title = title_from(title_lines, body_text)
    first = next((p.text for p in parts if p.kind != "note"), "")
    paragraphs = [Paragraph(0, "\n".join(b.text for b in header), "", "header")]
    paragraphs += [Paragraph(i, p.text, p.label, p.kind, p.context) for i, p in enumerate(parts, 1)]
    return Statement(statement_id, title, issuer_from(title, first), date, place, source, paragraphs,
                     number=number, signatories=list(dict.fromkeys(n for t in closing for n in signers(t))))


def _title_line(text: str) -> bool:
    return len(text) < 200 and not _ends_clause(text) and not find_date(text) and not text.startswith(("[", "("))


def _first(find, lines: list[str]) -> str:
    return next((v for v in map(find, lines) if v), "")


def _names_document(text: str) -> bool:
    from ingest.header import DOC_TYPES

    return bool(DOC_TYPES.match(text.strip())) and len(text) < 300


def _has_words(block: Block) -> bool:
    """Cover-page debris (★, «/о 7-», a stray «Л» from a stamp) carries no word; rules and table rows are kept."""
    return block.kind in ("rule", "table-row") or bool(re.search(r"[^\W\d_]{2}", block.text)) or bool(number_of(block.text))


def _first_content(blocks: list[Block]) -> int:
    return next((i for i, b in enumerate(blocks) if b.kind != "note"), len(blocks))


def _unspace(text: str) -> str:
    """'У К А З' (letter-spaced headings) → 'УКАЗ'; «п о с т а н о в л я ю» inside a sentence → «постановляю»."""
    if re.fullmatch(r"(?:\w ){2,}\w", text.strip()):
        return text.replace(" ", "")
    for run in (r"(?<!\S)(?:[а-яёa-z] ){3,}[а-яёa-z](?!\w)", r"(?<!\S)(?:[А-ЯЁA-Z] ){3,}[А-ЯЁA-Z](?!\w)"):
        text = re.sub(run, lambda m: m.group(0).replace(" ", ""), text)
    return text


def _is_header_like(block: Block) -> bool:
    text = block.text.strip()
    if block.kind in ("table-row", "rule") or len(text) > 400 or LABEL.match(text) or PREAMBLE.match(text):
        return False
    if text.endswith(",") and len(text) > 120:
        return False
    if block.kind == "heading" or (find_date(text) and len(text) < 200) or NOTE.match(text):
        return True
    if len(text) < 300 and not _TRAILING_NOTE.sub("", text).endswith((".", "!", "?", ";", ":")):
        return True
    return text.isupper()


def _header_length(blocks: list[Block]) -> int:
    """The header runs to the date/place block near the top, else over the leading title-like blocks."""
    limit = min(len(blocks) - 1, _HEADER_MAX)
    for i in range(1, limit):
        text = blocks[i].text
        if len(text) < 200 and not NOTE.match(text) and not LABEL.match(text) and (find_date(text) or find_place(text)):
            if all(len(b.text) < 400 and not LABEL.match(b.text) for b in blocks[:i]):
                end = i + 1  # "8 ноября 2018 года," and "г. Астана" may stand on lines of their own
                while end < len(blocks) - 1 and len(blocks[end].text) < 60 and (find_date(blocks[end].text) or find_place(blocks[end].text)):
                    end += 1
                return end
            break
    n = 0
    titled = False  # a title line has begun: what continues it is a short line, or starts in lower case
    while n < limit and _is_header_like(blocks[n]) and not (n and blocks[n].kind == "heading" and _article(blocks[n].text)):
        text = blocks[n].text
        if titled and len(text) >= 120 and not text[:1].islower() and blocks[n].kind != "heading" and not NOTE.match(text):
            break
        titled = titled or not (_caps(text) or NOTE.match(text))
        n += 1
    return max(n, 1)


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _article(text: str) -> bool:
    m = LABEL.match(text)
    return bool(m and m.group("art"))


def _join_header(blocks: list[Block]) -> list[Block]:
    """Header lines, a title broken over several blocks joined into one (as a fixed-width original centres it)."""
    out: list[Block] = []
    for block in blocks:
        title_goes_on = out and not _caps(out[-1].text) and not _ends_clause(out[-1].text.rstrip(",")) or (out and out[-1].text.endswith(","))
        plain = not (find_date(block.text) or find_place(block.text) or number_of(block.text) or _caps(block.text))
        if out and (block.text[:1].islower() or title_goes_on and plain and not find_date(out[-1].text)):
            out[-1] = Block(out[-1].text + " " + block.text, out[-1].kind)
        else:
            out.append(block)
    return out


def _ends_clause(text: str) -> bool:
    # A trailing editorial note or footnote mark ("… пара. [нет в источнике]", "… 2018.[3]") does not cut the sentence;
    # nor does a clause joined to the next by a conjunction ("…мира; и").
    text = _TRAILING_NOTE.sub("", text.rstrip())
    text = re.sub(r"\s*\((?:См\.|[Вв]\s+редакции|Утратил)[^()]*\)$", "", text)
    return bool(ENDS_CLAUSE.search(text) or text.endswith(",") or re.search(r"[;,:]\s+\w{1,3}$", text))


def _join_continuations(blocks: list[Block]) -> list[Block]:
    """A block that starts mid-sentence continues the previous one (a page or column break in the source). Only long
    prose is ever cut so: a short line (a name, a heading, a list entry) ends where it ends. A heading in capitals
    («СОГЛАШЕНИЕ между …») runs on over short unpunctuated lines."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (prev is not None and not prev.kind and not block.kind and not LABEL.match(block.text) and not NOTE.match(block.text)
                and not NOTE.match(prev.text)):
            text = block.text
            if prev.text.count("[") > prev.text.count("]") and len(text) < 100 and not text.startswith("["):
                # "Art. 7 [TREATY ON REDUCTION AND ELIMINATION OF STRATEGIC OFFENSIVE" / "ARMS"
                joins = "]" in text or _caps(text)
            elif _caps_heading(prev.text):
                # «СОГЛАШЕНИЕ между … используемого» runs on; "EUROPEAN COMMISSION … LAW" (capitals to its end) does not.
                tail_lower = prev.text.split()[-1][:1].islower()
                joins = text[:1].islower() or ((tail_lower or CUT_TITLE.search(prev.text)) and len(text) < 100 and not _ends_clause(text))
            else:
                # A title in title case ("Protocol to the Agreement … and Ukraine") ends where its text begins.
                joins = (len(prev.text) >= 80 and not _ends_clause(prev.text) and (text[:1].islower() or len(prev.text) >= 120)
                         and not names_instrument(prev.text))
            if joins:
                sep = "" if re.search(r"[^\W\d_]{2}-$", prev.text) and text[:1].islower() else " "
                out[-1] = Block((prev.text[:-1] if sep == "" else prev.text) + sep + text)
                continue
        out.append(block)
    return out


def _caps_heading(text: str) -> bool:
    first = text.split(" ", 1)[0]
    return len(first) >= 4 and first.isalpha() and first.isupper() and not _ends_clause(text)
