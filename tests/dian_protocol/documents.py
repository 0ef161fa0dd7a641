"""Documents for the simulator tests: the other engineer's signed samples, and
ways to spoil one rule at a time (mutate, then sign again so only that rule breaks)."""

from __future__ import annotations

from typing import Callable

from lxml import etree

from habilita.dian import namespaces as ns
from habilita.dian.documents import NumberingRange
from habilita.dian.sample import SignedDocument, build_test_set, zip_files
from habilita.dian.signing import SIGNATURE_PATH, Signer


def test_set_documents(signer: Signer, issuer, *, invoices: int = 4, credit_notes: int = 2, debit_notes: int = 2,
                       numbering: NumberingRange | None = None) -> list[SignedDocument]:
    return build_test_set(signer=signer, issuer=issuer, invoices=invoices, credit_notes=credit_notes,
                          debit_notes=debit_notes, lines_per_document=2, numbering=numbering)


test_set_documents.__test__ = False  # pytest: a builder, not a test


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    return zip_files(files)


def zip_documents(documents: list[SignedDocument]) -> bytes:
    return zip_of([(d.file_name, d.xml) for d in documents])


def resign(xml: bytes, signer: Signer, mutate: Callable[[etree._Element], None]) -> bytes:
    """Mutate a signed document and sign it again: the signature stays valid, the mutation is the only fault."""
    root = etree.fromstring(xml)
    signature = root.find(SIGNATURE_PATH, namespaces=ns.NS)
    placeholder = etree.Element(f"{{{ns.DS}}}Signature")
    placeholder.set("Id", "placeholder")
    signature.getparent().replace(signature, placeholder)
    mutate(root)
    return signer.sign(root)


def set_text(path: str, value: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        root.find(path, namespaces=ns.NS).text = value
    return mutate


def tamper(xml: bytes) -> bytes:
    """Change a signed text the CUFE does not cover (the customer's name): only the signature breaks."""
    changed = xml.replace(b"CLIENTE DE PRUEBAS", b"CLIENTE DE PRUEBOS", 1)
    assert changed != xml, "the sample customer name is not in the document"
    return changed
