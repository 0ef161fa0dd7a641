"""XAdES-EPES signatures: verified by signxml and by xmlsec1, shaped the way DIAN's verifier wants."""

import base64
import datetime
import hashlib

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import InvalidDigest, InvalidSignature, XMLVerifier
from signxml.exceptions import SignXMLException
from signxml.xades import XAdESVerifier

from habilita.dian import ubl
from habilita.dian.certificates import generate_test_ca, issue_certificate
from habilita.dian.clock import COLOMBIA
from habilita.dian.errors import SigningError
from habilita.dian.namespaces import NS
from habilita.dian.signing import DIAN_POLICY, Signer, signing_time_for
from habilita.dian.verify import verify_document

KINDS = ["invoice", "credit_note", "debit_note", "support_document", "support_adjustment"]


def _signature(xml: bytes):
    return etree.fromstring(xml).find("ext:UBLExtensions/ext:UBLExtension[2]/ext:ExtensionContent/ds:Signature", NS)


@pytest.mark.parametrize("kind", KINDS)
def test_signxml_verifies_every_document(sample_documents, test_key, kind):
    xml = sample_documents[kind].xml
    results = XAdESVerifier().verify(xml, x509_cert=test_key.certificate, expect_signature_policy=DIAN_POLICY)
    assert len(results) == 3
    XMLVerifier().verify(xml, x509_cert=test_key.certificate, expect_config=_any_references())


def _any_references():
    from signxml import SignatureConfiguration

    return SignatureConfiguration(expect_references=3)


@pytest.mark.parametrize("kind", KINDS)
def test_xmlsec1_verifies_every_document(sample_documents, test_key, xmlsec1, kind):
    result = xmlsec1(sample_documents[kind].xml, test_key.cert_pem())
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout + result.stderr


def test_a_tampered_amount_fails_signxml_xmlsec1_and_verify_document(sample_documents, test_key, xmlsec1, tamper):
    tampered = tamper(sample_documents["invoice"].xml)
    assert tampered != sample_documents["invoice"].xml
    with pytest.raises((InvalidDigest, InvalidSignature)):
        XAdESVerifier().verify(tampered, x509_cert=test_key.certificate, expect_signature_policy=DIAN_POLICY)
    assert xmlsec1(tampered, test_key.cert_pem()).returncode != 0
    codes = {p.code for p in verify_document(tampered)}
    assert "ZE02" in codes
    assert "FAD06" in codes  # the PayableAmount is part of the CUFE too


def test_a_signature_by_another_key_fails_xmlsec1(sample_documents, xmlsec1):
    from habilita.dian.certificates import generate_test_certificate

    other = generate_test_certificate("900123456", "IMPOSTOR S.A.S.")
    assert xmlsec1(sample_documents["invoice"].xml, other.cert_pem()).returncode != 0


def test_signature_follows_dian_profile(sample_documents, test_key):
    signature = _signature(sample_documents["invoice"].xml)
    assert signature.prefix == "ds"
    signed_info = signature.find("ds:SignedInfo", NS)
    assert signed_info.find("ds:CanonicalizationMethod", NS).get("Algorithm") == \
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    assert signed_info.find("ds:SignatureMethod", NS).get("Algorithm") == \
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    references = signed_info.findall("ds:Reference", NS)
    assert [r.get("URI") for r in references][0] == ""
    assert references[1].get("URI") == "#" + signature.find("ds:KeyInfo", NS).get("Id")
    assert references[2].get("Type") == "http://uri.etsi.org/01903#SignedProperties"
    assert {r.find("ds:DigestMethod", NS).get("Algorithm") for r in references} == \
        {"http://www.w3.org/2001/04/xmlenc#sha256"}
    transforms = [t.get("Algorithm") for t in references[0].findall("ds:Transforms/ds:Transform", NS)]
    assert transforms == ["http://www.w3.org/2000/09/xmldsig#enveloped-signature"]
    key_info = signature.find("ds:KeyInfo", NS)
    assert etree.QName(key_info[0]).localname == "X509Data"
    assert key_info.find(".//ds:KeyValue", NS) is None
    first_cert = key_info[0].findtext("ds:X509Certificate", namespaces=NS)
    assert base64.b64decode(first_cert) == test_key.certificate.public_bytes(Encoding.DER)


def test_signed_properties_use_xades_132_v1_and_colombian_time(sample_documents, test_key, issued_at):
    signature = _signature(sample_documents["invoice"].xml)
    qualifying = signature.find("ds:Object/xades:QualifyingProperties", NS)
    assert qualifying.prefix == "xades"
    ssp = qualifying.find("xades:SignedProperties/xades:SignedSignatureProperties", NS)
    assert [etree.QName(c).localname for c in ssp] == \
        ["SigningTime", "SigningCertificate", "SignaturePolicyIdentifier", "SignerRole"]
    signing_time = datetime.datetime.fromisoformat(ssp.findtext("xades:SigningTime", namespaces=NS))
    assert signing_time.utcoffset() == datetime.timedelta(hours=-5)
    assert signing_time.date() == issued_at.date()
    cert = ssp.find("xades:SigningCertificate/xades:Cert", NS)
    der = test_key.certificate.public_bytes(Encoding.DER)
    assert cert.findtext("xades:CertDigest/ds:DigestValue", namespaces=NS) == \
        base64.b64encode(hashlib.sha256(der).digest()).decode()
    assert cert.findtext("xades:IssuerSerial/ds:X509SerialNumber", namespaces=NS) == \
        str(test_key.certificate.serial_number)
    assert "SERIALNUMBER=900123456" in cert.findtext("xades:IssuerSerial/ds:X509IssuerName", namespaces=NS)
    assert ssp.find("xades:SigningCertificateV2", NS) is None
    policy = ssp.find("xades:SignaturePolicyIdentifier/xades:SignaturePolicyId", NS)
    assert policy.findtext("xades:SigPolicyId/xades:Identifier", namespaces=NS) == \
        "https://facturaelectronica.dian.gov.co/politicadefirma/v2/politicadefirmav2.pdf"
    assert policy.findtext("xades:SigPolicyHash/ds:DigestValue", namespaces=NS) == \
        "dMoMvtcG5aIzgYo0tIsSQeVJBDnUnfSOfBpxXrmor0Y="
    assert ssp.findtext("xades:SignerRole/xades:ClaimedRoles/xades:ClaimedRole", namespaces=NS) == "supplier"
    assert signature.find(".//xades:DataObjectFormat", NS) is None


def test_signing_time_is_now_on_the_issue_day_and_the_issue_moment_otherwise():
    now = datetime.datetime(2024, 3, 15, 20, 0, 1, tzinfo=datetime.timezone.utc)  # 15:00:01 in Bogotá
    assert signing_time_for(datetime.date(2024, 3, 15), "09:00:00-05:00", now=now) == "2024-03-15T15:00:01-05:00"
    assert signing_time_for(datetime.date(2024, 3, 14), "09:00:00-05:00", now=now) == "2024-03-14T09:00:00-05:00"


def test_a_third_party_role_and_a_ca_chain_verify_with_xmlsec1(make_invoice, xmlsec1):
    ca = generate_test_ca("Habilita Test CA")
    leaf = issue_certificate(ca=ca, nit="900123456", legal_name="PROVEEDOR TECNOLOGICO S.A.S.")
    xml = Signer(leaf, role="third party").sign(ubl.build(make_invoice()).root)
    signature = _signature(xml)
    assert signature.findtext(".//xades:ClaimedRole", namespaces=NS) == "third party"
    certs = signature.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    assert len(certs) == 2  # signer first, then the CA
    result = xmlsec1(xml, ca.cert_pem())
    assert result.returncode == 0, result.stderr
    assert verify_document(xml) == []


def test_signer_loaded_from_pkcs12_signs_the_same_way(test_key, make_invoice, xmlsec1):
    signer = Signer.from_pkcs12(test_key.to_pkcs12(b"secret"), "secret")
    xml = signer.sign(ubl.build(make_invoice()).root)
    assert xmlsec1(xml, test_key.cert_pem()).returncode == 0
    signer = Signer.from_pem(test_key.key_pem(b"pw"), test_key.cert_pem(), password=b"pw")
    assert verify_document(signer.sign(ubl.build(make_invoice()).root)) == []


def test_a_document_cannot_be_signed_twice(signer, make_invoice):
    root = ubl.build(make_invoice()).root
    signed = signer.sign(root)
    with pytest.raises(SigningError, match="no empty signature slot"):
        signer.sign(signed)


def test_signing_bytes_of_a_built_document(signer, make_invoice):
    xml = signer.sign(ubl.build(make_invoice()).to_bytes())
    assert verify_document(xml) == []
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="no"?><Invoice')


def test_unknown_role_is_refused(test_key):
    with pytest.raises(SigningError, match="signer role"):
        Signer(test_key, role="buyer")


def test_a_flipped_signature_value_fails_signxml_and_verify_document(sample_documents, test_key):
    xml = sample_documents["invoice"].xml
    start = xml.index(b">", xml.index(b"<ds:SignatureValue")) + 1
    flipped = xml[:start] + (b"A" if xml[start:start + 1] != b"A" else b"B") + xml[start + 1:]
    with pytest.raises(SignXMLException):
        XAdESVerifier().verify(flipped, x509_cert=test_key.certificate, expect_signature_policy=DIAN_POLICY)
    assert [p.code for p in verify_document(flipped)] == ["ZE02"]


def test_a_signature_outside_the_xmldsig_schema_is_a_problem_not_a_crash(sample_documents):
    broken = sample_documents["invoice"].xml.replace(b"<ds:SignatureValue", b'<ds:SignatureValue x="1"', 1)
    problems = verify_document(broken, check_schema=False)
    assert [p.code for p in problems] == ["ZE02"]
    assert "not allowed" in problems[0].message
    assert COLOMBIA.utcoffset(None) == datetime.timedelta(hours=-5)
