"""The typed records that flow through ingestion and answering (stdlib only)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

# What a part of a statement is. Only ANSWER_KINDS compete as answers to content questions; headings, annex stamps,
# signature blocks and editorial notes stay visible in the statement but are context, not evidence (a signature block
# and the header answer "who signed / when / where" questions).
KINDS = ("header", "preamble", "item", "paragraph", "heading", "table-row", "annex-title", "signature", "note")
ANSWER_KINDS = frozenset({"preamble", "item", "paragraph", "table-row"})
METADATA_KINDS = frozenset({"header", "signature"})


@dataclass(frozen=True)
class Block:
    """A run of text as a reader found it, with what the format itself says about it (a heading, a table row)."""

    text: str
    kind: str = ""  # "" (plain), "heading", "table-row", "item" (a list item the format marks), "rule" (a ____ line)
    label: str = ""  # a label the format gives (XML article number, list position)
    cells: tuple[tuple[str, str], ...] = ()  # (column header, cell text) of a table row read from a fixed-width layout
    headers: tuple[str, ...] = ()  # a table row's column headers (also when its cells could not be separated)


@dataclass(frozen=True)
class Paragraph:
    """One citable part: n=0 is the header, body parts are 1.. in reading order (n is the stable citation key).

    `label` is the path in the document's own numbering («п. 2 «б»», "Article 13 (2)", «Приложение N 1, строка 4»);
    `context` is the heading chain it sits under, used to embed and index it with its surroundings."""

    n: int
    text: str
    label: str = ""
    kind: str = "paragraph"
    context: str = ""


@dataclass
class Statement:
    """A parsed statement: header metadata plus its numbered parts."""

    id: str
    title: str
    issuer: str
    date: str
    place: str
    source: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    sha256: str = ""
    number: str = ""  # «N 1318», «484-рп», "CDL (94) 54"
    signatories: list[str] = field(default_factory=list)
    origin: str = ""  # the file's resolved path: who may replace this statement without --replace

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("sha256")
        data.pop("origin")
        return data

    @property
    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.n > 0]


@dataclass(frozen=True)
class Chunk:
    """What one Chroma record holds: a paragraph, or part of a long one."""

    id: str
    statement_id: str
    paragraph: int
    part: int
    text: str
    tokens: int


class IngestError(ValueError):
    """A file that cannot become a statement; the message is 'reason' (the caller adds the path)."""
