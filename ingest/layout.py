"""Hard-wrapped text (fixed-width originals, PDF text layers) → paragraph blocks, read from indentation and line length.

A reflowed text marks paragraphs with blank lines; a hard-wrapped one marks them by indenting a paragraph's first line,
by ending its last line short, and by centring headings. Tables drawn with `¦` become one block per row (tables.py)."""
from __future__ import annotations

import re
from collections import Counter

from ingest.records import Block
from ingest.structure import CUT_TITLE, names_instrument
from ingest.tables import RULE, SEPARATOR, fixed_width_table

# A line that starts a list item or an article starts a new paragraph whatever its indentation.
_STARTS_ITEM = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.\s|[а-яa-z]\)\s|[-•–—]\s|(?:Статья|Article|Art\.)\s+\d)", re.I)
_ENDS_CLAUSE = re.compile(r"[.;:!?]['\"»”)\]]*$")


def is_hard_wrapped(lines: list[str]) -> bool:
    """Most lines run on into the next one (no blank line between paragraphs' lines) at a common width."""
    nonempty = [ln for ln in lines if ln.strip()]
    if len(nonempty) < 8:
        return False
    running = sum(1 for a, b in zip(lines, lines[1:]) if a.strip() and b.strip())
    return running / len(nonempty) >= 0.5 and _width(lines) <= 120


def _width(lines: list[str]) -> int:
    """The wrap width: the commonest length of long lines (justified text ends them all at one column)."""
    lengths = [len(ln.rstrip()) for ln in lines if len(ln.strip()) >= 40 and "¦" not in ln and not RULE.match(ln)]
    if not lengths:
        return max((len(ln.rstrip()) for ln in lines), default=0)
    common = Counter(lengths).most_common(3)
    return max(length for length, _ in common)


def wrapped_blocks(lines: list[str]) -> list[Block]:
    """Paragraph blocks of hard-wrapped lines; tables as one block per row; `____` separators kept as rules."""
    from ingest.readers import unwrap

    width = _width(lines)
    indents = [len(ln) - len(ln.lstrip(" ")) for ln in lines if ln.strip()]
    base = min(indents, default=0)
    indented = Counter(i for i in indents if i > base + 1)
    para_indent = indented.most_common(1)[0][0] if indented else base
    blocks: list[Block] = []
    current: list[str] = []
    heading: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(Block(unwrap(current)))
            current.clear()
        if heading:
            blocks.append(Block(unwrap(heading), "heading"))
            heading.clear()

    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        table = fixed_width_table(lines, i)
        if table is not None:
            flush()
            rows, i = table
            blocks.extend(rows)
            continue
        i += 1
        text = line.strip()
        if not text:
            flush()
            continue
        if SEPARATOR.match(line):
            flush()
            blocks.append(Block(text, "rule"))
            continue
        indent = len(line) - len(line.lstrip(" "))
        # Centred headings and right-aligned notes stand off both margins; their lines run on into one block.
        # A centred block's widest line may sit on the paragraph margin; a short line there starts a paragraph.
        runs_on = (heading and (indent >= para_indent + 3 or indent == para_indent and len(text) >= width - 16)
                   and len(text) < width - 4 and not _STARTS_ITEM.match(text))
        if _centred(indent, len(text), width, {base, para_indent}) or runs_on:
            if current:
                flush()
            heading.append(text)
            continue
        if indent >= para_indent + 12 and len(text) < width - 4 and not current:
            heading.append(text)
            continue
        if heading:
            flush()
        previous = current[-1] if current else ""
        # A line in capitals is a heading of its own ("AGREEMENT ESTABLISHING THE COMMONWEALTH …" over its preamble).
        new = (indent > base + 1 or bool(_STARTS_ITEM.match(text)) or _ended(previous, text, width)
               or _caps_line(text) != _caps_line(previous))
        if new and current:
            flush()
        current.append(text)
    flush()
    return blocks


def _caps_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _centred(indent: int, length: int, width: int, margins: set[int]) -> bool:
    """A heading line: indented off the text's own margins and centred on the page width."""
    return indent not in margins and indent >= 3 and length < width - 4 and abs(indent + length / 2 - width / 2) <= 4.5


def _ended(previous: str, text: str, width: int) -> bool:
    """The previous line ended its paragraph: short with a clause end, or so short that the next word would have fit."""
    if not previous:
        return False
    room = width - len(previous)
    first_word = text.split(" ", 1)[0]
    if _ENDS_CLAUSE.search(previous) and room > 8:
        return True
    if names_instrument(previous) and not CUT_TITLE.search(previous) and room > len(first_word) + 1:
        return True  # a title line in title case ("Minutes of the meeting of Heads of Independent States") over its text
    return room > len(first_word) + 12 and len(previous) < 0.6 * width
