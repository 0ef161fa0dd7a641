"""Every console URL sends an anonymous visitor to the login page."""
from __future__ import annotations

from urllib.parse import urlparse

PUBLIC_ENDPOINTS = {
    "auth.login", "auth.forgot_password", "auth.reset_password",  # how one gets in
    "root",  # redirects to the home page, which asks for login
    # The company's own page: its invitation link is the credential (tests/admin/test_invitations.py).
    "company_link.page", "company_link.act", "company_link.download",
}


def sample_url(app, rule) -> str:
    values = {arg: (1 if rule._converters[arg].__class__.__name__ == "IntegerConverter" else "x")
              for arg in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def guarded_rules(app):
    return [r for r in app.url_map.iter_rules()
            if r.endpoint not in PUBLIC_ENDPOINTS and not r.endpoint.endswith("static")]


def test_every_registered_route_redirects_an_anonymous_user_to_login(app):
    browser = app.test_client()
    rules = guarded_rules(app)
    assert len(rules) > 30, "the walk should cover the whole console"
    for rule in rules:
        url = sample_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = browser.open(url, method=method)
            assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
            assert urlparse(response.location).path == "/auth/login", f"{method} {url} went to {response.location}"


def test_the_root_leads_to_the_home_page_which_asks_for_login(app):
    browser = app.test_client()
    first = browser.get("/")
    assert urlparse(first.location).path == "/admin/"
    assert urlparse(browser.get("/admin/").location).path == "/auth/login"


def test_static_files_are_served_without_login(app):
    browser = app.test_client()
    assert browser.get("/console-static/habilita.css").status_code == 200
    assert browser.get("/admin/static/bootstrap/bootstrap4/css/bootstrap.min.css").status_code == 200
