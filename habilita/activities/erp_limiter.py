"""The ERP's request limit per company (100 a minute; 10 on a test company), kept on our side.

One limiter per worker, shared by all its activities: a company's storm of orders waits its turn instead of
meeting 429s, and a 429 that comes anyway holds the company's calls for its ``Retry-After`` and teaches the
limiter the company's smaller limit.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

# The longest an attempt waits for a free slot before it gives its worker slot back and is retried.
MAX_LIMITER_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class ErpLimit:
    """At most ``requests`` ERP calls per company in any ``window_seconds`` (the ERP's own rule)."""

    requests: int = 100
    window_seconds: float = 60.0


class LimitWait(Exception):
    """The company's window is full for longer than an attempt should wait."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the ERP's request limit of the company is used up for {seconds:.1f} s")
        self.seconds = seconds


class CompanyRateLimiter:
    """A sliding window of calls per company, shared by every activity of a worker; thread-safe.

    A call is counted when it is sent and counted again, later, when its answer came back: the ERP counted
    it somewhere in between (when it arrived), so the call leaves our window no earlier than the ERP's.
    """

    def __init__(self, limit: ErpLimit = ErpLimit(), *, clock=time.monotonic, sleep=time.sleep) -> None:
        self.limit = limit
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._windows: dict[str, list[list[float]]] = {}  # per company: one [moment] per call in the window
        self._held_until: dict[str, float] = {}
        self._learned: dict[str, int] = {}
        # Clocks and counting differ a little between us and the ERP: a small margin.
        self._window = limit.window_seconds * 1.02 + 0.05

    def allowed(self, key: str) -> int:
        return self._learned.get(key, self.limit.requests)

    def acquire(self, key: str, *, max_wait: float = MAX_LIMITER_WAIT_SECONDS, beat=None) -> list[float]:
        """Take one call of ``key``'s window, waiting (and heartbeating) up to ``max_wait``, else
        :class:`LimitWait`; the call's slot, for :meth:`answered`."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                window = self._windows.setdefault(key, [])
                window[:] = [slot for slot in window if slot[0] > now - self._window]
                wait = max(0.0, self._held_until.get(key, 0.0) - now)
                if not wait and len(window) >= self.allowed(key):
                    wait = min(slot[0] for slot in window) + self._window - now
                if wait <= 0:
                    slot = [now]
                    window.append(slot)
                    return slot
            if waited + wait > max_wait:
                raise LimitWait(wait)
            step = min(wait, 1.0)
            self._sleep(step)
            waited += step
            if beat is not None:
                beat()

    def answered(self, slot: list[float]) -> None:
        """The call's answer arrived: it stays in the window from now."""
        with self._lock:
            slot[0] = max(slot[0], self._clock())

    def refused(self, key: str, retry_after: float) -> None:
        """The ERP answered 429: hold the company's calls for ``retry_after`` and learn its smaller limit."""
        with self._lock:
            now = self._clock()
            self._held_until[key] = max(self._held_until.get(key, 0.0), now + retry_after)
            counted = len(self._windows.get(key, ()))
            if 0 < counted - 1 < self.allowed(key):
                self._learned[key] = counted - 1
