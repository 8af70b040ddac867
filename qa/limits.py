"""Answers off the event loop: a few worker threads shared by the chat and the API, and a time limit per request."""
from __future__ import annotations

import asyncio
import concurrent.futures as cf
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Busy(RuntimeError):
    """No worker was free to start the answer within the time limit (HTTP 503)."""


class TooSlow(RuntimeError):
    """The answer started but did not finish within the time limit (HTTP 504)."""


class AnswerPool:
    """At most `workers` answers run at once, in threads, so the server's event loop (the page, /config, /api/health)
    stays free; a caller waits at most `timeout_s`, queueing included. A thread cannot be stopped, so an answer past
    its time limit runs on in its worker (bounded anyway by the question and word limits) but nobody waits for it."""

    def __init__(self, workers: int, timeout_s: float):
        self.workers, self.timeout_s = workers, timeout_s
        self._pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")

    @classmethod
    def from_settings(cls, settings) -> AnswerPool:
        return cls(settings.max_concurrent_answers, settings.answer_timeout_s)

    def run(self, fn: Callable[..., T], *args) -> T:
        """fn(*args) in a worker, from a thread that may block (a Gradio event handler)."""
        future = self._pool.submit(fn, *args)
        try:
            return future.result(timeout=self.timeout_s)
        except cf.TimeoutError:
            raise self._expired(future) from None

    async def arun(self, fn: Callable[..., T], *args) -> T:
        """fn(*args) in a worker, awaited from the event loop (a FastAPI route)."""
        future = self._pool.submit(fn, *args)
        waiter = asyncio.wrap_future(future)
        # retrieve a late result or error, so an abandoned answer logs no "exception was never retrieved"
        waiter.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            # shield: on time-out, _expired decides between "never started" and "too slow" before anything is cancelled
            return await asyncio.wait_for(asyncio.shield(waiter), self.timeout_s)
        except asyncio.TimeoutError:
            raise self._expired(future) from None

    def _expired(self, future: cf.Future) -> RuntimeError:
        limit = f"{self.timeout_s:g} s"
        if future.cancel():  # still queued: drop it, it will never run
            return Busy(f"the server is busy answering other questions; nothing started within {limit}, try again shortly")
        return TooSlow(f"the answer took longer than {limit}; try a shorter or more specific question")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
