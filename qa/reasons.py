"""Why an answer was refused, as a code and its values: one English line for logs, the CLI and JSON; qa.explain words it."""
from __future__ import annotations

from dataclasses import dataclass

# code → the English line (its values fill the {}); the codes are what qa.explain and API clients read.
ENGLISH = {
    "empty_question": "empty question",
    "too_long": "the question is too long ({} characters; at most {})",
    "unreachable": "the statement store is unreachable: {}",
    "empty_store": "no statements match (is the store empty? run: python -m ingest add data/statements)",
    "no_match": "no statements match",
    "filters_match_nothing": "no statement matches the filters",
    "year_missing": "the question asks about {}; the statement does not mention it",
    "name_missing": "the question names {}; the statement does not",
    "quoted_missing": "the question names «{}»; the statement does not",
    "no_figure": "the question asks for a figure; the closest paragraph gives none",
    "unreadable": "the statements contain almost none of the question's words (coverage {:.2f})",
    "weak": "weak evidence: the closest paragraph (cosine {:.3f}) is unlikely to answer (p = {:.2f})",
    "weak_in_filters": "no statement within the chosen filters answers this well",
    "outside_filters": "outside the chosen filters, {} statement(s) answer it",
}


@dataclass(frozen=True)
class Reason:
    """One reason to refuse. `statements` are the ids it is about (those outside the filters that answer), kept out of
    the English line, which counts them."""

    code: str
    values: tuple = ()
    statements: tuple[str, ...] = ()

    def __str__(self) -> str:
        return ENGLISH[self.code].format(*self.values)

    def to_json(self) -> dict:
        return {"code": self.code, "values": list(self.values), "statements": list(self.statements)}


def line(reasons: list[Reason]) -> str:
    """All reasons as one English line ("" for none)."""
    return "; ".join(map(str, reasons))
