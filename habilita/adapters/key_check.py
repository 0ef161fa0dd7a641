"""Private keys that arrive from outside, checked in a helper process instead of the worker's.

``cryptography`` checks an RSA key's primes and their consistency as it loads
it: ~37 ms for 2048 bits, holding the GIL, so every workflow task, heartbeat
and activity of the worker waits meanwhile (thirty certificates issued at
once stall it for a second). :class:`KeyChecker` runs the same check, by the
same library (:func:`habilita.dian.certificates.check_private_key`), in one
helper process (``python -m habilita.adapters.key_check``, started on first
use, fed one key at a time through a pipe); the worker then loads the key
without checking it again. A key crafted to hang or crash the check takes
the helper down, not the worker: after ``CHECK_SECONDS`` it is killed, the
check fails with the reason, and the next key gets a new helper.

The pipe carries each key as a 4-byte length and its PEM; the answer is a
4-byte length and the problem found, in UTF-8 (empty: the key is sound).
The helper gets no environment but what finds Python and habilita: no
secret of the worker's.
"""
from __future__ import annotations

import os
import select
import struct
import subprocess  # nosec B404 # starts this interpreter's own helper module: a fixed argument list, no shell
import sys
import threading
import time
import weakref

from habilita.dian.certificates import check_private_key
from habilita.dian.errors import CertificateError

CHECK_SECONDS = 30.0
MAX_KEY_BYTES = 64 * 1024
_LENGTH = struct.Struct(">I")
_ENVIRONMENT = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "TMPDIR")


class KeyCheckUnavailable(RuntimeError):
    """The helper did not answer (hung, crashed or could not start): the key was not checked."""


class KeyChecker:
    """One helper process that checks private keys, started on first use; thread-safe, one key at a time."""

    def __init__(self, *, seconds: float = CHECK_SECONDS) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def pid(self) -> int | None:
        """The helper's process id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def check(self, key_pem: bytes) -> None:
        """CertificateError if ``key_pem`` is not a sound private key; KeyCheckUnavailable if the helper did
        not answer within ``seconds``."""
        if len(key_pem) > MAX_KEY_BYTES:
            raise CertificateError(f"the private key is {len(key_pem)} bytes, more than {MAX_KEY_BYTES}")
        with self._lock:
            process = self._running()
            try:
                process.stdin.write(_LENGTH.pack(len(key_pem)) + key_pem)
                process.stdin.flush()
                deadline = time.monotonic() + self.seconds
                (size,) = _LENGTH.unpack(_read(process.stdout, _LENGTH.size, deadline))
                problem = _read(process.stdout, size, deadline).decode()
            except TimeoutError:
                self._stop()
                raise KeyCheckUnavailable(f"the key check helper did not answer within {self.seconds:g} s") from None
            except (OSError, EOFError) as exc:
                self._stop()
                raise KeyCheckUnavailable(f"the key check helper stopped: {exc}") from None
        if problem:
            raise CertificateError(problem)

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _running(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        environment = {name: os.environ[name] for name in _ENVIRONMENT if name in os.environ}
        self._process = subprocess.Popen(  # nosec B603 # this interpreter and a module of ours: no shell, no input
            [sys.executable, "-m", "habilita.adapters.key_check"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=environment)
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


def serve() -> None:
    """The helper: check each key read from stdin and answer on stdout, until stdin closes."""
    incoming, outgoing = sys.stdin.buffer, sys.stdout.buffer
    while len(header := incoming.read(_LENGTH.size)) == _LENGTH.size:
        (size,) = _LENGTH.unpack(header)
        try:
            check_private_key(incoming.read(size))
            problem = ""
        except CertificateError as exc:
            problem = str(exc)
        answer = problem.encode()
        outgoing.write(_LENGTH.pack(len(answer)) + answer)
        outgoing.flush()

if __name__ == "__main__":
    serve()
