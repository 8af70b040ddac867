"""Dates and places in statement headers: Russian and English forms → ISO YYYY-MM-DD."""
from __future__ import annotations

import re

_RU_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
_EN_MONTHS = {
    m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july",
         "august", "september", "october", "november", "december"], 1)
}
_EN_MONTH_RE = "|".join(list(_EN_MONTHS) + [m[:3] + r"\.?" for m in _EN_MONTHS])

_PATTERNS = [
    ("ru", re.compile(r"\b(\d{1,2})\s+(января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)\s+(\d{4})", re.I)),
    ("dmy_en", re.compile(rf"\b(\d{{1,2}})\s+({_EN_MONTH_RE})\s*,?\s*(\d{{4}})\b", re.I)),
    ("mdy_en", re.compile(rf"\b({_EN_MONTH_RE})\s+(\d{{1,2}})\s*,\s*(\d{{4}})\b", re.I)),
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("dotted", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")),
]


def _en_month(word: str) -> int:
    word = word.lower().rstrip(".")
    return next(i for name, i in _EN_MONTHS.items() if name.startswith(word))


def _ru_month(word: str) -> int:
    word = word.lower()
    return next(i for stem, i in sorted(_RU_MONTHS.items(), key=lambda kv: -len(kv[0])) if word.startswith(stem))


def find_date(text: str) -> str:
    """The first date written in `text`, as ISO, or '' if there is none."""
    best: tuple[int, str] | None = None
    for kind, pattern in _PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        a, b, c = m.groups()
        if kind == "ru":
            y, mo, d = int(c), _ru_month(b), int(a)
        elif kind == "dmy_en":
            y, mo, d = int(c), _en_month(b), int(a)
        elif kind == "mdy_en":
            y, mo, d = int(c), _en_month(a), int(b)
        elif kind == "iso":
            y, mo, d = int(a), int(b), int(c)
        else:
            y, mo, d = int(c), int(b), int(a)
        if not (1 <= mo <= 12 and 1 <= d <= 31 and 1800 <= y <= 2200):
            continue
        if best is None or m.start() < best[0]:
            best = (m.start(), f"{y:04d}-{mo:02d}-{d:02d}")
    return best[1] if best else ""


_PLACE_RES = [
    re.compile(r"(?:^|[\s,])(?:г\.|город)\s*([А-ЯЁ][\w\-]+(?:[ -][А-ЯЁ][\w\-]+)?)"),
    re.compile(r"\b([А-ЯЁ][а-яё\-]+),\s*Кремль\b"),
    re.compile(r"\b(?i:done|signed|adopted)\s+(?i:at|in)\s+([A-Z][\w\-]+(?:[ -][A-Z][\w\-]+)?)"),
    re.compile(r"^\W{0,2}([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?),\s*\d{1,2}\s+[A-Z][a-z]+\s*,?\s*\d{4}\b"),  # "Minsk, 8 December 1991"
]


def find_place(line: str) -> str:
    """A place named on a header line: 'г. Астана' → 'Астана', 'Москва, Кремль' → 'Москва'."""
    for pattern in _PLACE_RES:
        m = pattern.search(line)
        if m:
            return m.group(1).strip()
    return ""
