"""Staff who use the console, with their roles."""
from __future__ import annotations

import datetime as dt

import peewee
from werkzeug.security import check_password_hash, generate_password_hash

from .base import BaseModel, utcnow
from .errors import FieldError

ROLES = ("onboarding", "support", "auditor", "admin")
MIN_PASSWORD_LENGTH = 10


def check_password_rules(password: str) -> None:
    """Raise ``FieldError`` on ``password`` when it is too weak to accept."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise FieldError("password", "password_too_short", minimum=MIN_PASSWORD_LENGTH)
    if password.isdigit() or password.isalpha():
        raise FieldError("password", "password_too_simple")


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

    def __str__(self) -> str:
        return self.email

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
        check_password_rules(password)
        self.password_hash = generate_password_hash(password)
        self.must_change_password = must_change

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password or "")

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    @classmethod
    def by_email(cls, email: str) -> "User | None":
        return cls.get_or_none(cls.email == (email or "").strip().lower())
