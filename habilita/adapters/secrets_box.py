"""Symmetric encryption for secrets at rest and for Temporal payloads.

AES-256-GCM with a random 96-bit nonce per message; the key is the 32-byte
``HABILITA_ENCRYPTION_KEY`` (URL-safe base64).
"""
from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class DecryptionError(ValueError):
    """Ciphertext was altered, or was written with another key."""


class SecretBox:
    def __init__(self, key_b64: str):
        try:
            key = base64.urlsafe_b64decode(key_b64)
        except (ValueError, TypeError) as exc:
            raise ValueError("the encryption key must be URL-safe base64") from exc
        if len(key) != 32:
            raise ValueError(f"the encryption key must decode to 32 bytes, not {len(key)}")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, *, context: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def decrypt(self, blob: bytes, *, context: bytes = b"") -> bytes:
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context)
        except InvalidTag as exc:
            raise DecryptionError("cannot decrypt: the data was altered or the key differs") from exc
