"""The notification receiver (P4): a small HTTP service the marketplace POSTs order notifications to.

It answers within the marketplace's 500 ms: it parses the notification,
finds the connection by the seller's ``user_id`` and signal-with-starts the
order's workflow, nothing more (the workflow re-reads the order). Run it with
``python -m habilita.receiver --host 127.0.0.1 --port 8095``; tests use
:func:`serve_in_thread`.
"""
from .server import NotificationReceiver, ReceiverServer, serve_in_thread

__all__ = ["NotificationReceiver", "ReceiverServer", "serve_in_thread"]
