"""Private keys that arrive from outside, checked in a helper process instead of the worker's.

``cryptography`` checks an RSA key's primes and their consistency as it loads
it: ~37 ms for 2048 bits, holding the GIL, so every workflow task, heartbeat
and activity of the worker waits meanwhile (thirty certificates issued at
once stall it for a second). :class:`KeyChecker` runs the same check, by the
same library (:func:`habilita.dian.certificates.check_private_key`), in a
helper process (:mod:`habilita.adapters.helper_process`: ``python -m
habilita.adapters.key_check``, fed one key at a time); the worker then loads
the key without checking it again. A key crafted to hang or crash the check
takes the helper down, not the worker: after ``CHECK_SECONDS`` it is killed,
the check fails with ``HelperUnavailable``, and the next key gets a new
helper.
"""
from __future__ import annotations

from habilita.adapters.helper_process import HelperProcess, Refused, serve
from habilita.dian.certificates import check_private_key
from habilita.dian.errors import CertificateError

CHECK_SECONDS = 30.0
MAX_KEY_BYTES = 64 * 1024


class KeyChecker(HelperProcess):
    """The helper process that checks private keys; thread-safe, one key at a time."""

    def __init__(self, *, seconds: float = CHECK_SECONDS) -> None:
        super().__init__("habilita.adapters.key_check", name="key check", seconds=seconds)

    def check(self, key_pem: bytes) -> None:
        """CertificateError if ``key_pem`` is not a sound private key; HelperUnavailable if the helper did
        not answer in time."""
        if len(key_pem) > MAX_KEY_BYTES:
            raise CertificateError(f"the private key is {len(key_pem)} bytes, more than {MAX_KEY_BYTES}")
        try:
            self.ask(key_pem)
        except Refused as exc:
            raise CertificateError(str(exc)) from None


def _check(key_pem: bytes) -> bytes:
    try:
        check_private_key(key_pem)
    except CertificateError as exc:
        raise Refused(str(exc)) from None
    return b""


if __name__ == "__main__":
    serve(_check)
