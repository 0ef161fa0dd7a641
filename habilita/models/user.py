"""Staff who use the console, with their roles."""
from __future__ import annotations

import datetime as dt
import secrets

import peewee

from habilita.inputs.emails import email_problem
from habilita.inputs.text import text_problem
from habilita.inputs.words import person_name_problem

from .base import BaseModel, utcnow
from .errors import FieldError
from .passwords import check_password_rules

ROLES = ("onboarding", "support", "auditor", "admin")


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(BaseModel):
    email = peewee.CharField(max_length=200, unique=True)
    name = peewee.CharField(max_length=200, default="")
    password_hash = peewee.CharField(max_length=300)
    roles = peewee.CharField(max_length=100, default="onboarding")
    active = peewee.BooleanField(default=True)
    must_change_password = peewee.BooleanField(default=True)
    failed_logins = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)
    last_login_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # Carried by every console session of the user; a new one ends them all (logout, new password).
    session_token = peewee.CharField(max_length=64, default=new_session_token)

    def __str__(self) -> str:
        return self.email

    def validate(self) -> None:
        """Raise ``FieldError`` at the e-mail or the name when it breaks the rules of ``habilita.inputs``:
        an e-mail address (stored lowercase), a person's name, no control characters, within the column."""
        self.email = (self.email or "").strip().lower()
        self.name = (self.name or "").strip()
        problem = email_problem("email", self.email, maximum=self._meta.fields["email"].max_length)
        if problem is None and self.name:
            problem = (text_problem("name", self.name, maximum=self._meta.fields["name"].max_length)
                       or person_name_problem("name", self.name))
        if problem:
            raise FieldError.of(problem)

    def save(self, *args, **kwargs):
        # Checked when written by a person (a new user, a changed e-mail or name), not at every login's save.
        if self.id is None or {"email", "name"} & {field.name for field in self.dirty_fields}:
            self.validate()
        return super().save(*args, **kwargs)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    def has_role(self, *roles: str) -> bool:
        """True when the user holds any of ``roles`` (admin holds them all)."""
        mine = self.role_set
        return "admin" in mine or bool(mine & set(roles))

    def set_roles(self, roles) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise FieldError("roles", "roles_unknown", unknown=sorted(unknown), roles=list(ROLES))
        if not roles:
            raise FieldError("roles", "roles_empty")
        self.roles = ",".join(r for r in ROLES if r in roles)

    def set_password(self, password: str, *, must_change: bool = False) -> None:
        """Hash ``password`` after the rules of :mod:`.passwords`; every session signed in with the old one ends."""
        # Imported here: werkzeug takes ~70 ms to import, which every command of the CLI would pay.
        from werkzeug.security import generate_password_hash

        check_password_rules(password, user_inputs=(self.email, self.name))
        self.password_hash = generate_password_hash(password)
        self.must_change_password = must_change
        self.end_sessions()

    def end_sessions(self) -> None:
        """Give the user a new session token: every session that carries the old one no longer opens the console."""
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        from werkzeug.security import check_password_hash  # see set_password

        return check_password_hash(self.password_hash, password or "")

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    @classmethod
    def by_email(cls, email: str) -> "User | None":
        return cls.get_or_none(cls.email == (email or "").strip().lower())
