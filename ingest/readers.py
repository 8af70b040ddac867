"""File readers: txt/md/html/pdf/docx/xml → text blocks in reading order (bytes → text: encoding.py)."""
from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ingest.encoding import decode_text
from ingest.layout import is_hard_wrapped, wrapped_blocks
from ingest.records import Block, IngestError
from ingest.tables import flattened_tables

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_blocks(text: str) -> list[Block]:
    """Plain text → blocks. Hard-wrapped text (fixed-width originals, PDF text) is read line by line (layout.py);
    otherwise blank lines separate blocks and an indented line inside a block starts a new one."""
    text = _CONTROL.sub("", html.unescape(text.replace("\r\n", "\n").replace("\r", "\n"))).replace("\u00a0", " ")
    lines = text.split("\n")
    if is_hard_wrapped(lines):
        return wrapped_blocks(lines)
    blocks: list[Block] = []
    for raw in re.split(r"\n[ \t]*\n", text):
        lines = [ln for ln in raw.split("\n") if ln.strip()]
        for group in _split_indented(lines) if lines else []:
            blocks.append(Block(unwrap(group)))
    return flattened_tables([b for b in blocks if b.text])


def _split_indented(lines: list[str]) -> list[list[str]]:
    """Fixed-width originals mark a new paragraph by indenting its first line, not by a blank line."""
    indents = [len(ln) - len(ln.lstrip(" ")) for ln in lines]
    if len(lines) < 2 or min(indents) == max(indents):
        return [lines]
    base = min(indents)
    groups: list[list[str]] = []
    for line, indent in zip(lines, indents):
        if indent > base + 1 or not groups:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


_BULLET = re.compile(r"^[-•–*]\s+\S")
_HYPHENATED = re.compile(r"[^\W\d_]{2}-$")  # приме-|нение; "word -" is a dash, not a hyphen


def unwrap(lines: list[str]) -> str:
    """Join hard-wrapped lines into one line, repairing end-of-line hyphenation (приме-\\nнение); the items of a
    bulleted list stay on lines of their own."""
    # Pieces are joined once at the end and only the last three characters are matched: searching the whole text
    # joined so far for a line-final hyphen made a block of many lines quadratic (a 5 MB block never finished).
    parts: list[str] = []
    tail = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if parts and _BULLET.match(line):
            parts.append("\n" + line)
        elif parts and _HYPHENATED.search(tail) and line[:1].islower():
            parts[-1] = parts[-1][:-1]
            parts.append(line)
            tail = tail[:-1]
        elif parts:
            parts.append(" " + line)
        else:
            parts.append(line)
        tail = (tail + parts[-1])[-3:]
    return re.sub(r"[ \t\u00a0]{2,}", " ", "".join(parts)).strip()


def read_txt(path: Path) -> list[Block]:
    text = decode_text(path.read_bytes())
    # Plain-text exports often carry Markdown headings ("## Article 1"); read those as Markdown.
    return markdown_blocks(text) if re.search(r"(?m)^#{1,6} \S", text) else text_blocks(text)


def read_md(path: Path) -> list[Block]:
    return markdown_blocks(decode_text(path.read_bytes()))


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_blocks(text: str) -> list[Block]:
    """Markdown → blocks: headings marked as such; what stands before the first top-level heading (a repository's
    preface, links, notes) is marked as an editorial note, never the title."""
    text = re.sub(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", "", text, flags=re.M)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])", r"\1", text)
    blocks: list[Block] = []
    for raw in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        plain: list[str] = []
        for line in raw.split("\n"):
            m = _MD_HEADING.match(line)
            if m:
                blocks.extend(text_blocks("\n".join(plain)) if plain else [])
                plain = []
                blocks.append(Block(html.unescape(m.group(2)), "heading", label="#" * len(m.group(1))))
            elif line.strip():
                plain.append(line)
        blocks.extend(text_blocks("\n".join(plain)) if plain else [])
    first_top = next((i for i, b in enumerate(blocks) if b.kind == "heading" and b.label == "#"), 0)
    return [Block(b.text, "note") for b in blocks[:first_top]] + [Block(b.text, b.kind) for b in blocks[first_top:]]


_BLOCK_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd", "dt"]


def read_html(path: Path) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(path.read_bytes()), "lxml")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "head"]):
        tag.decompose()
    blocks: list[Block] = []
    for el in soup.find_all(_BLOCK_TAGS):
        if el.find_parent(_BLOCK_TAGS):
            continue
        for br in el.find_all("br"):
            br.replace_with("\n")
        found = text_blocks(el.get_text(""))
        heading = el.name in ("h1", "h2", "h3", "h4", "h5", "h6")
        blocks.extend(Block(b.text, "heading", label="#" * int(el.name[1])) if heading else b for b in found)
    if not blocks and soup.body:
        blocks = text_blocks(soup.body.get_text("\n\n"))
    return blocks


def read_pdf(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [_page_text(page) for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise IngestError(f"unreadable PDF ({exc})") from exc
    if not "".join(pages).strip():
        raise IngestError("PDF has no text layer (scanned?); OCR it first")
    blocks: list[Block] = []
    for page in _without_running_lines(pages):
        lines = [ln for ln in page.split("\n") if not re.fullmatch(r"\s*(-\s*)?\d{1,4}(\s*-)?\s*", ln)]
        page_text = "\n".join(re.sub(r"\s{2,}", " ", ln.strip()) for ln in lines)
        blocks.extend(text_blocks(page_text))
    return blocks


def _page_text(page) -> str:
    """A page's lines in reading order, with an empty line wherever the vertical gap is wider than the page's usual
    line spacing (the space a paragraph break leaves)."""
    lines: list[list] = [["", None]]

    def visit(text, cm, tm, font_dict, font_size) -> None:
        y = tm[5] * (cm[3] or 1) + cm[5]
        for k, piece in enumerate(text.split("\n")):
            if k:
                lines.append(["", None])
            if piece.strip() and lines[-1][1] is None:
                lines[-1][1] = y
            lines[-1][0] += piece

    page.extract_text(visitor_text=visit)
    placed = [(t, y) for t, y in lines if t.strip() and y is not None]
    gaps = sorted(a[1] - b[1] for a, b in zip(placed, placed[1:]) if a[1] - b[1] > 0.5)
    usual = gaps[len(gaps) // 2] if gaps else 0
    out: list[str] = []
    for i, (text, y) in enumerate(placed):
        if i and usual and (placed[i - 1][1] - y > 1.4 * usual or y > placed[i - 1][1] + 0.5):
            out.append("")
        out.append(text)
    return "\n".join(out)


def _without_running_lines(pages: list[str]) -> list[str]:
    """Page headers and footers: a first or last line repeated (digits aside) on at least a third of the pages."""
    if len(pages) < 3:
        return pages

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().lower())

    edges = Counter(key(ln) for page in pages for ln in _edge_lines(page))
    running = {k for k, n in edges.items() if k and n >= max(2, len(pages) / 3)}
    return ["\n".join(ln for ln in page.split("\n") if key(ln) not in running) for page in pages]


def _edge_lines(page: str) -> list[str]:
    lines = [ln for ln in page.split("\n") if ln.strip()]
    return lines[:2] + lines[-2:]


def read_docx(path: Path) -> list[Block]:
    import zipfile
    import zlib

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        _refuse_doctype(path)
        doc = Document(str(path))
        paras = [((p.style.name if p.style is not None else "").lower(), p.text) for p in doc.paragraphs]
    except IngestError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, PackageNotFoundError) as exc:
        raise IngestError(f"not a valid .docx ({exc.__class__.__name__}: {_one_line(exc)})") from exc
    except etree.LxmlError as exc:
        raise IngestError(f"not a valid .docx: broken XML inside ({_one_line(exc)})") from exc
    blocks: list[Block] = []
    for style, text in paras:
        heading = style.startswith(("heading", "title"))
        blocks.extend(Block(b.text, "heading") if heading else b for b in text_blocks(text))
    return blocks


_PROLOG_BYTES = 1 << 16


def _refuse_doctype(path: Path) -> None:
    """Word never writes a DTD: one inside a .docx is there to declare entities (a billion laughs, a local file), so
    the file is refused before any XML parser sees it. A DTD stands in the prolog, so each part's first 64 KB tell."""
    import zipfile

    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            if info.filename.lower().endswith((".xml", ".rels")):
                with package.open(info) as part:
                    head = part.read(_PROLOG_BYTES).replace(b"\x00", b"")  # UTF-16 parts too
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise IngestError(f"not a valid .docx: {info.filename} declares a DTD (entities are refused)")


def _one_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def read_xml(path: Path) -> list[Block]:
    """UDHR-style XML (efele.net/udhr): title, note, preamble, articles with their paragraphs and ordered lists."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(path.read_bytes(), parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(f"not well-formed XML ({exc})") from exc
    blocks: list[Block] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        text = re.sub(r"\s+", " ", "".join(el.itertext())).strip()
        if not text:
            continue
        if tag == "title":
            blocks.append(Block(text, "heading"))
        elif tag == "para":
            blocks.append(Block(text))
    if not blocks:
        raise IngestError("no <title> or <para> text found in the XML")
    return blocks


READERS: dict[str, Callable[[Path], list[Block]]] = {
    ".txt": read_txt,
    ".text": read_txt,
    ".md": read_md,
    ".markdown": read_md,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".xml": read_xml,
}


def unsupported(path: Path) -> str:
    """The reason a file no reader takes is skipped."""
    return f"unsupported file type {path.suffix or '(no extension)'} (supported: {', '.join(sorted(READERS))})"


def read_blocks(path: Path) -> list[Block]:
    """Dispatch on the file extension; raise IngestError with the reason on bad input."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise IngestError(unsupported(path))
    if path.stat().st_size == 0:
        raise IngestError("empty file")
    blocks = reader(path)
    if not blocks:
        raise IngestError("no paragraphs found")
    return blocks
