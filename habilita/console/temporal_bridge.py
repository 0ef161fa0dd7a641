"""One Temporal client on a background event loop, for the synchronous Flask app.

Flask handles each request on a plain thread; the Temporal client is asyncio.
The bridge owns one loop in a daemon thread, connects once on it, and runs
each call as a coroutine submitted with ``run_coroutine_threadsafe``, so no
request ever opens a connection of its own.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Awaitable, Callable

from temporalio.client import Client

DEFAULT_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0


class TemporalUnavailable(RuntimeError):
    """The console could not reach Temporal: the page answers 503 and says so, nothing was done."""


class TemporalBridge:
    """Runs coroutines against one shared client from any thread."""

    def __init__(self, client_factory: Callable[[], Awaitable[Client]]):
        self._factory = client_factory
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: Client | None = None
        self._lock = threading.Lock()

    def _ensure_started(self) -> None:
        # Started lazily so an app that never talks to Temporal (a CLI check,
        # a login page) costs no thread and no connection.
        with self._lock:
            if self._loop is not None:
                return
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="temporal-bridge", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread

    def _client_now(self) -> Client:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    future = asyncio.run_coroutine_threadsafe(self._factory(), self._loop)
                    try:
                        self._client = future.result(CONNECT_TIMEOUT)
                    except Exception as exc:  # refused, timed out, bad address: all the same to a person
                        future.cancel()
                        raise TemporalUnavailable(f"could not connect to Temporal: {exc}") from exc
        return self._client

    def call(self, operation: Callable[[Client], Awaitable], *, timeout: float = DEFAULT_TIMEOUT):
        """Run ``operation(client)`` on the bridge's loop and return its result.

        Exceptions raised by the operation propagate to the caller unchanged.
        """
        self._ensure_started()
        client = self._client_now()
        future = asyncio.run_coroutine_threadsafe(_await(operation(client)), self._loop)
        return future.result(timeout)

    def close(self) -> None:
        """Stop the loop; the client's connection goes with it."""
        with self._lock:
            if self._loop is None:
                return
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop, self._thread, self._client = None, None, None


async def _await(awaitable: Awaitable):
    return await awaitable
