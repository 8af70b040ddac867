"""The question, read once: its language and words, their translations (dictionary, names across scripts,
abbreviations), what it asks about (the statement itself, a figure), what it names (years, «quotes»), its vectors."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import numpy as np

from ingest.terms import is_russian, term
from qa.index import Index
from qa.lexical import capped_words
from qa.names import abbreviation_equivalents


def _any(*alternatives: str) -> re.Pattern:
    """Case-insensitive alternatives, each beginning with a letter (after an optional \\b), led by a class of those first
    letters: a pattern that begins with \\b or a group is tried at every position of the text, one that begins with a
    class only where an alternative can start (5-10 times faster on long text)."""
    firsts = {a.removeprefix(r"\b")[0] for a in alternatives}
    if not all(c.isalpha() for c in firsts):
        raise ValueError(f"each alternative must begin with a letter: {alternatives}")
    return re.compile(f"(?=[{''.join(sorted(firsts))}])(?:{'|'.join(alternatives)})", re.I)


def _words(*words: str, end: str = r"\b") -> re.Pattern:
    """Whole words or phrases (each may end in a regex, such as \\w*), case-insensitive."""
    return _any(*(rf"\b{w}{end}" for w in words))


# A question about the statement itself (when, where, who issued it, its title): its header and signature block answer.
_DOCUMENT = (r"(?:statement|declaration|document|agreement|decree|order|treaty|protocol|text|it|заявлени\w*|декларац\w*|документ\w*"
             r"|указ\w*|распоряжени\w*|соглашени\w*|договор\w*|протокол\w*)")
# When, where or by whom something was signed, adopted or issued; its number, title or date ("Where do fighters
# relocate to, according to the statement?" asks about content, not about where the statement was made). Two phrases
# at most N characters apart are found by near() from one scan for each, not by one pattern with a gap between them:
# a gap such as [^?]{0,120}? retries the second phrase at every point of every gap (issue #13 saw all routes hang on
# 100 KB of "when "; the bounded gap still took 0.2 s, the pair search takes a few ms).
_ASKED_WHEN = _words("when", "what date", "which date", "where", "in which city", "in what city", "what year", "когда", "где",
                     "какого числа", "в каком (?:городе|году)")
_VERB_STEMS = ("sign", "adopt", "issu", "publish", "enact", "принят", "принял", "подпис", "изда", "опубликова")
_DONE_VERB_START = _words(*_VERB_STEMS, "made", "dated", end="")
_DONE_VERB_WORD = _words(*(rf"{v}\w*" for v in _VERB_STEMS), "made", "dated")  # \w* stops at the word's end: no retries
_WHEN_WORD = _words("when", "where", "когда", "где")
_WHO = _words("who")
_WHO_DID = _words("signed", "issued", "adopted", "published", "wrote", "authored", "made th", end="")
_KTO = _words("кто")
_KTO_DID = _any("автор", "принял", "подписал", "издал", "выступ")
_ABOUT_STATEMENT = _any(r"\bissued by\b", r"\bwhat number\b",
                        *(rf"\b{w} of (?:the|this|that) {_DOCUMENT}\b" for w in ("title", "name", "date", "number")),
                        r"\bавтор", r"\bназвани", "как называется", r"\bномер\b", r"\bдат[аеуы]\b")
# Or a statement noun anywhere with a question about its place, year or author ("Which city was the statement signed
# in?", «В каком городе принято заявление?», "Which organisation's council made this statement?").
_STATEMENT_NOUN = _any(*(rf"\b{w}\b" for w in ("statement", "declaration", "document", "agreement", "decree", r"communiqu\w*", "treaty")),
                       "заявлени", "деклараци", "документ", "соглашени", r"\bуказ")
_STATEMENT_ATTRIBUTE = _any(
    *(rf"\b{w}\s+(?:city|place|venue|year|country|organi[sz]ation|body|council)\b" for w in ("which", "what", "in what")),
    r"\bmade (?:this|the|that|it)\b", r"\bmade by\b", r"\bby whom\b", "в каком (?:городе|месте|году)",
    "как(?:ая|ой|ой именно) (?:организаци|орган)", r"\bкем\b", r"\bкакой стран")
# The statement itself is named by a lower-case noun ("the statement", "this declaration", «заявление»); a capitalised
# one is the name of some other document ("the Maastricht Treaty"). A Russian noun's ending is at most 12 letters: an
# unbounded \w* before \s+ was retried at every «указ» of a long word, quadratic (20 s on 100 KB of «указ»).
_NOUN = (r"(?-i:(?:the|this|that)\s+(?:statement|declaration|document|agreement|decree|order|communiqu\w*|treaty)\b"
         r"|(?:заявлени|деклараци|документ|соглашени|указ|распоряжени)\w{0,12})")
_DONE = r"(?:adopted|signed|issued|made|published|dated|(?:принят|подписан|издан|опубликован|сделан)[оаы]?\b)"
# Only the header or signature can answer these: when, where, by whom it was made, what it is called.
_ASKED_WHEN_NOUN = _words("when", "where", "what date", "which date", "what year", "which year", "what city", "which city",
                          "когда", "где", "какого числа", "в каком (?:городе|году|месте)")
_NOUN_RE = re.compile(_NOUN, re.I)
_KTO_MADE = _any("автор", "принял", "подписал", "издал", "сделал", "опубликовал")
_ONLY_HEADER = re.compile(
    rf"{_NOUN}\s+(?:was\s+|were\s+|been\s+|было\s+|был\s+|была\s+)?{_DONE}"
    rf"|\b{_DONE}\s+(?:это\s+|данное\s+|настоящее\s+)?{_NOUN}"
    rf"|\b(?:author|title|issuer|name|автор|названи\w*)\s+(?:of\s+)?(?:этого\s+|данного\s+)?{_NOUN}"
    rf"|как называется (?:это\s+|данное\s+)?{_NOUN}",
    re.I,
)
# "How many / how much" asks for a figure.
_ASKS_QUANTITY = re.compile(r"\bhow (?:much|many|big|large)\b|\bwhat (?:[\w-]{1,15} ){0,2}(?:sum|amount|number of|cap|share)\b"
                            r"|\bсколько\b|\bв какую сумму\b|\bкаков\w* (?:размер|объ[её]м|сумм|числ|количеств)", re.I)
# "Which documents …?" asks for every statement that says it, not the best one: no score margin for the others.
_DOCUMENT_NOUNS = r"(?:documents|statements|declarations|decrees|orders|acts|agreements|texts|treaties)"
_ASKS_DOCUMENTS = re.compile(
    rf"\bwhich (?:of the )?(?:[\w-]{{1,20}} ){{0,3}}{_DOCUMENT_NOUNS}\b|\bwhat {_DOCUMENT_NOUNS}\b"
    r"|\bв как(?:их|ом) (?:[\w-]{1,20} ){0,2}(?:документах|указах|актах|распоряжениях|соглашениях|заявлениях|текстах)\b"
    r"|\bкакие (?:из )?(?:[\w-]{1,20} ){0,2}(?:документ|указ|распоряжени|акт|соглашени|заявлени)\w{0,4}\b", re.I)
_ASKS_DATE = re.compile(r"\bwhen\b|\bwhat (?:date|year)\b|\bdate\b|\bкогда\b|\bкакого числа\b|\bв каком году\b|\bдат[аеуы]\b", re.I)
# Why, or to what end: a preamble («В целях …», «В связи с …», "Desirous of …") gives a statement's reasons.
_ASKS_PURPOSE = re.compile(r"\bwhy\b|\b(?:purpose|aim|goal|reason|point)\b|\bзачем\b|\bпочему\b|\bради чего\b|\bдля чего\b"
                           r"|\bс какой целью\b|\bцел[ьиеюя]\b|\bпричин", re.I)
_ASKS_PERSON = re.compile(r"\bwho(?:m|se)?\b|\bкто\b|\bкого\b|\bкому\b|\bкем\b", re.I)
_WORD = re.compile(r"[^\W\d_][\w-]*")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# A «name» in quotes; no opening quote inside, so each try stops at the next one (linear in the question's length).
_QUOTED = re.compile(r"[«\"“]([^«»\"“”]{2,40})[»\"”]")


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
    asks_purpose: bool = False
    asks_documents: bool = False  # "which documents …?": every statement that answers, not the best one
    years: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)

    @property
    def reads_metadata(self) -> bool:
        """Whether headers and signature blocks may answer: a question about the statement itself, or one asking a date
        (often the act's own: "On what date was Khloponin put in charge?" is its signature's date)."""
        return self.about_statement or self.asks_date


def near(text: str, first: re.Pattern, then: re.Pattern, gap: int, stop: str) -> bool:
    """Whether a match of `then` starts at most `gap` characters after a match of `first` ends, with no `stop`
    character between: the pattern first[^stop]{0,gap}?then in linear time (each pattern scans the text once)."""
    ends = [m.end() for m in first.finditer(text)]
    if not ends:
        return False
    stops = [m.start() for m in re.finditer(f"[{re.escape(stop)}]", text)]
    for m in then.finditer(text):
        at = bisect.bisect_right(ends, m.start()) - 1  # the nearest end before it: if that one is too far, all are
        if at >= 0 and m.start() - ends[at] <= gap:
            blocked = bisect.bisect_left(stops, ends[at])
            if blocked == len(stops) or stops[blocked] >= m.start():
                return True
    return False


def asks_about_statement(question: str) -> bool:
    """A question about the statement itself, which its header and signature block answer (a ranker feature)."""
    return (near(question, _ASKED_WHEN, _DONE_VERB_START, 120, "?") or near(question, _DONE_VERB_WORD, _WHEN_WORD, 60, "?")
            or near(question, _WHO, _WHO_DID, 60, "?") or near(question, _KTO, _KTO_DID, 60, "?")
            or bool(_ABOUT_STATEMENT.search(question))
            or bool(_STATEMENT_NOUN.search(question) and _STATEMENT_ATTRIBUTE.search(question)))


def only_header_answers(question: str) -> bool:
    """When, where or by whom "the statement" was made, or its title (a ranker feature)."""
    return (near(question, _ASKED_WHEN_NOUN, _NOUN_RE, 40, "\n") or near(question, _KTO, _KTO_MADE, 30, "\n")
            or bool(_ONLY_HEADER.search(question)))


def read_query(index: Index, question: str) -> Query:
    """Read the question once: translations, intents, names; the vectors of the question and its translated form."""
    s = index.settings
    translations, loose = translate(index, question)
    texts = [question]
    if translations and s.translated_query_weight > 0:
        # e5 matches a question to text in another language better when the question carries that language's words.
        texts.append(question + " " + " ".join(t[0] for t in translations.values()))
    vectors = index.query_vectors(texts)  # one encoder call for both: 27 ms, not 14 + 17
    vector, mixed = vectors[0], (vectors[1] if len(texts) > 1 else None)
    return Query(
        question, is_russian(question), vector, translations, loose, mixed,
        about_statement=asks_about_statement(question), only_header=only_header_answers(question),
        asks_quantity=bool(_ASKS_QUANTITY.search(question)), asks_date=bool(_ASKS_DATE.search(question)),
        asks_person=bool(_ASKS_PERSON.search(question)), asks_purpose=bool(_ASKS_PURPOSE.search(question)),
        asks_documents=bool(_ASKS_DOCUMENTS.search(question)),
        years=_YEAR.findall(question), quoted=_QUOTED.findall(question),
    )


def translate(index: Index, question: str) -> tuple[dict[str, list[str]], dict[str, tuple[str, ...]]]:
    """The question's words in the corpus's other language: dictionary translations (English→Russian and back), the
    same name in the other script (Khloponin → Хлопонина), and abbreviations (UN → ООН)."""
    s, lexical = index.settings, index.lexical
    if not s.expand_queries or lexical is None:
        return {}, {}
    across = {word: found for word in capped_words(question, _WORD)
              if (found := [w for w in _across_scripts(index, word) if term(w) in lexical.df])}
    foreign = lexical.foreign_words(question, s.expand_max_words)
    translations = lexical.translate(foreign, index.query_vectors, index.dictionary, s.max_translations,
                                     s.translation_senses, frozenset(across))
    if index.dictionary:
        russian = lexical.russian_words(question, s.expand_max_words)
        translations.update(lexical.translate_russian(russian, index.dictionary, index.reverse_cache, s.max_translations,
                                                      index.query_vectors))
    for word, found in across.items():
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
