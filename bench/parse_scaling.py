"""Parse time and peak memory against file size for degenerate shapes: python bench/parse_scaling.py [--mb 1 4] [--case NAME]."""
from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_WORDS = ("мир договор стороны федерации республика заявление согласие безопасности сотрудничество развитие "
          "peace treaty parties federation statement article security cooperation development").split()


def _words(n_bytes: int, seed: int = 1) -> list[str]:
    rnd, out, size = random.Random(seed), [], 0
    while size < n_bytes:
        word = rnd.choice(_WORDS)
        word = word.capitalize() if rnd.random() < 0.05 else word
        word += "." if rnd.random() < 0.08 else ""
        out.append(word)
        size += len(word.encode()) + 1
    return out


def _lines(words: list[str], width: int) -> list[str]:
    lines, line = [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = ""
        line = f"{line} {w}" if line else w
    return [*lines, line]


def _sentences(words: list[str], per: int = 40) -> list[str]:
    return [" ".join(words[i:i + per]) + "." for i in range(0, len(words), per)]


# Each case: (file suffix, bytes → file text). A title line comes first so the rest is body.
CASES = {
    "single-line": (".txt", lambda n: " ".join(_words(n))),
    "titled-single-line": (".txt", lambda n: "ЗАЯВЛЕНИЕ\n\n" + " ".join(_words(n))),
    # Old Mac line ends: `wc -l` counts one line, but the parser sees a line per sentence.
    "cr-line-ends": (".txt", lambda n: "\r".join(_sentences(_words(n), 12))),
    "one-block-long-lines": (".txt", lambda n: "ЗАЯВЛЕНИЕ\n\n" + "\n".join(_lines(_words(n), 300))),
    "hard-wrapped": (".txt", lambda n: "\n".join(_lines(_words(n), 70))),
    "word-per-line": (".txt", lambda n: "ЗАЯВЛЕНИЕ\n\n" + "\n".join(_words(n))),
    "paragraphs": (".txt", lambda n: "ЗАЯВЛЕНИЕ\n\n" + "\n\n".join(_sentences(_words(n)))),
    "numbered": (".txt", lambda n: "ЗАЯВЛЕНИЕ\n\n" + "\n\n".join(f"{i}. {s}" for i, s in enumerate(_sentences(_words(n)), 1))),
    "markdown-late-heading": (".md", lambda n: "\n\n".join(_sentences(_words(n))) + "\n\n# Заявление\n\nТекст заявления."),
    "html-paragraphs": (".html", lambda n: "<h1>Заявление</h1>" + "".join(f"<p>{s}</p>" for s in _sentences(_words(n)))),
    "caps-lines": (".txt", lambda n: "ЗАЯВЛЕНИЕ\n\n" + "\n\n".join(s.upper()[:60] for s in _sentences(_words(n), 8))),
}


def run_case(name: str, n_bytes: int) -> None:
    from ingest.parse import parse_file
    from ingest.records import IngestError

    suffix, make = CASES[name]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"case{suffix}"
        path.write_text(make(n_bytes), encoding="utf-8")
        size = path.stat().st_size
        start = time.perf_counter()
        try:
            outcome = f"{len(parse_file(path).paragraphs)} paragraphs"
        except IngestError as exc:
            outcome = f"refused: {exc}"
        elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name:24} {size / 1e6:6.2f} MB  {elapsed:7.2f} s  peak {peak:6.0f} MB  {outcome[:60]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0, 4.0])
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # internal: run one case in this process
    args = parser.parse_args()
    if args.one:
        run_case(args.case[0], int(args.mb[0] * 1e6))
        return
    for name in args.case or CASES:
        for mb in args.mb:
            # One process per run, so peak memory is that run's own.
            try:
                subprocess.run([sys.executable, __file__, "--one", "--case", name, "--mb", str(mb)], timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"{name:24} {mb:6.2f} MB  over {args.timeout:.0f} s", flush=True)


if __name__ == "__main__":
    main()
