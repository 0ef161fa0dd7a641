"""A small time-bounded memo for figures that may be a few seconds old."""
from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class TimedCache:
    """Keeps each computed value for ``ttl`` seconds; ``ttl`` 0 computes every time.

    Thread-safe; one instance per console process. A value computed by two
    threads at once is computed twice, never half-written.
    """

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._values: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], T]) -> T:
        if self.ttl <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            found = self._values.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = compute()
        with self._lock:
            self._values[key] = (now + self.ttl, value)
        return value
