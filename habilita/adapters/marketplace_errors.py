"""Why a call to the marketplace failed, as exceptions the caller can sort.

``MarketplaceUnavailable``: no answer, a timeout, 5xx or 429 — retry later.
``MarketplaceRefused``: a 4xx — the marketplace understood and said no (bad
token, another seller's order, an order that does not exist): retrying the
same call cannot help. ``MarketplaceDataError``: an answer we cannot turn
into an order (a field missing or malformed): a protocol change or a bug,
permanent too. Messages name the call and the field, never the token.
"""
from __future__ import annotations


class MarketplaceError(Exception):
    """Base of every failure of a marketplace call."""

    retryable: bool = False

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class MarketplaceUnavailable(MarketplaceError):
    """No answer, a timeout, HTTP 5xx or 429 (rate limit): worth retrying."""

    retryable = True


class MarketplaceRefused(MarketplaceError):
    """HTTP 4xx: the marketplace refused (401/403 token or seller, 404 no such order)."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None, order_id: str = "",
                 code: str = "") -> None:
        super().__init__(message, url=url, status=status)
        self.order_id = order_id
        self.code = code

    @property
    def not_found(self) -> bool:
        return self.status == 404


class MarketplaceDataError(MarketplaceError):
    """An answer that does not map to habilita's order or notification; ``field`` says where."""

    def __init__(self, message: str, *, field: str, url: str = "") -> None:
        super().__init__(message, url=url)
        self.field = field
