"""UBL 2.1 builders for DIAN: invoice 01, credit note 91, debit note 92,
support document 05 and its adjustment note 95.

:func:`build` turns one input dataclass of :mod:`habilita.dian.documents` into an
unsigned lxml tree whose second ``ext:UBLExtension`` holds the empty signature
slot :class:`habilita.dian.signing.Signer` fills. Element order follows the UBL 2.1
and DIAN_UBL_Structures XSDs; nothing is pretty-printed, because whitespace
would be signed too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from lxml import etree

from . import constants, hashes
from . import namespaces as ns
from .amounts import ZERO, Totals, compute_totals, write_amount
from .clock import issue_time_text, to_colombia
from .documents import (
    TAX_NAMES,
    AnyDocument,
    CreditNote,
    DebitNote,
    Invoice,
    Party,
    SupportAdjustment,
    SupportDocument,
    _Note,
    _Numbered,
)
from .errors import InvalidDocument


@dataclass(frozen=True)
class _Kind:
    """What differs between the five document types."""

    name: str
    root: str  # root element namespace and local name
    root_ns: str
    type_code: str
    type_element: str | None  # cbc:InvoiceTypeCode / cbc:CreditNoteTypeCode; DebitNote has none
    line: str
    quantity: str
    monetary_total: str
    uuid_scheme: str
    profile: str
    support: bool


_INVOICE = _Kind("invoice", "Invoice", ns.INVOICE, "01", "InvoiceTypeCode", "InvoiceLine", "InvoicedQuantity",
                 "LegalMonetaryTotal", "CUFE-SHA384", "DIAN 2.1: Factura Electrónica de Venta", False)
_CREDIT = _Kind("credit_note", "CreditNote", ns.CREDIT_NOTE, "91", "CreditNoteTypeCode", "CreditNoteLine",
                "CreditedQuantity", "LegalMonetaryTotal", "CUDE-SHA384",
                "DIAN 2.1: Nota Crédito de Factura Electrónica de Venta", False)
_DEBIT = _Kind("debit_note", "DebitNote", ns.DEBIT_NOTE, "92", None, "DebitNoteLine", "DebitedQuantity",
               "RequestedMonetaryTotal", "CUDE-SHA384", "DIAN 2.1: Nota Débito de Factura Electrónica de Venta", False)
_SUPPORT = _Kind("support_document", "Invoice", ns.INVOICE, "05", "InvoiceTypeCode", "InvoiceLine", "InvoicedQuantity",
                 "LegalMonetaryTotal", "CUDS-SHA384",
                 "DIAN 2.1: documento soporte en adquisiciones efectuadas a no obligados a facturar.", True)
_ADJUSTMENT = _Kind("support_adjustment", "CreditNote", ns.CREDIT_NOTE, "95", "CreditNoteTypeCode", "CreditNoteLine",
                    "CreditedQuantity", "LegalMonetaryTotal", "CUDS-SHA384",
                    "DIAN 2.1: Nota de ajuste al documento soporte en adquisiciones efectuadas a sujetos no "
                    "obligados a expedir factura o documento equivalente", True)
_KINDS = {Invoice: _INVOICE, CreditNote: _CREDIT, DebitNote: _DEBIT, SupportDocument: _SUPPORT,
          SupportAdjustment: _ADJUSTMENT}

_PREFIX_NS = {"cac": ns.CAC, "cbc": ns.CBC, "ext": ns.EXT, "sts": ns.STS, "ds": ns.DS}
_DIAN_ID = {"schemeAgencyID": constants.DIAN_AGENCY_ID, "schemeAgencyName": constants.DIAN_AGENCY_NAME}
_COUNTRY_LIST = {
    "listAgencyID": "6",
    "listAgencyName": "United Nations Economic Commission for Europe",
    "listSchemeURI": "urn:oasis:names:specification:ubl:codelist:gc:CountryIdentificationCode-2.1",
}


@functools.cache
def _clark(tag: str) -> str:
    prefix, _, local = tag.partition(":")
    return f"{{{_PREFIX_NS[prefix]}}}{local}"


def _add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = _SubElement(parent, _clark(tag), attrs)
    if text is not None:
        element.text = text
    return element


_SubElement = etree.SubElement


@dataclass(frozen=True)
class BuiltDocument:
    """An unsigned document: the tree to sign and the identifiers computed for it."""

    kind: str
    type_code: str
    number: str
    uuid: str  # CUFE, CUDE or CUDS
    uuid_scheme: str
    root: etree._Element
    totals: Totals

    def to_bytes(self) -> bytes:
        """The unsigned XML (for inspection; sign :attr:`root` instead of re-parsing this)."""
        return ns.XML_DECLARATION + etree.tostring(self.root, encoding="UTF-8")

    @property
    def file_stem(self) -> str:
        """A file name without extension for the document, e.g. "invoice-SETP990000001"."""
        return f"{self.kind}-{self.number}"


def _customization(document: AnyDocument, kind: _Kind) -> str:
    if isinstance(document, SupportDocument):
        return "10" if document.resident_seller else "11"
    if isinstance(document, SupportAdjustment):
        return "10"
    if isinstance(document, _Note):
        # 20/30 reference an invoice; 22/32 are notes without reference.
        base = "2" if kind is _CREDIT else "3"
        return base + ("0" if document.billing_reference is not None else "2")
    return "10"


def _uuid(document: AnyDocument, kind: _Kind, totals: Totals, issue_date: str, issue_time: str) -> str:
    common = dict(
        number=document.number,
        issue_date=issue_date,
        issue_time=issue_time,
        line_extension=write_amount(totals.line_extension),
        payable=write_amount(totals.payable),
        environment=document.environment,
    )
    if kind.support:
        first = totals.tax_totals[0] if totals.tax_totals else None
        return hashes.cuds(
            tax_code=first.scheme if first else None,
            tax_amount=write_amount(first.amount) if first else None,
            seller_id=document.supplier.id_number,
            buyer_nit=document.customer.id_number,
            pin=document.software.pin,
            **common,
        )
    taxes = {scheme: totals.tax(scheme) for scheme in (hashes.TAX_IVA, hashes.TAX_INC, hashes.TAX_ICA)}
    fields = dict(
        iva=taxes[hashes.TAX_IVA],
        inc=taxes[hashes.TAX_INC],
        ica=taxes[hashes.TAX_ICA],
        supplier_nit=document.supplier.id_number,
        customer_id=document.customer.id_number,
        **common,
    )
    if kind is _INVOICE:
        technical_key = document.numbering.technical_key
        if not technical_key:
            raise InvalidDocument(f"invoice {document.number}: the numbering range has no technical key for the CUFE")
        return hashes.cufe(technical_key=technical_key, **fields)
    return hashes.cude(pin=document.software.pin, **fields)


def _qr_text(document: AnyDocument, kind: _Kind, totals: Totals, uuid: str, issue_date: str, issue_time: str) -> str:
    # Annex 1.8 §11.7: the QR lists the key facts and ends with the catalogue URL.
    iva = totals.tax(hashes.TAX_IVA)
    other = sum((t.amount for t in totals.tax_totals if t.scheme != hashes.TAX_IVA), ZERO)
    label = {"CUFE-SHA384": "CUFE", "CUDE-SHA384": "CUDE", "CUDS-SHA384": "CUDS"}[kind.uuid_scheme]
    return "\n".join(
        (
            f"NumFac: {document.number}",
            f"FecFac: {issue_date}",
            f"HorFac: {issue_time}",
            f"NitFac: {document.supplier.id_number}",
            f"DocAdq: {document.customer.id_number}",
            f"ValFac: {write_amount(totals.line_extension)}",
            f"ValIva: {write_amount(iva or 0)}",
            f"ValOtroIm: {write_amount(other)}",
            f"ValTolFac: {write_amount(totals.payable)}",
            f"{label}: {uuid}",
            f"QRCode: {qr_url(uuid, environment=document.environment)}",
        )
    )


def qr_url(uuid: str, *, environment: str) -> str:
    """The DIAN catalogue URL of a document in an environment ("1" production, "2" habilitación)."""
    return constants.CATALOGUE_URL[environment] + uuid


def _dian_extensions(parent, document: AnyDocument, kind: _Kind, qr: str) -> None:
    extensions = _add(parent, "sts:DianExtensions")
    if isinstance(document, _Numbered):
        numbering = document.numbering
        control = _add(extensions, "sts:InvoiceControl")
        _add(control, "sts:InvoiceAuthorization", numbering.resolution)
        period = _add(control, "sts:AuthorizationPeriod")
        _add(period, "cbc:StartDate", numbering.valid_from.isoformat())
        _add(period, "cbc:EndDate", numbering.valid_to.isoformat())
        authorized = _add(control, "sts:AuthorizedInvoices")
        if numbering.prefix:
            _add(authorized, "sts:Prefix", numbering.prefix)
        _add(authorized, "sts:From", str(numbering.range_from))
        _add(authorized, "sts:To", str(numbering.range_to))
    source = _add(extensions, "sts:InvoiceSource")
    _add(source, "cbc:IdentificationCode", "CO", **_COUNTRY_LIST)
    provider = _add(extensions, "sts:SoftwareProvider")
    software = document.software
    _add(provider, "sts:ProviderID", software.provider_nit, **_DIAN_ID,
         schemeID=software.provider_dv, schemeName="31")
    _add(provider, "sts:SoftwareID", software.id, **_DIAN_ID)
    _add(extensions, "sts:SoftwareSecurityCode",
         hashes.software_security_code(software_id=software.id, pin=software.pin, number=document.number), **_DIAN_ID)
    authorization = _add(extensions, "sts:AuthorizationProvider")
    _add(authorization, "sts:AuthorizationProviderID", constants.DIAN_NIT, **_DIAN_ID,
         schemeID=constants.DIAN_DV, schemeName="31")
    _add(extensions, "sts:QRCode", qr)


def _ubl_extensions(root, document: AnyDocument, kind: _Kind, qr: str) -> None:
    extensions = _add(root, "ext:UBLExtensions")
    _dian_extensions(_add(_add(extensions, "ext:UBLExtension"), "ext:ExtensionContent"), document, kind, qr)
    slot = _add(_add(extensions, "ext:UBLExtension"), "ext:ExtensionContent")
    # signxml replaces this placeholder with the signature.
    _add(slot, "ds:Signature", Id="placeholder")


def _company_id(parent, party: Party) -> None:
    attrs = dict(_DIAN_ID, schemeName=party.id_type)
    if party.check_digit is not None:
        attrs["schemeID"] = party.check_digit
    _add(parent, "cbc:CompanyID", party.id_number, **attrs)


def _address(parent, tag: str, party: Party) -> None:
    address = _add(parent, tag)
    a = party.address
    _add(address, "cbc:ID", a.city_code)
    _add(address, "cbc:CityName", a.city_name)
    if a.postal_zone:
        _add(address, "cbc:PostalZone", a.postal_zone)
    _add(address, "cbc:CountrySubentity", a.department)
    _add(address, "cbc:CountrySubentityCode", a.department_code)
    _add(_add(address, "cac:AddressLine"), "cbc:Line", a.line)
    country = _add(address, "cac:Country")
    _add(country, "cbc:IdentificationCode", a.country_code)
    _add(country, "cbc:Name", a.country_name, languageID="es")


def _party(root, tag: str, party: Party, prefix: str | None) -> None:
    accounting = _add(root, tag)
    _add(accounting, "cbc:AdditionalAccountID", party.person_type)
    node = _add(accounting, "cac:Party")
    _add(_add(node, "cac:PartyName"), "cbc:Name", party.name)
    _address(_add(node, "cac:PhysicalLocation"), "cac:Address", party)
    tax_scheme = _add(node, "cac:PartyTaxScheme")
    _add(tax_scheme, "cbc:RegistrationName", party.name)
    _company_id(tax_scheme, party)
    _add(tax_scheme, "cbc:TaxLevelCode", party.tax_level_code, listName="48")
    _address(tax_scheme, "cac:RegistrationAddress", party)
    scheme = _add(tax_scheme, "cac:TaxScheme")
    _add(scheme, "cbc:ID", party.tax_scheme)
    _add(scheme, "cbc:Name", TAX_NAMES.get(party.tax_scheme, "No aplica"))
    legal = _add(node, "cac:PartyLegalEntity")
    _add(legal, "cbc:RegistrationName", party.name)
    _company_id(legal, party)
    if prefix:
        _add(_add(legal, "cac:CorporateRegistrationScheme"), "cbc:ID", prefix)
    if party.email:
        _add(_add(node, "cac:Contact"), "cbc:ElectronicMail", party.email)


def _tax_total(parent, scheme: str, amount, subtotals, currency: str) -> None:
    total = _add(parent, "cac:TaxTotal")
    _add(total, "cbc:TaxAmount", write_amount(amount), currencyID=currency)
    for sub in subtotals:
        subtotal = _add(total, "cac:TaxSubtotal")
        _add(subtotal, "cbc:TaxableAmount", write_amount(sub.taxable), currencyID=currency)
        _add(subtotal, "cbc:TaxAmount", write_amount(sub.amount), currencyID=currency)
        category = _add(subtotal, "cac:TaxCategory")
        _add(category, "cbc:Percent", write_amount(sub.percent))
        tax_scheme = _add(category, "cac:TaxScheme")
        _add(tax_scheme, "cbc:ID", scheme)
        _add(tax_scheme, "cbc:Name", TAX_NAMES[scheme])


def _lines(root, document: AnyDocument, kind: _Kind, totals: Totals) -> None:
    currency = document.currency
    for index, (line, amounts) in enumerate(zip(document.lines, totals.lines), start=1):
        node = _add(root, f"cac:{kind.line}")
        _add(node, "cbc:ID", str(index))
        _add(node, f"cbc:{kind.quantity}", f"{line.quantity:f}", unitCode=line.unit_code)
        _add(node, "cbc:LineExtensionAmount", write_amount(amounts.line_extension), currencyID=currency)
        for tax in amounts.taxes:
            _tax_total(node, tax.scheme, tax.amount, (tax,), currency)
        item = _add(node, "cac:Item")
        _add(item, "cbc:Description", line.description)
        if line.item_code:
            identification = _add(item, "cac:StandardItemIdentification")
            _add(identification, "cbc:ID", line.item_code, schemeID="999", schemeName="Estándar de adopción del contribuyente")
        price = _add(node, "cac:Price")
        _add(price, "cbc:PriceAmount", write_amount(line.unit_price), currencyID=currency)
        _add(price, "cbc:BaseQuantity", f"{line.quantity:f}", unitCode=line.unit_code)


def _billing_reference(root, document: _Note) -> None:
    ref = document.billing_reference
    if ref is None:
        return
    doc_ref = _add(_add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
    _add(doc_ref, "cbc:ID", ref.number)
    _add(doc_ref, "cbc:UUID", ref.uuid, schemeName=ref.uuid_scheme)
    _add(doc_ref, "cbc:IssueDate", ref.issue_date.isoformat())


def build(document: AnyDocument) -> BuiltDocument:
    """Build the unsigned UBL 2.1 tree of any DIAN document input."""
    kind = _KINDS.get(type(document))
    if kind is None:
        raise InvalidDocument(f"cannot build a {type(document).__name__}; expected one of {', '.join(c.__name__ for c in _KINDS)}")
    totals = compute_totals(document.lines)
    issued = to_colombia(document.issued_at)
    issue_date, issue_time = issued.date().isoformat(), issue_time_text(issued)
    uuid = _uuid(document, kind, totals, issue_date, issue_time)
    currency = document.currency

    root = etree.Element(f"{{{kind.root_ns}}}{kind.root}", nsmap={None: kind.root_ns, **ns.COMMON_NSMAP})
    _ubl_extensions(root, document, kind, _qr_text(document, kind, totals, uuid, issue_date, issue_time))
    _add(root, "cbc:UBLVersionID", "UBL 2.1")
    _add(root, "cbc:CustomizationID", _customization(document, kind))
    _add(root, "cbc:ProfileID", kind.profile)
    _add(root, "cbc:ProfileExecutionID", document.environment)
    _add(root, "cbc:ID", document.number)
    _add(root, "cbc:UUID", uuid, schemeID=document.environment, schemeName=kind.uuid_scheme)
    _add(root, "cbc:IssueDate", issue_date)
    _add(root, "cbc:IssueTime", issue_time)
    if kind.root == "Invoice":
        if document.payment_due_date is not None:
            _add(root, "cbc:DueDate", document.payment_due_date.isoformat())
        _add(root, "cbc:InvoiceTypeCode", kind.type_code)
    elif kind.type_element is not None:
        _add(root, f"cbc:{kind.type_element}", kind.type_code)
    for note in document.notes:
        _add(root, "cbc:Note", note)
    _add(root, "cbc:DocumentCurrencyCode", currency)
    _add(root, "cbc:LineCountNumeric", str(len(document.lines)))
    if isinstance(document, _Note):
        discrepancy = _add(root, "cac:DiscrepancyResponse")
        if document.billing_reference is not None:
            _add(discrepancy, "cbc:ReferenceID", document.billing_reference.number)
        _add(discrepancy, "cbc:ResponseCode", document.reason_code)
        _add(discrepancy, "cbc:Description", document.reason_text)
        _billing_reference(root, document)
    # Support documents are numbered by the buyer (the company); invoices by the supplier.
    numbering_prefix = document.prefix if isinstance(document, _Numbered) else None
    _party(root, "cac:AccountingSupplierParty", document.supplier, None if kind.support else numbering_prefix)
    _party(root, "cac:AccountingCustomerParty", document.customer, numbering_prefix if kind.support else None)
    means = _add(root, "cac:PaymentMeans")
    _add(means, "cbc:ID", "1" if document.payment_due_date is None else "2")
    _add(means, "cbc:PaymentMeansCode", document.payment_means_code)
    if document.payment_due_date is not None:
        _add(means, "cbc:PaymentDueDate", document.payment_due_date.isoformat())
    for tax_total in totals.tax_totals:
        _tax_total(root, tax_total.scheme, tax_total.amount, tax_total.subtotals, currency)
    monetary = _add(root, f"cac:{kind.monetary_total}")
    _add(monetary, "cbc:LineExtensionAmount", write_amount(totals.line_extension), currencyID=currency)
    _add(monetary, "cbc:TaxExclusiveAmount", write_amount(totals.tax_exclusive), currencyID=currency)
    _add(monetary, "cbc:TaxInclusiveAmount", write_amount(totals.tax_inclusive), currencyID=currency)
    _add(monetary, "cbc:PayableAmount", write_amount(totals.payable), currencyID=currency)
    _lines(root, document, kind, totals)
    return BuiltDocument(
        kind=kind.name,
        type_code=kind.type_code,
        number=document.number,
        uuid=uuid,
        uuid_scheme=kind.uuid_scheme,
        root=root,
        totals=totals,
    )
