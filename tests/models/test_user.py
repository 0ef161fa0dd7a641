"""Users: hashed passwords, password rules, roles."""
import pytest

from habilita.models import FieldError, User


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


@pytest.mark.parametrize("password, rule", [("short1", "at least 10"), ("onlyletterslong", "mix"), ("1234567890", "mix")])
def test_weak_passwords_are_refused_with_the_rule(db, password, rule):
    with pytest.raises(FieldError) as refused:
        User(email="x@example.co").set_password(password)
    assert refused.value.field == "password" and rule in refused.value.message


def test_roles_are_checked_and_admin_holds_every_role(db):
    auditor = make_user(roles=["auditor"])
    assert auditor.has_role("auditor") and not auditor.has_role("support")
    admin = User(email="root@example.co")
    admin.set_roles(["admin"])
    assert admin.has_role("support", "onboarding")
    with pytest.raises(FieldError) as refused:
        admin.set_roles(["superuser"])
    assert "superuser" in refused.value.message
