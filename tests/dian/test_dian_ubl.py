"""UBL builders: every document is schema-valid, DianExtensions complete and in order, amounts add up."""

import re
from decimal import Decimal

import pytest
from lxml import etree

from habilita.dian import schemas, ubl
from habilita.dian.documents import Line, LineTax
from habilita.dian.errors import InvalidDocument
from habilita.dian.namespaces import NS
from habilita.dian.verify import read_facts

KINDS = ["invoice", "credit_note", "debit_note", "support_document", "support_adjustment"]
EXPECTED = {
    # kind: (root, type code element text or None, CustomizationID, UUID scheme)
    "invoice": ("Invoice", "01", "10", "CUFE-SHA384"),
    "credit_note": ("CreditNote", "91", "20", "CUDE-SHA384"),
    "debit_note": ("DebitNote", None, "30", "CUDE-SHA384"),
    "support_document": ("Invoice", "05", "10", "CUDS-SHA384"),
    "support_adjustment": ("CreditNote", "95", "10", "CUDS-SHA384"),
}
DIAN_EXTENSIONS_ORDER_NUMBERED = ["InvoiceControl", "InvoiceSource", "SoftwareProvider", "SoftwareSecurityCode",
                                  "AuthorizationProvider", "QRCode"]


def _root(xml: bytes):
    return etree.fromstring(xml)


@pytest.mark.parametrize("kind", KINDS)
def test_every_signed_document_validates_against_the_dian_xsds(sample_documents, kind):
    root = _root(sample_documents[kind].xml)
    assert schemas.validate(root) == []
    # And the same schemas do catch errors: a document without IssueDate is refused.
    root.remove(root.find("cbc:IssueDate", NS))
    assert any("IssueDate" in issue.message for issue in schemas.validate(root))


@pytest.mark.parametrize("kind", KINDS)
def test_root_type_code_customization_and_uuid_scheme(sample_documents, kind):
    root_name, type_code, customization, scheme = EXPECTED[kind]
    root = _root(sample_documents[kind].xml)
    assert etree.QName(root).localname == root_name
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == customization
    assert root.findtext("cbc:ProfileExecutionID", namespaces=NS) == "2"
    uuid = root.find("cbc:UUID", NS)
    assert uuid.get("schemeName") == scheme and uuid.get("schemeID") == "2"
    assert uuid.text == sample_documents[kind].uuid and re.fullmatch(r"[0-9a-f]{96}", uuid.text)
    if type_code:
        assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) or root.findtext(
            "cbc:CreditNoteTypeCode", namespaces=NS) == type_code
    assert root.findtext("cbc:IssueTime", namespaces=NS) == "10:53:10-05:00"
    assert read_facts(sample_documents[kind].xml).kind == kind


def test_debit_note_uses_requested_monetary_total(sample_documents):
    root = _root(sample_documents["debit_note"].xml)
    assert root.find("cac:RequestedMonetaryTotal", NS) is not None
    assert root.find("cac:LegalMonetaryTotal", NS) is None
    assert root.find("cac:DebitNoteLine/cbc:DebitedQuantity", NS) is not None


@pytest.mark.parametrize("kind", KINDS)
def test_dian_extensions_are_complete_and_in_schema_order(sample_documents, kind):
    root = _root(sample_documents[kind].xml)
    extensions = root.findall("ext:UBLExtensions/ext:UBLExtension", NS)
    assert len(extensions) == 2
    dian = extensions[0].find("ext:ExtensionContent/sts:DianExtensions", NS)
    names = [etree.QName(child).localname for child in dian]
    numbered = kind in ("invoice", "support_document")
    assert names == (DIAN_EXTENSIONS_ORDER_NUMBERED if numbered else DIAN_EXTENSIONS_ORDER_NUMBERED[1:])
    assert schemas.dian_extensions_schema().validate(dian)
    for path in ("sts:SoftwareProvider/sts:ProviderID", "sts:AuthorizationProvider/sts:AuthorizationProviderID"):
        identifier = dian.find(path, NS)
        assert identifier.get("schemeAgencyID") == "195"
        assert identifier.get("schemeAgencyName") == "CO, DIAN (Dirección de Impuestos y Aduanas Nacionales)"
        assert identifier.get("schemeName") == "31"
    assert dian.find("sts:SoftwareProvider/sts:ProviderID", NS).get("schemeID") == "8"  # DV of 900123456
    authorization = dian.find("sts:AuthorizationProvider/sts:AuthorizationProviderID", NS)
    assert (authorization.text, authorization.get("schemeID")) == ("800197268", "4")
    # The second extension holds the signature.
    assert extensions[1].find("ext:ExtensionContent/ds:Signature", NS) is not None


def test_relaxed_schema_still_enforces_the_agency(sample_documents):
    dian = _root(sample_documents["invoice"].xml).find(".//sts:DianExtensions", NS)
    dian.find(".//sts:ProviderID", NS).set("schemeAgencyID", "196")
    assert not schemas.dian_extensions_schema().validate(dian)
    dian.find(".//sts:ProviderID", NS).set("schemeAgencyID", "195")
    dian.insert(0, dian.find("sts:InvoiceSource", NS))  # InvoiceSource before InvoiceControl: wrong order
    assert not schemas.dian_extensions_schema().validate(dian)


def test_invoice_control_carries_the_numbering_resolution(sample_documents):
    control = _root(sample_documents["invoice"].xml).find(".//sts:InvoiceControl", NS)
    assert control.findtext("sts:InvoiceAuthorization", namespaces=NS) == "18760000001"
    assert control.findtext("sts:AuthorizedInvoices/sts:Prefix", namespaces=NS) == "SETP"
    assert control.findtext("sts:AuthorizedInvoices/sts:From", namespaces=NS) == "990000000"
    assert control.findtext("sts:AuthorizedInvoices/sts:To", namespaces=NS) == "995000000"


@pytest.mark.parametrize("environment, host", [("2", "catalogo-vpfe-hab.dian.gov.co"), ("1", "catalogo-vpfe.dian.gov.co")])
def test_qr_code_points_to_the_catalogue_of_the_environment(make_invoice, environment, host):
    built = ubl.build(make_invoice(environment=environment))
    qr = built.root.findtext(".//sts:QRCode", namespaces=NS)
    assert qr.endswith(f"https://{host}/document/searchqr?documentkey={built.uuid}")
    assert f"NumFac: {built.number}" in qr


def test_totals_are_computed_from_lines(make_invoice):
    root = ubl.build(make_invoice()).root
    total = root.find("cac:LegalMonetaryTotal", NS)
    assert total.findtext("cbc:LineExtensionAmount", namespaces=NS) == "200000.00"
    assert total.findtext("cbc:TaxExclusiveAmount", namespaces=NS) == "200000.00"
    assert total.findtext("cbc:TaxInclusiveAmount", namespaces=NS) == "238000.00"
    assert total.findtext("cbc:PayableAmount", namespaces=NS) == "238000.00"
    tax = root.find("cac:TaxTotal", NS)
    assert tax.findtext("cbc:TaxAmount", namespaces=NS) == "38000.00"
    assert tax.findtext("cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:ID", namespaces=NS) == "01"
    assert tax.findtext("cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", namespaces=NS) == "19.00"


def test_mixed_taxes_group_by_scheme_and_round_per_line(make_invoice):
    lines = (
        Line(description="a", quantity=Decimal("1.5"), unit_price=Decimal("3333.33"),
             taxes=(LineTax(scheme="04", percent=Decimal(8)), LineTax(scheme="03", percent=Decimal("0.966")))),
        Line(description="b", quantity=Decimal(3), unit_price=Decimal("0.335"), taxes=(LineTax(scheme="01", percent=Decimal(19)),)),
    )
    built = ubl.build(make_invoice(lines=lines))
    # a: 4999.995 -> 5000.00; INC 400.00; ICA 48.30. b: 1.005 -> 1.01 (half-up); IVA 0.19
    assert built.totals.line_extension == Decimal("5001.01")
    assert [t.scheme for t in built.totals.tax_totals] == ["01", "04", "03"]
    assert built.totals.tax("04") == Decimal("400.00")
    assert built.totals.tax("03") == Decimal("48.30")
    assert built.totals.tax("01") == Decimal("0.19")
    assert built.totals.payable == Decimal("5449.50")


@pytest.mark.parametrize("kind", KINDS)
def test_every_amount_has_exactly_two_decimals(sample_documents, kind):
    root = _root(sample_documents[kind].xml)
    amounts = [e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("Amount")]
    assert amounts
    for element in amounts:
        assert re.fullmatch(r"-?\d+\.\d\d", element.text), (element.tag, element.text)
        assert element.get("currencyID") == "COP"


def test_support_document_numbering_belongs_to_the_company_as_customer(sample_documents):
    root = _root(sample_documents["support_document"].xml)
    facts = read_facts(sample_documents["support_document"].xml)
    assert facts.issuer_nit == "900123456"
    assert root.findtext("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
                         namespaces=NS) == "1020304050"


def test_party_identifiers_carry_dv_and_scheme(sample_documents):
    root = _root(sample_documents["invoice"].xml)
    company_id = root.find("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", NS)
    assert company_id.attrib == {"schemeAgencyID": "195",
                                 "schemeAgencyName": "CO, DIAN (Dirección de Impuestos y Aduanas Nacionales)",
                                 "schemeName": "31", "schemeID": "8"}


def test_notes_reference_the_corrected_document(sample_documents):
    credit = _root(sample_documents["credit_note"].xml)
    reference = credit.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert reference.findtext("cbc:ID", namespaces=NS) == sample_documents["invoice"].number
    assert reference.findtext("cbc:UUID", namespaces=NS) == sample_documents["invoice"].uuid
    adjustment = _root(sample_documents["support_adjustment"].xml)
    uuid = adjustment.find("cac:BillingReference/cac:InvoiceDocumentReference/cbc:UUID", NS)
    assert (uuid.text, uuid.get("schemeName")) == (sample_documents["support_document"].uuid, "CUDS-SHA384")


def test_inputs_are_checked_with_clear_messages(make_invoice, issued_at):
    with pytest.raises(InvalidDocument, match="outside the authorized range SETP 990000000-995000000"):
        make_invoice(sequence=5)
    with pytest.raises(InvalidDocument, match="has no time zone"):
        make_invoice(issued_at=issued_at.replace(tzinfo=None))
    with pytest.raises(InvalidDocument, match="has no lines"):
        make_invoice(lines=())
    with pytest.raises(InvalidDocument, match="quantity must be positive"):
        Line(description="x", quantity=Decimal(0), unit_price=Decimal(1))
    with pytest.raises(TypeError, match="floats lose cents"):
        Line(description="x", quantity=1.5, unit_price=Decimal(1))
    with pytest.raises(InvalidDocument, match="tax scheme '02'"):
        LineTax(scheme="02", percent=Decimal(1))


def test_built_tree_is_not_pretty_printed(make_invoice):
    text = ubl.build(make_invoice()).to_bytes()
    assert b">\n" not in text and b">  <" not in text
