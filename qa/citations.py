"""Citation chips, short titles, dates in words and formatted references (Russian or English)."""
from __future__ import annotations

import re

# Organisation names shortened to the abbreviation readers use; a chip has room for a few words only.
_ABBREVIATIONS = [
    (r"Организации Договора о коллективной безопасности", "ОДКБ"),
    (r"Collective Security Treaty Organi[sz]ation", "CSTO"),
    (r"Содружества Независимых Государств", "СНГ"),
    (r"Commonwealth of Independent States", "CIS"),
    (r"Организации Объединенных Наций", "ООН"),
    (r"United Nations", "UN"),
    (r"Шанхайской организации сотрудничества", "ШОС"),
    (r"Shanghai Cooperation Organi[sz]ation", "SCO"),
    (r"Российской Федерации", "РФ"),
]
# Where a title's subject begins («Заявление … о мерах», "Statement … on measures"): the chip keeps what comes before.
_SUBJECT = re.compile(r"\s(?:о|об|по|в связи с|on|concerning|regarding|in connection with)\s", re.I)
MONTHS = {
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
           "December"],
}


def short_title(title: str, limit: int = 60, subject: bool = False) -> str:
    """«Заявление Совета коллективной безопасности ОДКБ»: organisations abbreviated, the subject clause dropped — or kept
    (`subject`), where statements of one kind must be told apart («Указ Президента РФ О временном исполнении …»)."""
    text = " ".join((title or "").split())
    for long, short in _ABBREVIATIONS:
        text = re.sub(long, short, text, flags=re.I)
    cut = None if subject else _SUBJECT.search(text)
    if cut and len(text[:cut.start()].split()) >= 2:
        text = text[:cut.start()]
    if len(text) > limit:
        text = text[: text.rfind(" ", 0, limit) if " " in text[:limit] else limit] + " …"
    return text or "—"


def date_words(iso: str, lang: str, short: bool = False) -> str:
    """2018-11-08 → «8 ноября 2018» / "8 Nov 2018" ("8 November 2018" unless short); "" stays ""."""
    try:
        year, month, day = (int(x) for x in iso.split("-"))
        month_name = MONTHS["ru" if lang == "ru" else "en"][month - 1]
    except (ValueError, IndexError):
        return iso or ""
    if lang != "ru" and short:
        month_name = month_name[:3]
    return f"{day} {month_name} {year}"


def where(paragraph: int, label: str, lang: str) -> str:
    """The paragraph's place: its label path when it has one, else its number (¶0 is the header)."""
    if paragraph == 0:
        return "заголовок" if lang == "ru" else "header"
    return f"{label} · ¶{paragraph}" if label else f"¶{paragraph}"


def chip(n: int, title: str, date: str, paragraph: int, label: str, lang: str) -> str:
    """[1] Заявление Совета коллективной безопасности ОДКБ · 8 ноября 2018 · ¶8"""
    when = date_words(date, lang, short=True) or ("без даты" if lang == "ru" else "undated")
    return f"[{n}] {short_title(title)} · {when} · {where(paragraph, label, lang)}"


def reference(meta: dict, paragraph: int, label: str, lang: str) -> str:
    """A formatted reference to paste: «Заявление …, Астана, 8 ноября 2018 г., п. 8» or "Statement …, Astana, 8 November
    2018, para. 8" (the language of the quoted text decides)."""
    title = " ".join((meta.get("title") or "").split())
    if len(title) > 120:
        title = title[: title.rfind(" ", 0, 120)] + " …"
    parts = [title]
    if meta.get("number"):
        parts.append(meta["number"])
    if meta.get("place"):
        parts.append(meta["place"])
    if meta.get("date"):
        parts.append(date_words(meta["date"], lang) + (" г." if lang == "ru" else ""))
    if paragraph == 0:
        parts.append("заголовок" if lang == "ru" else "heading")
    else:
        point = label or str(paragraph)
        parts.append(f"п. {point}" if lang == "ru" else f"para. {point}")
    return ", ".join(p for p in parts if p)


def grouped(citations: list) -> list[tuple[str, list[tuple[int, object]]]]:
    """Citations grouped by statement in answer order, numbered across the answer: [(statement id, [(n, citation)])]."""
    groups: dict[str, list[tuple[int, object]]] = {}
    for n, c in enumerate(citations, 1):
        groups.setdefault(c.statement_id, []).append((n, c))
    return list(groups.items())
