"""Electronic invoices, as the ERP stamps them: built, signed and sent to DIAN.

The ERP plays the company's own software here: the company's numbering
resolution, its DIAN SoftwareID and PIN, and its certificate (or a
technology provider's, which then signs as "third party"). Building uses
the project's DIAN toolkit, so what DIAN receives is a real UBL 2.1 invoice
that ``habilita dian verify`` accepts with the range's technical key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from habilita.adapters.dian_client import DianClient, Timeouts
from habilita.adapters.dian_errors import DianServiceError
from habilita.dian import constants, ubl
from habilita.dian.certificates import certificate_nit
from habilita.dian.clock import COLOMBIA, colombia_now
from habilita.dian.documents import Address, Invoice, Line, NumberingRange, Party, Software
from habilita.dian.errors import CertificateError, DianError
from habilita.dian.sample import SignedDocument, dian_file_name, zip_file_name, zip_files
from habilita.dian.signing import Signer

from .errors import ApiError, required


@dataclass(frozen=True)
class DianSetup:
    """How a company's invoices reach DIAN: its software, environment and signer."""

    software: Software
    environment: str
    signer: Signer


@dataclass(frozen=True)
class Stamp:
    """DIAN's verdict as the invoice shows it: Draft (not sent, or no answer), Accepted or Rejected."""

    status: str
    cufe: str | None = None
    errors: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"status": self.status, "cufe": self.cufe, "errors": list(self.errors) or None}


def dian_setup(body: dict, *, company_nit: str) -> DianSetup:
    """A :class:`DianSetup` from the admin body: software_id, pin, provider_nit?, environment?,
    and key_pem + cert_pem, or key_path + cert_path (password optional)."""
    environment = str(body.get("environment", constants.ENVIRONMENT_TEST))
    if environment not in (constants.ENVIRONMENT_PRODUCTION, constants.ENVIRONMENT_TEST):
        raise ApiError.one(400, "invalid_type", f"environment must be '1' or '2', not {environment!r}",
                           environment, detail="environment")
    try:
        software = Software(id=str(required(body.get("software_id"), "software_id")),
                            pin=str(required(body.get("pin"), "pin")),
                            provider_nit=str(body.get("provider_nit") or company_nit))
        password = body.get("password")
        signer = Signer.from_pem(*_pem_pair(body), password=password.encode() if password else None)
    except (DianError, OSError) as exc:
        raise ApiError.one(400, "invalid_type", f"DIAN setup: {exc}") from exc
    try:
        signs_as_issuer = certificate_nit(signer.certificate) == company_nit
    except CertificateError:
        signs_as_issuer = True
    if not signs_as_issuer:
        signer = Signer(signer.key, role=constants.ROLE_THIRD_PARTY)
    return DianSetup(software=software, environment=environment, signer=signer)


def _pem_pair(body: dict) -> tuple[bytes, bytes]:
    if body.get("key_pem") and body.get("cert_pem"):
        return str(body["key_pem"]).encode(), str(body["cert_pem"]).encode()
    if body.get("key_path") and body.get("cert_path"):
        return Path(body["key_path"]).read_bytes(), Path(body["cert_path"]).read_bytes()
    raise ApiError.one(400, "parameter_required", "give key_pem and cert_pem, or key_path and cert_path",
                       detail="certificate")


def build_signed(*, setup: DianSetup, numbering, number: int, issue_date: dt.date, supplier: Party,
                 customer: Party, lines: tuple[Line, ...]) -> SignedDocument:
    """The signed invoice number ``number``; ``document_settings`` when the toolkit refuses it (e.g. a
    resolution not valid on the issue date)."""
    now = colombia_now()
    issued_at = now if issue_date == now.date() else dt.datetime.combine(issue_date, now.time(), COLOMBIA)
    try:
        invoice = Invoice(
            sequence=number, issued_at=issued_at, supplier=supplier, customer=customer, lines=lines,
            software=setup.software, environment=setup.environment,
            numbering=NumberingRange(prefix=numbering.prefix, range_from=numbering.from_number,
                                     range_to=numbering.to_number, resolution=numbering.resolution,
                                     valid_from=numbering.valid_from, valid_to=numbering.valid_to,
                                     technical_key=numbering.technical_key))
        built = ubl.build(invoice)
        xml = setup.signer.sign(built.root)
    except DianError as exc:
        raise ApiError.one(400, "document_settings", f"La factura electrónica no se puede generar: {exc}") from exc
    return SignedDocument(kind=built.kind, type_code=built.type_code, number=built.number, uuid=built.uuid,
                          file_name=dian_file_name("invoice", issuer_nit=supplier.id_number, year=issue_date.year,
                                                   sequence=number), xml=xml)


def send(signed: SignedDocument, *, setup: DianSetup, dian_url: str, timeouts: Timeouts, issuer_nit: str,
         year: int, number: int) -> Stamp:
    """Send the signed invoice with SendBillSync; a DIAN that does not answer leaves it Draft."""
    zip_name = zip_file_name(issuer_nit=issuer_nit, year=year, sequence=number)
    try:
        with DianClient(dian_url, setup.signer.key.private_key, setup.signer.certificate,
                        timeout=timeouts) as client:
            response = client.send_bill_sync(file_name=zip_name,
                                             zip_bytes=zip_files([(signed.file_name, signed.xml)]))
    except DianServiceError as exc:
        return Stamp(status="Draft", cufe=signed.uuid, errors=(f"DIAN no respondió: {exc}",))
    if response.is_valid:
        return Stamp(status="Accepted", cufe=signed.uuid)
    return Stamp(status="Rejected", cufe=signed.uuid,
                 errors=tuple(response.error_messages) or (f"{response.status_code} {response.status_description}",))


def customer_party(customer: dict) -> Party:
    """The UBL party of an ERP customer."""
    city = customer["address"]["city"]
    return Party(
        id_number=customer["identification"],
        name=" ".join(customer["name"]),
        id_type=customer["id_type"]["code"],
        person_type="2" if customer["person_type"] == "Person" else "1",
        tax_level_code=";".join(r["code"] for r in customer["fiscal_responsibilities"]) or "R-99-PN",
        tax_scheme="01" if customer["vat_responsible"] else "ZZ",
        email=next((c["email"] for c in customer["contacts"] if c.get("email")), None),
        address=Address(line=customer["address"]["address"], city_code=city["city_code"],
                        city_name=city.get("city_name") or city["city_code"], department_code=city["state_code"],
                        department=city.get("state_name") or city["state_code"]),
    )


def supplier_party(nit: str, name: str) -> Party:
    """The UBL party of the issuing company."""
    return Party(id_number=nit, name=name, address=Address(line="Dirección principal"), tax_level_code="O-13")
