"""E-mail addresses, as email-validator reads them: syntax only, ASCII only, never a DNS lookup.

No lookup, because validators run inside workflows and must answer the same every time; ASCII only,
because the addresses are mailed through plain SMTP and printed in letters. The dev stack's and the
tests' people live at ``habilita.local`` and ``habilita.test``, names RFC 6761/6762 keep off the internet
and email-validator therefore refuses: an address there is read as the same address at ``.example``.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from habilita.csv_cells import starts_like_a_formula
from habilita.messages import Problem

from .text import text_problem

_OWN_SPECIAL_USE_DOMAINS = (".local", ".test")


def _as_checked(address: str) -> str:
    local, _, domain = address.rpartition("@")
    for suffix in _OWN_SPECIAL_USE_DOMAINS:
        if domain.lower().endswith(suffix):
            return f"{local}@{domain[: -len(suffix)]}.example"
    return address


def is_email(address: str) -> bool:
    """True when ``address`` is a plain e-mail address (``ana@empresa.co``; no display name, no quotes,
    and not starting like a spreadsheet formula, which RFC 5322 allows and no person's address does)."""
    if starts_like_a_formula(address):
        return False
    try:
        validate_email(_as_checked(address), check_deliverability=False, allow_smtputf8=False,
                       allow_quoted_local=False, allow_domain_literal=False, allow_display_name=False)
    except EmailNotValidError:
        return False
    return True


def email_problem(field: str, value: str, *, maximum: int) -> Problem | None:
    """Why ``value`` cannot be the e-mail address kept in ``field``, else None."""
    return text_problem(field, value, maximum=maximum) or (
        None if is_email(value) else Problem(field, "not_an_email", {"value": value}))
