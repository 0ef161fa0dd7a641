"""Payload codec: what reaches Temporal's history is encrypted.

Representative data and other personal data travel in update and activity
payloads; the codec keeps them out of the server's storage in clear.
"""
from __future__ import annotations

from collections.abc import Sequence

from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec

from .payload_types import PayloadConverter
from .secrets_box import SecretBox

ENCODING = b"binary/habilita-aesgcm"


class EncryptionCodec(PayloadCodec):
    def __init__(self, box: SecretBox):
        self._box = box

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(metadata={"encoding": ENCODING}, data=self._box.encrypt(p.SerializeToString()))
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for p in payloads:
            if p.metadata.get("encoding") != ENCODING:
                decoded.append(p)
                continue
            inner = Payload()
            inner.ParseFromString(self._box.decrypt(p.data))
            decoded.append(inner)
        return decoded


def data_converter(encryption_key: str) -> DataConverter:
    """The data converter every client and worker of habilita uses: payloads encrypted, dataclasses read
    with their annotations evaluated once (:mod:`habilita.adapters.payload_types`)."""
    return DataConverter(payload_converter_class=PayloadConverter,
                         payload_codec=EncryptionCodec(SecretBox(encryption_key)))
