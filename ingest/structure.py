"""Body blocks → parts: each with its kind (item, preamble, table row, heading, annex title, signature, note) and its
label path in the document's own numbering («п. 2 «б»», "Article 13 (2)", «Приложение N 1, строка 4»)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.dates import find_date, find_place
from ingest.header import DOC_TYPES, NOTE, SIGNER, _body_casing, _is_caps, _recase, number_of
from ingest.records import Block
from ingest.terms import is_russian

LABEL = re.compile(
    r"^(?:(?P<art>(?:(?i:Статья|Article)|Art\.)\s+(?:[\dIVXLC]+|З)(?![\w-]))\.?"
    r"|(?P<pt>\d{1,3}(?:\.\d{1,3})*)[.)](?=\s)"
    r"|(?P<let>[а-яa-z])\)(?=\s))",
)
ENDS_CLAUSE = re.compile(r"[.;:!?]['\"»”)\]]*$")
PREAMBLE = re.compile(r"^(?:Preamble|Преамбула|\[PREAMBLE\])$", re.I)
_STAMP = re.compile(r"^(?:ПРИЛОЖЕНИЕ|Приложение|УТВЕРЖДЕН[АОЫ]?|Утвержден[аоы]?|ANNEX|Annex|Проект|ПРОЕКТ)(?:\s+(?:N|№)\s*\d+)?"
                    r"(?:\s+(?:к|Указом|Распоряжением|Постановлением|Президентом)\s.{0,120})?$")
_ROMAN = re.compile(r"^(?P<roman>[IVXLC]+)\.\s+\S")
_DONE = re.compile(r"^\[?(?:Done|Signed|Adopted)\s+(?:at|in)\s|^\[?Совершено\s+в\s|^(?:For|За)\s+(?:the\s+)?[A-ZА-ЯЁ]")
# A title cut at a line break ends on a word that cannot end a title, a dash or a comma: "… BELARUS, RUSSIA AND".
CUT_TITLE = re.compile(r"(?:\s(?:and|of|the|on|for|to|in|by|with|between|и|о|об|в|во|по|для|с|со|на|между)|\s[-–—]|,)$", re.I)
_BLANK = re.compile(r"_{3,}")
_SIGN_LINE = re.compile(r"^(?:For|За)\s+(?:the\s+)?[A-ZА-ЯЁ]|^\[?Signatures?\]?$")


@dataclass
class Part:
    kind: str
    text: str
    label: str = ""
    context: str = ""


@dataclass
class _Place:
    """Where the reader is in the document: annex/section, article, numbered item and sub-item, table row."""

    section: str = ""
    section_heading: str = ""
    chapter: str = ""  # «II. Основные задачи и функции Комиссии»: every item up to the next chapter sits under it
    subheading: str = ""  # a heading inside an item's list («судьей Московского городского суда»): until the next item
    article: str = ""
    item: str = ""
    sub: str = ""
    lead: str = ""
    row: int = 0
    numbered: bool = False  # an item or article has begun in this section (what came before it is the preamble)
    in_preamble: bool = False


def structure(blocks: list[Block]) -> list[Part]:
    """Parts in reading order; rules (`____`) close a signature block and are dropped."""
    russian = is_russian(" ".join(b.text for b in blocks[:50]))
    sections = _section_ids(blocks)
    casing = _body_casing("\n".join(b.text for b in blocks if not _is_caps(b.text)))
    numbered = {sections[i] for i, b in enumerate(blocks) if (m := LABEL.match(b.text)) and (m.group("art") or m.group("pt"))}
    parts: list[Part] = []
    at = _Place()
    i = 0
    while i < len(blocks):
        block, text = blocks[i], blocks[i].text.strip()
        if block.kind == "rule":
            i += 1
            continue
        m = LABEL.match(text)
        if block.kind == "note" or NOTE.match(text) or (m and NOTE.match(text[m.end():].strip())):
            if m and m.group("pt"):  # «3. (Утратил силу …)»: a repealed item keeps its number
                at.item, at.sub, at.numbered, at.in_preamble = m.group("pt"), "", True, False
            parts.append(Part("note", text, _item_label(m, at, russian), at.section_heading))
            i += 1
            continue
        if block.kind == "table-row":
            at.row += 1
            row = f"строка {at.row}" if russian else f"row {at.row}"
            context = " — ".join(filter(None, [at.section_heading, at.chapter, at.subheading, " | ".join(block.headers)]))
            parts.append(Part("table-row", text, _path(at.section, row), context))
            i += 1
            continue
        if _starts_signature(blocks, i):
            end = _signature_end(blocks, i)
            text = "\n".join(b.text for b in blocks[i:end])
            # A draft's blank signature («Совершено в ____ "___" ____ 2002 г.») dates and places nothing: it is the
            # draft's own text (its copies, its languages), not the act's signature block.
            blank = bool(_BLANK.search(text))
            parts.append(Part("paragraph" if blank else "signature", text, at.section if blank else "", at.section_heading))
            i = end
            continue
        if _STAMP.match(text):
            end = _stamp_end(blocks, i)
            at = _Place(section=_stamp_name(text, russian))
            parts.append(Part("annex-title", "\n".join(b.text for b in blocks[i:end]), at.section))
            i = end
            continue
        if is_heading(block, blocks, i):
            m = LABEL.match(text)
            if m and m.group("art"):
                at.article, at.item, at.sub, at.numbered, at.in_preamble = _article_name(m.group("art")), "", "", True, False
                parts.append(Part("heading", text, _path(at.section, at.article), at.section_heading))
            elif PREAMBLE.match(text):
                at.in_preamble = True
                parts.append(Part("heading", text, _path(at.section, "Преамбула" if russian else "Preamble"), at.section_heading))
            elif _is_section_heading(block):
                if i and sections[i] != sections[i - 1]:
                    at = _Place(section=_heading_name(text, casing))
                elif not at.section:
                    at.section = _heading_name(text, casing) if parts else ""
                at.section_heading = text
                parts.append(Part("heading", text, at.section, ""))
            elif (roman := _ROMAN.match(text)):
                at.chapter, at.subheading, at.item, at.sub = text, "", "", ""
                chapter = f"{'разд.' if russian else 'Part'} {roman.group('roman')}"
                parts.append(Part("heading", text, _path(at.section, chapter), at.section_heading))
            else:
                at.subheading = text
                parts.append(Part("heading", text, _path(at.section, at.article, _item(at, russian)), at.section_heading))
            i += 1
            continue
        m = LABEL.match(text)
        if m and m.group("pt"):  # a new numbered item closes the sub-headings of the one before (its list of courts)
            at.subheading = ""
        context = " — ".join(filter(None, [at.section_heading, at.article, at.chapter, at.subheading]))
        if m and (m.group("pt") or m.group("let")):
            if m.group("pt"):
                at.item, at.sub, at.lead, at.numbered = m.group("pt"), "", text[:200], True
            else:
                at.sub = m.group("let")
            at.in_preamble = False
            parts.append(Part("item", text, _item_label(m, at, russian), context))
        elif at.in_preamble or (not at.numbered and sections[i] in numbered and not at.article):
            parts.append(Part("preamble", text, _path(at.section, "Преамбула" if russian else "Preamble"), context))
        elif at.item or at.article:
            parts.append(Part("item", text, _path(at.section, at.article, _item(at, russian)),
                              " — ".join(filter(None, [context, at.lead if at.item else ""]))))
        else:
            parts.append(Part("paragraph", text, at.section, context))
        i += 1
    return _number_paragraphs(parts, russian)


def _section_ids(blocks: list[Block]) -> list[int]:
    """Each block's section: 0 is the main text; an annex stamp opens the next, and so does a section heading once the
    current section has had a heading, numbered items or table rows of its own (a compendium's next instrument)."""
    ids: list[int] = []
    section, filled = 0, False
    for i, block in enumerate(blocks):
        text = block.text.strip()
        if _STAMP.match(text):
            section, filled = section + 1, False
        elif _is_section_heading(block) and is_heading(block, blocks, i):
            if filled:
                section += 1
            filled = True
        elif block.kind == "table-row" or ((m := LABEL.match(text)) and (m.group("art") or m.group("pt"))):
            filled = True
        ids.append(section)
    return ids


def _path(*steps: str) -> str:
    return ", ".join(s for s in steps if s)


def _item(at: _Place, russian: bool) -> str:
    if not at.item:
        return ""
    if at.article:
        return f"п. {at.item}" if russian else f"({at.item})"
    return f"п. {at.item}" + (f" «{at.sub}»" if at.sub else "") if russian else f"para. {at.item}" + (f" ({at.sub})" if at.sub else "")


def _item_label(m: re.Match | None, at: _Place, russian: bool) -> str:
    if m is None:
        return _path(at.section, at.article)
    if m.group("let") and not at.item:
        return _path(at.section, at.article, f"«{m.group('let')}»" if russian else f"({m.group('let')})")
    if at.article and not russian:
        return _path(at.section, f"{at.article} ({at.item})" + (f"({at.sub})" if at.sub else ""))
    return _path(at.section, at.article, _item(at, russian))


def _number_paragraphs(parts: list[Part], russian: bool) -> list[Part]:
    """Unnumbered paragraphs under one article or item take their position: "Article 13 (2)", «п. 2, абз. 3»."""
    groups: dict[str, list[Part]] = {}
    for p in parts:
        if p.kind in ("item", "preamble") and p.label:
            groups.setdefault(p.label, []).append(p)
    for label, members in groups.items():
        if len(members) < 2:
            continue
        lead_numbered = bool(LABEL.match(members[0].text)) and not label.split(", ")[-1].startswith(("Статья", "Article"))
        for k, p in enumerate(members, 1):
            if lead_numbered:
                p.label = label if k == 1 else f"{label}, {'абз.' if russian else 'para.'} {k}"
            else:
                p.label = f"{label} ({k})"
    return parts


def is_heading(block: Block, blocks: list[Block], i: int) -> bool:
    """A heading: marked so by the format, an article number standing alone, a capitals line, or a short unpunctuated
    line that introduces a list of names (a centred court heading in a decree of appointments)."""
    text = block.text.strip()
    if block.kind == "heading":
        return True
    if block.kind or len(text) > 400 or "\n" in text:
        return False
    m = LABEL.match(text)
    if m and m.group("art") and (len(text) < 40 or (len(text) < 100 and re.fullmatch(r"[^a-zа-яё]*", text[m.end():]))):
        return True  # "Article 5", "Art. 5 [TERRITORIAL INTEGRITY; FREEDOM OF MOVEMENT]"
    if PREAMBLE.match(text) or (_is_caps(text) and len(text) < 120 and not number_of(text)) or names_instrument(text):
        return True
    if _ROMAN.match(text) and len(text) < 150 and not ENDS_CLAUSE.search(text):
        return True
    first = text.split(" ", 1)[0]
    if _is_caps(first) and len(first) >= 4 and len(text) < 400 and not ENDS_CLAUSE.search(text) and not m and common_word(first):
        return True
    nxt = blocks[i + 1].text if i + 1 < len(blocks) else ""
    return len(text) < 90 and not ENDS_CLAUSE.search(text) and not m and not is_person(text) and is_person(nxt)


def _is_section_heading(block: Block) -> bool:
    """A heading that opens a section (an annex, a compendium's instrument): a Markdown/HTML heading, or one that
    opens in capitals («СПИСОК …», «ВРЕМЕННОЕ ПОЛОЖЕНИЕ …»); a court heading in a list of names is not one, nor is a
    chapter («II. Основные задачи …») inside a regulation."""
    text = block.text.strip()
    first = text.split(" ", 1)[0]
    if LABEL.match(text) or PREAMBLE.match(text) or _ROMAN.match(text) or block.kind in ("table-row", "rule", "note"):
        return False
    if block.kind == "heading" and block.label.startswith("#") or _is_caps(first) and len(first) >= 4 and common_word(first):
        return True
    return names_instrument(text)


def names_instrument(text: str) -> bool:
    """A compendium's next instrument named in title case: "Protocol to the Agreement establishing … and Ukraine",
    "Alma Ata Declaration", "Minutes of the meeting of Heads of Independent States" — a line, not a clause."""
    named = DOC_TYPES.match(text) or re.search(r"\b(?:Declaration|Agreement|Protocol|Statement|Decision)$", text)
    return bool(named) and len(text) < 240 and not ENDS_CLAUSE.search(text) and text[:1].isupper() and "\n" not in text


def common_word(word: str) -> bool:
    """A dictionary noun or adjective («СПИСОК», «ВРЕМЕННОЕ»), not a surname in capitals («БАУСА», «ВАН СЕУМЕРЕНА»)
    opening an entry of a list of people; a Latin word always counts."""
    if not is_russian(word):
        return True
    from ingest.terms import _analyzers

    morph = _analyzers()[0]
    word = word.lower().strip(".,:;\"«»()")
    parse = morph.parse(word)[0]
    return morph.word_is_known(word) and bool({"NOUN", "ADJF"} & set(parse.tag.grammemes)) and not {"Name", "Surn", "Patr"} & set(parse.tag.grammemes)


def is_person(text: str) -> bool:
    """«Лиджееву Любовь Лиджаевну»: two to four capitalised words, at least two of them first names, patronymics or
    surnames (pymorphy3 tags)."""
    words = text.split()
    if not 2 <= len(words) <= 4 or not all(w[:1].isupper() and w[1:2].islower() for w in words) or not is_russian(text):
        return False
    from ingest.terms import _analyzers

    morph = _analyzers()[0]
    return sum(any({"Name", "Surn", "Patr"} & set(p.tag.grammemes) for p in morph.parse(w)) for w in words) >= 2


def _article_name(label: str) -> str:
    label = label.rstrip(".")
    return re.sub(r"\bЗ$", "3", re.sub(r"^Art\.", "Article", label[:1].upper() + label[1:]))


def _heading_name(text: str, casing: dict[str, str] | None = None) -> str:
    """The name a section goes by: the capitals that open its heading («ВРЕМЕННОЕ ПОЛОЖЕНИЕ о …» → «Временное
    положение»), its words cased as the document writes them elsewhere ("… of Belarus, Russia and Ukraine")."""
    words = []
    for word in text.split():
        if not _is_caps(word) and words:
            break
        words.append(word)
    name = " ".join(words) if _is_caps(text.split()[0]) else _short(text)
    name = re.sub(r"^TEXT OF\s+", "", name, flags=re.I).split(" - ")[0].strip(" ,:")
    if not _is_caps(name):
        return name
    return _recase(name, casing or {}, first=True)


def _short(text: str, limit: int = 90) -> str:
    """A title-case instrument's name, cut at a word before `limit` characters."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,") + " …"


def _stamp_name(text: str, russian: bool) -> str:
    """«ПРИЛОЖЕНИЕ N 1» → «Приложение N 1»; an approval stamp (УТВЕРЖДЕНО) is named by the heading that follows."""
    m = re.match(r"^(ПРИЛОЖЕНИЕ|Приложение|ANNEX|Annex)(\s+(?:N|№)\s*\d+)?", text.strip())
    return m.group(1).capitalize() + (m.group(2) or "") if m else ""


def _starts_signature(blocks: list[Block], i: int) -> bool:
    text = blocks[i].text.strip()
    if len(text) > 160 or LABEL.match(text):
        return False
    if _DONE.match(text):
        return True
    signed = SIGNER.search(text) and not ENDS_CLAUSE.search(text.rstrip(".")) and len(text) < 100
    closing = i + 1 < len(blocks) and _closing_line(blocks[i + 1].text)
    return bool(signed and (closing or i + 1 >= len(blocks) or blocks[i + 1].kind == "rule" or _SIGN_LINE.match(blocks[i + 1].text)))


def _closing_line(text: str) -> bool:
    """A line of a signature block: a place, a date, a number, a signer, a party ("For the RSFSR")."""
    text = text.strip()
    if len(text) > 100:
        return False
    return bool(find_place(text) and len(text) < 60 or (find_date(text) and len(text) < 60) or number_of(text)
                or SIGNER.search(text) and len(text) < 60 or _SIGN_LINE.match(text) or re.fullmatch(r"[A-ZА-ЯЁ .'-]{3,40}", text)
                or len(text) <= 40 and not LABEL.match(text) and not re.search(r"[;:!?]$|[a-zа-яё]{3}\.$", text))


def _signature_end(blocks: list[Block], i: int) -> int:
    end = i + 1
    while (end < len(blocks) and blocks[end].kind != "rule" and _closing_line(blocks[end].text) and not _STAMP.match(blocks[end].text)
           and not names_instrument(blocks[end].text.strip())):
        end += 1
    return end


def _stamp_end(blocks: list[Block], i: int) -> int:
    """An annex stamp runs over short lines: «к распоряжению Президента», «Российской Федерации», «от 1 августа …»,
    «N 359-рп», and an amendment note inside it."""
    end = i + 1
    open_note = False
    while end < len(blocks):
        text = blocks[end].text.strip()
        if blocks[end].kind in ("rule", "table-row") or len(text) > 90 or LABEL.match(text) or _is_section_heading(blocks[end]):
            break
        if not (open_note or text[:1].islower() or find_date(text) or number_of(text) or text.startswith("(")
                or re.match(r"^(?:Указом|Распоряжением|Постановлением|Российской|Президента)\b", text)):
            break
        open_note = (open_note or text.startswith("(")) and not text.endswith(")")
        end += 1
    return end
