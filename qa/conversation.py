"""Follow-up questions read against the previous turns: the statements cited last become the focus, pronouns and
ellipses resolve to them, and the answer says how it read the question."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ingest.terms import terms
from qa.answer import Answer, answer
from qa.citations import date_words, short_title
from qa.index import Index
from qa.retrieve import Filters

# Short per-language lists: a pronoun points at the statement itself ("Who signed it?"); an ellipsis continues the
# previous question ("And which one is about recruitment?" = which of the operations just named).
_PRONOUN = re.compile(r"\b(?:it|its|this one|that one|this statement|that statement|this document|there|here)\b|"
                      r"(?<![\w-])(?:он|она|оно|его|её|ее|него|нём|нем|это|этом|этого|этой|эту|там|здесь|данном|данного)"
                      r"(?![\w-])", re.I)
_ELLIPSIS = re.compile(r"^\s*(?:and|also|what about|how about)\b|\b(?:which one|which of them|the other one|the same)\b|"
                       r"^\s*(?:а|и|также|что насч[её]т)(?![\w-])|(?<![\w-])(?:из них|какая из|какой из|которая из)(?![\w-])",
                       re.I)


# What a pronoun stands for once resolved: the statement itself, so a question about "it" reads as one about the statement
# (who signed it → who signed the statement), which is what lets its header and signature block answer.
_STANDS_FOR = {"its": "the statement's", "there": "in the statement", "here": "in the statement",
               "там": "в заявлении", "здесь": "в заявлении", "данном": "этом заявлении", "данного": "этого заявления",
               "этом": "этом заявлении", "этого": "этого заявления", "этой": "этом заявлении"}


def resolve_pronouns(question: str) -> str:
    """Pronouns replaced by the statement they point at ("Who signed it?" → "Who signed the statement?")."""
    def stand_for(match: re.Match) -> str:
        word = match.group(0)
        return _STANDS_FOR.get(word.lower(), "заявление" if re.search("[а-яё]", word, re.I) else "the statement")
    return _PRONOUN.sub(stand_for, question)


@dataclass
class Turn:
    """One earlier turn: the question as asked, how it was read, and the statements its answer cited."""

    question: str
    statements: list[str] = field(default_factory=list)
    read_as: str = ""


@dataclass
class Reading:
    """How a question was read: the text answered and the statements it was read against ([] = all of them)."""

    question: str
    text: str
    focus: list[str] = field(default_factory=list)
    kind: str = "new"  # new | pronoun | ellipsis | focus | other (the question names another statement)

    @property
    def follow_up(self) -> bool:
        return self.kind not in ("new", "other") and bool(self.focus)

    def scope(self, filters: Filters | None) -> Filters | None:
        """The filters that reproduce this reading on its own (a permalink): a follow-up's are narrowed to its focus."""
        return _within(filters, self.focus) if self.follow_up else filters

    def note(self, index: Index, lang: str) -> str:
        """(read as: "…" in Заявление … ОДКБ of 8 Nov 2018), or "" when the question was read as asked."""
        if not self.follow_up:
            return ""
        names = []
        for sid in self.focus[:3]:
            meta = _meta(index, sid)
            date = date_words(meta.get("date", ""), lang, short=True)
            names.append(short_title(meta.get("title", sid)) + (f" {'от' if lang == 'ru' else 'of'} {date}" if date else ""))
        if lang == "ru":
            return f"понято как: «{self.text}» в документе {' / '.join(names)}"
        return f'read as: "{self.text}" in {" / ".join(names)}'


def _meta(index: Index, statement_id: str) -> dict:
    try:
        return index.snapshot().statement(statement_id)[0]
    except KeyError:
        return {"title": statement_id}


def last_focus(history: list[Turn]) -> tuple[list[str], Turn | None]:
    """The statements cited by the latest turn that cited any, and that turn."""
    for turn in reversed(history):
        if turn.statements:
            return list(dict.fromkeys(turn.statements)), turn
    return [], None


def names_other(question: str, statement_id: str, focus: list[str], index: Index) -> bool:
    """The question names `statement_id` when some of its own words are in that statement's header (title, issuer,
    place, number) and in none of the focus statements' headers: "Who signed the CIS agreement?" after the CSTO one."""
    def header(sid: str) -> set[str]:
        meta = _meta(index, sid)
        return set(terms(" ".join(str(meta.get(k, "")) for k in ("title", "issuer", "place", "number"))))

    own = set(terms(question))
    focus_words = set().union(*(header(s) for s in focus)) if focus else set()
    return bool(own & (header(statement_id) - focus_words))


def keep(result: Answer, statement_ids: list[str]) -> Answer:
    """The answer with only the citations from `statement_ids` (a follow-up about "it" is not about the others)."""
    cited = [c for c in result.citations if c.statement_id in statement_ids]
    if len(cited) == len(result.citations):
        return result
    return replace(result, citations=cited, answered=bool(cited), answer="\n".join(c.render() for c in cited) or result.answer)


def _within(filters: Filters | None, focus: list[str]) -> Filters:
    """The user's filters narrowed to the focus (their own statement choice, when made, wins over the conversation's)."""
    base = filters or Filters()
    ids = [s for s in focus if not base.statement_ids or s in base.statement_ids] or base.statement_ids or focus
    return Filters(ids, base.since, base.until, base.issuer)


def ask(question: str, index: Index, history: list[Turn] | None = None, filters: Filters | None = None,
        k: int | None = None) -> tuple[Answer, Reading]:
    """Answer `question` as the next turn after `history`. Without earlier citations it is an ordinary question.
    Otherwise the cited statements are the focus, unless the question names another one (see names_other); an ellipsis
    is read together with the previous question; a question with neither pronoun nor ellipsis that the focus does not
    answer, while the whole store does, is read as a new question."""
    question = question.strip()
    focus, previous = last_focus(history or [])
    ellipsis, pronoun = bool(_ELLIPSIS.search(question)), bool(_PRONOUN.search(question))
    if previous and ellipsis:
        text = f"{previous.read_as or previous.question} {question}"
    else:
        text = resolve_pronouns(question) if previous and pronoun else question
    plain = answer(text, index, k, filters)
    if not focus or not question:
        return plain, Reading(question, question)
    kind = "ellipsis" if ellipsis else "pronoun" if pronoun else "focus"
    if kind == "pronoun":  # "it" is one statement: the one the last answer cited first
        focus = focus[:1]
    top = plain.citations[0].statement_id if plain.answered else ""
    if top and top not in focus and names_other(question, top, focus, index):
        return plain, Reading(question, question, [top], "other")
    reading = Reading(question, text, focus, kind)
    if top in focus:
        return keep(plain, focus), reading
    focused = answer(text, index, k, _within(filters, focus))
    if focused.answered or kind != "focus":
        return focused, reading
    return plain, Reading(question, question)


def turns_from(items: list) -> list[Turn]:
    """History from the API or a session file: bare questions, or {question, statements, read_as} objects."""
    out = []
    for item in items or []:
        if isinstance(item, str):
            out.append(Turn(item))
        elif isinstance(item, dict):
            out.append(Turn(str(item.get("question", "")), [str(s) for s in item.get("statements") or []],
                            str(item.get("read_as", ""))))
        else:
            out.append(Turn(item.question, list(item.statements), getattr(item, "read_as", "")))
    return out


def turn_of(result: Answer, reading: Reading) -> Turn:
    """The turn to remember: the statements cited (none for a refusal, so the focus stays where it was)."""
    return Turn(reading.question, list(dict.fromkeys(c.statement_id for c in result.citations)), reading.text)
