"""XAdES-EPES signatures the way DIAN's verifier accepts them.

signxml's :class:`XAdESSigner` does the XMLDSig work; :class:`_DianXAdESSigner`
overrides the defaults DIAN's .NET verifier rejects (see docs/dian.md):
C14N 1.0 instead of 1.1, no KeyValue before X509Data, SigningCertificate v1
(CertDigest + IssuerSerial) instead of V2, SigningTime in Colombian time, no
DataObjectFormat, the DIAN policy and a signer role.

A :class:`Signer` holds one loaded key and what can be computed once from its
certificate (DER digests, issuer names, base64 text), and is safe to share
between threads: every call builds its own short-lived signxml signer.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import SignXMLException
from signxml.signer import SignatureReference
from signxml.xades import XAdESSignaturePolicy, XAdESSigner

from . import constants
from . import namespaces as ns
from .certificates import CertifiedKey, load_pem, load_pkcs12
from .errors import SigningError
from .parsing import parse_xml
from .clock import COLOMBIA

C14N_1_0 = CanonicalizationMethod.CANONICAL_XML_1_0
SIGNATURE_PATH = "ext:UBLExtensions/ext:UBLExtension[2]/ext:ExtensionContent/ds:Signature"
DIAN_POLICY = XAdESSignaturePolicy(
    Identifier=constants.POLICY_IDENTIFIER,
    Description=constants.POLICY_DESCRIPTION,
    DigestMethod=DigestAlgorithm.SHA256,
    DigestValue=constants.POLICY_DIGEST_SHA256,
)
_ROLES = (constants.ROLE_SUPPLIER, constants.ROLE_THIRD_PARTY)


def _ds(tag: str) -> str:
    return f"{{{ns.DS}}}{tag}"


def _xades(tag: str) -> str:
    return f"{{{ns.XADES}}}{tag}"


@dataclass(frozen=True)
class _CertFacts:
    """What the signature says about one certificate, computed once per Signer."""

    base64_der: str
    sha256_b64: str
    issuer_name: str
    serial_number: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> _CertFacts:
        der = cert.public_bytes(Encoding.DER)
        return cls(
            base64_der=base64.b64encode(der).decode("ascii"),
            sha256_b64=base64.b64encode(hashlib.sha256(der).digest()).decode("ascii"),
            # .NET (DIAN) names OID 2.5.4.5 SERIALNUMBER; RFC 4514 would write the bare OID.
            issuer_name=cert.issuer.rfc4514_string({NameOID.SERIAL_NUMBER: "SERIALNUMBER"}),
            serial_number=str(cert.serial_number),
        )


class _DianXAdESSigner(XAdESSigner):
    """One signature: signxml's XAdES signer with DIAN's choices, for a single call."""

    def __init__(self, *, certs: tuple[_CertFacts, ...], signing_time: str, role: str) -> None:
        super().__init__(
            signature_policy=DIAN_POLICY,
            claimed_roles=[role],
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=C14N_1_0,
        )
        self._certs = certs
        self._signing_time = signing_time
        self._id = f"xmldsig-{uuid.uuid4()}"
        # SignatureProductionPlace is not used by DIAN; DataObjectFormat is not wanted.
        self.signed_signature_properties_annotators = [
            self.add_signing_time,
            self.add_signing_certificate,
            self.add_signature_policy_identifier,
            self.add_signer_role,
        ]
        self.signed_data_object_properties_annotators = []

    def _unpack(self, data, references):
        # signxml serializes and re-parses the document twice to digest it
        # without the placeholder; the tree is ours to sign in place, so the
        # slot is detached while the document digest is computed instead
        # (same bytes digested, a third less work per signature).
        slot = data.find(SIGNATURE_PATH, namespaces=ns.NS)
        del slot.attrib["Id"]
        self._slot_parent = slot.getparent()
        self._slot_parent.remove(slot)
        return slot, data, [data], [SignatureReference(URI="")]

    def _build_sig(self, sig_root, references, c14n_inputs, inclusive_ns_prefixes, exclude_c14n_transform_element=False):
        signed_info, signature_value = super()._build_sig(
            sig_root, references, c14n_inputs, inclusive_ns_prefixes, exclude_c14n_transform_element
        )
        # Back in place before KeyInfo and SignedProperties are digested: C14N 1.0
        # includes the namespaces they inherit from the document.
        self._slot_parent.append(sig_root)
        signed_info.find(_ds("Reference")).set("Id", f"{self._id}-ref0")
        signature_value.set("Id", f"{self._id}-sigvalue")
        return signed_info, signature_value

    def _add_key_info(self, sig_root, signing_settings):
        # Only X509Data, signer first: DIAN reads KeyInfo's first child as the certificate.
        key_info = etree.SubElement(sig_root, _ds("KeyInfo"), Id=f"{self._id}-keyinfo")
        x509_data = etree.SubElement(key_info, _ds("X509Data"))
        for cert in self._certs:
            etree.SubElement(x509_data, _ds("X509Certificate")).text = cert.base64_der

    def _build_xades_ds_object(self, sig_root, signing_settings):
        sig_root.set("Id", self._id)
        ds_object = etree.SubElement(sig_root, _ds("Object"))
        qualifying = etree.SubElement(
            ds_object, _xades("QualifyingProperties"), nsmap={"xades": ns.XADES}, Target=f"#{self._id}"
        )
        signed_properties = etree.SubElement(qualifying, _xades("SignedProperties"), Id=f"{self._id}-signedprops")
        ssp = etree.SubElement(signed_properties, _xades("SignedSignatureProperties"))
        for annotate in self.signed_signature_properties_annotators:
            annotate(ssp, sig_root=sig_root, signing_settings=signing_settings)
        if self.signed_data_object_properties_annotators:
            sdop = etree.SubElement(signed_properties, _xades("SignedDataObjectProperties"))
            for annotate in self.signed_data_object_properties_annotators:
                annotate(sdop, sig_root=sig_root, signing_settings=signing_settings)
        # DIAN's order: the document, then KeyInfo, then SignedProperties.
        self._add_reference_to_signed_info(sig_root, sig_root.find(_ds("KeyInfo")))
        self._add_reference_to_signed_info(sig_root, signed_properties, Type="http://uri.etsi.org/01903#SignedProperties")

    def add_signing_time(self, signed_signature_properties, sig_root, signing_settings):
        etree.SubElement(signed_signature_properties, _xades("SigningTime")).text = self._signing_time

    def add_signing_certificate(self, signed_signature_properties, sig_root, signing_settings):
        # XAdES 1.3.2 SigningCertificate: DIAN's schema has no SigningCertificateV2.
        signing_certificate = etree.SubElement(signed_signature_properties, _xades("SigningCertificate"))
        for cert in self._certs:
            cert_node = etree.SubElement(signing_certificate, _xades("Cert"))
            digest = etree.SubElement(cert_node, _xades("CertDigest"))
            etree.SubElement(digest, _ds("DigestMethod"), Algorithm=DigestAlgorithm.SHA256.value)
            etree.SubElement(digest, _ds("DigestValue")).text = cert.sha256_b64
            issuer_serial = etree.SubElement(cert_node, _xades("IssuerSerial"))
            etree.SubElement(issuer_serial, _ds("X509IssuerName")).text = cert.issuer_name
            etree.SubElement(issuer_serial, _ds("X509SerialNumber")).text = cert.serial_number


def signing_time_for(issue_date: datetime.date, issue_time: str, *, now: datetime.datetime | None = None) -> str:
    """SigningTime text: now in Colombian time when that is still the issue date, else the issue moment.

    DIAN requires the signature's date to be the document's issue date, so a
    document issued on another day is signed "at" its IssueDate/IssueTime.
    """
    current = (now or datetime.datetime.now(COLOMBIA)).astimezone(COLOMBIA).replace(microsecond=0)
    if current.date() == issue_date:
        return current.isoformat()
    return f"{issue_date.isoformat()}T{issue_time}"


class Signer:
    """A signing key loaded once, reused for every document it signs."""

    def __init__(self, key: CertifiedKey, *, role: str = constants.ROLE_SUPPLIER) -> None:
        """``role`` is "supplier" when the issuer signs, "third party" when a technology provider does."""
        if role not in _ROLES:
            raise SigningError(f"signer role must be one of {', '.join(_ROLES)}, got {role!r}")
        self.key = key
        self.role = role
        self._certs = tuple(_CertFacts.of(c) for c in (key.certificate, *key.chain))

    @classmethod
    def from_pkcs12(cls, data: bytes, password: bytes | str | None, *, role: str = constants.ROLE_SUPPLIER) -> Signer:
        """Load a signer from a PKCS#12 (.p12/.pfx) file."""
        return cls(load_pkcs12(data, password), role=role)

    @classmethod
    def from_pem(
        cls, key_pem: bytes, cert_pem: bytes, *, password: bytes | None = None, role: str = constants.ROLE_SUPPLIER
    ) -> Signer:
        """Load a signer from a PEM key and a PEM certificate (chain may follow the leaf)."""
        return cls(load_pem(key_pem, cert_pem, password=password), role=role)

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate (the one written first in KeyInfo)."""
        return self.key.certificate

    def sign(self, document: etree._Element | bytes, *, signing_time: str | None = None) -> bytes:
        """Sign a built document (with its empty signature slot) and return the signed bytes.

        The tree is signed in place (build a new one to sign again). The
        result must be stored and sent as is: re-serializing or
        pretty-printing it breaks the signature. ``signing_time`` overrides the
        SigningTime text (ISO 8601 with offset); by default see :func:`signing_time_for`.
        """
        root = parse_xml(document) if isinstance(document, (bytes, bytearray)) else document
        slot = root.find(SIGNATURE_PATH, namespaces=ns.NS)
        if slot is None or slot.get("Id") != "placeholder" or len(slot):
            raise SigningError(
                f"document {root.findtext('cbc:ID', namespaces=ns.NS)} has no empty signature slot at {SIGNATURE_PATH} "
                "(is it already signed, or not built by dian.ubl?)"
            )
        if signing_time is None:
            issue_date = datetime.date.fromisoformat(root.findtext("cbc:IssueDate", namespaces=ns.NS))
            signing_time = signing_time_for(issue_date, root.findtext("cbc:IssueTime", namespaces=ns.NS))
        signer = _DianXAdESSigner(certs=self._certs, signing_time=signing_time, role=self.role)
        try:
            signed = signer.sign(
                root,
                key=self.key.private_key,
                cert=[self.key.certificate],
                always_add_key_value=False,
                # DIAN's samples list only the enveloped transform; C14N 1.0 is
                # then the default canonicalization, as XMLDSig specifies.
                exclude_c14n_transform_element=True,
            )
        except SignXMLException as exc:
            raise SigningError(f"signxml could not sign the document: {exc}") from exc
        return ns.XML_DECLARATION + etree.tostring(signed, encoding="UTF-8")
