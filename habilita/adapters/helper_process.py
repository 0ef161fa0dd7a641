"""Pure, CPU-heavy work done in a helper process, so the worker's own process keeps its GIL.

The worker is one Python process: every workflow task, heartbeat and activity
of every process it runs shares one interpreter lock. A call that computes
for tens of milliseconds without letting go of it (``cryptography`` checking
an RSA key, fpdf2 and fontTools drawing a letter and cutting its fonts)
makes all of them wait; every thread that gave the lock up for a short call
(each SQLite statement, each socket read) waits up to a switch interval to
get it back, and under load those waits pile up behind SQLite's one writer.

:class:`HelperProcess` runs such work in one helper process of its own
(``python -m <module>``, started on first use), one request at a time,
through a pipe. The helper module answers with :func:`serve` and a handler
that takes the request's bytes and gives the answer's, or raises
:class:`Refused` for input it turns down. A helper that hangs is killed after
its ``seconds`` and one that died is replaced by the next request; either
way the request fails with :class:`HelperUnavailable`, which the activity
retries. A request that makes the handler fail otherwise gets
:class:`HelperFailed` with the reason, and the helper serves the next one.

The helper gets no environment but what finds Python and habilita: no secret
of the worker's. The pipe carries each request as a 4-byte length and its
bytes; each answer as one status byte (``=`` the answer, ``!`` refused,
``x`` failed), a 4-byte length and its bytes (a reason in UTF-8 unless ``=``).
"""
from __future__ import annotations

import os
import select
import struct
import subprocess  # nosec B404 # starts this interpreter on a module of ours: a fixed argument list, no shell
import sys
import threading
import time
import traceback
import weakref
from typing import Callable

_LENGTH = struct.Struct(">I")  # a request's
_ANSWER_HEADER = struct.Struct(">cI")  # an answer's: its status and length
_ANSWER, _REFUSED, _FAILED = b"=", b"!", b"x"
_ENVIRONMENT = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "TMPDIR")


class HelperUnavailable(RuntimeError):
    """The helper did not answer (hung, crashed or could not start): the work was not done."""


class HelperFailed(RuntimeError):
    """The helper's handler failed on this request, for the reason given; the helper goes on serving."""


class Refused(Exception):
    """Raised by a handler (and again in the worker) when it turns the request down, saying why."""


class HelperProcess:
    """One helper process running ``python -m module``, started on first use; thread-safe, one request at a time."""

    def __init__(self, module: str, *, name: str, seconds: float) -> None:
        self.module, self.name, self.seconds = module, name, seconds
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def pid(self) -> int | None:
        """The helper's process id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def ask(self, request: bytes) -> bytes:
        """The helper's answer to ``request``; :class:`Refused`, :class:`HelperFailed` or
        :class:`HelperUnavailable` (no answer within ``seconds``) otherwise."""
        with self._lock:
            process = self._running()
            try:
                process.stdin.write(_LENGTH.pack(len(request)) + request)
                process.stdin.flush()
                deadline = time.monotonic() + self.seconds
                status, size = _ANSWER_HEADER.unpack(_read(process.stdout, _ANSWER_HEADER.size, deadline))
                answer = _read(process.stdout, size, deadline)
            except TimeoutError:
                self._stop()
                raise HelperUnavailable(f"the {self.name} helper did not answer within {self.seconds:g} s") from None
            except (OSError, EOFError) as exc:
                self._stop()
                raise HelperUnavailable(f"the {self.name} helper stopped: {exc}") from None
        if status == _ANSWER:
            return answer
        if status == _REFUSED:
            raise Refused(answer.decode())
        raise HelperFailed(f"the {self.name} helper failed: {answer.decode()}")

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _running(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        environment = {name: os.environ[name] for name in _ENVIRONMENT if name in os.environ}
        self._process = subprocess.Popen(  # nosec B603 # this interpreter and a module of ours: no shell, no input
            [sys.executable, "-m", self.module], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)
        self._finalizer = weakref.finalize(self, _end, self._process)
        return self._process

    def _stop(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._process, self._finalizer = None, None


def _end(process: subprocess.Popen) -> None:
    """Close the helper's pipe (it ends on its own) and kill it if it has not within a second."""
    for pipe in (process.stdin, process.stdout):
        try:
            pipe.close()
        except OSError:
            pass
    try:
        process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _read(stream, size: int, deadline: float) -> bytes:
    """Exactly ``size`` bytes from ``stream`` (unbuffered use of its descriptor) before ``deadline``."""
    data = b""
    while len(data) < size:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            raise TimeoutError("no answer in time")
        chunk = os.read(stream.fileno(), size - len(data))
        if not chunk:
            raise EOFError("the helper ended")
        data += chunk
    return data


def serve(handle: Callable[[bytes], bytes]) -> None:
    """The helper's side: answer each request read from stdin with ``handle``, on stdout, until stdin closes."""
    incoming, outgoing = sys.stdin.buffer, sys.stdout.buffer
    while len(header := incoming.read(_LENGTH.size)) == _LENGTH.size:
        (size,) = _LENGTH.unpack(header)
        request = incoming.read(size)
        try:
            status, answer = _ANSWER, handle(request)
        except Refused as exc:
            status, answer = _REFUSED, str(exc).encode()
        except Exception as exc:  # a bug or an input the handler did not foresee: say so, serve the next one
            traceback.print_exc(file=sys.stderr)
            status, answer = _FAILED, f"{type(exc).__name__}: {exc}".encode()
        outgoing.write(_ANSWER_HEADER.pack(status, len(answer)) + answer)
        outgoing.flush()
