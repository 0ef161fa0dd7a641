"""What a person sees at DIAN's habilitación portal, read over HTTP.

DIAN's SOAP service has no operation that says whether a company enabled the
support document; the portal shows it. Development and the tests run the
DIAN simulator, whose portal answers in JSON at the same host as its SOAP
endpoint, so the adapter derives its address from ``DIAN_URL``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import requests


class PortalUnavailable(RuntimeError):
    """The portal did not answer usefully; worth retrying."""


def portal_base_url(soap_url: str) -> str:
    """``http://host:port`` of the portal that sits beside the SOAP endpoint ``soap_url``."""
    parts = urlsplit(soap_url)
    return f"{parts.scheme}://{parts.netloc}"


class DianPortal:
    def __init__(self, soap_url: str, *, timeout: float | tuple[float, float] = (5.0, 20.0)) -> None:
        self.base_url = portal_base_url(soap_url)
        self._timeout = timeout

    def test_set(self, test_set_id: str) -> dict | None:
        """The test set as the portal shows it (nit, kind, status 0/1/2, message), ``None`` if unknown."""
        try:
            response = requests.get(f"{self.base_url}/portal/test-sets/{test_set_id}", timeout=self._timeout)
        except requests.RequestException as exc:
            raise PortalUnavailable(f"DIAN's portal did not answer: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise PortalUnavailable(f"DIAN's portal answered HTTP {response.status_code}: {response.text[:200]}")
        return response.json()
