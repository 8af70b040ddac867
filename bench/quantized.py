"""int8 (dynamic) e5 against the float model: encode time and dense R@1 on xquad-dev: python bench/quantized.py"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import Settings  # noqa: E402
from ingest.embedder import model_path  # noqa: E402
from ingest.onnx_encoder import ONNX_FILE, OnnxEncoder  # noqa: E402
from ingest.parse import parse_file  # noqa: E402

XQUAD = ROOT.parent / "shared" / "eval" / "xquad-dev"


def quantized_copy(folder: Path, into: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    shutil.copytree(folder, into, dirs_exist_ok=True)
    quantize_dynamic(str(folder / ONNX_FILE), str(into / ONNX_FILE), weight_type=QuantType.QInt8)
    return into


def main() -> None:
    settings = Settings()
    folder = Path(model_path(settings.embedding_model, settings.model_cache))
    keys, passages = [], []
    for f in sorted((XQUAD / "statements").glob("*.txt")):
        statement = parse_file(f)
        for p in statement.paragraphs:
            if p.n:
                keys.append((f.stem, p.n))
                passages.append(settings.passage_prefix + p.text)
    questions, gold, langs = [], [], []
    for lang in ("en", "ru"):
        for line in (XQUAD / f"questions_{lang}.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            questions.append(settings.query_prefix + q["question"])
            gold.append((q["gold"][0]["statement_id"], q["gold"][0]["paragraph"]))
            langs.append(lang)
    with tempfile.TemporaryDirectory() as tmp:
        for name, model in (("float32", folder), ("int8", quantized_copy(folder, Path(tmp) / "int8"))):
            encoder = OnnxEncoder(model)
            encoder.encode(passages[:8])
            start = time.perf_counter()
            top = (encoder.encode(questions) @ encoder.encode(passages).T).argmax(1)
            elapsed = time.perf_counter() - start
            hit = np.array([keys[i] == g for i, g in zip(top, gold)])
            by_lang = {lang: round(float(hit[np.array(langs) == lang].mean()), 3) for lang in ("en", "ru")}
            print(f"{name}: {len(questions) + len(passages)} texts in {elapsed:.1f} s; dense R@1 {hit.mean():.3f} {by_lang}")


if __name__ == "__main__":
    main()
