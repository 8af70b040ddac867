"""The typed records that flow through ingestion and answering (stdlib only)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """One citable paragraph: n=0 is the header, body paragraphs are 1.. in reading order."""

    n: int
    text: str
    label: str = ""


@dataclass
class Statement:
    """A parsed statement: header metadata plus its numbered paragraphs."""

    id: str
    title: str
    issuer: str
    date: str
    place: str
    source: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    sha256: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("sha256")
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
