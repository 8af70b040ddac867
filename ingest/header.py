"""Statement metadata: title, issuer, date, place, number and signatories, from the header and the closing blocks."""
from __future__ import annotations

import re
from collections import Counter

from ingest.dates import find_date, find_place

DOC_TYPES = re.compile(
    r"^(?:совместное\s+|временное\s+)?(?:заявление|декларация|указ|распоряжение|постановление|соглашени[ея]|договор|"
    r"протокол|коммюнике|обращение|резолюция|положение|список|состав|устав|конвенция|"
    r"(?:joint\s+)?statement|declaration|agreements?|treaty|protocol|communiqu[eé]|resolution|decree|charter|convention|minutes|decision)\b",
    re.I,
)
# Editorial notes («(В редакции Указа … от 30.08.2004)», «Утратил силу - Указ … от 11.07.2004», "(См. …)") date an
# amendment or a repeal, not the statement. The o in «Утратилo» is sometimes a Latin o in kremlin.ru texts.
NOTE = re.compile(r"^\(?\s*(?:Утратил[аиоo]?\s+силу|В\s+редакции|См\.|Amended\s+by|Repealed\s+by|As\s+amended)", re.I)
# A document's own number: «N 1318», «N 484-рп», «№ 12», "No. 5", or a symbol such as "CDL (94) 54" / "A/46/771".
NUMBER_LINE = re.compile(r"^(?:N|№|No\.?)\s*(\d[\w/-]*(?:-[а-яa-z]+)?)$|^([A-Z]{2,5}\s?\(\d{2}\)\s?\d+)$|^([A-Z]/\d+/\d+)$")
# A signature: a role and initials-and-surname («Президент Российской Федерации В.Путин», "S. SHUSHKEVICH").
SIGNER = re.compile(r"(?:^|\s)((?:[А-ЯЁA-Z]\.\s?){1,2}[А-ЯЁA-Z][а-яёa-zА-ЯЁA-Z'-]+)\s*$")


def number_of(line: str) -> str:
    m = NUMBER_LINE.match(line.strip())
    return next((g for g in m.groups() if g), "") if m else ""


def signers(text: str) -> list[str]:
    """Initials-and-surname names at the ends of a signature block's lines."""
    return [m.group(1).strip() for line in text.split("\n") if (m := SIGNER.search(line.strip()))]


def title_from(lines: list[str], body: str) -> str:
    """The title: from the first line that names a document type (an agreement, a decree; never a cover page or a
    preface), through the lines that continue it. Capitals-only lines take the casing their words have in the body."""
    start = next((i for i, ln in enumerate(lines) if DOC_TYPES.match(ln.strip())), 0)
    chosen = []
    for line in lines[start:]:
        if chosen and (find_date(line) or find_place(line) or line.strip().startswith(("[", "("))):
            break
        chosen.append(line.strip())
    casing = _body_casing(body)
    text = " ".join(_recase(ln, casing, first=not i) if _is_caps(ln) else ln for i, ln in enumerate(chosen) if ln)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:1].upper() + text[1:]


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def _body_casing(body: str) -> dict[str, str]:
    """Each word's commonest spelling where it is not the first of a sentence (so «Федерации» stays capitalised)."""
    counts: dict[str, Counter] = {}
    for m in re.finditer(r"(?<![.!?:]\s)(?<!^)\b([^\W\d_][\w-]*)", body, re.M):
        word = m.group(1)
        if not word.isupper() or len(word) == 1:
            counts.setdefault(word.lower(), Counter())[word] += 1
    casing = {w: c.most_common(1)[0][0] for w, c in counts.items()}
    # A word seen only at the start of lines, never in lower case, is taken as capitalised («Президент …» signing).
    lower = {w for w in re.findall(r"\b[^\W\d_][\w-]*", body) if w.islower()}
    for w in re.findall(r"(?m)^([^\W\d_][\w-]*)", body):
        if w.lower() not in casing and w.lower() not in lower and w[:1].isupper() and not w.isupper():
            casing[w.lower()] = w
    # An inflection the body never uses («ПРЕЗИДЕНТА» beside «Президент») takes the casing of its word family.
    for w, form in list(casing.items()):
        if len(w) >= 6:
            casing.setdefault(w[:6] + "…", form)
    return casing


def _recase(line: str, casing: dict[str, str], first: bool) -> str:
    words = line.split()
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        core = re.sub(r"^\W+|\W+$", "", lower)
        if len(core) > 1 and core.upper() == core and not core.isalpha():
            out.append(word)
            continue
        family = casing.get(core[:6] + "…", "") if len(core) >= 6 else ""
        known = casing.get(core) or (core.capitalize() if family[:1].isupper() else core)
        cased = lower.replace(core, known) if core else lower
        out.append(cased[:1].upper() + cased[1:] if first and i == 0 else cased)
    return " ".join(out)


_ISSUER_RE = re.compile(
    r"^(?:joint\s+|final\s+)?[a-zé]+\s+(?:by\s+(?:the\s+)?|of\s+the\s+|of\s+(?=(?-i:[A-Z]{2})))"  # not 'Declaration of Human Rights'
    r"(?P<en>.+?)(?:\s+(?:on|regarding|concerning|about|in connection with)\s+|$)"
    r"|^(?:совместное\s+)?\w+\s+(?P<ru>[А-ЯЁ].+?)(?:\s+(?:о|об|по|в связи с)\s+|$)",
    re.I,
)
# Names of bodies that contain a topic-like 'о …' phrase of their own.
_PROTECTED = re.compile(r"(Договора?|Договором|Договоре)\s+о\s+(коллективной\s+безопасности)", re.I)
_PARTIES = re.compile(r"^We,\s+(?:the\s+)?(?P<parties>[A-Z].{2,200}?),\s+(?:as|being|hereinafter|having|meeting|gathered)\b")


def issuer_from(title: str, first_paragraph: str = "") -> str:
    """The body that issued it, from 'Statement of X on …' / 'Заявление X о …' (X put in the nominative); an
    agreement's title names no issuer, but its preamble does: 'We, the Republic of Belarus, … and Ukraine, as …'."""
    m = _ISSUER_RE.match(_PROTECTED.sub("\\1~о~\\2", title)) if DOC_TYPES.match(title) else None
    if m and m.group("en"):
        return m.group("en").strip(" ,")
    if m and m.group("ru"):
        return _nominative(m.group("ru").strip(" ,").replace("~", " "))
    parties = _PARTIES.match(first_paragraph)
    return parties.group("parties") if parties else ""


def _nominative(phrase: str) -> str:
    """'Совета коллективной безопасности …' → 'Совет коллективной безопасности …' (the head noun only)."""
    from ingest.terms import _analyzers

    words = phrase.split(" ")
    for parse in _analyzers()[0].parse(words[0]):
        if {"gent", "NOUN"} <= set(parse.tag.grammemes):
            inflected = parse.inflect({"nomn"})
            if inflected:
                word = inflected.word
                words[0] = word.upper() if words[0].isupper() else (word.capitalize() if words[0][:1].isupper() else word)
            break
    return " ".join(words)
