"""Companies being brought onto electronic invoicing."""
from __future__ import annotations

import peewee

from habilita.dian.checkdigit import validate_nit, validate_rut
from habilita.dian.errors import InvalidTaxId
from habilita.inputs.emails import is_email
from habilita.inputs.identifiers import phone_digits
from habilita.inputs.printable import letter_problem
from habilita.inputs.text import text_problem
from habilita.inputs.words import title_problem
from habilita.messages import Problem
from habilita.messages.problem_codes import tax_id_problem
from habilita.messages.stored import from_text

from .base import BaseModel, utcnow
from .errors import FieldError, TaxIdLocked

COUNTRIES = {"CO": "Colombia", "CL": "Chile"}
# A company's phone: a local number without its area code up to E.164's longest, in Colombia or Chile.
PHONE_DIGITS = (7, 15)
# The text a person types on the company's form, in the form's order.
TEXT_FIELDS = ("tax_id", "check_digit", "legal_name", "email", "phone", "city")


def clean_tax_id(country: str, tax_id: str, check_digit: str) -> tuple[str, str]:
    """Return the normalized (tax id, check digit) or raise ``FieldError``.

    Colombia uses a NIT with its DIAN check digit; Chile a RUT with its
    modulo-11 digit (``K`` allowed).
    """
    if country not in COUNTRIES:
        raise FieldError("country", "one_of", choices=list(COUNTRIES))
    number = (tax_id or "").replace(".", "").replace(" ", "").strip()
    digit = (check_digit or "").strip().upper()
    if not digit:
        raise FieldError("check_digit", "required")
    try:
        if country == "CO":
            validate_nit(number, digit)
        else:
            validate_rut(f"{number}-{digit}")
    except InvalidTaxId as exc:
        # Shown at the tax id, the digit's fault included: the form names them together.
        raise FieldError.of(tax_id_problem(exc, number_field="tax_id", check_digit_field="tax_id")) from exc
    return number, digit


class Company(BaseModel):
    country = peewee.CharField(max_length=2, default="CO")
    tax_id = peewee.CharField(max_length=20)
    check_digit = peewee.CharField(max_length=1)
    legal_name = peewee.CharField(max_length=200)
    email = peewee.CharField(max_length=200, default="")
    phone = peewee.CharField(max_length=40, default="")
    city = peewee.CharField(max_length=100, default="")
    # Set when DIAN's test set starts: DIAN ties the enablement to this NIT.
    tax_id_locked_at = peewee.DateTimeField(null=True)
    tax_id_locked_reason = peewee.CharField(max_length=300, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("country", "tax_id"), True),)

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.display_tax_id})"

    @property
    def display_tax_id(self) -> str:
        return f"{self.tax_id}-{self.check_digit}"

    def validate(self) -> None:
        """Raise ``FieldError`` naming the first field that breaks a rule."""
        self._check_text()
        if not self.legal_name:
            raise FieldError("legal_name", "required")
        self.tax_id, self.check_digit = clean_tax_id(self.country, self.tax_id, self.check_digit)
        if self.id is not None and self.tax_id_locked_at is not None:
            stored = Company.get_by_id(self.id)
            if (stored.country, stored.tax_id, stored.check_digit) != (self.country, self.tax_id, self.check_digit):
                if self.tax_id_locked_reason:
                    # A reason kept as a message is rendered inside this one; plain text is shown as stored.
                    reason = from_text(self.tax_id_locked_reason)
                    raise TaxIdLocked("tax_id", "tax_id_locked_because",
                                      reason=self.tax_id_locked_reason if reason is None else
                                      {"code": reason.code, "params": reason.params})
                raise TaxIdLocked("tax_id", "tax_id_locked")
        duplicate = Company.select().where(
            (Company.country == self.country) & (Company.tax_id == self.tax_id)
        )
        if self.id is not None:
            duplicate = duplicate.where(Company.id != self.id)
        if duplicate.exists():
            raise FieldError("tax_id", "tax_id_taken", tax_id=self.display_tax_id)

    def _check_text(self) -> None:
        """Each text field stripped, then held to the rules of ``habilita.inputs``: no control characters,
        no longer than its column; the legal name is words the exoneration letter can print, the e-mail an
        address, the phone digits."""
        for name in TEXT_FIELDS:
            value = (getattr(self, name) or "").strip()
            setattr(self, name, value)
            problem = text_problem(name, value, maximum=self._meta.fields[name].max_length)
            if problem is None and value:
                problem = self._field_rule(name, value)
            if problem:
                raise FieldError.of(problem)

    @staticmethod
    def _field_rule(name: str, value: str) -> Problem | None:
        if name == "legal_name":
            return letter_problem(name, value) or title_problem(name, value)
        if name == "city":
            return title_problem(name, value)
        if name == "email":
            return None if is_email(value) else Problem(name, "not_an_email", {"value": value})
        if name == "phone":
            digits = phone_digits(value)
            shortest, longest = PHONE_DIGITS
            if digits is None or not shortest <= len(digits) <= longest:
                return Problem(name, "phone_format", {"minimum": shortest, "maximum": longest})
        return None

    def save(self, *args, **kwargs):
        self.validate()
        self.updated_at = utcnow()
        return super().save(*args, **kwargs)
