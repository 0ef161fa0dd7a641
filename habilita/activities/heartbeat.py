"""Heartbeats for a blocking activity, so a worker that dies mid-call is noticed in seconds.

A sync activity spends most of its time inside one call (signing a round,
waiting on DIAN); it cannot heartbeat from there. :func:`beating` heartbeats
from a small thread while the block runs, in the activity's own context; the
workflow sets a ``heartbeat_timeout`` (``HEARTBEAT_TIMEOUT``) so that a
worker gone quiet is given up on and the attempt runs elsewhere.
"""
from __future__ import annotations

import contextvars
import threading
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from temporalio import activity

HEARTBEAT_TIMEOUT = timedelta(seconds=20)
BEAT_EVERY_SECONDS = 5.0


@contextmanager
def beating(every_seconds: float = BEAT_EVERY_SECONDS, *, at_start: bool = True) -> Iterator[None]:
    """Heartbeat every ``every_seconds`` until the block ends (a no-op outside an activity); ``at_start``
    beats once on entering too (without it, a quick call costs the server nothing)."""
    if not activity.in_activity():
        yield
        return
    context = contextvars.copy_context()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(every_seconds):
            context.run(activity.heartbeat)

    if at_start:
        activity.heartbeat()
    ticker = threading.Thread(target=beat, name="activity-heartbeat", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
