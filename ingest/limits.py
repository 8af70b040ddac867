"""Limits on one file (size, .docx expansion, paragraphs, parse time and memory) and the checks that apply them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.parse import parse_file
from ingest.records import IngestError, Statement

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The QA_MAX_* settings that bound one file's parse (config.Settings describes each)."""

    max_file_mb: float = 20.0
    max_paragraphs: int = 5000
    max_unzipped_mb: float = 50.0
    max_parse_seconds: float = 60.0
    max_parse_mb: int = 2048

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(settings.max_file_mb, settings.max_paragraphs, settings.max_unzipped_mb, settings.max_parse_seconds,
                   settings.max_parse_mb)


def check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        raise IngestError(f"file too large: {size / MB:.1f} MB (limit {limits.max_file_mb:g} MB, QA_MAX_FILE_MB)")


def check_unzipped(path: Path, limits: Limits) -> None:
    """A .docx is a zip: what its members would expand to is summed from the zip directory, before anything is
    extracted (Python's zipfile never inflates a member past the size the directory declares)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            total = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip at all: the reader says so in its own words
    if total > limits.max_unzipped_mb * MB:
        raise IngestError(f"the .docx would expand to {total / MB:.0f} MB (limit {limits.max_unzipped_mb:g} MB, "
                          "QA_MAX_UNZIPPED_MB); a zip bomb?")


def check_paragraphs(statement: Statement, limits: Limits) -> None:
    if len(statement.body) > limits.max_paragraphs:
        raise IngestError(f"too many paragraphs: {len(statement.body)} (limit {limits.max_paragraphs}, QA_MAX_PARAGRAPHS)")


def parse_checked(path: Path, limits: Limits) -> Statement:
    """One file parsed within the limits that can be checked from the file and the result (time and memory are the
    sandbox's); IngestError says which limit a file exceeds."""
    check_size(path, limits)
    if path.suffix.lower() == ".docx":
        check_unzipped(path, limits)
    statement = parse_file(path)
    check_paragraphs(statement, limits)
    return statement


def failure_reason(exc: BaseException) -> str:
    """Any exception from parsing one file as the one-line reason its `failed` entry gives."""
    if isinstance(exc, IngestError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "out of memory while parsing"
    if isinstance(exc, OSError):
        return f"cannot read the file ({exc.strerror or exc.__class__.__name__})"
    if isinstance(exc, RecursionError):
        return "nested too deeply to parse (RecursionError)"
    detail = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"cannot parse: {exc.__class__.__name__}" + (f": {detail}" if detail else "")
