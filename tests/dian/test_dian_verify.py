"""verify_document and read_facts: the contract the DIAN simulator codes against."""

import datetime

import pytest

from habilita.dian.errors import MalformedDocument
from habilita.dian.verify import DocumentFacts, read_facts, verify_document

PIN = "75315"


@pytest.mark.parametrize("kind, type_code, prefix", [
    ("invoice", "01", "SETP"), ("credit_note", "91", "NC"), ("debit_note", "92", "ND"),
    ("support_document", "05", "SEDS"), ("support_adjustment", "95", "NA"),
])
def test_read_facts_of_every_kind(sample_documents, issuer, issued_at, kind, type_code, prefix):
    document = sample_documents[kind]
    facts = read_facts(document.xml)
    assert facts == DocumentFacts(
        kind=kind, type_code=type_code, number=document.number, prefix=prefix,
        sequence=int(document.number[len(prefix):]), issuer_nit=issuer.nit, software_id=issuer.software_id,
        uuid=document.uuid, issue_date=issued_at.date(), profile_execution_id="2",
    )


def test_read_facts_refuses_garbage():
    for garbage in (b"", b"not xml", b"<a/>", b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'):
        with pytest.raises(MalformedDocument):
            read_facts(garbage)
    with pytest.raises(ValueError):
        read_facts(b"<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>")


@pytest.mark.parametrize("kind", ["invoice", "credit_note", "debit_note", "support_document", "support_adjustment"])
def test_valid_documents_have_no_problems(sample_documents, kind):
    assert verify_document(sample_documents[kind].xml, pin=PIN) == []


def test_garbage_is_a_schema_problem():
    assert [p.code for p in verify_document(b"\x00garbage")] == ["ZB01"]


def test_wrong_cufe_is_fad06_and_only_that(sign_invoice, make_invoice):
    from habilita.dian.documents import NumberingRange
    wrong_key = NumberingRange.habilitacion()
    wrong_key = type(wrong_key)(**{**wrong_key.__dict__, "technical_key": "0" * 40})
    xml = sign_invoice(numbering=wrong_key)  # validly signed, but the CUFE uses another key
    problems = verify_document(xml)
    assert [p.code for p in problems] == ["FAD06"]
    assert "CUFE" in problems[0].message
    assert verify_document(xml, technical_key="0" * 40) == []


@pytest.mark.parametrize("kind, code", [("credit_note", "CAD06"), ("debit_note", "DAD06"),
                                        ("support_document", "DSAD06"), ("support_adjustment", "DSAD06")])
def test_wrong_pin_breaks_cude_cuds_and_the_security_code(sample_documents, kind, code):
    codes = [p.code for p in verify_document(sample_documents[kind].xml, pin="00000")]
    assert codes == [code, "FAB27b"]


def test_without_pin_cude_is_not_checked(sample_documents):
    assert verify_document(sample_documents["credit_note"].xml) == []


def test_unsigned_document_is_ze02(make_invoice):
    from habilita.dian import ubl

    problems = verify_document(ubl.build(make_invoice()).to_bytes(), check_schema=False)
    assert [p.code for p in problems] == ["ZE02"]
    assert "not signed" in problems[0].message


def test_schema_breakage_is_zb01(sample_documents):
    xml = sample_documents["invoice"].xml
    start = xml.index(b"<cbc:IssueDate>")
    xml = xml[:start] + xml[xml.index(b"</cbc:IssueDate>") + len(b"</cbc:IssueDate>"):]
    problems = verify_document(xml)
    assert any(p.code == "ZB01" and "IssueDate" in p.message for p in problems)


def test_signing_time_on_another_day_is_ze02(signer, make_invoice, issued_at):
    from habilita.dian import ubl

    other_day = (issued_at + datetime.timedelta(days=1)).isoformat()
    xml = signer.sign(ubl.build(make_invoice()).root, signing_time=other_day)
    problems = verify_document(xml)
    assert [p.code for p in problems] == ["ZE02"]
    assert "not on the issue date" in problems[0].message
