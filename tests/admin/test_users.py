"""Users: an administrator creates them; the new user sets a password through a mailed link."""
from __future__ import annotations

import re
from urllib.parse import urlparse

from habilita.models import AuditEvent, OutboxMessage, User

from .conftest import csrf_from, sign_in


def test_an_admin_creates_a_user_who_receives_a_link_to_set_the_password(app, as_role):
    browser = as_role("admin")
    page = browser.get("/admin/user/new/").get_data(as_text=True)
    answer = browser.post("/admin/user/new/", data={"csrf_token": csrf_from(page), "email": "Nuevo@Habilita.test",
                                                    "name": "Nuevo Usuario", "roles": ["support", "auditor"],
                                                    "active": "y"})
    assert answer.status_code == 302
    user = User.by_email("nuevo@habilita.test")
    assert user.role_set == {"support", "auditor"} and user.must_change_password
    assert AuditEvent.get(AuditEvent.action == "create user").actor == "admin@habilita.test"

    mail = OutboxMessage.get(OutboxMessage.recipient == "nuevo@habilita.test")
    link = urlparse(re.search(r"http://\S+/auth/reset/\S+", mail.body).group(0)).path
    newcomer = app.test_client()
    form = newcomer.get(link).get_data(as_text=True)
    newcomer.post(link, data={"csrf_token": csrf_from(form), "password": "bienvenido-2025", "confirm": "bienvenido-2025"})
    assert sign_in(newcomer, "nuevo@habilita.test", "bienvenido-2025").status_code == 302
    assert "Soporte, Auditor" in newcomer.get("/auth/profile").get_data(as_text=True)


def test_a_user_with_the_same_email_is_refused_at_the_field(as_role, users):
    browser = as_role("admin")
    page = browser.get("/admin/user/new/").get_data(as_text=True)
    answer = browser.post("/admin/user/new/", data={"csrf_token": csrf_from(page), "email": "support@habilita.test",
                                                    "roles": ["support"], "active": "y"})
    assert "Ya existe un usuario con este correo." in answer.get_data(as_text=True)
    assert User.select().count() == 4
