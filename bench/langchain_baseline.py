"""The LangChain tutorial pipeline (recursive splitter, project e5, InMemoryVectorStore top-4) on question sets: bench/langchain_baseline.py [FILE...]"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.documents import Document  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402
from langchain_core.vectorstores import InMemoryVectorStore  # noqa: E402
from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: E402

from config import get_settings  # noqa: E402
from ingest.embedder import embedder_for  # noqa: E402
from qa.eval import gold_statement, load_questions, matches  # noqa: E402

K = 4
DOCS = sorted(Path("/work/shared/corpus").glob("*.txt")) + [ROOT / "data/statements/000_c45cd2c457b35d6b.txt"]
QUESTIONS = Path("/work/shared/eval/collection-dev/questions.jsonl")


class ProjectEmbeddings(Embeddings):
    """The project's e5 embedder (passage:/query: prefixes, L2-normalised) behind LangChain's Embeddings interface."""

    def __init__(self) -> None:
        self.embedder = embedder_for(get_settings())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.encode_passages(texts, batch_size=32).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.encode_queries([text])[0].tolist()


def build_store(embeddings: Embeddings, size: int, overlap: int) -> tuple[InMemoryVectorStore, int, float]:
    """Split every document, embed the chunks, fill the store; returns (store, chunks, seconds)."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap)
    start = time.perf_counter()
    chunks: list[Document] = []
    for path in DOCS:
        pieces = splitter.split_text(path.read_text(encoding="utf-8"))
        chunks += [Document(page_content=t, metadata={"source": path.stem, "chunk": i}) for i, t in enumerate(pieces)]
    store = InMemoryVectorStore(embeddings)
    store.add_documents(chunks)
    return store, len(chunks), time.perf_counter() - start


def _mean(values: list) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def evaluate(store: InMemoryVectorStore, questions: list[dict]) -> tuple[list[dict], list[float]]:
    """Top-4 chunks per question as result rows (qa.eval item shape), plus per-query milliseconds."""
    store.similarity_search(questions[0]["question"], k=K)  # warm-up
    rows, lat = [], []
    for q in questions:
        start = time.perf_counter()
        docs = store.similarity_search(q["question"], k=K)
        lat.append((time.perf_counter() - start) * 1000)
        items = [{"statement_id": d.metadata["source"], "paragraph": d.metadata["chunk"], "text": d.page_content} for d in docs]
        rows.append({"id": q["id"], "lang": q["lang"], "gold": q["gold"], "retrieved": items})
    return rows, lat


def metrics(rows: list[dict]) -> dict:
    """R@1/R@3/R@4 and cited-correct (top chunk) over answerable questions; multi-doc statement coverage by the 4 chunks."""
    answerable = [r for r in rows if r["gold"]]
    ranks = [next((i + 1 for i, it in enumerate(r["retrieved"]) if any(matches(it, g) for g in r["gold"])), None) for r in answerable]
    out: dict = {"questions": len(rows), "answerable": len(answerable)}
    for k in (1, 3, K):
        out[f"R@{k}"] = _mean([rk is not None and rk <= k for rk in ranks])
    out["cited_correct"] = out["R@1"]
    out["unanswerable_refused"] = 0.0 if len(rows) > len(answerable) else None
    multi = []
    for r in answerable:
        wanted = {gold_statement(g) for g in r["gold"]}
        if len(wanted) > 1:
            got = {gold_statement(g) for g in r["gold"] for it in r["retrieved"] if matches(it, g)}
            multi.append(len(got) / len(wanted))
    out["multi_doc_statements_covered"] = _mean(multi)
    out["multi_doc_questions"] = len(multi)
    return out


def run_config(embeddings: Embeddings, questions: list[dict], size: int, overlap: int) -> dict:
    store, n_chunks, index_s = build_store(embeddings, size, overlap)
    rows, lat = evaluate(store, questions)
    table = {"all": metrics(rows)} | {lang: metrics([r for r in rows if r["lang"] == lang]) for lang in sorted({r["lang"] for r in rows})}
    return {"config": f"{size}:{overlap}", "chunks": n_chunks, "index_s": round(index_s, 2),
            "query_p50_ms": round(float(np.percentile(lat, 50)), 1), "metrics": table}


def render(result: dict) -> str:
    cols = list(result["metrics"])
    lines = [f"## LangChain tutorial baseline {result['config']}: {result['chunks']} chunks, indexing {result['index_s']:.2f} s, "
             f"query p50 {result['query_p50_ms']:.1f} ms", "", f"{'metric':<30}" + "".join(f"{c:>10}" for c in cols)]
    for name in result["metrics"]["all"]:
        vals = [result["metrics"][c].get(name) for c in cols]
        lines.append(f"{name:<30}" + "".join(f"{'–' if v is None else (f'{v:.3f}' if isinstance(v, float) else v):>10}" for v in vals))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, default=[QUESTIONS])
    parser.add_argument("--configs", default="1000:200,300:50", help="chunk_size:chunk_overlap, comma-separated")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    configs = [tuple(int(x) for x in c.split(":")) for c in args.configs.split(",") if c.strip()]
    questions = load_questions(args.files or [QUESTIONS])
    embeddings = ProjectEmbeddings()
    embeddings.embed_query("warm-up")  # model load is not indexing time
    results = [run_config(embeddings, questions, size, overlap) for size, overlap in configs]
    if args.json:
        print(json.dumps({"documents": [p.stem for p in DOCS], "questions": [str(f) for f in args.files], "results": results},
                         ensure_ascii=False, indent=1))
    else:
        print(f"{len(DOCS)} documents, {len(questions)} questions from {', '.join(map(str, args.files))}\n")
        print("\n\n".join(render(r) for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
