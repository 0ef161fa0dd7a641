"""The legal representative's data: its rules, and storing it sealed.

The form's rules are pure (the update validator runs them inside the
workflow); storing seals the data with the application key, so the database
and every later payload hold only the row id.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from temporalio import activity

from habilita.dian.checkdigit import validate_nit
from habilita.dian.errors import InvalidTaxId
from habilita.inputs import limits
from habilita.inputs.emails import email_problem
from habilita.inputs.identifiers import ascii_digits, ascii_letters_and_digits, phone_digits
from habilita.inputs.printable import letter_problem
from habilita.inputs.text import text_problem
from habilita.inputs.words import person_name_problem, title_problem
from habilita.messages import Problem
from habilita.messages.problem_codes import tax_id_problem
from habilita.models import Representative

DOCUMENT_TYPES = {
    "CC": "cédula de ciudadanía",
    "CE": "cédula de extranjería",
    "PA": "pasaporte",
    "NIT": "NIT",
}
# A Colombian phone: 7 digits (landline) or 10 (mobile), optionally after +57.
PHONE_LENGTHS = (7, 10)
ID_CARD_DIGITS = (6, 10)
# Each text field's longest value (see habilita.inputs.limits).
# (The document type is one of DOCUMENT_TYPES: a choice needs no limit of its own.)
MAXIMUM = {"actor": limits.ACTOR, "full_name": limits.PERSON_NAME, "document_number": limits.DOCUMENT_NUMBER,
           "email": limits.EMAIL, "phone": limits.PHONE, "position": limits.POSITION, "check_digit": limits.CHECK_DIGIT}
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
    """Every field's problem the form must show (one per field); empty when the data is acceptable.

    Each field is first text a field may hold (no control characters, within its limit); the name and
    the position are printed on the exoneration letter, so they must also be drawable in its typeface.
    """
    problems: list[Problem] = []

    def accepted(field: str, *rules) -> str:
        """The field's stripped value when it passes every rule, else "" (its first problem is kept)."""
        raw = getattr(data, field) or ""
        value = raw.strip()
        if not value:
            if field != "check_digit":
                problems.append(Problem(field, "required"))
            return ""
        for rule in (lambda f, v: text_problem(f, raw, maximum=MAXIMUM.get(f, len(raw))), *rules):
            problem = rule(field, value)
            if problem:
                problems.append(problem)
                return ""
        return value

    accepted("actor")
    name = accepted("full_name", letter_problem, person_name_problem)
    if name and len(name.split()) < 2:
        problems.append(Problem("full_name", "full_name_incomplete"))
    kind = accepted("document_type")
    if kind and kind not in DOCUMENT_TYPES:
        problems.append(Problem("document_type", "one_of", {"choices": list(DOCUMENT_TYPES)}))
        kind = ""
    number = accepted("document_number")
    check_digit = accepted("check_digit")
    if number and kind and (check_digit or not (data.check_digit or "").strip()):
        problem = _document_number_problem(kind, number, check_digit)
        if problem:
            problems.append(problem)
    accepted("email", lambda f, v: email_problem(f, v, maximum=MAXIMUM[f]))
    accepted("phone", _phone_problem)
    accepted("position", letter_problem, title_problem)
    return problems


def _phone_problem(field: str, phone: str) -> Problem | None:
    digits = phone_digits(phone)
    if digits is not None and phone.strip().startswith("+57"):
        digits = digits.removeprefix("57")
    elif phone.strip().startswith("+"):
        digits = None  # a Colombian phone: +57 or no country code
    if digits is None or len(digits) not in PHONE_LENGTHS:
        return Problem(field, "phone_digits")
    return None


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
        if not ascii_digits(number):
            return Problem("document_number", "id_card_digits", document)
        if not shortest <= len(number) <= longest or number.startswith("0"):
            return Problem("document_number", "id_card_length", {**document, "minimum": shortest, "maximum": longest})
    elif not (ascii_letters_and_digits(number) and PASSPORT_CHARACTERS[0] <= len(number) <= PASSPORT_CHARACTERS[1]):
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


def latest_representative(company_id: int, *, box) -> dict:
    """The company's last stored representative's fields (empty when it has none), to offer again."""
    row = (Representative.select(Representative.id).where(Representative.company == company_id)
           .order_by(Representative.id.desc()).first())
    return open_representative(box, row.id) if row is not None else {}


def open_representative(box, representative_id: int) -> dict:
    """Decrypt a stored representative into its fields."""
    row = Representative.get_by_id(representative_id)
    return json.loads(box.decrypt(bytes(row.sealed), context=b"representative"))
