"""One DIAN client per signing certificate, shared by the activities.

Loading the key and opening the HTTP session are done once per certificate;
the SOAP signature of each request is made with the certificate the company
signs its documents with (its own, or the provider's on loan).
"""
from __future__ import annotations

import threading

from .certificates import KeyVault
from habilita.adapters.dian_client import DianClient, Timeouts


class DianClients:
    def __init__(self, url: str, vault: KeyVault, *, timeouts: Timeouts = Timeouts(connect=5, read=20)) -> None:
        self.url = url
        self._vault = vault
        self._timeouts = timeouts
        self._lock = threading.Lock()
        self._clients: dict[int, DianClient] = {}

    def for_certificate(self, certificate_id: int) -> DianClient:
        """The client signing with stored certificate ``certificate_id``."""
        with self._lock:
            client = self._clients.get(certificate_id)
            if client is None:
                key = self._vault.certified_key(certificate_id)
                client = DianClient(self.url, key.private_key, key.certificate, timeout=self._timeouts)
                self._clients[certificate_id] = client
        return client
