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
from habilita.messages import Problem
from habilita.messages.problem_codes import tax_id_problem
from habilita.models import Representative

DOCUMENT_TYPES = {
    "CC": "cédula de ciudadanía",
    "CE": "cédula de extranjería",
    "PA": "pasaporte",
    "NIT": "NIT",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_SEPARATORS = " -()."
# A Colombian phone: 7 digits (landline) or 10 (mobile), ASCII only.
_PHONE_DIGITS = re.compile(r"[0-9]{7}|[0-9]{10}")
ID_CARD_DIGITS = (6, 10)
PASSPORT_CHARACTERS = (5, 12)


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


def representative_problems(data: LegalRepresentative) -> list[Problem]:
    """Every field's problem the form must show; empty when the data is acceptable."""
    problems: list[Problem] = []

    def required(field: str) -> str:
        value = (getattr(data, field) or "").strip()
        if not value:
            problems.append(Problem(field, "required"))
        return value

    required("actor")
    name = required("full_name")
    if name and len(name.split()) < 2:
        problems.append(Problem("full_name", "full_name_incomplete"))
    kind = required("document_type")
    if kind and kind not in DOCUMENT_TYPES:
        problems.append(Problem("document_type", "one_of", {"choices": list(DOCUMENT_TYPES)}))
    number = required("document_number")
    if number and kind in DOCUMENT_TYPES:
        problem = _document_number_problem(kind, number, (data.check_digit or "").strip())
        if problem:
            problems.append(problem)
    email = required("email")
    if email and not _EMAIL.match(email):
        problems.append(Problem("email", "not_an_email", {"value": email}))
    phone = required("phone")
    digits = "".join(ch for ch in phone if ch not in _PHONE_SEPARATORS).removeprefix("+57")
    if phone and not _PHONE_DIGITS.fullmatch(digits):
        problems.append(Problem("phone", "phone_digits"))
    required("position")
    return problems


def _document_number_problem(kind: str, number: str, check_digit: str) -> Problem | None:
    if kind == "NIT":
        if not check_digit:
            return Problem("check_digit", "check_digit_required_for_nit")
        try:
            validate_nit(number, check_digit)
        except InvalidTaxId as exc:
            return tax_id_problem(exc, number_field="document_number", check_digit_field="check_digit")
        return None
    if check_digit:
        return Problem("check_digit", "check_digit_only_nit")
    # The document's name as Colombians write it (cédula de ciudadanía...), in any language.
    document = {"document": DOCUMENT_TYPES[kind]}
    if kind in ("CC", "CE"):
        shortest, longest = ID_CARD_DIGITS
        if not re.fullmatch(r"[0-9]+", number):
            return Problem("document_number", "id_card_digits", document)
        if not shortest <= len(number) <= longest or number.startswith("0"):
            return Problem("document_number", "id_card_length", {**document, "minimum": shortest, "maximum": longest})
    elif not re.fullmatch(r"[0-9A-Za-z]{%d,%d}" % PASSPORT_CHARACTERS, number):
        shortest, longest = PASSPORT_CHARACTERS
        return Problem("document_number", "passport_format", {"minimum": shortest, "maximum": longest})
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
