"""XML namespaces of DIAN's UBL 2.1 documents and their conventional prefixes.

DIAN's verifier looks nodes up by literal prefix (``ds:``, ``xades:``), so the
prefixes here are part of the format, not a matter of taste.
"""

from __future__ import annotations

INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
DEBIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:DebitNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
STS = "dian:gov:co:facturaelectronica:Structures-2-1"
DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# Declared once on the root so every descendant shares them and the signature
# (C14N 1.0 keeps in-scope declarations) digests the same namespaces on both
# sides.
COMMON_NSMAP: dict[str | None, str] = {
    "cac": CAC,
    "cbc": CBC,
    "ext": EXT,
    "sts": STS,
    "ds": DS,
    "xades": XADES,
    "xades141": XADES141,
    "xsi": XSI,
}

# For XPath/find() calls.
NS: dict[str, str] = {
    "inv": INVOICE,
    "cn": CREDIT_NOTE,
    "dn": DEBIT_NOTE,
    "cac": CAC,
    "cbc": CBC,
    "ext": EXT,
    "sts": STS,
    "ds": DS,
    "xades": XADES,
}

# Written by hand: lxml's own declaration uses single quotes, DIAN's samples double.
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
