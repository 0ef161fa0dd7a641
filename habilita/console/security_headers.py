"""The headers every console response carries: what the browser may run, frame, sniff and tell.

The Content-Security-Policy lets pages load scripts, styles, fonts and
images from this site only. An inline script runs only when it carries this
response's nonce (Flask-Admin puts it on its own script tags, through the
``csp_nonce_generator`` it is given); inline code outside script tags (event
handlers, ``javascript:`` links) runs only when its exact text is one of
``ALLOWED_INLINE_SNIPPETS``, by hash; inline styles never apply. No other
site may frame a page (``frame-ancestors`` and, for older browsers,
``X-Frame-Options``), a file is never sniffed into another type, and other
sites never see a console URL as referrer (a password-reset link carries its
token in the path).

In production the browser is also told to come back over HTTPS only (HSTS);
the dev stack serves plain http on loopback and must not say so.
"""
from __future__ import annotations

import base64
import hashlib
import secrets

from flask import Flask, g

HSTS = "max-age=31536000; includeSubDomains"
# Flask-Admin's list pages carry two pieces of inline JavaScript outside script tags, both no-ops its
# scripts stand in for: onclick="return false;" on each entry of the "Add filter" menu and
# href="javascript:void(0)" on menu toggles. Such code can only be allowed by the hash of its exact
# text, with 'unsafe-hashes'; these two texts and nothing else run. Any other handler is refused, so a
# Flask-Admin feature that relies on one (the delete button's confirmation) must not be turned on
# without adding its text here.
ALLOWED_INLINE_SNIPPETS = ("return false;", "javascript:void(0)")


def source_hash(source: str) -> str:
    """The CSP source expression that allows exactly ``source``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def csp_nonce() -> str:
    """This response's nonce for inline scripts, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-hashes' "
        + " ".join(source_hash(snippet) for snippet in ALLOWED_INLINE_SNIPPETS),
        f"style-src 'self' 'nonce-{nonce}'",
        # Bootstrap draws its select arrows and checkboxes as data: SVG images.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def send_security_headers(app: Flask, *, https_only: bool) -> None:
    """Add the headers to every response, error pages and static files included."""

    @app.after_request
    def _security_headers(response):
        response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if https_only:
            response.headers["Strict-Transport-Security"] = HSTS
        return response
