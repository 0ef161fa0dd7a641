"""A sliding-window request limit per key (a client address), kept in the console's memory.

For pages without an account (the company's invitation link): enough for a
person, too few for a script guessing links. Each console process keeps its
own count, which is what a limit against guessing needs.
"""
from __future__ import annotations

import threading
import time
from collections import deque


class SlidingWindow:
    """At most ``limit`` requests per key in any ``seconds``."""

    def __init__(self, limit: int, seconds: float, *, clock=time.monotonic):
        self.limit, self.seconds, self._clock = limit, seconds, clock
        self._seen: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count a request for ``key``; False once the window is full."""
        now = self._clock()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.seconds:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            if len(self._seen) > 10_000:  # forget idle addresses so memory stays bounded
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - self.seconds}
            return True
