"""A local stand-in for the ERP's public API (Siigo-like), for the channel hub.

It answers what the hub's credentials, configuration and invoicing steps
need (token auth, catalogs, products, customers, invoices) with the ERP's
own rules: per-company rate limits, blocking of a user whose requests are
mostly errors, idempotent invoice creation, the refusal codes a real ERP
gives, and electronic invoices really built, signed and sent to the DIAN
simulator. ``/_admin/...`` endpoints set companies up for tests and the dev
stack.
"""

from .server import make_server, serve_in_thread
from .store import ErpState

__all__ = ["ErpState", "make_server", "serve_in_thread"]
