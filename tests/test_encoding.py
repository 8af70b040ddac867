"""Bytes → text: UTF-16 without a BOM, UTF-8 and cp1251 mixed line by line; garbled or damaged text refused, not guessed."""
from __future__ import annotations

import pytest

from ingest.encoding import decode_text
from ingest.parse import parse_file
from ingest.records import IngestError
from tests.conftest import SEED

TEXT = SEED.read_text(encoding="utf-8")
LINES = TEXT.split("\n")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text_not_binary(tmp_path, encoding):
    path = tmp_path / "seed16.txt"
    path.write_bytes(TEXT.encode(encoding))
    assert not path.read_bytes().startswith((b"\xff\xfe", b"\xfe\xff"))
    assert [p.text for p in parse_file(path).body] == [p.text for p in parse_file(SEED).body]
    english = "JOINT STATEMENT\n\nThe parties agree — «now» — on peace.\n"
    assert decode_text(english.encode(encoding)) == english


def test_binary_is_still_binary():
    with pytest.raises(IngestError, match="binary"):
        decode_text(bytes(range(256)) * 8)


@pytest.mark.parametrize("layout", ["halves", "alternating"])
def test_utf8_and_cp1251_lines_are_each_decoded_in_their_own_encoding(tmp_path, layout):
    # A file pasted together from a UTF-8 and a cp1251 source: read as cp1251 whole, its UTF-8 half would be «РњРёСЂ».
    if layout == "halves":
        data = "\n".join(LINES[: len(LINES) // 2]).encode("utf-8") + b"\n" + "\n".join(LINES[len(LINES) // 2:]).encode("cp1251")
    else:
        data = b"\n".join(line.encode("utf-8" if i % 2 else "cp1251") for i, line in enumerate(LINES))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_text(data) == TEXT
    (tmp_path / "mixed.txt").write_bytes(data)
    assert [p.text for p in parse_file(tmp_path / "mixed.txt").body] == [p.text for p in parse_file(SEED).body]


def test_cp1251_line_that_happens_to_be_valid_utf8_stays_cp1251():
    # «С»» in cp1251 is D1 BB, valid UTF-8 for «ѻ»: not a reason to read the line, or the file, as UTF-8.
    text = "Заявление ТАСС\nС» 2018\nТекст заявления."
    assert decode_text(text.encode("cp1251")) == text


def test_utf8_already_misread_as_cp1251_is_refused():
    garbled = TEXT.encode("utf-8").decode("cp1251", "replace").encode("utf-8")
    with pytest.raises(IngestError, match="garbled text") as exc:
        decode_text(garbled)
    assert "\n" not in str(exc.value)


def test_damaged_utf8_line_is_refused_not_decoded_as_cp1251():
    data = bytearray(TEXT.encode("utf-8"))
    at = data.index("Совета".encode())
    data[at + 1] = 0x20  # the second byte of «С» lost
    with pytest.raises(IngestError, match=r"invalid utf-8 on line \d+, and not cp1251 either"):
        decode_text(bytes(data))


def test_plain_cp1251_and_utf8_unchanged():
    assert decode_text(TEXT.encode("cp1251")) == TEXT
    assert decode_text(TEXT.encode("utf-8")) == TEXT
    assert decode_text(b"\xef\xbb\xbf" + TEXT.encode("utf-8")) == TEXT
