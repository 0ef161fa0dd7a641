"""Check a DIAN document the way DIAN's validation platform would.

:func:`verify_document` runs the schema (ZB01), the signature and policy
(ZE02), the CUFE/CUDE/CUDS (FAD06/CAD06/DAD06/DSAD06) and the software
security code (FAB27b) rules, and returns every problem found. The DIAN
simulator and the ``habilita dian verify`` command both rely on it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from . import hashes, schemas
from . import namespaces as ns
from .constants import TEST_TECHNICAL_KEY
from .errors import MalformedDocument
from .parsing import parse_xml
from .signature_check import signature_problems

# DIAN rule codes.
SCHEMA = "ZB01"
SIGNATURE = "ZE02"
SOFTWARE_SECURITY_CODE = "FAB27b"
UUID_RULE = {
    "invoice": "FAD06",
    "credit_note": "CAD06",
    "debit_note": "DAD06",
    "support_document": "DSAD06",
    "support_adjustment": "DSAD06",
}
UUID_SCHEME = {
    "invoice": "CUFE-SHA384",
    "credit_note": "CUDE-SHA384",
    "debit_note": "CUDE-SHA384",
    "support_document": "CUDS-SHA384",
    "support_adjustment": "CUDS-SHA384",
}
_SUPPORT_KINDS = ("support_document", "support_adjustment")
# Schema errors beyond this many repeat the same cause; a person needs the first ones.
_MAX_SCHEMA_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One failed DIAN rule."""

    code: str  # DIAN rule code: "ZB01", "ZE02", "FAD06"/"CAD06"/"DAD06"/"DSAD06", "FAB27b"
    message: str  # what failed, for a person

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class DocumentFacts:
    """What the simulator and the workflows need to know about a document without trusting it."""

    kind: str  # "invoice" | "credit_note" | "debit_note" | "support_document" | "support_adjustment"
    type_code: str  # "01", "91", "92", "05", "95"
    number: str  # full id, e.g. "SETP990000001"
    prefix: str  # e.g. "SETP"
    sequence: int  # e.g. 990000001
    issuer_nit: str  # enabling company's NIT without DV: supplier (01/91/92) or customer (05/95)
    software_id: str
    uuid: str  # CUFE/CUDE/CUDS written in the document
    issue_date: datetime.date
    profile_execution_id: str  # "1" production, "2" test


_ROOTS = {
    f"{{{ns.INVOICE}}}Invoice": "Invoice",
    f"{{{ns.CREDIT_NOTE}}}CreditNote": "CreditNote",
    f"{{{ns.DEBIT_NOTE}}}DebitNote": "DebitNote",
}
_KINDS = {
    ("Invoice", "01"): "invoice",
    ("Invoice", "05"): "support_document",
    ("CreditNote", "91"): "credit_note",
    ("CreditNote", "95"): "support_adjustment",
    ("DebitNote", "92"): "debit_note",
}


def _text(root: etree._Element, path: str, *, required: str | None = None) -> str:
    value = root.findtext(path, namespaces=ns.NS)
    value = value.strip() if value is not None else ""
    if not value and required:
        raise MalformedDocument(f"{required} ({path}) is missing")
    return value


def _kind(root: etree._Element) -> tuple[str, str]:
    name = _ROOTS.get(root.tag)
    if name is None:
        raise MalformedDocument(f"not a DIAN invoice, credit note or debit note: root element is {root.tag}")
    if name == "Invoice":
        code = _text(root, "cbc:InvoiceTypeCode", required="the invoice type code")
    elif name == "CreditNote":
        code = _text(root, "cbc:CreditNoteTypeCode", required="the credit note type code")
    else:
        # UBL 2.1 DebitNote has no type code element: DIAN's 92 is implied.
        code = "92"
    kind = _KINDS.get((name, code))
    if kind is None:
        raise MalformedDocument(f"type code {code!r} is not a DIAN type for a {name}")
    return kind, code


# ASCII digits only: str.isdigit() would take other scripts' digits too, which int() then reads as numbers.
_SEQUENCE = re.compile(r"[0-9]+")


def _split_number(root: etree._Element, number: str) -> tuple[str, int]:
    prefix = _text(root, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sts:DianExtensions"
                         "/sts:InvoiceControl/sts:AuthorizedInvoices/sts:Prefix")
    if prefix and number.startswith(prefix) and _SEQUENCE.fullmatch(number[len(prefix):]):
        return prefix, int(number[len(prefix):])
    # Without a numbering range in the document, the sequence is the trailing run of digits.
    tail = len(number) - len(number.rstrip("0123456789"))
    if tail == 0:
        raise MalformedDocument(f"document number {number!r} does not end in a sequence number")
    return number[:-tail], int(number[-tail:])


def _party_id(root: etree._Element, party: str) -> str:
    for path in (
        f"cac:{party}/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
        f"cac:{party}/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
    ):
        value = _text(root, path)
        if value:
            return value
    raise MalformedDocument(f"the {party} has no CompanyID")


def facts_from_root(root: etree._Element) -> DocumentFacts:
    """:func:`read_facts` on an already parsed document."""
    kind, type_code = _kind(root)
    number = _text(root, "cbc:ID", required="the document number")
    prefix, sequence = _split_number(root, number)
    issuer_party = "AccountingCustomerParty" if kind in _SUPPORT_KINDS else "AccountingSupplierParty"
    issue_text = _text(root, "cbc:IssueDate", required="the issue date")
    try:
        issue_date = datetime.date.fromisoformat(issue_text)
    except ValueError as exc:
        raise MalformedDocument(f"issue date {issue_text!r} is not a date (YYYY-MM-DD)") from exc
    return DocumentFacts(
        kind=kind,
        type_code=type_code,
        number=number,
        prefix=prefix,
        sequence=sequence,
        issuer_nit=_party_id(root, issuer_party),
        software_id=_text(
            root,
            "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sts:DianExtensions"
            "/sts:SoftwareProvider/sts:SoftwareID",
            required="the software id",
        ),
        uuid=_text(root, "cbc:UUID", required="the CUFE/CUDE/CUDS (cbc:UUID)"),
        issue_date=issue_date,
        profile_execution_id=_text(root, "cbc:ProfileExecutionID", required="the ProfileExecutionID"),
    )


def read_facts(xml: bytes) -> DocumentFacts:
    """Read the identifying facts of a DIAN UBL document.

    Raises :class:`~habilita.dian.errors.MalformedDocument` when the bytes are not XML or
    not a DIAN invoice/note/support document, naming what is missing.
    """
    return facts_from_root(parse_xml(xml))


def _monetary_total(root: etree._Element) -> str:
    return "cac:RequestedMonetaryTotal" if root.tag == f"{{{ns.DEBIT_NOTE}}}DebitNote" else "cac:LegalMonetaryTotal"


def _tax_amount(root: etree._Element, scheme: str) -> str | None:
    # A document may carry one TaxTotal per tax scheme; their TaxAmounts add up.
    total = None
    for tax_total in root.findall("cac:TaxTotal", namespaces=ns.NS):
        if tax_total.findtext("cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:ID", namespaces=ns.NS) == scheme:
            amount = _decimal(tax_total.findtext("cbc:TaxAmount", namespaces=ns.NS))
            total = amount if total is None else total + amount
    return None if total is None else str(total)


def _decimal(text: str | None) -> Decimal:
    try:
        return Decimal((text or "0").strip())
    except InvalidOperation as exc:
        raise MalformedDocument(f"amount {text!r} is not a number") from exc


def expected_uuid(root: etree._Element, facts: DocumentFacts, *, key: str) -> str:
    """Recompute the CUFE/CUDE/CUDS of a parsed document; ``key`` is the technical key or the PIN."""
    total = _monetary_total(root)
    common = dict(
        number=facts.number,
        issue_date=_text(root, "cbc:IssueDate"),
        issue_time=_text(root, "cbc:IssueTime"),
        line_extension=_text(root, f"{total}/cbc:LineExtensionAmount") or None,
        payable=_text(root, f"{total}/cbc:PayableAmount") or None,
        environment=facts.profile_execution_id,
    )
    if facts.kind in _SUPPORT_KINDS:
        first = root.find("cac:TaxTotal", namespaces=ns.NS)
        code = amount = None
        if first is not None:
            code = first.findtext("cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:ID", namespaces=ns.NS)
            amount = first.findtext("cbc:TaxAmount", namespaces=ns.NS)
        return hashes.cuds(
            tax_code=code,
            tax_amount=amount,
            seller_id=_party_id(root, "AccountingSupplierParty"),
            buyer_nit=_party_id(root, "AccountingCustomerParty"),
            pin=key,
            **common,
        )
    return hashes.sha384_hex(
        hashes.cufe_input(
            iva=_tax_amount(root, hashes.TAX_IVA),
            inc=_tax_amount(root, hashes.TAX_INC),
            ica=_tax_amount(root, hashes.TAX_ICA),
            supplier_nit=_party_id(root, "AccountingSupplierParty"),
            customer_id=_party_id(root, "AccountingCustomerParty"),
            key=key,
            **common,
        )
    )


def _uuid_problems(root, facts: DocumentFacts, technical_key: str | None, pin: str | None) -> list[Problem]:
    code = UUID_RULE[facts.kind]
    scheme = root.find("cbc:UUID", namespaces=ns.NS).get("schemeName")
    problems = []
    if scheme != UUID_SCHEME[facts.kind]:
        problems.append(Problem(code, f"cbc:UUID schemeName is {scheme!r}, expected {UUID_SCHEME[facts.kind]!r}"))
    if facts.kind == "invoice":
        # In habilitación every range uses DIAN's published test key.
        key = technical_key or (TEST_TECHNICAL_KEY if facts.profile_execution_id == "2" else None)
        name = "CUFE"
    else:
        key = pin
        name = "CUDS" if facts.kind in _SUPPORT_KINDS else "CUDE"
    if key is None:
        return problems
    expected = expected_uuid(root, facts, key=key)
    if expected != facts.uuid:
        problems.append(Problem(code, f"{name} mal calculado: the document says {facts.uuid}, expected {expected}"))
    return problems


def _security_code_problems(root, facts: DocumentFacts, pin: str | None) -> list[Problem]:
    if pin is None:
        return []
    written = _text(root, "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sts:DianExtensions"
                          "/sts:SoftwareSecurityCode")
    expected = hashes.software_security_code(software_id=facts.software_id, pin=pin, number=facts.number)
    if written != expected:
        return [Problem(SOFTWARE_SECURITY_CODE,
                        f"SoftwareSecurityCode does not match software {facts.software_id} and its PIN "
                        f"for document {facts.number}: found {written or 'nothing'}, expected {expected}")]
    return []


def verify_document(
    xml: bytes,
    *,
    technical_key: str | None = None,
    pin: str | None = None,
    check_schema: bool = True,
) -> list[Problem]:
    """Return every DIAN rule the document breaks, ``[]`` when it is valid.

    The CUFE of an invoice is checked with ``technical_key`` (DIAN's test key
    when absent and the document is a test one, ProfileExecutionID 2); CUDE,
    CUDS and the SoftwareSecurityCode need the software ``pin`` and are skipped
    without it. Unreadable bytes give one ZB01 problem instead of an exception.
    """
    try:
        root = parse_xml(xml)
    except MalformedDocument as exc:
        return [Problem(SCHEMA, str(exc))]
    problems: list[Problem] = []
    if check_schema:
        issues = schemas.validate(root)
        problems.extend(Problem(SCHEMA, f"schema: {issue}") for issue in issues[:_MAX_SCHEMA_PROBLEMS])
        if len(issues) > _MAX_SCHEMA_PROBLEMS:
            problems.append(Problem(SCHEMA, f"schema: {len(issues) - _MAX_SCHEMA_PROBLEMS} more errors"))
    try:
        facts = facts_from_root(root)
    except MalformedDocument as exc:
        return [*problems, Problem(SCHEMA, str(exc))]
    problems.extend(Problem(SIGNATURE, message) for message in signature_problems(xml, root, facts.issue_date))
    problems.extend(_uuid_problems(root, facts, technical_key, pin))
    problems.extend(_security_code_problems(root, facts, pin))
    return problems
