"""Test sets: numbering, references and zips of at most 50 files."""

import io
import zipfile

from habilita.dian.sample import build_test_set, dian_file_name, zip_batches
from habilita.dian.verify import read_facts, verify_document


def test_a_test_set_of_100_documents_zips_into_batches_of_50(signer, issuer, issued_at):
    documents = build_test_set(signer=signer, issuer=issuer, invoices=60, credit_notes=20, debit_notes=20,
                               issued_at=issued_at)
    assert [d.kind for d in documents].count("invoice") == 60
    numbers = [d.number for d in documents if d.kind == "invoice"]
    assert numbers[0] == "SETP990000001" and len(set(numbers)) == 60
    batches = zip_batches(documents, issuer_nit=issuer.nit, year=2024)
    assert [name for name, _ in batches] == ["z09001234560002400000001.zip", "z09001234560002400000002.zip"]
    names = []
    for _, data in batches:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert len(archive.namelist()) <= 50
            names += archive.namelist()
            first = archive.read(archive.namelist()[0])
            assert read_facts(first).issuer_nit == issuer.nit
    assert len(names) == len(set(names)) == 100
    assert verify_document(documents[-1].xml, pin=issuer.pin) == []


def test_dian_file_names():
    assert dian_file_name("invoice", issuer_nit="900123456", year=2024, sequence=26) == "fv0900123456000240000001a.xml"
