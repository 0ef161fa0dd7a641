"""Users: hashed passwords, the password rules of NIST SP 800-63B (length and guessability, no composition), roles."""
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
    ("corta-2024!", "password_too_short", {"minimum": 12}),
    ("x" * 129, "password_too_long", {"maximum": 128}),
    ("password1234", "password_common", {}),
    ("qwertyuiopasdf", "password_common", {}),
    ("aaaaaaaaaaaaaa", "password_guessable", {}),
    ("abcdefghijklmn", "password_guessable", {}),
    ("habilitahabilita", "password_guessable", {}),
])
def test_short_long_common_and_guessable_passwords_are_refused_with_the_rule(db, password, code, params):
    with pytest.raises(FieldError) as refused:
        User(email="x@example.co").set_password(password)
    assert refused.value.problem == Problem("password", code, params)
    assert refused.value.field == "password"


def test_a_password_built_from_the_persons_name_or_email_is_refused_for_that_person_only(db):
    ximena = User(email="x.zuluaga@example.co", name="Ximena Zuluaga Quintero")
    with pytest.raises(FieldError) as refused:
        ximena.set_password("zuluagaquintero")
    assert refused.value.problem == Problem("password", "password_personal")
    User(email="ana@example.co", name="Ana").set_password("zuluagaquintero")


@pytest.mark.parametrize("password", [
    "caballo bateria grapa correcta",  # letters and spaces only
    "zorzalpinguinocondor",  # letters only
    "8305172946381520",  # digits only
    "mi gato come mango verde",  # lower-case words
])
def test_no_composition_rule_refuses_a_long_hard_to_guess_password(db, password):
    user = User(email="ana@example.co", name="Ana")
    user.set_password(password)
    assert user.check_password(password)


def test_the_refusals_say_in_spanish_which_field_and_which_rule(db):
    from habilita.messages.catalog import render
    from habilita.messages.locale import gettext_for

    spanish = gettext_for("es")
    said = {}
    for password in ("corta", "password1234", "aaaaaaaaaaaaaa", "x" * 200):
        with pytest.raises(FieldError) as refused:
            User(email="x@example.co").set_password(password)
        said[refused.value.problem.code] = render(refused.value.problem, spanish)
    assert said["password_too_short"] == "la contraseña debe tener al menos 12 caracteres"
    assert said["password_too_long"] == "la contraseña puede tener como máximo 128 caracteres"
    assert said["password_common"].startswith("la contraseña no debe ser una de las más usadas")
    assert said["password_guessable"].startswith("la contraseña es demasiado fácil de adivinar")
    with pytest.raises(FieldError) as refused:
        User(email="x.zuluaga@example.co", name="Ximena Zuluaga").set_password("zuluagaximena")
    assert render(refused.value.problem, spanish).startswith("la contraseña no debe formarse con su nombre, su correo")


def test_a_new_password_gives_the_user_a_new_session_token(db):
    user = make_user()
    before = user.session_token
    user.set_password("otra-frase-de-paso-larga")
    assert len(before) == 32 and user.session_token != before


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
