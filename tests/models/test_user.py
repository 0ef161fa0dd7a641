"""Users: hashed passwords, password rules, roles."""
import pytest

from habilita.messages import Problem
from habilita.models import ROLES, FieldError, User


def make_user(**kwargs) -> User:
    user = User(email="ana@example.co", name="Ana")
    user.set_roles(kwargs.get("roles", ["onboarding"]))
    user.set_password("pan-de-bono-2026", must_change=True)
    user.save()
    return user


def test_the_password_is_stored_hashed_and_checks(db):
    user = make_user()
    stored = User.by_email("ANA@example.co ")
    assert "pan-de-bono" not in stored.password_hash
    assert stored.check_password("pan-de-bono-2026")
    assert not stored.check_password("pan-de-bono-2025")
    assert stored.must_change_password


@pytest.mark.parametrize("password, code, params", [
    ("short1", "password_too_short", {"minimum": 10}),
    ("onlyletterslong", "password_too_simple", {}),
    ("1234567890", "password_too_simple", {}),
])
def test_weak_passwords_are_refused_with_the_rule(db, password, code, params):
    with pytest.raises(FieldError) as refused:
        User(email="x@example.co").set_password(password)
    assert refused.value.problem == Problem("password", code, params)
    assert refused.value.field == "password"


def test_roles_are_checked_and_admin_holds_every_role(db):
    auditor = make_user(roles=["auditor"])
    assert auditor.has_role("auditor") and not auditor.has_role("support")
    admin = User(email="root@example.co")
    admin.set_roles(["admin"])
    assert admin.has_role("support", "onboarding")
    with pytest.raises(FieldError) as refused:
        admin.set_roles(["superuser"])
    assert refused.value.problem == Problem("roles", "roles_unknown", {"unknown": ["superuser"], "roles": list(ROLES)})
    assert "superuser" in str(refused.value), "the English wording stays for logs"
    with pytest.raises(FieldError) as refused:
        admin.set_roles([])
    assert refused.value.problem == Problem("roles", "roles_empty")
