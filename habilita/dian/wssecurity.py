"""WS-Security for DIAN's SOAP service: sign an envelope, verify a signed one.

DIAN's WCF binding wants, in the header: a ``wsu:Timestamp``, the signer's
certificate as a ``wsse:BinarySecurityToken`` (X509v3, base64 DER), and an
XML signature (exclusive C14N, rsa-sha256, sha256 digest) over ``wsa:To``
whose KeyInfo points at the token through a ``wsse:SecurityTokenReference``.
This shape is what DIAN documents and public clients send; ``xmlsec1 --verify``
accepts it too (the tests prove it).

Pure: lxml and cryptography, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import uuid

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from .errors import DianError
from .soap import SOAP12, WSA, WSU

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64_BINARY = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

# The prefixes exclusive C14N must keep although the signed node does not use
# them: what DIAN's own samples declare, so our digests match a .NET verifier.
SIGNED_INFO_PREFIXES = ("wsa", "soap", "wcf")
TO_PREFIXES = ("soap", "wcf")

DEFAULT_TTL = dt.timedelta(minutes=5)
DEFAULT_CLOCK_SKEW = dt.timedelta(minutes=5)


class InvalidSecurity(DianError, ValueError):
    """A message's WS-Security header is missing, malformed, stale or does not verify."""


def sign_envelope(
    envelope: etree._Element,
    *,
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    now: dt.datetime | None = None,
    ttl: dt.timedelta = DEFAULT_TTL,
) -> bytes:
    """Add the ``wsse:Security`` header to ``envelope`` and return the signed bytes.

    ``envelope`` comes from :func:`habilita.dian.soap.build_request` (it must carry a
    ``wsa:To`` with a ``wsu:Id``). The bytes returned are final: re-serializing
    or pretty-printing them would break the signature.
    """
    # Work on a parsed copy: lxml's C14N of a tree built in memory can miss
    # namespace declarations inherited from ancestors, which a receiver parsing
    # the bytes does see; hashing what was parsed is hashing what is sent.
    envelope = _reparse(envelope)
    header = envelope.find(f"{{{SOAP12}}}Header")
    to = None if header is None else header.find(f"{{{WSA}}}To")
    if to is None or not to.get(f"{{{WSU}}}Id"):
        raise InvalidSecurity("the envelope has no wsa:To with a wsu:Id to sign")
    created = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    suffix = uuid.uuid4().hex

    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
    security.set(f"{{{SOAP12}}}mustUnderstand", "true")
    header.insert(0, security)
    timestamp = etree.SubElement(security, f"{{{WSU}}}Timestamp")
    timestamp.set(f"{{{WSU}}}Id", f"TS-{suffix}")
    etree.SubElement(timestamp, f"{{{WSU}}}Created").text = _timestamp(created)
    etree.SubElement(timestamp, f"{{{WSU}}}Expires").text = _timestamp(created + ttl)
    token = etree.SubElement(security, f"{{{WSSE}}}BinarySecurityToken")
    token.set("EncodingType", BASE64_BINARY)
    token.set("ValueType", X509V3)
    token.set(f"{{{WSU}}}Id", f"X509-{suffix}")
    token.text = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")

    signature = etree.SubElement(security, f"{{{DS}}}Signature", nsmap={"ds": DS})
    signature.set("Id", f"SIG-{suffix}")
    signed_info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
    _c14n_method(etree.SubElement(signed_info, f"{{{DS}}}CanonicalizationMethod"), SIGNED_INFO_PREFIXES)
    etree.SubElement(signed_info, f"{{{DS}}}SignatureMethod").set("Algorithm", RSA_SHA256)
    reference = etree.SubElement(signed_info, f"{{{DS}}}Reference")
    reference.set("URI", "#" + to.get(f"{{{WSU}}}Id"))
    transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
    _c14n_method(etree.SubElement(transforms, f"{{{DS}}}Transform"), TO_PREFIXES)
    etree.SubElement(reference, f"{{{DS}}}DigestMethod").set("Algorithm", SHA256)
    etree.SubElement(reference, f"{{{DS}}}DigestValue").text = _digest(to, TO_PREFIXES)

    key_info = etree.SubElement(signature, f"{{{DS}}}KeyInfo")
    key_info.set("Id", f"KI-{suffix}")
    str_element = etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference")
    str_element.set(f"{{{WSU}}}Id", f"STR-{suffix}")
    token_ref = etree.SubElement(str_element, f"{{{WSSE}}}Reference")
    token_ref.set("URI", f"#X509-{suffix}")
    token_ref.set("ValueType", X509V3)

    # SignedInfo is canonicalized in its final context (parsed, for the reason
    # above): its in-scope namespaces are part of what the verifier hashes.
    envelope = _reparse(envelope)
    signature = envelope.find(f"{{{SOAP12}}}Header/{{{WSSE}}}Security/{{{DS}}}Signature")
    signed_info = signature.find(f"{{{DS}}}SignedInfo")
    value = private_key.sign(_c14n(signed_info, SIGNED_INFO_PREFIXES), padding.PKCS1v15(), hashes.SHA256())
    signature_value = etree.Element(f"{{{DS}}}SignatureValue")
    signature_value.text = base64.b64encode(value).decode("ascii")
    signed_info.addnext(signature_value)
    return etree.tostring(envelope, encoding="utf-8")


def verify_envelope(
    envelope: etree._Element,
    *,
    now: dt.datetime | None = None,
    clock_skew: dt.timedelta = DEFAULT_CLOCK_SKEW,
) -> x509.Certificate:
    """Verify ``envelope``'s WS-Security header and return the signer's certificate.

    Checks that the signature covers the header's own ``wsa:To`` (not a copy
    elsewhere), that every digest and the RSA signature verify with the
    certificate in the referenced token, and that the timestamp and the
    certificate are current. Raises :class:`InvalidSecurity` saying what failed.
    """
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    header = envelope.find(f"{{{SOAP12}}}Header")
    security = None if header is None else header.find(f"{{{WSSE}}}Security")
    if security is None:
        raise InvalidSecurity("the message has no wsse:Security header")
    signature = security.find(f"{{{DS}}}Signature")
    if signature is None:
        raise InvalidSecurity("wsse:Security holds no ds:Signature")
    signed_info = _required(signature, f"{{{DS}}}SignedInfo", "ds:SignedInfo")
    c14n_prefixes = _c14n_prefixes(_required(signed_info, f"{{{DS}}}CanonicalizationMethod", "ds:CanonicalizationMethod"))
    method = _required(signed_info, f"{{{DS}}}SignatureMethod", "ds:SignatureMethod").get("Algorithm")
    if method != RSA_SHA256:
        raise InvalidSecurity(f"unsupported signature method {method}")

    ids = _elements_by_id(envelope)
    to = header.find(f"{{{WSA}}}To")
    covered = set()
    references = signed_info.findall(f"{{{DS}}}Reference")
    if not references:
        raise InvalidSecurity("ds:SignedInfo has no ds:Reference")
    for position, reference in enumerate(references, start=1):
        target = _dereference(ids, reference.get("URI", ""), what=f"reference {position}")
        transforms = reference.findall(f"{{{DS}}}Transforms/{{{DS}}}Transform")
        if len(transforms) != 1:
            raise InvalidSecurity(f"reference {position} must have exactly one exc-c14n transform")
        prefixes = _c14n_prefixes(transforms[0])
        digest_method = _required(reference, f"{{{DS}}}DigestMethod", "ds:DigestMethod").get("Algorithm")
        if digest_method != SHA256:
            raise InvalidSecurity(f"reference {position} uses unsupported digest {digest_method}")
        expected = reference.findtext(f"{{{DS}}}DigestValue", default="").strip()
        if not hmac.compare_digest(_digest(target, prefixes), expected):
            raise InvalidSecurity(f"digest mismatch for reference {position} ({reference.get('URI')})")
        covered.add(target)
    if to is None or to not in covered:
        raise InvalidSecurity("the signature does not cover the header's wsa:To")

    certificate = _signer_certificate(signature, ids)
    value = _b64(signature.findtext(f"{{{DS}}}SignatureValue", default=""), what="ds:SignatureValue")
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise InvalidSecurity("the signer certificate does not hold an RSA key")
    try:
        public_key.verify(value, _c14n(signed_info, c14n_prefixes), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise InvalidSecurity("the signature value does not verify with the token's certificate") from exc
    _check_timestamp(security, now=now, skew=clock_skew)
    if not certificate.not_valid_before_utc - clock_skew <= now <= certificate.not_valid_after_utc + clock_skew:
        raise InvalidSecurity(
            f"the signer certificate is valid from {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} "
            f"to {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC, not now"
        )
    return certificate


def _reparse(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element), etree.XMLParser(huge_tree=True, resolve_entities=False))


def _timestamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _c14n_method(element: etree._Element, prefixes: tuple[str, ...]) -> None:
    element.set("Algorithm", EXC_C14N)
    inclusive = etree.SubElement(element, f"{{{EXC_C14N}}}InclusiveNamespaces", nsmap={"ec": EXC_C14N})
    inclusive.set("PrefixList", " ".join(prefixes))


def _c14n_prefixes(element: etree._Element) -> tuple[str, ...]:
    if element.get("Algorithm") != EXC_C14N:
        raise InvalidSecurity(f"unsupported canonicalization {element.get('Algorithm')}; exc-c14n expected")
    inclusive = element.find(f"{{{EXC_C14N}}}InclusiveNamespaces")
    return tuple((inclusive.get("PrefixList") or "").split()) if inclusive is not None else ()


def _c14n(element: etree._Element, prefixes: tuple[str, ...]) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False,
                          inclusive_ns_prefixes=list(prefixes) or None)


def _digest(element: etree._Element, prefixes: tuple[str, ...]) -> str:
    return base64.b64encode(hashlib.sha256(_c14n(element, prefixes)).digest()).decode("ascii")


def _required(parent: etree._Element, tag: str, name: str) -> etree._Element:
    found = parent.find(tag)
    if found is None:
        raise InvalidSecurity(f"the signature has no {name}")
    return found


def _elements_by_id(envelope: etree._Element) -> dict[str, list[etree._Element]]:
    ids: dict[str, list[etree._Element]] = {}
    for element in envelope.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in (f"{{{WSU}}}Id", "Id"):
            value = element.get(attribute)
            if value:
                ids.setdefault(value, []).append(element)
    return ids


def _dereference(ids: dict[str, list[etree._Element]], uri: str, *, what: str) -> etree._Element:
    if not uri.startswith("#"):
        raise InvalidSecurity(f"{what} points to {uri!r}; only same-document '#id' references are accepted")
    found = ids.get(uri[1:], [])
    if len(found) != 1:
        # Two elements with one id is the classic signature-wrapping trick.
        raise InvalidSecurity(f"{what} id {uri[1:]!r} matches {len(found)} elements, not exactly one")
    return found[0]


def _signer_certificate(signature: etree._Element, ids: dict[str, list[etree._Element]]) -> x509.Certificate:
    reference = signature.find(f"{{{DS}}}KeyInfo/{{{WSSE}}}SecurityTokenReference/{{{WSSE}}}Reference")
    if reference is None:
        raise InvalidSecurity("ds:KeyInfo has no wsse:SecurityTokenReference/wsse:Reference")
    token = _dereference(ids, reference.get("URI", ""), what="the key reference")
    if token.tag != f"{{{WSSE}}}BinarySecurityToken" or token.get("ValueType") != X509V3:
        raise InvalidSecurity("the key reference does not point to an X509v3 wsse:BinarySecurityToken")
    der = _b64(token.text or "", what="wsse:BinarySecurityToken")
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise InvalidSecurity(f"the BinarySecurityToken is not a DER certificate: {exc}") from exc


def _check_timestamp(security: etree._Element, *, now: dt.datetime, skew: dt.timedelta) -> None:
    timestamp = security.find(f"{{{WSU}}}Timestamp")
    if timestamp is None:
        raise InvalidSecurity("wsse:Security has no wsu:Timestamp")
    created = _parse_time(timestamp.findtext(f"{{{WSU}}}Created", default=""), what="wsu:Created")
    expires = _parse_time(timestamp.findtext(f"{{{WSU}}}Expires", default=""), what="wsu:Expires")
    if created - skew > now:
        raise InvalidSecurity(f"the message was created in the future ({created:%Y-%m-%dT%H:%M:%SZ})")
    if expires + skew < now:
        raise InvalidSecurity(f"the message expired at {expires:%Y-%m-%dT%H:%M:%SZ}")


def _parse_time(text: str, *, what: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidSecurity(f"{what} is {text!r}, not a timestamp") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _b64(text: str, *, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSecurity(f"{what} is not valid base64") from exc
