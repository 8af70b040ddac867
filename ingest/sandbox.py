"""Parse files in a reused child process, so a file that runs over the time or memory limit is killed and fails alone."""
from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

from ingest.limits import MB, Limits, check_size, failure_reason, parse_checked
from ingest.records import IngestError, Statement

log = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parent.parent
_MAX_WARNINGS = 10  # distinct warnings replayed per file; a broken PDF can log thousands
_START_SECONDS = 120


class ParseWorker:
    """A child `python -m ingest.sandbox` under RLIMIT_AS that parses one file per request. A plain interpreter rather
    than multiprocessing: spawn and forkserver would re-import the caller's main module (the web app) in the child."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self._proc: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()  # the web app may parse uploads from several threads

    def parse(self, path: Path, limits: Limits) -> Statement:
        with self._lock:
            conn = self._conn if self._proc is not None and self._proc.poll() is None else self._start()
            try:
                conn.send((str(path), limits))
            except OSError:  # the child ended since it was last seen alive: start another
                self.close()
                conn = self._start()
                conn.send((str(path), limits))
            if not conn.poll(limits.max_parse_seconds):
                self.close(kill=True)
                raise IngestError(f"parsing took over {limits.max_parse_seconds:g} s (limit QA_MAX_PARSE_SECONDS)")
            try:
                kind, value, warnings = conn.recv()
            except (EOFError, OSError):
                raise IngestError(f"the parser process died on this file ({self.close()})") from None
            if kind == "memory":
                self.close()  # it exits after a MemoryError
        for name, level, message, count in warnings:
            logging.getLogger(name).log(level, "%s: %s%s", path.name, message, f" (×{count})" if count > 1 else "")
        if kind == "ok":
            return value
        if kind == "memory":
            raise IngestError(f"parsing needed over {self.memory_mb} MB of memory (limit QA_MAX_PARSE_MB)")
        raise IngestError(value)

    def _start(self) -> Connection:
        ours, theirs = socket.socketpair()
        path = os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.sandbox", str(theirs.fileno()), str(self.memory_mb)],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,  # stdout: never into --json
            env={**os.environ, "PYTHONPATH": path})
        theirs.close()
        self._conn = conn = Connection(ours.detach())
        # The child says "ready" once its imports and dictionaries are loaded: that start-up is not a file's parse time.
        try:
            if conn.poll(_START_SECONDS) and conn.recv() == "ready":
                return conn
        except (EOFError, OSError):
            pass
        raise IngestError(f"the parser process did not start ({self.close()})")

    def close(self, kill: bool = False) -> str:
        """Stop the child: an idle one exits on EOF, a busy one is killed (at once with `kill`); returns how it ended."""
        proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if conn is not None:
            conn.close()  # an idle child reads EOF and exits
        if proc is None:
            return ""
        if kill:
            proc.kill()
        try:
            code = proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"


_worker: ParseWorker | None = None
_worker_lock = threading.Lock()


def parse_limited(path: Path, limits: Limits) -> Statement:
    """Parse one file within `limits`; any failure is an IngestError with a one-line reason."""
    global _worker
    check_size(path, limits)  # a file too large is never read, here or in the child
    if limits.max_parse_seconds <= 0:
        try:
            return parse_checked(path, limits)
        except Exception as exc:  # whatever a reader raises, the file fails alone
            raise IngestError(failure_reason(exc)) from exc
    with _worker_lock:
        if _worker is None or _worker.memory_mb != limits.max_parse_mb:
            if _worker is not None:
                _worker.close()
            _worker = ParseWorker(limits.max_parse_mb)
            atexit.register(_worker.close)
        worker = _worker
    return worker.parse(path, limits)


class _Collector(logging.Handler):
    """The child's warnings, counted, for the parent to log under the same logger names (once each, with a count)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: Counter = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen[(record.name, record.levelno, record.getMessage()[:500])] += 1

    def take(self) -> list[tuple[str, int, str, int]]:
        out = [(*key, n) for key, n in list(self.seen.items())[:_MAX_WARNINGS]]
        if len(self.seen) > _MAX_WARNINGS:
            out.append((__name__, logging.WARNING, f"… and {len(self.seen) - _MAX_WARNINGS} other warnings", 1))
        self.seen.clear()
        return out


def _serve(fd: int, memory_mb: int) -> None:
    """The child's loop: (path, limits) in, ("ok", Statement) / ("error" | "memory", reason) out, with warnings."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_mb * MB if hard == resource.RLIM_INFINITY else min(memory_mb * MB, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    logging.getLogger().setLevel(logging.WARNING)
    logging.captureWarnings(True)
    from ingest.terms import _analyzers

    _analyzers()  # the morphology dictionaries, loaded once per child rather than inside a file's time limit
    conn = Connection(fd)
    conn.send("ready")
    while True:
        try:
            path, limits = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple = ("ok", parse_checked(Path(path), limits))
        except MemoryError:
            reply = ("memory", "")
        except Exception as exc:  # reported as this file's reason; the next file goes on
            reply = ("error", failure_reason(exc))
        conn.send((*reply, collector.take()))
        if reply[0] == "memory":
            return  # a MemoryError can leave any library half-updated: start afresh


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))
