"""Fixtures of the DIAN toolkit tests: one key per session (RSA generation is slow), fixed dates.

Helpers are handed out as fixtures so test modules never import this file.
"""

from __future__ import annotations

import pytest



import datetime
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

from habilita.dian import ubl
from habilita.dian.clock import COLOMBIA
from habilita.dian.documents import Address, Invoice, Line, LineTax, NumberingRange, Party, Software
from habilita.dian.certificates import generate_test_certificate
from habilita.dian.sample import SampleIssuer, build_sample_set
from habilita.dian.signing import Signer

ISSUED_AT = datetime.datetime(2024, 3, 15, 10, 53, 10, tzinfo=COLOMBIA)
PIN = "75315"
SOFTWARE_ID = "56f2ae4e-9812-4fad-9255-08fcfcd5ccb0"
ISSUER = SampleIssuer(nit="900123456", legal_name="EMPRESA DE PRUEBAS S.A.S.", software_id=SOFTWARE_ID, pin=PIN)


def simple_invoice(**overrides) -> Invoice:
    """Two units at 100,000 with IVA 19 %: 200,000.00 + 38,000.00 = 238,000.00."""
    fields = dict(
        sequence=990000001,
        issued_at=ISSUED_AT,
        supplier=Party(id_number="900123456", name="EMPRESA DE PRUEBAS S.A.S.", address=Address(line="Cra 7 # 71-21")),
        customer=Party(id_number="901458652", name="CLIENTE S.A.S.", address=Address(line="Calle 26 # 69-76")),
        lines=(Line(description="Consultoría", quantity=Decimal(2), unit_price=Decimal("100000"),
                    taxes=(LineTax(scheme="01", percent=Decimal(19)),)),),
        software=Software(id=SOFTWARE_ID, pin=PIN, provider_nit="900123456"),
        numbering=NumberingRange.habilitacion(),
    )
    fields.update(overrides)
    return Invoice(**fields)


def sign_simple_invoice(signer: Signer, **overrides) -> bytes:
    return signer.sign(ubl.build(simple_invoice(**overrides)).root)


def xmlsec1_verify(xml: bytes, trusted_pem: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run Debian's xmlsec1 on a document, trusting the given certificate(s)."""
    binary = shutil.which("xmlsec1")
    assert binary, "xmlsec1 is required (apt-get install xmlsec1): it is the independent signature check"
    document, trusted = tmp_path / "document.xml", tmp_path / "trusted.pem"
    document.write_bytes(xml)
    trusted.write_bytes(trusted_pem)
    return subprocess.run(
        [binary, "--verify", "--id-attr:Id", "SignedProperties", "--id-attr:Id", "KeyInfo",
         "--trusted-pem", str(trusted), str(document)],
        capture_output=True, text=True, timeout=60,
    )


def tamper_amount(xml: bytes) -> bytes:
    """Change one digit of the PayableAmount, leaving everything else (and the signature) alone."""
    start = xml.index(b"<cbc:PayableAmount")
    value_start = xml.index(b">", start) + 1
    digit = xml[value_start:value_start + 1]
    replacement = b"9" if digit != b"9" else b"8"
    return xml[:value_start] + replacement + xml[value_start + 1:]


@pytest.fixture(scope="session")
def test_key():
    return generate_test_certificate(ISSUER.nit, ISSUER.legal_name)


@pytest.fixture(scope="session")
def signer(test_key):
    return Signer(test_key)


@pytest.fixture(scope="session")
def sample_documents(signer):
    """One signed document of each type, issued at ISSUED_AT, by kind."""
    return {d.kind: d for d in build_sample_set(signer=signer, issuer=ISSUER, count=1, issued_at=ISSUED_AT)}


@pytest.fixture
def make_invoice():
    return simple_invoice


@pytest.fixture
def sign_invoice(signer):
    return lambda **overrides: sign_simple_invoice(signer, **overrides)


@pytest.fixture
def xmlsec1(tmp_path):
    return lambda xml, trusted_pem: xmlsec1_verify(xml, trusted_pem, tmp_path)


@pytest.fixture
def tamper():
    return tamper_amount


@pytest.fixture
def issuer():
    return ISSUER


@pytest.fixture
def issued_at():
    return ISSUED_AT
