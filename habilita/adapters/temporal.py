"""Connecting to Temporal with habilita's settings and data converter."""
from __future__ import annotations

from temporalio.client import Client
from temporalio.service import TLSConfig

from .codec import data_converter
from habilita.settings import Settings


async def connect(settings: Settings, *, identity: str | None = None) -> Client:
    """A client for the configured cluster: local dev server, self-hosted
    with mTLS, or Temporal Cloud with an API key."""
    tls: bool | TLSConfig = False
    if settings.temporal_tls_cert:
        with open(settings.temporal_tls_cert, "rb") as cert, open(settings.temporal_tls_key, "rb") as key:
            tls = TLSConfig(client_cert=cert.read(), client_private_key=key.read())
    elif settings.temporal_tls or settings.temporal_api_key:
        tls = True
    kwargs = {"identity": identity} if identity else {}
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        tls=tls,
        api_key=settings.temporal_api_key or None,
        data_converter=data_converter(settings.encryption_key),
        **kwargs,
    )
