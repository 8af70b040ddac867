"""Rewrite the golden parses of the corpus files: python tests/golden/regenerate.py (then read the diff by hand)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ingest.parse import parse_file  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
OUT = Path(__file__).resolve().parent / "corpus"


def corpus_files() -> list[Path]:
    """Every corpus file and original, and the bundled seed."""
    return sorted(CORPUS.glob("*.txt")) + sorted((CORPUS / "originals").glob("*")) + [ROOT / "data" / "statements" / "000_c45cd2c457b35d6b.txt"]


def golden_name(path: Path) -> str:
    return ("originals__" if path.parent.name == "originals" else "") + path.name + ".json"


def golden_of(path: Path) -> dict:
    return parse_file(path).to_json()


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for path in corpus_files():
        (OUT / golden_name(path)).write_text(json.dumps(golden_of(path), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path.name)
