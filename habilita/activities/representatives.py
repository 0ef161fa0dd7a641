"""The legal representative's data: its rules, and storing it sealed.

The form's rules are pure (the update validator runs them inside the
workflow); storing seals the data with the application key, so the database
and every later payload hold only the row id.
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

from temporalio import activity

from habilita.dian.checkdigit import validate_nit
from habilita.dian.errors import InvalidTaxId
from habilita.models import Representative

DOCUMENT_TYPES = {
    "CC": "cédula de ciudadanía",
    "CE": "cédula de extranjería",
    "PA": "pasaporte",
    "NIT": "NIT",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_SEPARATORS = " -()."


@dataclass(frozen=True)
class LegalRepresentative:
    """The legal representative, as the certificate and the exoneration letter need them.

    Every field is mandatory; ``check_digit`` only when the document is a NIT.
    """

    actor: str
    full_name: str
    document_type: str
    document_number: str
    email: str
    phone: str
    position: str
    check_digit: str = ""


def representative_problems(data: LegalRepresentative) -> list[tuple[str, str]]:
    """Every (field, message) the form must show; empty when the data is acceptable."""
    problems: list[tuple[str, str]] = []

    def required(field: str, label: str) -> str:
        value = (getattr(data, field) or "").strip()
        if not value:
            problems.append((field, f"{label} is required"))
        return value

    required("actor", "the acting user")
    name = required("full_name", "the representative's full name")
    if name and len(name.split()) < 2:
        problems.append(("full_name", "write the representative's first and last names"))
    kind = required("document_type", "the document type")
    if kind and kind not in DOCUMENT_TYPES:
        problems.append(("document_type", f"the document type must be one of {', '.join(DOCUMENT_TYPES)}"))
    number = required("document_number", "the document number")
    if number and kind in DOCUMENT_TYPES:
        message = _document_number_problem(kind, number, (data.check_digit or "").strip())
        if message:
            problems.append(message)
    email = required("email", "the e-mail")
    if email and not _EMAIL.match(email):
        problems.append(("email", f"{email!r} is not an e-mail address"))
    phone = required("phone", "the phone number")
    digits = "".join(ch for ch in phone if ch not in _PHONE_SEPARATORS).removeprefix("+57")
    if phone and not (digits.isdigit() and len(digits) in (7, 10)):
        problems.append(("phone", "the phone number must have 7 or 10 digits (optionally after +57)"))
    required("position", "the representative's position in the company")
    return problems


def _document_number_problem(kind: str, number: str, check_digit: str) -> tuple[str, str] | None:
    if kind == "NIT":
        if not check_digit:
            return ("check_digit", "the check digit is required when the document is a NIT")
        try:
            validate_nit(number, check_digit)
        except InvalidTaxId as exc:
            field = "check_digit" if "check digit" in str(exc) else "document_number"
            return (field, str(exc))
        return None
    if check_digit:
        return ("check_digit", "only a NIT has a check digit: leave it empty")
    if kind in ("CC", "CE"):
        if not number.isdigit():
            return ("document_number", f"a {DOCUMENT_TYPES[kind]} is digits only, without dots or spaces")
        if not 6 <= len(number) <= 10 or number.startswith("0"):
            return ("document_number", f"a {DOCUMENT_TYPES[kind]} has 6 to 10 digits and does not start with 0")
    elif not (number.isalnum() and 5 <= len(number) <= 12):
        return ("document_number", "a passport number has 5 to 12 letters and digits")
    return None


@dataclass(frozen=True)
class SaveRepresentative:
    """Seal and store the data once per workflow step (``source_key``)."""

    source_key: str
    company_id: int
    representative: LegalRepresentative


@dataclass(frozen=True)
class RepresentativeRef:
    representative_id: int


class RepresentativeActivities:
    def __init__(self, box) -> None:
        self._box = box

    @activity.defn
    def save_representative(self, request: SaveRepresentative) -> RepresentativeRef:
        """Store the representative sealed; a retry returns the row written first."""
        sealed = seal_representative(self._box, request.representative)
        row, _ = Representative.get_or_create(
            source_key=request.source_key, defaults={"company": request.company_id, "sealed": sealed})
        return RepresentativeRef(representative_id=row.id)


def seal_representative(box, data: LegalRepresentative) -> bytes:
    """The representative as encrypted JSON (the acting user is not part of it)."""
    fields = {k: v for k, v in dataclasses.asdict(data).items() if k != "actor"}
    return box.encrypt(json.dumps(fields).encode(), context=b"representative")


def open_representative(box, representative_id: int) -> dict:
    """Decrypt a stored representative into its fields."""
    row = Representative.get_by_id(representative_id)
    return json.loads(box.decrypt(bytes(row.sealed), context=b"representative"))
