"""Named points where tests kill a writer (STATEMENT_QA_FAULT=point[:count]) to prove a re-run repairs what it left."""
from __future__ import annotations


def _fault_hook():
    # Tests kill ingestion at named points to prove a re-run repairs it (STATEMENT_QA_FAULT=point[:count]); in a normal
    # run the environment variable is unset and the hook is a no-op bound once at import.
    import os

    spec = os.environ.get("STATEMENT_QA_FAULT", "")
    if not spec:
        return lambda point: None
    name, _, count = spec.partition(":")
    remaining = [int(count or 1)]

    def hit(point: str) -> None:
        if point == name:
            remaining[0] -= 1
            if remaining[0] <= 0:
                import signal

                os.kill(os.getpid(), signal.SIGKILL)

    return hit


fault = _fault_hook()
