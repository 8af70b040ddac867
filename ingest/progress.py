"""Ingestion progress: a bar on a terminal, a periodic plain line otherwise (logs, CI, a pipe)."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager


class _Lines:
    """«ingest: 120/455 paragraphs (26%), 35.2 ¶/s, ETA 10 s», at most every `every` seconds, and once at the end."""

    def __init__(self, total: int, desc: str, every: float, stream) -> None:
        self.total, self.desc, self.every, self.stream = total, desc, every, stream
        self.done, self.started, self.last = 0, time.monotonic(), time.monotonic()

    def update(self, n: int) -> None:
        self.done += n
        if time.monotonic() - self.last >= self.every:
            self._print()

    def _print(self) -> None:
        self.last = time.monotonic()
        rate = self.done / max(self.last - self.started, 1e-9)
        eta = (self.total - self.done) / rate if rate else 0
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        print(f"{self.desc}: {self.done}/{self.total} paragraphs{share}, {rate:.1f} ¶/s, ETA {eta:.0f} s",
              file=self.stream, flush=True)

    def close(self) -> None:
        if self.done:
            self._print()


@contextmanager
def progress(total: int, desc: str = "ingest", every: float = 10.0, stream=None):
    """Something with update(n): tqdm on a terminal, periodic lines when stderr is not one."""
    stream = stream or sys.stderr
    if stream.isatty():
        from tqdm import tqdm

        with tqdm(total=total, unit="¶", desc=desc, file=stream) as bar:
            yield bar
        return
    lines = _Lines(total, desc, every, stream)
    try:
        yield lines
    finally:
        lines.close()
