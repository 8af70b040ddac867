"""Tables drawn in text (kremlin.ru `¦` tables): one row per record, carrying the column headers.

Two shapes reach us. A fixed-width original keeps the columns, so cells are cut at the `¦` positions of its header.
A reflowed copy has lost them (each row's lines were joined, interleaving the columns), so a row keeps its words
as written and carries the headers alone."""
from __future__ import annotations

import re

from ingest.records import Block

RULE = re.compile(r"^\s*-{20,}\s*$")
SEPARATOR = re.compile(r"^\s*_{4,}\s*$")
_DASH_RUN = re.compile(r"-{20,}")
_ANNEX = re.compile(r"^\s*ПРИЛОЖЕНИЕ\b")
# The first line of a row in a money table: a standalone figure with text after it ("… 620 капитальный ремонт").
_FIGURE_INSIDE = re.compile(r"(?<!\S)\d[\d ]*(?:[,.]\d+)?\s+\S")


def join_cell(lines: list[str]) -> str:
    """A cell's lines joined: a word broken at a hyphen («дом-» + «интернат») keeps it (tables break compounds)."""
    out = ""
    for line in (ln.strip() for ln in lines if ln.strip()):
        out = out + line if out.endswith("-") and out[-2:-1].isalpha() else (out + " " + line if out else line)
    return out


def _row_text(headers: tuple[str, ...], cells: list[str]) -> str:
    return "; ".join(f"{h}: {c}" if h else c for h, c in zip(headers, cells) if c)


def fixed_width_table(lines: list[str], start: int) -> tuple[list[Block], int] | None:
    """A table whose rule line is lines[start]: its rows and the index after it, or None if none starts here."""
    if not RULE.match(lines[start]) or start + 1 >= len(lines) or "¦" not in lines[start + 1]:
        return None
    end_header = next((j for j in range(start + 1, len(lines)) if RULE.match(lines[j])), None)
    if end_header is None:
        return None
    header_lines = lines[start + 1 : end_header]
    bounds = [i for i, ch in enumerate(header_lines[0]) if ch == "¦"]
    spans = list(zip([0, *[b + 1 for b in bounds]], [*bounds, 10_000]))
    headers = tuple(join_cell([ln[a:b].replace("¦", " ") for ln in header_lines]) for a, b in spans)
    rows: list[Block] = []
    row: list[str] = []
    i = end_header + 1
    blank = 0
    while i < len(lines):
        line = lines[i]
        if SEPARATOR.match(line) or RULE.match(line) or _ANNEX.match(line) or (blank >= 2 and line.strip()):
            break
        if not line.strip():
            blank += 1
            if row:
                rows.append(_fixed_row(row, bounds, headers))
                row = []
        else:
            blank = 0
            row.append(line)
        i += 1
    if row:
        rows.append(_fixed_row(row, bounds, headers))
    return rows, i


def _fixed_row(lines: list[str], bounds: list[int], headers: tuple[str, ...]) -> Block:
    columns: list[list[str]] = [[] for _ in range(len(bounds) + 1)]
    for line in lines:
        words: list[list[str]] = [[] for _ in columns]
        for m in re.finditer(r"\S+", line):
            words[sum(b <= m.start() for b in bounds)].append(m.group(0))
        for col, ws in zip(columns, words):
            if ws:
                col.append(" ".join(ws))
    cells = [join_cell(col) for col in columns]
    return Block(_row_text(headers, cells), "table-row", cells=tuple(zip(headers, cells)), headers=headers)


def flattened_tables(blocks: list[Block]) -> list[Block]:
    """Blocks of a reflowed copy with its `¦` tables turned into rows: the header row's block and its continuation
    give the column headers, and each row (re-joined when the reflow split it over blocks) becomes one block."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.text.count("¦") >= 2 and out and RULE.match(out[-1].text) and not block.kind:
            rows, i = _flattened(blocks, i)
            out.pop()  # the rule line above the header row
            out.extend(rows)
            continue
        out.append(block)
        i += 1
    return out


def _flattened(blocks: list[Block], i: int) -> tuple[list[Block], int]:
    names = [c.strip() for c in blocks[i].text.split("¦")]
    i += 1
    first_row = ""
    if i < len(blocks) and blocks[i].text.lstrip().startswith("¦"):
        head, *rest = _DASH_RUN.split(blocks[i].text, 1)
        first_row = rest[0] if rest else ""
        # Each joined header line contributes one segment per column boundary; the leftover lands in column k mod n.
        for k, segment in enumerate(head.split("¦")):
            if segment.strip() and len(names) > 1:
                col = k % (len(names) - 1)
                names[col] = f"{names[col]} {segment.strip()}".strip()
        i += 1
    headers = tuple(names)
    texts: list[str] = [first_row.strip()] if first_row.strip() else []
    while i < len(blocks) and not (SEPARATOR.match(blocks[i].text) or RULE.match(blocks[i].text) or _ANNEX.match(blocks[i].text)):
        texts.append(blocks[i].text)
        i += 1
    rows: list[str] = []
    figure_rows = sum(bool(_FIGURE_INSIDE.search(t)) for t in texts)
    by_figure = figure_rows >= 0.6 * max(1, len(texts) - figure_rows) and figure_rows >= 2
    for text in texts:
        continues = text[:1].islower() or (by_figure and not _FIGURE_INSIDE.search(text))
        if rows and continues:
            rows[-1] = join_cell([rows[-1], text]) if rows[-1].endswith("-") else rows[-1] + " " + text
        else:
            rows.append(text)
    return [Block(r, "table-row", headers=headers) for r in rows], i
