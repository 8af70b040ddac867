"""Bytes → text: BOMs, UTF-16 without one, UTF-8, cp1251 and files mixing the two line by line; never silent mojibake."""
from __future__ import annotations

import logging
import re

from ingest.records import IngestError

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Code units of Latin, Cyrillic and general-punctuation text: UTF-16 high bytes 0x00 (ASCII, Latin-1: spaces, digits,
# «»), 0x04 (Cyrillic) and 0x20 (— “ ” …).
_TEXT_HIGH_BYTES = (0x00, 0x04, 0x20)
_SAMPLE = 1 << 16
_CYRILLIC = re.compile(r"[А-яЁё]")
# UTF-8 Cyrillic read as cp1251: lead byte 0xD0/0xD1 («Р», «С») then a continuation byte 0x80–0xBF, which cp1251 maps
# to Ђ Ѓ ‚ ѓ … Ё « ° ё » and the like — never a lower-case Russian letter («РњРёСЂ» for «Мир»).
_MOJIBAKE = re.compile("[РС][" + bytes(range(0x80, 0xC0)).decode("cp1251", "replace").replace("\ufffd", "") + "]")


def decode_text(data: bytes) -> str:
    """Bytes → str: BOMs first, then UTF-16 without a BOM, strict UTF-8, UTF-8 and cp1251 mixed line by line, cp1251,
    then charset detection; IngestError when none gives text, or when the text is UTF-8 already misread as cp1251."""
    text = _decode(data)
    if _garbled(text):
        sample = "".join(_MOJIBAKE.findall(text)[:4])
        raise IngestError(f"garbled text: utf-8 that was once read as cp1251 and saved again ({sample!r}…)")
    return text


def _garbled(text: str) -> bool:
    """Mojibake pairs make up a good share of the Cyrillic: real text has a stray «С»» or «Рё» (Рёрих) at most."""
    pairs = len(_MOJIBAKE.findall(text))
    return pairs >= 3 and pairs >= 0.2 * len(_CYRILLIC.findall(text))


def _decode(data: bytes) -> str:
    if not data.strip():
        raise IngestError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data[:4096]:
        raise IngestError("binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    if any(_utf8_line(line) is not None for line in lines if not line.isascii()):
        return _mixed(lines)
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    if text and looks_like_text(text):
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not looks_like_text(str(best)):
        raise IngestError("cannot decode text (not utf-8, utf-16 or cp1251)")
    return str(best)


def looks_like_text(text: str) -> bool:
    """Mostly letters, almost no control characters."""
    letters = sum(ch.isalpha() for ch in text)
    bad = len(_CONTROL.findall(text))
    return letters > 0 and bad / max(len(text), 1) < 0.01 and letters / len(text) > 0.3


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(f"invalid {encoding} after its byte-order mark (byte {exc.start})") from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 (LE or BE) recognised by its high bytes: in Latin or Cyrillic text nearly every code unit's high byte is
    0x00, 0x04 or 0x20, and there is at least some ASCII (spaces, line ends)."""
    if len(data) % 2 or b"\x00" not in data[:_SAMPLE]:
        return None
    sample = data[: min(len(data), _SAMPLE)]
    for encoding, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        common = sum(high.count(b) for b in _TEXT_HIGH_BYTES)
        if high.count(0) >= 0.02 * len(high) and common >= 0.95 * len(high):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if looks_like_text(text):
                return text
    return None


def _utf8_line(line: bytes) -> str | None:
    """The line as UTF-8 if it is valid UTF-8 of Latin/Cyrillic text (a line of cp1251 capitals and «» can happen to be
    valid UTF-8, but then decodes to other scripts)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = [ch for ch in text if ch.isalpha() and not ch.isascii()]
    native = sum("\u00c0" <= ch <= "\u017f" or _CYRILLIC.match(ch) is not None for ch in letters)
    return text if native >= 0.9 * len(letters) else None


def _mixed(lines: list[bytes]) -> str:
    """A file whose lines are partly UTF-8 and partly cp1251 (pasted together from two sources): each line decoded with
    the encoding it is valid in; a line in neither is refused rather than guessed."""
    out: list[str] = []
    cp1251 = 0
    for number, line in enumerate(lines, 1):
        text = line.decode("ascii") if line.isascii() else _utf8_line(line)
        if text is None:
            try:
                text = line.decode("cp1251")
            except UnicodeDecodeError:
                text = None
            if text is None or _garbled(text):
                # A UTF-8 line with a broken byte would read as «РњРёСЂ»: refused, not guessed.
                raise IngestError(f"invalid utf-8 on line {number}, and not cp1251 either (a damaged file, or one mixing "
                                  "encodings)") from None
            cp1251 += 1
        out.append(text)
    result = "\n".join(out)
    if not looks_like_text(result):
        raise IngestError("cannot decode text (mixed utf-8 and cp1251 lines that do not read as text)")
    log.warning("mixed encodings: %d line(s) read as cp1251, the rest as utf-8", cp1251)
    return result
