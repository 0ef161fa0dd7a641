"""SOAP 1.2 messages of DIAN's ``WcfDianCustomerServices``: build and parse.

Pure: bytes and lxml elements in, frozen dataclasses out. Both ends use it:
the real client builds requests and parses responses, the local simulator
parses requests and builds responses, so the two cannot drift apart.

Element names and namespaces follow DIAN's WSDL (a WCF service): operations
and their parameters live in ``http://wcf.dian.colombia``; each result is a
WCF data contract in its own ``http://schemas.datacontract.org/2004/07/...``
namespace, with members in alphabetical order as WCF serializes them.
Signing the header is :mod:`habilita.dian.wssecurity`'s job.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass, fields
from typing import ClassVar, Union

from lxml import etree

from .errors import DianError

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WCF = "http://wcf.dian.colombia"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
NS_DIAN_RESPONSE = "http://schemas.datacontract.org/2004/07/DianResponse"
NS_UPLOAD_RESPONSE = "http://schemas.datacontract.org/2004/07/UploadDocumentResponse"
NS_TRACK_ID = "http://schemas.datacontract.org/2004/07/XmlParamsResponseTrackId"
NS_RANGE_LIST = "http://schemas.datacontract.org/2004/07/NumberRangeResponseList"
NS_RANGE = "http://schemas.datacontract.org/2004/07/NumberRangeResponse"

ACTION_BASE = "http://wcf.dian.colombia/IWcfDianCustomerServices/"
CONTENT_TYPE = "application/soap+xml;charset=UTF-8"

HABILITACION_URL = "https://vpfe-hab.dian.gov.co/WcfDianCustomerServices.svc"
PRODUCTION_URL = "https://vpfe.dian.gov.co/WcfDianCustomerServices.svc"

# lxml refuses huge text nodes by default; a 500-document zip in base64 can
# exceed its 10 MB limit, and these bytes come from a party we chose to talk to.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class MalformedEnvelope(DianError, ValueError):
    """Bytes that are not a SOAP 1.2 message this module understands."""


def action(operation: str) -> str:
    """The WS-Addressing action of ``operation``, e.g. ``.../GetStatus``."""
    return ACTION_BASE + operation


def content_type(operation: str) -> str:
    """The HTTP ``Content-Type`` a SOAP 1.2 request for ``operation`` carries."""
    return f'{CONTENT_TYPE};action="{action(operation)}"'


# --- requests ---------------------------------------------------------------


@dataclass(frozen=True)
class SendTestSetAsync:
    """Upload a zip of test-set documents; DIAN answers with a ZipKey."""

    file_name: str
    content_file: bytes
    test_set_id: str
    OPERATION: ClassVar[str] = "SendTestSetAsync"
    WIRE: ClassVar[tuple[str, ...]] = ("fileName", "contentFile", "testSetId")


@dataclass(frozen=True)
class SendBillSync:
    """Upload a zip with exactly one document and wait for its validation."""

    file_name: str
    content_file: bytes
    OPERATION: ClassVar[str] = "SendBillSync"
    WIRE: ClassVar[tuple[str, ...]] = ("fileName", "contentFile")


@dataclass(frozen=True)
class SendBillAsync:
    """Upload a zip of documents for asynchronous validation."""

    file_name: str
    content_file: bytes
    OPERATION: ClassVar[str] = "SendBillAsync"
    WIRE: ClassVar[tuple[str, ...]] = ("fileName", "contentFile")


@dataclass(frozen=True)
class GetStatus:
    """Status of one document by its track id (CUFE/CUDE/CUDS)."""

    track_id: str
    OPERATION: ClassVar[str] = "GetStatus"
    WIRE: ClassVar[tuple[str, ...]] = ("trackId",)


@dataclass(frozen=True)
class GetStatusZip:
    """Status of every document of an uploaded zip, by its ZipKey."""

    track_id: str
    OPERATION: ClassVar[str] = "GetStatusZip"
    WIRE: ClassVar[tuple[str, ...]] = ("trackId",)


@dataclass(frozen=True)
class GetNumberingRange:
    """Numbering ranges of an issuer usable with a software."""

    account_code: str
    account_code_t: str
    software_code: str
    OPERATION: ClassVar[str] = "GetNumberingRange"
    WIRE: ClassVar[tuple[str, ...]] = ("accountCode", "accountCodeT", "softwareCode")


Request = Union[SendTestSetAsync, SendBillSync, SendBillAsync, GetStatus, GetStatusZip, GetNumberingRange]
REQUESTS: dict[str, type] = {
    cls.OPERATION: cls
    for cls in (SendTestSetAsync, SendBillSync, SendBillAsync, GetStatus, GetStatusZip, GetNumberingRange)
}


def build_request(request: Request, *, to: str) -> etree._Element:
    """The unsigned envelope for ``request`` addressed to ``to``.

    The header carries ``wsa:Action`` and a ``wsa:To`` with a fresh ``wsu:Id``
    for the WS-Security signature to reference; sign it with
    :func:`habilita.dian.wssecurity.sign_envelope` before sending.
    """
    envelope = etree.Element(
        f"{{{SOAP12}}}Envelope", nsmap={"soap": SOAP12, "wcf": WCF}
    )
    header = etree.SubElement(envelope, f"{{{SOAP12}}}Header", nsmap={"wsa": WSA})
    etree.SubElement(header, f"{{{WSA}}}Action").text = action(request.OPERATION)
    to_element = etree.SubElement(header, f"{{{WSA}}}To", nsmap={"wsu": WSU})
    to_element.set(f"{{{WSU}}}Id", f"id-{uuid.uuid4().hex}")
    to_element.text = to
    body = etree.SubElement(envelope, f"{{{SOAP12}}}Body")
    operation = etree.SubElement(body, f"{{{WCF}}}{request.OPERATION}")
    for wire, field in zip(request.WIRE, fields(request)):
        value = getattr(request, field.name)
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        etree.SubElement(operation, f"{{{WCF}}}{wire}").text = value
    return envelope


def parse_envelope(data: bytes) -> etree._Element:
    """Parse ``data`` as a SOAP 1.2 envelope; raise :class:`MalformedEnvelope` otherwise."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedEnvelope(f"the message is not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SOAP12}}}Envelope":
        raise MalformedEnvelope(f"the root element is {root.tag}, not a SOAP 1.2 Envelope")
    return root


def body_child(envelope: etree._Element) -> etree._Element:
    """The single element inside ``soap:Body``."""
    body = envelope.find(f"{{{SOAP12}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise MalformedEnvelope("soap:Body must hold exactly one element")
    return children[0]


def header_action(envelope: etree._Element) -> str | None:
    """The ``wsa:Action`` of the header, if any."""
    found = envelope.find(f"{{{SOAP12}}}Header/{{{WSA}}}Action")
    return None if found is None else (found.text or "").strip()


def parse_request(envelope: etree._Element) -> Request:
    """The request dataclass carried by ``envelope`` (the simulator's side)."""
    operation = body_child(envelope)
    qname = etree.QName(operation)
    cls = REQUESTS.get(qname.localname)
    if qname.namespace != WCF or cls is None:
        raise MalformedEnvelope(f"unknown operation {operation.tag}")
    values = {}
    for wire, field in zip(cls.WIRE, fields(cls)):
        element = operation.find(f"{{{WCF}}}{wire}")
        text = "" if element is None or element.text is None else element.text.strip()
        if field.type == "bytes":
            values[field.name] = _b64decode(text, what=f"{cls.OPERATION}/{wire}")
        else:
            values[field.name] = text
    return cls(**values)


# --- results ----------------------------------------------------------------


@dataclass(frozen=True)
class DianResponse:
    """DIAN's verdict on one document (SendBillSync, GetStatus, GetStatusZip)."""

    is_valid: bool
    status_code: str
    status_description: str
    status_message: str = ""
    error_messages: tuple[str, ...] = ()
    xml_document_key: str = ""
    xml_base64_bytes: bytes = b""
    xml_file_name: str = ""


@dataclass(frozen=True)
class ProcessedDocument:
    """One entry of an upload's ``ErrorMessageList`` (``XmlParamsResponseTrackId``)."""

    document_key: str
    processed_message: str
    sender_code: str
    success: bool
    xml_file_name: str


@dataclass(frozen=True)
class UploadDocumentResponse:
    """The answer to an asynchronous upload: a ZipKey to poll, or errors."""

    zip_key: str
    error_messages: tuple[ProcessedDocument, ...] = ()


@dataclass(frozen=True)
class NumberingRange:
    """One authorized numbering range (a resolution) as GetNumberingRange lists it."""

    resolution_number: str
    resolution_date: dt.date
    prefix: str
    from_number: int
    to_number: int
    valid_date_from: dt.date
    valid_date_to: dt.date
    technical_key: str


@dataclass(frozen=True)
class NumberingRangeResponse:
    """GetNumberingRange's answer: an operation code and the ranges found."""

    operation_code: str
    operation_description: str
    ranges: tuple[NumberingRange, ...] = ()


Result = Union[DianResponse, tuple, UploadDocumentResponse, NumberingRangeResponse]
_RESULT_KIND = {
    "SendTestSetAsync": "upload",
    "SendBillAsync": "upload",
    "SendBillSync": "dian",
    "GetStatus": "dian",
    "GetStatusZip": "dian-list",
    "GetNumberingRange": "ranges",
}


def build_response(operation: str, result: Result) -> bytes:
    """The response envelope for ``operation`` (the simulator's side).

    ``result`` is the dataclass the client's :func:`parse_response` returns:
    a tuple of :class:`DianResponse` for GetStatusZip.
    """
    kind = _RESULT_KIND[operation]
    envelope = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"s": SOAP12, "a": WSA})
    header = etree.SubElement(envelope, f"{{{SOAP12}}}Header")
    etree.SubElement(header, f"{{{WSA}}}Action").text = action(operation) + "Response"
    body = etree.SubElement(envelope, f"{{{SOAP12}}}Body")
    wrapper = etree.SubElement(body, f"{{{WCF}}}{operation}Response", nsmap={None: WCF})
    result_tag = f"{{{WCF}}}{operation}Result"
    if kind == "upload":
        _upload_to_xml(wrapper, result_tag, result)
    elif kind == "dian":
        node = etree.SubElement(wrapper, result_tag, nsmap={"b": NS_DIAN_RESPONSE, "i": XSI})
        _dian_members(node, result)
    elif kind == "dian-list":
        node = etree.SubElement(wrapper, result_tag, nsmap={"b": NS_DIAN_RESPONSE, "i": XSI})
        for item in result:
            _dian_members(etree.SubElement(node, f"{{{NS_DIAN_RESPONSE}}}DianResponse"), item)
    else:
        _ranges_to_xml(wrapper, result_tag, result)
    return etree.tostring(envelope, xml_declaration=False, encoding="utf-8")


def parse_response(operation: str, envelope: etree._Element) -> Result:
    """The result dataclass of a response envelope (the client's side).

    Check :func:`find_fault` first: a fault has no result.
    """
    kind = _RESULT_KIND[operation]
    wrapper = body_child(envelope)
    if wrapper.tag != f"{{{WCF}}}{operation}Response":
        raise MalformedEnvelope(f"expected {operation}Response, got {wrapper.tag}")
    node = wrapper.find(f"{{{WCF}}}{operation}Result")
    if node is None:
        raise MalformedEnvelope(f"{operation}Response has no {operation}Result")
    if kind == "upload":
        return _upload_from_xml(node)
    if kind == "dian":
        return _dian_from_xml(node)
    if kind == "dian-list":
        return tuple(_dian_from_xml(item) for item in node.iterfind(f"{{{NS_DIAN_RESPONSE}}}DianResponse"))
    return _ranges_from_xml(node)


def _member(parent, ns: str, name: str, value) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if value is None or value == "" or value == b"":
        # WCF writes empty members as nil, not as empty strings.
        element.set(f"{{{XSI}}}nil", "true")
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, bytes):
        element.text = base64.b64encode(value).decode("ascii")
    else:
        element.text = str(value)
    return element


def _dian_members(node, response: DianResponse) -> None:
    errors = etree.SubElement(node, f"{{{NS_DIAN_RESPONSE}}}ErrorMessage", nsmap={"c": ARRAYS})
    for message in response.error_messages:
        etree.SubElement(errors, f"{{{ARRAYS}}}string").text = message
    _member(node, NS_DIAN_RESPONSE, "IsValid", response.is_valid)
    _member(node, NS_DIAN_RESPONSE, "StatusCode", response.status_code)
    _member(node, NS_DIAN_RESPONSE, "StatusDescription", response.status_description)
    _member(node, NS_DIAN_RESPONSE, "StatusMessage", response.status_message)
    _member(node, NS_DIAN_RESPONSE, "XmlBase64Bytes", response.xml_base64_bytes)
    _member(node, NS_DIAN_RESPONSE, "XmlBytes", None)
    _member(node, NS_DIAN_RESPONSE, "XmlDocumentKey", response.xml_document_key)
    _member(node, NS_DIAN_RESPONSE, "XmlFileName", response.xml_file_name)


def _text(node, ns: str, name: str) -> str:
    element = node.find(f"{{{ns}}}{name}")
    if element is None or element.get(f"{{{XSI}}}nil") == "true" or element.text is None:
        return ""
    return element.text.strip()


def _bool(node, ns: str, name: str) -> bool:
    text = _text(node, ns, name).lower()
    if text not in ("true", "false", "1", "0", ""):
        raise MalformedEnvelope(f"{name} is {text!r}, not a boolean")
    return text in ("true", "1")


def _dian_from_xml(node) -> DianResponse:
    ns = NS_DIAN_RESPONSE
    return DianResponse(
        is_valid=_bool(node, ns, "IsValid"),
        status_code=_text(node, ns, "StatusCode"),
        status_description=_text(node, ns, "StatusDescription"),
        status_message=_text(node, ns, "StatusMessage"),
        error_messages=tuple(
            (item.text or "").strip() for item in node.iterfind(f"{{{ns}}}ErrorMessage/{{{ARRAYS}}}string")
        ),
        xml_document_key=_text(node, ns, "XmlDocumentKey"),
        xml_base64_bytes=_b64decode(_text(node, ns, "XmlBase64Bytes"), what="XmlBase64Bytes"),
        xml_file_name=_text(node, ns, "XmlFileName"),
    )


def _upload_to_xml(wrapper, tag: str, result: UploadDocumentResponse) -> None:
    node = etree.SubElement(wrapper, tag, nsmap={"b": NS_UPLOAD_RESPONSE, "i": XSI})
    errors = etree.SubElement(node, f"{{{NS_UPLOAD_RESPONSE}}}ErrorMessageList", nsmap={"c": NS_TRACK_ID})
    for item in result.error_messages:
        entry = etree.SubElement(errors, f"{{{NS_TRACK_ID}}}XmlParamsResponseTrackId")
        _member(entry, NS_TRACK_ID, "DocumentKey", item.document_key)
        _member(entry, NS_TRACK_ID, "ProcessedMessage", item.processed_message)
        _member(entry, NS_TRACK_ID, "SenderCode", item.sender_code)
        _member(entry, NS_TRACK_ID, "Success", item.success)
        _member(entry, NS_TRACK_ID, "XmlFileName", item.xml_file_name)
    _member(node, NS_UPLOAD_RESPONSE, "ZipKey", result.zip_key)


def _upload_from_xml(node) -> UploadDocumentResponse:
    items = tuple(
        ProcessedDocument(
            document_key=_text(entry, NS_TRACK_ID, "DocumentKey"),
            processed_message=_text(entry, NS_TRACK_ID, "ProcessedMessage"),
            sender_code=_text(entry, NS_TRACK_ID, "SenderCode"),
            success=_bool(entry, NS_TRACK_ID, "Success"),
            xml_file_name=_text(entry, NS_TRACK_ID, "XmlFileName"),
        )
        for entry in node.iterfind(f"{{{NS_UPLOAD_RESPONSE}}}ErrorMessageList/{{{NS_TRACK_ID}}}XmlParamsResponseTrackId")
    )
    return UploadDocumentResponse(zip_key=_text(node, NS_UPLOAD_RESPONSE, "ZipKey"), error_messages=items)


def _ranges_to_xml(wrapper, tag: str, result: NumberingRangeResponse) -> None:
    node = etree.SubElement(wrapper, tag, nsmap={"b": NS_RANGE_LIST, "i": XSI})
    _member(node, NS_RANGE_LIST, "OperationCode", result.operation_code)
    _member(node, NS_RANGE_LIST, "OperationDescription", result.operation_description)
    ranges = etree.SubElement(node, f"{{{NS_RANGE_LIST}}}ResponseList", nsmap={"c": NS_RANGE})
    for item in result.ranges:
        entry = etree.SubElement(ranges, f"{{{NS_RANGE}}}NumberRangeResponse")
        _member(entry, NS_RANGE, "ResolutionNumber", item.resolution_number)
        _member(entry, NS_RANGE, "ResolutionDate", item.resolution_date.isoformat())
        _member(entry, NS_RANGE, "Prefix", item.prefix)
        _member(entry, NS_RANGE, "FromNumber", item.from_number)
        _member(entry, NS_RANGE, "ToNumber", item.to_number)
        _member(entry, NS_RANGE, "ValidDateFrom", item.valid_date_from.isoformat())
        _member(entry, NS_RANGE, "ValidDateTo", item.valid_date_to.isoformat())
        _member(entry, NS_RANGE, "TechnicalKey", item.technical_key)


def _ranges_from_xml(node) -> NumberingRangeResponse:
    ranges = tuple(
        NumberingRange(
            resolution_number=_text(entry, NS_RANGE, "ResolutionNumber"),
            resolution_date=_date(entry, "ResolutionDate"),
            prefix=_text(entry, NS_RANGE, "Prefix"),
            from_number=_int(entry, "FromNumber"),
            to_number=_int(entry, "ToNumber"),
            valid_date_from=_date(entry, "ValidDateFrom"),
            valid_date_to=_date(entry, "ValidDateTo"),
            technical_key=_text(entry, NS_RANGE, "TechnicalKey"),
        )
        for entry in node.iterfind(f"{{{NS_RANGE_LIST}}}ResponseList/{{{NS_RANGE}}}NumberRangeResponse")
    )
    return NumberingRangeResponse(
        operation_code=_text(node, NS_RANGE_LIST, "OperationCode"),
        operation_description=_text(node, NS_RANGE_LIST, "OperationDescription"),
        ranges=ranges,
    )


def _date(entry, name: str) -> dt.date:
    text = _text(entry, NS_RANGE, name)
    try:
        # DIAN writes plain dates; tolerate a time part after them.
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise MalformedEnvelope(f"NumberRangeResponse/{name} is {text!r}, not a date") from exc


def _int(entry, name: str) -> int:
    text = _text(entry, NS_RANGE, name)
    try:
        return int(text)
    except ValueError as exc:
        raise MalformedEnvelope(f"NumberRangeResponse/{name} is {text!r}, not a number") from exc


def _b64decode(text: str, *, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedEnvelope(f"{what} is not valid base64: {exc}") from exc


# --- faults -----------------------------------------------------------------


@dataclass(frozen=True)
class SoapFault:
    """A SOAP 1.2 fault: ``code`` is ``Sender`` or ``Receiver``; ``subcode`` as WCF names it."""

    code: str
    subcode: str
    reason: str


def build_fault(fault: SoapFault) -> bytes:
    """The envelope of ``fault`` (the simulator's side)."""
    envelope = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"s": SOAP12, "a": WSA})
    header = etree.SubElement(envelope, f"{{{SOAP12}}}Header")
    etree.SubElement(header, f"{{{WSA}}}Action").text = "http://www.w3.org/2005/08/addressing/soap/fault"
    body = etree.SubElement(envelope, f"{{{SOAP12}}}Body")
    node = etree.SubElement(body, f"{{{SOAP12}}}Fault")
    code = etree.SubElement(node, f"{{{SOAP12}}}Code")
    etree.SubElement(code, f"{{{SOAP12}}}Value").text = f"s:{fault.code}"
    if fault.subcode:
        sub = etree.SubElement(code, f"{{{SOAP12}}}Subcode")
        etree.SubElement(sub, f"{{{SOAP12}}}Value").text = fault.subcode
    reason = etree.SubElement(node, f"{{{SOAP12}}}Reason")
    text = etree.SubElement(reason, f"{{{SOAP12}}}Text")
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "es-CO")
    text.text = fault.reason
    return etree.tostring(envelope, encoding="utf-8")


def find_fault(envelope: etree._Element) -> SoapFault | None:
    """The fault carried by ``envelope``, or None for a normal response."""
    node = envelope.find(f"{{{SOAP12}}}Body/{{{SOAP12}}}Fault")
    if node is None:
        return None
    value = node.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value", default="").strip()
    subcode = node.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Subcode/{{{SOAP12}}}Value", default="").strip()
    reason = node.findtext(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text", default="").strip()
    return SoapFault(code=value.rpartition(":")[2], subcode=subcode.rpartition(":")[2], reason=reason)
