"""Validation against DIAN's UBL 2.1 XSD set, shipped in ``dian/xsd``.

Compiling a UBL schema takes about a second, so each one is compiled once per
process and kept. lxml's XMLSchema objects are safe to share between threads
for validation.
"""

from __future__ import annotations

import functools
import importlib.resources
import threading
from dataclasses import dataclass

from lxml import etree

from . import namespaces as ns

_ROOT_SCHEMAS = {
    f"{{{ns.INVOICE}}}Invoice": "UBL-Invoice-2.1.xsd",
    f"{{{ns.CREDIT_NOTE}}}CreditNote": "UBL-CreditNote-2.1.xsd",
    f"{{{ns.DEBIT_NOTE}}}DebitNote": "UBL-DebitNote-2.1.xsd",
}
_DIAN_EXTENSIONS = f"{{{ns.STS}}}DianExtensions"
_XSD = "http://www.w3.org/2001/XMLSchema"
_lock = threading.Lock()


@dataclass(frozen=True)
class SchemaIssue:
    """One schema violation: where (line, element path) and what."""

    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _maindoc(name: str):
    return importlib.resources.files("habilita.dian.xsd") / "maindoc" / name


@functools.cache
def _compiled(name: str) -> etree.XMLSchema:
    # Parsing from the file path keeps the base URL, so the relative imports
    # (../common/...) of the UBL schemas resolve inside the package.
    with _lock:
        return etree.XMLSchema(etree.parse(str(_maindoc(name))))


@functools.cache
def dian_extensions_schema() -> etree.XMLSchema:
    """DIAN_UBL_Structures.xsd with its one stale rule relaxed.

    The 2018 schema restricts ``@schemeID`` of ``coID2Type`` to
    identification-type codes, while annex 1.8+ writes the check digit there
    (and the type in ``schemeName``). Only those enumerations are removed;
    every other rule stays.
    """
    with _lock:
        tree = etree.parse(str(_maindoc("DIAN_UBL_Structures.xsd")))
        enumerations = tree.xpath(
            "//xsd:complexType[@name='coID2Type']//xsd:attribute[@name='schemeID']"
            "/xsd:simpleType/xsd:restriction/xsd:enumeration",
            namespaces={"xsd": _XSD},
        )
        if not enumerations:
            raise RuntimeError("DIAN_UBL_Structures.xsd changed: coID2Type/@schemeID has no enumeration to relax")
        for enumeration in enumerations:
            enumeration.getparent().remove(enumeration)
        return etree.XMLSchema(tree)


def document_schema(root_tag: str) -> etree.XMLSchema:
    """The compiled UBL schema for a root element tag (Clark notation)."""
    try:
        return _compiled(_ROOT_SCHEMAS[root_tag])
    except KeyError:
        raise ValueError(f"no DIAN schema for root element {root_tag}") from None


def _issues(schema: etree.XMLSchema) -> list[SchemaIssue]:
    return [SchemaIssue(line=e.line, path=e.path or "", message=e.message) for e in schema.error_log]


def validate(root: etree._Element) -> list[SchemaIssue]:
    """Validate a parsed document: its UBL schema, then every sts:DianExtensions in it.

    Returns the issues found, ``[]`` when the document is valid.
    """
    try:
        schema = document_schema(root.tag)
    except ValueError as exc:
        return [SchemaIssue(line=root.sourceline or 0, path="/", message=str(exc))]
    issues = [] if schema.validate(root) else _issues(schema)
    extensions = root.findall(f"{{{ns.EXT}}}UBLExtensions/{{{ns.EXT}}}UBLExtension/{{{ns.EXT}}}ExtensionContent/{_DIAN_EXTENSIONS}")
    if not extensions:
        issues.append(SchemaIssue(line=root.sourceline or 0, path="/", message="sts:DianExtensions is missing"))
    ext_schema = dian_extensions_schema()
    for element in extensions:
        if not ext_schema.validate(element):
            issues.extend(_issues(ext_schema))
    return issues


def warm_up() -> None:
    """Compile every schema now (e.g. at worker start) instead of on first use."""
    for name in _ROOT_SCHEMAS.values():
        _compiled(name)
    dian_extensions_schema()
