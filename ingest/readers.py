"""File readers: txt/md/html/pdf/docx → text blocks in reading order; encoding detection."""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from ingest.records import IngestError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """Bytes → str: BOMs first, then strict utf-8, then cp1251, then charset detection."""
    if not data.strip():
        raise IngestError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise IngestError("binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_like_text(text):
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not _looks_like_text(str(best)):
        raise IngestError("cannot decode text (not utf-8, utf-16 or cp1251)")
    return str(best)


def _looks_like_text(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    bad = len(_CONTROL.findall(text))
    return letters > 0 and bad / max(len(text), 1) < 0.01 and letters / len(text) > 0.3


def text_blocks(text: str) -> list[str]:
    """Plain text → blocks: blank lines separate; an indented line in a hard-wrapped block starts a new one."""
    text = _CONTROL.sub("", html.unescape(text.replace("\r\n", "\n").replace("\r", "\n")))
    blocks: list[str] = []
    for raw in re.split(r"\n[ \t\u00a0]*\n", text):
        lines = [ln for ln in raw.split("\n") if ln.strip()]
        if not lines:
            continue
        for group in _split_indented(lines):
            blocks.append(unwrap(group))
    return [b for b in blocks if b]


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


def unwrap(lines: list[str]) -> str:
    """Join hard-wrapped lines into one line, repairing end-of-line hyphenation (приме-\\nнение)."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and re.search(r"\w-$", out) and line[:1].islower():
            out = out[:-1] + line
        elif out:
            out += " " + line
        else:
            out = line
    return re.sub(r"[ \t\u00a0]{2,}", " ", out).strip()


def read_txt(path: Path) -> list[str]:
    text = decode_text(path.read_bytes())
    # Plain-text exports often carry Markdown headings ("## Article 1"); read those as Markdown.
    return text_blocks(_strip_markdown(text) if re.search(r"(?m)^#{1,6} \S", text) else text)


def read_md(path: Path) -> list[str]:
    return text_blocks(_strip_markdown(decode_text(path.read_bytes())))


def _strip_markdown(text: str) -> str:
    text = re.sub(r"^\s*-{3,}\s*$", "", text, flags=re.M)
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)


_BLOCK_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd", "dt"]


def read_html(path: Path) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(path.read_bytes()), "lxml")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "head"]):
        tag.decompose()
    blocks = []
    for el in soup.find_all(_BLOCK_TAGS):
        if el.find_parent(_BLOCK_TAGS):
            continue
        for br in el.find_all("br"):
            br.replace_with("\n")
        blocks.extend(text_blocks(el.get_text("")))
    if not blocks and soup.body:
        blocks = text_blocks(soup.body.get_text("\n\n"))
    return blocks


def read_pdf(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise IngestError(f"unreadable PDF ({exc})") from exc
    if not "".join(pages).strip():
        raise IngestError("PDF has no text layer (scanned?); OCR it first")
    blocks: list[str] = []
    for page in pages:
        lines = [ln for ln in page.split("\n") if not re.fullmatch(r"\s*(-\s*)?\d{1,4}(\s*-)?\s*", ln)]
        page_text = "\n".join(ln.rstrip() for ln in lines)
        blocks.extend(text_blocks(_dedent(page_text)))
    return blocks


def _dedent(text: str) -> str:
    """Layout extraction indents every line by the page margin; remove the common part only."""
    lines = text.split("\n")
    margins = [len(ln) - len(ln.lstrip(" ")) for ln in lines if ln.strip()]
    cut = min(margins, default=0)
    return "\n".join(ln[cut:] for ln in lines)


def read_docx(path: Path) -> list[str]:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise IngestError(f"not a valid .docx ({exc.__class__.__name__})") from exc
    blocks = []
    for para in doc.paragraphs:
        blocks.extend(text_blocks(para.text))
    return blocks


READERS: dict[str, Callable[[Path], list[str]]] = {
    ".txt": read_txt,
    ".text": read_txt,
    ".md": read_md,
    ".markdown": read_md,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
}


def read_blocks(path: Path) -> list[str]:
    """Dispatch on the file extension; raise IngestError with the reason on bad input."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise IngestError(f"unsupported file type {path.suffix or '(none)'!r}; expected one of {', '.join(sorted(READERS))}")
    if path.stat().st_size == 0:
        raise IngestError("empty file")
    blocks = reader(path)
    if not blocks:
        raise IngestError("no paragraphs found")
    return blocks
