"""Plain inputs of the UBL builders: one frozen dataclass per DIAN document type.

They hold what a person or an ERP decides (who, what, how much, which
numbering range); everything DIAN derives (totals, CUFE/CUDE/CUDS, the
software security code, the QR text) is computed by :mod:`habilita.dian.ubl`.
Amounts are :class:`~decimal.Decimal` (ints and numeric strings are accepted
and converted; floats are refused because they lose cents).
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import ClassVar
from dataclasses import dataclass
from decimal import Decimal

from . import constants
from .amounts import to_decimal
from .checkdigit import nit_check_digit, validate_nit
from .clock import to_colombia
from .errors import InvalidDocument

# A DIAN prefix: up to 4 ASCII letters or digits (str.isalnum() would take any script's).
_PREFIX = re.compile(r"[0-9A-Za-z]{0,4}")

IVA = "01"
ICA = "03"
INC = "04"
TAX_NAMES = {IVA: "IVA", ICA: "ICA", INC: "INC"}

# cac:DiscrepancyResponse/cbc:ResponseCode per annex 1.8 (tables 13.2.4 and 13.2.5).
CREDIT_NOTE_REASONS = {
    "1": "Devolución parcial de los bienes y/o no aceptación parcial del servicio",
    "2": "Anulación de factura electrónica",
    "3": "Rebaja o descuento parcial o total",
    "4": "Ajuste de precio",
    "5": "Descuento comercial por pronto pago",
    "6": "Descuento comercial por volumen de ventas",
}
DEBIT_NOTE_REASONS = {"1": "Intereses", "2": "Gastos por cobrar", "3": "Cambio del valor", "4": "Otros"}
# Identification types (cbc:CompanyID/@schemeName) that carry a check digit.
NIT_ID_TYPE = "31"


@dataclass(frozen=True, kw_only=True)
class Address:
    """A Colombian (or foreign) address; codes are DANE's DIVIPOLA codes."""

    line: str
    city_code: str = "11001"
    city_name: str = "Bogotá, D.C."
    department: str = "Bogotá"
    department_code: str = "11"
    country_code: str = "CO"
    country_name: str = "Colombia"
    postal_zone: str | None = None


@dataclass(frozen=True, kw_only=True)
class Party:
    """A supplier or customer: tax identity, legal name and address."""

    id_number: str  # NIT without DV (or the number of another id type)
    name: str
    address: Address
    id_type: str = NIT_ID_TYPE  # 31 NIT, 13 cédula, 22 cédula de extranjería, 41 pasaporte, ...
    person_type: str = "1"  # cbc:AdditionalAccountID: 1 legal entity, 2 natural person
    tax_level_code: str = "R-99-PN"  # fiscal responsibilities (RUT box 53), e.g. "O-13;O-15"
    tax_scheme: str = IVA  # "01" IVA responsible, "ZZ" not applicable
    email: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidDocument("a party's legal name is empty")
        if self.id_type == NIT_ID_TYPE:
            object.__setattr__(self, "id_number", validate_nit(self.id_number))
        elif not self.id_number.strip():
            raise InvalidDocument(f"the identification number of {self.name} is empty")

    @functools.cached_property
    def check_digit(self) -> str | None:
        """The DV of the NIT, None for id types without one."""
        return nit_check_digit(self.id_number) if self.id_type == NIT_ID_TYPE else None


@dataclass(frozen=True, kw_only=True)
class LineTax:
    """A tax on one line: scheme ("01" IVA, "04" INC, "03" ICA) and percent, e.g. 19."""

    scheme: str
    percent: Decimal

    def __post_init__(self) -> None:
        if self.scheme not in TAX_NAMES:
            raise InvalidDocument(f"tax scheme {self.scheme!r} is not one of {', '.join(TAX_NAMES)} (IVA, ICA, INC)")
        percent = to_decimal(self.percent, what="tax percent")
        if not Decimal(0) <= percent <= Decimal(100):
            raise InvalidDocument(f"tax percent must be between 0 and 100, got {percent}")
        object.__setattr__(self, "percent", percent)


@dataclass(frozen=True, kw_only=True)
class Line:
    """One line: quantity times unit price, with its taxes."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    taxes: tuple[LineTax, ...] = ()
    unit_code: str = "94"  # UN/ECE rec 20: 94 unit
    item_code: str | None = None

    def __post_init__(self) -> None:
        quantity = to_decimal(self.quantity, what="quantity")
        price = to_decimal(self.unit_price, what="unit price")
        if quantity <= 0:
            raise InvalidDocument(f"line {self.description!r}: quantity must be positive, got {quantity}")
        if price < 0:
            raise InvalidDocument(f"line {self.description!r}: unit price cannot be negative, got {price}")
        schemes = [t.scheme for t in self.taxes]
        if len(set(schemes)) != len(schemes):
            raise InvalidDocument(f"line {self.description!r}: a tax scheme appears twice")
        object.__setattr__(self, "quantity", quantity)
        object.__setattr__(self, "unit_price", price)
        object.__setattr__(self, "taxes", tuple(self.taxes))


@dataclass(frozen=True, kw_only=True)
class NumberingRange:
    """A DIAN numbering resolution: prefix, authorized numbers, validity and technical key."""

    prefix: str
    range_from: int
    range_to: int
    resolution: str
    valid_from: datetime.date
    valid_to: datetime.date
    technical_key: str | None = None  # only invoices use it (CUFE)

    def __post_init__(self) -> None:
        if self.range_from > self.range_to:
            raise InvalidDocument(f"numbering range {self.range_from}-{self.range_to} is empty")
        if self.valid_from > self.valid_to:
            raise InvalidDocument(f"resolution {self.resolution} ends ({self.valid_to}) before it starts ({self.valid_from})")
        if not _PREFIX.fullmatch(self.prefix):
            raise InvalidDocument(f"a DIAN prefix has at most 4 letters or digits, got {self.prefix!r}")

    @classmethod
    def habilitacion(cls, *, prefix: str = constants.TEST_PREFIX) -> NumberingRange:
        """The fixed own-software test range of habilitación (SETP 990000000-995000000)."""
        return cls(
            prefix=prefix,
            range_from=constants.TEST_RANGE_FROM,
            range_to=constants.TEST_RANGE_TO,
            resolution=constants.TEST_RESOLUTION,
            valid_from=datetime.date(2019, 1, 19),
            valid_to=datetime.date(2030, 1, 19),
            technical_key=constants.TEST_TECHNICAL_KEY,
        )

    @classmethod
    def habilitacion_support(cls) -> NumberingRange:
        """The support-document test range (SEDS from 984000000; unconfirmed by DIAN, configuration)."""
        return cls(
            prefix=constants.TEST_DS_PREFIX,
            range_from=constants.TEST_DS_RANGE_FROM,
            range_to=constants.TEST_DS_RANGE_TO,
            resolution=constants.TEST_RESOLUTION,
            valid_from=datetime.date(2019, 1, 19),
            valid_to=datetime.date(2030, 1, 19),
        )


@dataclass(frozen=True, kw_only=True)
class Software:
    """The DIAN-registered software that issues the document."""

    id: str  # SoftwareID (a GUID given by the portal)
    pin: str
    provider_nit: str  # NIT of the software provider (the company itself for own software)

    def __post_init__(self) -> None:
        if not self.id.strip() or not self.pin.strip():
            raise InvalidDocument("software id and PIN are required")
        object.__setattr__(self, "provider_nit", validate_nit(self.provider_nit))

    @functools.cached_property
    def provider_dv(self) -> str:
        """The check digit of the provider's NIT."""
        return nit_check_digit(self.provider_nit)


@dataclass(frozen=True, kw_only=True)
class BillingReference:
    """The document a note corrects."""

    number: str
    uuid: str
    issue_date: datetime.date
    uuid_scheme: str = "CUFE-SHA384"


@dataclass(frozen=True, kw_only=True)
class _Document:
    sequence: int
    issued_at: datetime.datetime  # aware; written in Colombian time
    supplier: Party
    customer: Party
    lines: tuple[Line, ...]
    software: Software
    environment: str = constants.ENVIRONMENT_TEST
    currency: str = "COP"
    notes: tuple[str, ...] = ()
    payment_means_code: str = "10"  # 10 cash; 42 bank transfer; 48 card ...
    payment_due_date: datetime.date | None = None  # None: paid cash (method 1), else credit (2)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "notes", tuple(self.notes))
        if not self.lines:
            raise InvalidDocument(f"document {self.number} has no lines")
        if self.environment not in (constants.ENVIRONMENT_PRODUCTION, constants.ENVIRONMENT_TEST):
            raise InvalidDocument(f"environment must be '1' (production) or '2' (test), got {self.environment!r}")
        try:
            to_colombia(self.issued_at)
        except ValueError as exc:
            raise InvalidDocument(f"document {self.number}: {exc}") from exc
        if self.sequence < 0:
            raise InvalidDocument(f"document sequence must not be negative, got {self.sequence}")

    @property
    def prefix(self) -> str:
        """The numbering prefix; each document family says where it comes from."""
        raise NotImplementedError(f"{type(self).__name__} must define its prefix")

    @property
    def number(self) -> str:
        """The full document id: prefix and sequence, e.g. "SETP990000001"."""
        return f"{self.prefix}{self.sequence}"

    @property
    def issue_date(self) -> datetime.date:
        """The issue date in Colombia."""
        return to_colombia(self.issued_at).date()


@dataclass(frozen=True, kw_only=True)
class _Numbered(_Document):
    numbering: NumberingRange

    def __post_init__(self) -> None:
        super().__post_init__()
        r = self.numbering
        if not r.range_from <= self.sequence <= r.range_to:
            raise InvalidDocument(
                f"number {self.sequence} is outside the authorized range {r.prefix} {r.range_from}-{r.range_to}"
            )
        if not r.valid_from <= self.issue_date <= r.valid_to:
            raise InvalidDocument(
                f"resolution {r.resolution} is valid from {r.valid_from} to {r.valid_to}, "
                f"not on the issue date {self.issue_date}"
            )

    @property
    def prefix(self) -> str:
        return self.numbering.prefix


@dataclass(frozen=True, kw_only=True)
class _Note(_Document):
    note_prefix: str
    reason_code: str
    reason: str | None = None  # free text; the standard reason name when None
    billing_reference: BillingReference | None = None

    _REASONS: ClassVar[dict[str, str]] = {}

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.reason_code not in self._REASONS:
            raise InvalidDocument(
                f"reason code {self.reason_code!r} is not one of {', '.join(sorted(self._REASONS))} for this note"
            )

    @property
    def prefix(self) -> str:
        return self.note_prefix

    @property
    def reason_text(self) -> str:
        """The discrepancy description written in the note."""
        return self.reason or self._REASONS[self.reason_code]


@dataclass(frozen=True, kw_only=True)
class Invoice(_Numbered):
    """Electronic sales invoice, type 01. The supplier is the issuing company."""


@dataclass(frozen=True, kw_only=True)
class CreditNote(_Note):
    """Credit note, type 91, usually referencing an invoice (CUFE)."""

    _REASONS: ClassVar[dict[str, str]] = CREDIT_NOTE_REASONS


@dataclass(frozen=True, kw_only=True)
class DebitNote(_Note):
    """Debit note, type 92, usually referencing an invoice (CUFE)."""

    _REASONS: ClassVar[dict[str, str]] = DEBIT_NOTE_REASONS


@dataclass(frozen=True, kw_only=True)
class SupportDocument(_Numbered):
    """Support document, type 05: a purchase from someone not obliged to invoice.

    ``supplier`` is that seller; ``customer`` is the company issuing the document.
    """

    resident_seller: bool = True  # CustomizationID 10 (resident) or 11 (non-resident)


@dataclass(frozen=True, kw_only=True)
class SupportAdjustment(_Note):
    """Adjustment note to a support document, type 95 (supplier = seller, customer = company)."""

    _REASONS: ClassVar[dict[str, str]] = CREDIT_NOTE_REASONS


AnyDocument = Invoice | CreditNote | DebitNote | SupportDocument | SupportAdjustment
