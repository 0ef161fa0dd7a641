"""Every response, pages, redirects, error pages and static files alike, carries a strict
Content-Security-Policy and the framing, sniffing and referrer headers; inline scripts run only with
the response's nonce."""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import habilita

CONSOLE_TEMPLATES = Path(habilita.__file__).parent / "console" / "templates"


def allowed_by_hash(snippet: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(snippet.encode()).digest()).decode() + "'"


# Flask-Admin's two inline no-ops outside script tags (filter menu entries, menu toggles): these alone may run.
FLASK_ADMIN_SNIPPETS = [allowed_by_hash("return false;"), allowed_by_hash("javascript:void(0)")]
_NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-]+)'")


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def nonce_of(response) -> str:
    return _NONCE.search(response.headers["Content-Security-Policy"]).group(1)


def test_pages_redirects_error_pages_and_static_files_carry_the_security_headers(app, as_role):
    anonymous, support = app.test_client(), as_role("support")
    responses = {
        "login page": (anonymous.get("/auth/login"), 200),
        "redirect to log in": (anonymous.get("/admin/"), 302),
        "home": (support.get("/admin/"), 200),
        "not found": (anonymous.get("/no-such-page"), 404),
        "forbidden": (support.get("/admin/user/"), 403),
        "console stylesheet": (anonymous.get("/console-static/habilita.css"), 200),
        "Flask-Admin script": (anonymous.get("/admin/static/vendor/jquery.min.js"), 200),
    }
    for name, (response, status) in responses.items():
        assert response.status_code == status, name
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], name
        assert directives["script-src"] == ["'self'", f"'nonce-{nonce_of(response)}'", "'unsafe-hashes'",
                                            *FLASK_ADMIN_SNIPPETS], name
        assert directives["style-src"] == ["'self'", f"'nonce-{nonce_of(response)}'"], name
        assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"], name
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], name
        assert "unsafe-eval" not in response.headers["Content-Security-Policy"], name
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == "same-origin", name
        assert "Strict-Transport-Security" not in response.headers, f"{name}: the dev stack serves http"


def test_every_script_tag_carries_the_nonce_of_its_response_and_each_response_has_its_own(app, as_role):
    admin = as_role("admin")
    nonces = set()
    for url in ("/admin/", "/admin/user/", "/admin/user/new/", "/admin/company/", "/admin/company/new/",
                "/admin/auditevent/", "/admin/processrecord/", "/auth/profile", "/auth/login"):
        response = admin.get(url)
        assert response.status_code in (200, 302), url
        nonce = nonce_of(response)
        nonces.add(nonce)
        for tag in re.findall(r"<script\b[^>]*>", response.text):
            assert f'nonce="{nonce}"' in tag, f"{url}: {tag}"
    assert len(nonces) == 9


def test_the_consoles_own_templates_have_no_inline_handlers_styles_or_unsigned_scripts():
    for template in CONSOLE_TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template.name}: an inline event handler never runs"
        assert not re.search(r"\sstyle\s*=", text), f"{template.name}: an inline style is never applied"
        assert "javascript:" not in text, template.name
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or "admin_csp_nonce_attribute" in tag, f"{template.name}: {tag}"
