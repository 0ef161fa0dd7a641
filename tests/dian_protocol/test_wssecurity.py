"""WS-Security: our signature verifies here and with xmlsec1; any tampering fails."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from habilita.dian import soap, wssecurity

TO_ID_ATTR = "http://www.w3.org/2005/08/addressing:To"
NS = {"soap": soap.SOAP12, "wsa": soap.WSA, "wsse": wssecurity.WSSE, "ds": wssecurity.DS, "wsu": soap.WSU}


def signed(cert, request=None, **options) -> bytes:
    envelope = soap.build_request(request or soap.GetStatusZip(track_id="zip-1"), to="https://vpfe-hab.dian.gov.co/WcfDianCustomerServices.svc")
    return wssecurity.sign_envelope(envelope, private_key=cert.private_key, certificate=cert.certificate, **options)


def xmlsec1_verify(tmp_path, data: bytes, cert) -> subprocess.CompletedProcess:
    binary = shutil.which("xmlsec1")
    assert binary, "xmlsec1 is required (Debian package xmlsec1)"
    (tmp_path / "envelope.xml").write_bytes(data)
    (tmp_path / "cert.pem").write_bytes(cert.certificate.public_bytes(serialization.Encoding.PEM))
    # KeyInfo holds a WS-Security token reference xmlsec1 cannot follow: it is
    # given the token's certificate instead (the one inside the message).
    return subprocess.run(
        [binary, "--verify", "--pubkey-cert-pem", str(tmp_path / "cert.pem"), "--id-attr:Id", TO_ID_ATTR,
         str(tmp_path / "envelope.xml")], capture_output=True, text=True, timeout=30)


def test_signed_envelope_verifies_and_names_its_signer(company_cert):
    certificate = wssecurity.verify_envelope(soap.parse_envelope(signed(company_cert)))
    assert certificate == company_cert.certificate


def test_header_has_timestamp_token_and_signature_over_to(company_cert):
    root = etree.fromstring(signed(company_cert))
    security = root.find("soap:Header/wsse:Security", NS)
    assert [etree.QName(c).localname for c in security] == ["Timestamp", "BinarySecurityToken", "Signature"]
    token = security.find("wsse:BinarySecurityToken", NS)
    assert base64.b64decode(token.text) == company_cert.certificate.public_bytes(serialization.Encoding.DER)
    reference = security.find("ds:Signature/ds:SignedInfo/ds:Reference", NS)
    assert reference.get("URI") == "#" + root.find("soap:Header/wsa:To", NS).get(f"{{{soap.WSU}}}Id")
    key_reference = security.find("ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference", NS)
    assert key_reference.get("URI") == "#" + token.get(f"{{{soap.WSU}}}Id")
    assert security.find("ds:Signature/ds:SignedInfo/ds:SignatureMethod", NS).get("Algorithm") == wssecurity.RSA_SHA256


def test_xmlsec1_verifies_our_signature(tmp_path, company_cert):
    result = xmlsec1_verify(tmp_path, signed(company_cert), company_cert)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout + result.stderr


def test_xmlsec1_rejects_a_tampered_to(tmp_path, company_cert):
    data = signed(company_cert).replace(b"vpfe-hab.dian.gov.co", b"evil.example.com")
    result = xmlsec1_verify(tmp_path, data, company_cert)
    assert result.returncode != 0


def test_tampered_to_fails_the_digest(company_cert):
    data = signed(company_cert).replace(b"vpfe-hab.dian.gov.co", b"evil.example.com")
    with pytest.raises(wssecurity.InvalidSecurity, match="digest mismatch for reference 1"):
        wssecurity.verify_envelope(soap.parse_envelope(data))


def test_tampered_signature_value_fails(company_cert):
    root = etree.fromstring(signed(company_cert))
    value = root.find(".//ds:SignatureValue", NS)
    raw = bytearray(base64.b64decode(value.text))
    raw[10] ^= 0xFF
    value.text = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(wssecurity.InvalidSecurity, match="signature value does not verify"):
        wssecurity.verify_envelope(root)


def test_a_swapped_token_certificate_fails(company_cert, stranger_cert):
    root = etree.fromstring(signed(company_cert))
    token = root.find(".//wsse:BinarySecurityToken", NS)
    token.text = base64.b64encode(stranger_cert.certificate.public_bytes(serialization.Encoding.DER)).decode()
    with pytest.raises(wssecurity.InvalidSecurity, match="does not verify with the token's certificate"):
        wssecurity.verify_envelope(root)


def test_an_expired_message_fails(company_cert):
    data = signed(company_cert, now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    with pytest.raises(wssecurity.InvalidSecurity, match="expired"):
        wssecurity.verify_envelope(soap.parse_envelope(data))


def test_a_message_without_security_header_fails():
    envelope = soap.build_request(soap.GetStatus(track_id="x"), to="http://x")
    with pytest.raises(wssecurity.InvalidSecurity, match="no wsse:Security"):
        wssecurity.verify_envelope(envelope)


def test_a_signature_over_a_copy_of_to_does_not_count(company_cert):
    # Signature wrapping: move the signed To out of the header and put an
    # unsigned one in its place; the signed copy must not vouch for it.
    root = etree.fromstring(signed(company_cert))
    header = root.find("soap:Header", NS)
    original = header.find("wsa:To", NS)
    header.remove(original)
    wrapper = etree.SubElement(header, "{urn:wrapper}Hidden")
    wrapper.append(original)
    forged = etree.SubElement(header, f"{{{soap.WSA}}}To")
    forged.text = "https://evil.example.com"
    with pytest.raises(wssecurity.InvalidSecurity, match="does not cover the header's wsa:To"):
        wssecurity.verify_envelope(root)


def test_duplicate_ids_are_refused(company_cert):
    root = etree.fromstring(signed(company_cert))
    header = root.find("soap:Header", NS)
    copy = etree.fromstring(etree.tostring(header.find("wsa:To", NS)))
    header.append(copy)
    with pytest.raises(wssecurity.InvalidSecurity, match="matches 2 elements"):
        wssecurity.verify_envelope(root)
