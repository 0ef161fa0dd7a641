"""Roles are enforced on the server, on every view and action, from the one permissions table."""
from __future__ import annotations

import pytest

from habilita.console.permissions import PERMISSIONS, PUBLIC, ROUTES, permission_for, roles_with
from habilita.models import ROLES, AuditEvent, Company

from .conftest import csrf_from
from .test_routes_require_login import sample_url

METHODS = ("GET", "POST")


def test_every_route_of_the_console_is_in_the_permissions_table_and_nothing_else_is(app_with):
    app = app_with(HABILITA_DEV_STACK="1")  # the dev outbox too
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "a route the table does not know is closed to everyone"
    assert set(ROUTES) - endpoints == set(), "the table names a route that no longer exists"
    assert all(p in PERMISSIONS for r in ROUTES.values() for p in (r.read, r.send) if p not in (PUBLIC, "nobody"))


def walk(app, role: str):
    """(method, url, status, expected) for every route that needs a role, sent by someone holding ``role``."""
    from .conftest import sign_in
    from .conftest import PASSWORD  # noqa: F401 (sign_in's default)

    browser = app.test_client()
    assert sign_in(browser, f"{role}@habilita.test").status_code == 302
    token = csrf_from(browser.get("/auth/profile").get_data(as_text=True))
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        for method in METHODS:
            permission = permission_for(rule.endpoint, method)
            if method not in rule.methods or permission == PUBLIC:
                continue  # a method the route does not take (405), or a page open to all (tested apart)
            url = sample_url(app, rule)
            response = browser.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            yield method, url, response.status_code, role in roles_with(permission)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_by_every_role_with_get_and_post_is_allowed_or_refused_as_the_table_says(app_with, users, role):
    app = app_with(HABILITA_DEV_STACK="1")
    seen = 0
    for method, url, status, allowed in walk(app, role):
        seen += 1
        if allowed:
            assert status != 403, f"{role}: {method} {url} was refused though the table allows it"
        else:
            assert status == 403, f"{role}: {method} {url} answered {status}; the table refuses it"
    assert seen > 40
    assert Company.select().count() == 0, "a walk of junk requests wrote nothing"


def test_support_drives_no_onboarding_step_and_onboarding_runs_no_support_action():
    assert roles_with("drive_steps") == ("onboarding", "admin")
    assert roles_with("act_as_support") == ("support", "admin")
    assert roles_with("manage_users") == ("admin",)
    assert "auditor" not in {role for p in PERMISSIONS if p.startswith(("drive", "act", "edit", "start", "import",
                                                                        "invite", "manage")) for role in roles_with(p)}


def test_a_route_missing_from_the_table_is_refused_to_everyone_even_an_admin(app, as_role):
    @app.route("/admin/forgotten")
    def forgotten():
        return "open"

    assert as_role("admin").get("/admin/forgotten").status_code == 403
    assert app.test_client().get("/admin/forgotten").status_code == 302  # anonymous: to the login page


def test_a_refused_write_is_audited_with_the_actor_and_the_reason(as_role, company):
    browser = as_role("auditor")
    browser.get(f"/admin/company/edit/?id={company.id}")
    refusal = AuditEvent.select().where(AuditEvent.outcome == "refused").order_by(AuditEvent.id.desc()).first()
    assert refusal.actor == "auditor@habilita.test"
    assert "audit.role_read_only" in refusal.reason
    assert refusal.target_id == str(company.id)


def test_an_auditor_reads_every_list_and_page(as_role, company):
    browser = as_role("auditor")
    for url in ("/admin/", "/admin/company/", f"/admin/company/details/?id={company.id}", "/admin/processrecord/",
                "/admin/auditevent/", "/admin/processrecord/export/csv/"):
        assert browser.get(url).status_code == 200, url


def test_an_auditor_is_not_offered_buttons_that_would_be_refused(as_role, company):
    page = as_role("auditor").get(f"/admin/company/details/?id={company.id}").get_data(as_text=True)
    assert "start-process" not in page


def test_only_an_admin_manages_users(as_role):
    assert as_role("onboarding").get("/admin/user/").status_code == 403
    assert as_role("support").get("/admin/user/new/").status_code == 403
    assert as_role("admin").get("/admin/user/").status_code == 200


def test_onboarding_creates_companies_but_support_does_not(as_role):
    assert as_role("onboarding").get("/admin/company/new/").status_code == 200
    assert as_role("support").get("/admin/company/new/").status_code == 403


def test_the_company_list_offers_create_only_to_those_who_may(as_role):
    assert "/admin/company/new/" not in as_role("auditor").get("/admin/company/").get_data(as_text=True)
    assert "/admin/company/new/" in as_role("onboarding").get("/admin/company/").get_data(as_text=True)
