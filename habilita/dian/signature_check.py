"""Checks of a document's XAdES signature: cryptography first, then DIAN's profile.

Cryptographic verification is signxml's; the profile checks are the points
where DIAN's .NET verifier is stricter than XMLDSig (prefixes, KeyInfo
layout, C14N 1.0, SigningCertificate v1, policy, SigningTime date).
"""

from __future__ import annotations

import base64
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import SignXMLException
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from . import constants
from . import namespaces as ns
from .clock import COLOMBIA
from .signing import C14N_1_0, DIAN_POLICY, SIGNATURE_PATH

_CONFIG = XAdESSignatureConfiguration(
    require_x509=True,
    location=f"./{{{ns.EXT}}}UBLExtensions/{{{ns.EXT}}}UBLExtension/{{{ns.EXT}}}ExtensionContent/",
    expect_references=3,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    default_reference_c14n_method=C14N_1_0,
)
_PREFIXES = {ns.DS: "ds", ns.XADES: "xades"}


def _find(element, path):
    return element.find(path, namespaces=ns.NS)


def _profile_problems(signature: etree._Element, issue_date: datetime.date) -> tuple[list[str], x509.Certificate | None]:
    problems: list[str] = []
    for node in signature.iter(etree.Element):
        namespace = etree.QName(node).namespace
        expected = _PREFIXES.get(namespace)
        if expected is not None and node.prefix != expected:
            problems.append(f"element {etree.QName(node).localname} uses prefix {node.prefix!r}; DIAN requires {expected!r}")
            break
    c14n = _find(signature, "ds:SignedInfo/ds:CanonicalizationMethod")
    if c14n is None or c14n.get("Algorithm") != CanonicalizationMethod.CANONICAL_XML_1_0.value:
        problems.append(f"canonicalization must be C14N 1.0, found {None if c14n is None else c14n.get('Algorithm')}")
    key_info = _find(signature, "ds:KeyInfo")
    cert = None
    if key_info is None or len(key_info) == 0 or key_info[0].tag != f"{{{ns.DS}}}X509Data":
        problems.append("the first child of ds:KeyInfo must be ds:X509Data with the signer certificate")
    else:
        text = key_info[0].findtext("ds:X509Certificate", namespaces=ns.NS)
        try:
            cert = x509.load_der_x509_certificate(base64.b64decode(text or ""))
        except ValueError:
            problems.append("ds:X509Certificate does not hold a readable certificate")
    ssp = _find(signature, "ds:Object/xades:QualifyingProperties/xades:SignedProperties/xades:SignedSignatureProperties")
    if ssp is None:
        problems.append("xades:SignedSignatureProperties is missing (not a XAdES signature)")
        return problems, cert
    if _find(ssp, "xades:SigningCertificateV2") is not None:
        problems.append("xades:SigningCertificateV2 is not XAdES 1.3.2; DIAN requires xades:SigningCertificate")
    first_digest = _find(ssp, "xades:SigningCertificate/xades:Cert/xades:CertDigest/ds:DigestValue")
    if first_digest is None:
        problems.append("xades:SigningCertificate (CertDigest and IssuerSerial) is missing")
    elif cert is not None and first_digest.text != base64.b64encode(
        hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()
    ).decode():
        problems.append("the first xades:Cert is not the signer certificate of ds:KeyInfo")
    if _find(ssp, "xades:SignaturePolicyIdentifier/xades:SignaturePolicyId") is None:
        problems.append(f"the DIAN signature policy ({constants.POLICY_IDENTIFIER}) is missing")
    roles = [r.text for r in ssp.findall("xades:SignerRole/xades:ClaimedRoles/xades:ClaimedRole", namespaces=ns.NS)]
    if not roles or roles[0] not in (constants.ROLE_SUPPLIER, constants.ROLE_THIRD_PARTY):
        problems.append(f"xades:SignerRole must claim 'supplier' or 'third party', found {roles or 'none'}")
    signing_time = (ssp.findtext("xades:SigningTime", namespaces=ns.NS) or "").strip()
    try:
        moment = datetime.datetime.fromisoformat(signing_time)
        if moment.tzinfo is None:
            raise ValueError
        if moment.astimezone(COLOMBIA).date() != issue_date:
            problems.append(f"SigningTime {signing_time} is not on the issue date {issue_date} (Colombian time)")
    except ValueError:
        problems.append(f"xades:SigningTime {signing_time!r} is not a date-time with a UTC offset")
    return problems, cert


def signature_problems(xml: bytes, root: etree._Element, issue_date: datetime.date) -> list[str]:
    """Every way the document's signature fails, as messages; ``[]`` when it is valid.

    ``xml`` are the bytes as received (the digest is over them), ``root`` the
    same document parsed.
    """
    signature = _find(root, SIGNATURE_PATH)
    if signature is None:
        anywhere = root.find(".//ds:Signature", namespaces=ns.NS)
        if anywhere is None:
            return ["the document is not signed (no ds:Signature)"]
        return [f"ds:Signature must be at {SIGNATURE_PATH}"]
    if _find(signature, "ds:SignedInfo") is None:
        return ["the document is not signed: its ds:Signature is empty"]
    problems, cert = _profile_problems(signature, issue_date)
    if cert is None:
        return problems
    try:
        XAdESVerifier().verify(
            xml,
            x509_cert=cert,
            expect_signature_policy=DIAN_POLICY,
            expect_config=_CONFIG,
        )
    except (SignXMLException, etree.DocumentInvalid, ValueError) as exc:
        # signxml raises lxml's DocumentInvalid when the ds:Signature breaks the XMLDSig schema.
        problems.insert(0, f"firma inválida (invalid signature): {exc}")
    return problems
