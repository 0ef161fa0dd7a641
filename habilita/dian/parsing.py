"""Safe parsing of documents received from outside.

Entities are not resolved and nothing is fetched from the network, so a
hostile XML can neither read local files nor make the simulator call out.
"""

from __future__ import annotations

from lxml import etree

from .errors import MalformedDocument

# remove_blank_text is off on purpose: a signed document must be read exactly
# as signed, whitespace included.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)


def parse_xml(xml: bytes) -> etree._Element:
    """Parse bytes into an element, raising :class:`MalformedDocument` with the parser's reason."""
    if not isinstance(xml, (bytes, bytearray)):
        raise MalformedDocument(f"expected the document as bytes, got {type(xml).__name__}")
    if not xml.strip():
        raise MalformedDocument("the document is empty")
    try:
        root = etree.fromstring(bytes(xml), parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedDocument(f"not well-formed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MalformedDocument("DTD declarations are not allowed in DIAN documents")
    return root
