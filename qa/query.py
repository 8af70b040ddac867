"""The question, read once: its language and words, their translations (dictionary, names across scripts,
abbreviations), what it asks about (the statement itself, a figure), what it names (years, «quotes»), its vectors."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ingest.terms import is_russian, term
from qa.index import Index
from qa.names import abbreviation_equivalents

# A question about the statement itself (when, where, who issued it, its title): its header and signature block answer.
_DOCUMENT = (r"(?:statement|declaration|document|agreement|decree|order|treaty|protocol|text|it|заявлени\w*|декларац\w*|документ\w*"
             r"|указ\w*|распоряжени\w*|соглашени\w*|договор\w*|протокол\w*)")
_DONE_VERB = (r"(?:sign\w*|adopt\w*|issu\w*|made|publish\w*|dated|enact\w*|принят\w*|принял\w*|подпис\w*|изда\w*"
              r"|опубликова\w*)")
# When, where or by whom something was signed, adopted or issued; its number, title or date ("Where do fighters
# relocate to, according to the statement?" asks about content, not about where the statement was made).
_ABOUT_STATEMENT = re.compile(
    rf"\b(?:when|what date|which date|where|in which city|in what city|what year|когда|где|какого числа|в каком (?:городе|году))\b"
    rf"[^?]{{0,120}}?\b{_DONE_VERB}"
    rf"|\b{_DONE_VERB}\b[^?]{{0,60}}?\b(?:when|where|когда|где)\b"
    r"|\bwho\b[^?]{0,60}?\b(?:signed|issued|adopted|published|wrote|authored|made th)|\bissued by\b|\bwhat number\b"
    rf"|\b(?:title|name|date|number) of (?:the|this|that) {_DOCUMENT}\b"
    r"|\bкто\b[^?]{0,60}?(?:автор|принял|подписал|издал|выступ)|\bавтор|\bназвани|как называется|\bномер\b|\bдат[аеуы]\b",
    re.I,
)
# Or a statement noun anywhere with a question about its place, year or author ("Which city was the statement signed
# in?", «В каком городе принято заявление?», "Which organisation's council made this statement?").
_STATEMENT_NOUN = re.compile(r"\b(?:statement|declaration|document|agreement|decree|communiqu\w*|treaty)\b"
                             r"|заявлени|деклараци|документ|соглашени|\bуказ", re.I)
_STATEMENT_ATTRIBUTE = re.compile(
    r"\b(?:which|what|in what)\s+(?:city|place|venue|year|country|organi[sz]ation|body|council)\b|\bmade (?:this|the|that|it)\b"
    r"|\bmade by\b|\bby whom\b|в каком (?:городе|месте|году)|как(?:ая|ой|ой именно) (?:организаци|орган)|\bкем\b|\bкакой стран", re.I)
# The statement itself is named by a lower-case noun ("the statement", "this declaration", «заявление»); a capitalised
# one is the name of some other document ("the Maastricht Treaty").
_NOUN = (r"(?-i:(?:the|this|that)\s+(?:statement|declaration|document|agreement|decree|order|communiqu\w*|treaty)\b"
         r"|(?:заявлени|деклараци|документ|соглашени|указ|распоряжени)\w*)")
_DONE = r"(?:adopted|signed|issued|made|published|dated|(?:принят|подписан|издан|опубликован|сделан)[оаы]?\b)"
# Only the header or signature can answer these: when, where, by whom it was made, what it is called.
_ONLY_HEADER = re.compile(
    rf"\b(?:when|where|what date|which date|what year|which year|what city|which city|когда|где|какого числа"
    rf"|в каком (?:городе|году|месте))\b.{{0,40}}{_NOUN}"
    rf"|{_NOUN}\s+(?:was\s+|were\s+|been\s+|было\s+|был\s+|была\s+)?{_DONE}"
    rf"|\b{_DONE}\s+(?:это\s+|данное\s+|настоящее\s+)?{_NOUN}"
    rf"|\b(?:author|title|issuer|name|автор|названи\w*)\s+(?:of\s+)?(?:этого\s+|данного\s+)?{_NOUN}"
    rf"|\bкто\b.{{0,30}}(?:автор|принял|подписал|издал|сделал|опубликовал)|как называется (?:это\s+|данное\s+)?{_NOUN}",
    re.I,
)
# "How many / how much" asks for a figure.
_ASKS_QUANTITY = re.compile(r"\bhow (?:much|many)\b|\bсколько\b|\bв какую сумму\b|\bкаков\w* (?:размер|объ[её]м|сумм|числ|количеств)", re.I)
_ASKS_DATE = re.compile(r"\bwhen\b|\bwhat (?:date|year)\b|\bкогда\b|\bкакого числа\b|\bв каком году\b", re.I)
_ASKS_PERSON = re.compile(r"\bwho(?:m|se)?\b|\bкто\b|\bкого\b|\bкому\b|\bкем\b", re.I)
_WORD = re.compile(r"[^\W\d_][\w-]*")


@dataclass
class Query:
    """Everything retrieval, refusal and quoting need to know about one question."""

    text: str
    russian: bool
    vector: np.ndarray
    translations: dict[str, list[str]] = field(default_factory=dict)  # question word → corpus words it also matches
    loose: dict[str, tuple[str, ...]] = field(default_factory=dict)  # looser dictionary senses, for truncation stems
    mixed_vector: np.ndarray | None = None  # the question with its translations appended, embedded
    about_statement: bool = False
    only_header: bool = False
    asks_quantity: bool = False
    asks_date: bool = False
    asks_person: bool = False
    years: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)


def asks_about_statement(question: str) -> bool:
    """A question about the statement itself, which its header and signature block answer (a ranker feature)."""
    return bool(_ABOUT_STATEMENT.search(question)) or bool(_STATEMENT_NOUN.search(question) and _STATEMENT_ATTRIBUTE.search(question))


def only_header_answers(question: str) -> bool:
    """When, where or by whom "the statement" was made, or its title (a ranker feature)."""
    return bool(_ONLY_HEADER.search(question))


def read_query(index: Index, question: str) -> Query:
    """Read the question once: translations, intents, names; the vectors of the question and its translated form."""
    s = index.settings
    translations, loose = translate(index, question)
    vector = index.query_vectors([question])[0]
    mixed = None
    if translations and s.translated_query_weight > 0:
        # e5 matches a question to text in another language better when the question carries that language's words.
        mixed = index.query_vectors([question + " " + " ".join(t[0] for t in translations.values())])[0]
    return Query(
        question, is_russian(question), vector, translations, loose, mixed,
        about_statement=asks_about_statement(question), only_header=only_header_answers(question),
        asks_quantity=bool(_ASKS_QUANTITY.search(question)), asks_date=bool(_ASKS_DATE.search(question)),
        asks_person=bool(_ASKS_PERSON.search(question)),
        years=re.findall(r"\b(1[89]\d\d|20\d\d)\b", question),
        quoted=re.findall(r"[«\"“]([^»\"”]{2,40})[»\"”]", question),
    )


def translate(index: Index, question: str) -> tuple[dict[str, list[str]], dict[str, tuple[str, ...]]]:
    """The question's words in the corpus's other language: dictionary translations (English→Russian and back), the
    same name in the other script (Khloponin → Хлопонина), and abbreviations (UN → ООН)."""
    s, lexical = index.settings, index.lexical
    if not s.expand_queries or lexical is None:
        return {}, {}
    foreign = lexical.foreign_words(question, s.expand_max_words)
    translations = lexical.translate(foreign, index.query_vectors, index.dictionary, s.max_translations)
    if index.dictionary:
        russian = lexical.russian_words(question, s.expand_max_words)
        translations.update(lexical.translate_russian(russian, index.dictionary, index.reverse_cache, s.max_translations,
                                                      index.query_vectors))
    for word in dict.fromkeys(_WORD.findall(question)):
        found = [w for w in _across_scripts(index, word) if term(w) in lexical.df]
        if found:
            translations[word] = list(dict.fromkeys([*translations.get(word, []), *(term(w) for w in found)]))
    loose = {w: index.dictionary.translations(w)[:3] for w in foreign} if index.dictionary else {}
    return translations, loose


def _across_scripts(index: Index, word: str) -> list[str]:
    """A name spelled in the other script in the corpus, or an abbreviation's other-language form."""
    out: list[str] = []
    if word.isupper() and 2 <= len(word) <= 8:
        out += [a for a in abbreviation_equivalents(word) if " " not in a]
    if word[:1].isupper() and len(word) >= 4 and index.names is not None:
        out += index.names.lookup(word)[:3]
    return out
