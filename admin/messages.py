"""The English messages of models and validators, put through the catalog.

Models and workflow validators speak English (they know nothing of the
console); the form shows their message at the field in the user's language
when the catalog has it, and as written otherwise. Fixed messages match by
exact text; messages with values match a pattern whose parts are reused.
"""
from __future__ import annotations

import re

from flask_babel import gettext


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it here (translated when shown)."""
    return message


# Listed so the extractor puts them in the catalog; matched by exact text.
KNOWN = (
    N_("the password must have at least 10 characters"),
    N_("the password must mix letters with digits or symbols"),
    N_("the current password is wrong"),
    N_("the new password must differ from the current one"),
    N_("legal name is required"),
    N_("the software PIN must be 5 digits"),
    N_("operation mode must be one of own_software, provider"),
    N_("write the representative's first and last names"),
    N_("the phone number must have 7 or 10 digits (optionally after +57)"),
    N_("the check digit is required when the document is a NIT"),
    N_("only a NIT has a check digit: leave it empty"),
    N_("upload the signed exoneration letter first"),
    N_("the file is empty: upload the signed letter scanned as a PDF"),
    N_("the file is not a PDF: scan the signed letter to PDF and upload that file"),
    N_("the PDF has no pages: scan the signed letter again"),
)

# The subjects validators name in "<subject> is required"; each reads as a noun phrase.
SUBJECTS = (
    N_("the acting user"), N_("the test set id"), N_("the software id"), N_("the software PIN"),
    N_("the representative's full name"), N_("the document type"), N_("the document number"), N_("the e-mail"),
    N_("the phone number"), N_("the representative's position in the company"), N_("the NIT you confirm"),
)

PATTERNS = (
    (re.compile(r"^(?P<what>.+) is required$"), N_("%(what)s is required")),
    (re.compile(r"^(?P<what>.+) must be a GUID like (?P<example>\S+), not (?P<value>.*)$"),
     N_("%(what)s must be a GUID like %(example)s, not %(value)s")),
    (re.compile(r"^the check digit of (?P<kind>NIT|RUT) (?P<number>\S+) is (?P<expected>\S+), not (?P<given>\S+)$"),
     N_("the check digit of %(kind)s %(number)s is %(expected)s, not %(given)s")),
    (re.compile(r"^a company with tax id (?P<tax_id>\S+) already exists$"),
     N_("a company with tax id %(tax_id)s already exists")),
    (re.compile(r"^the file has (?P<size>[\d,]+) bytes; the limit is (?P<limit>[\d,]+) bytes \(1 MB\).*$"),
     N_("the file has %(size)s bytes; the limit is %(limit)s bytes (1 MB): scan it at a lower resolution")),
    (re.compile(r"^(?P<value>.+) is not an e-mail address$"), N_("%(value)s is not an e-mail address")),
    (re.compile(r"^the test set uses NIT (?P<nit>\S+); from now on the company's NIT cannot change .*$"),
     N_("The test set will use NIT %(nit)s. Once it starts, the company's NIT cannot change: "
        "DIAN ties the enablement to it. Type that NIT to confirm.")),
    (re.compile(r"^the test set will use NIT (?P<nit>\S+); type exactly that NIT .*$"),
     N_("the test set will use NIT %(nit)s; type exactly that NIT to confirm it cannot change afterwards")),
    (re.compile(r"^letter received; the certificate loan dates from (?P<date>\S+)$"),
     N_("Letter received; the certificate loan dates from %(date)s.")),
    (re.compile(r"^the exoneration letter was updated; .* whose date stays (?P<date>\S+)$"),
     N_("The exoneration letter was updated. This does not renew the certificate loan: its date stays %(date)s.")),
    (re.compile(r"^the PDF is damaged and cannot be read .*$"), N_("the PDF is damaged and cannot be read: scan the letter again")),
)


def translated(message: str) -> str:
    """``message`` in the user's language when the catalog knows it or one of its patterns."""
    if not message:
        return message
    exact = gettext(message)
    if exact != message:
        return exact
    for pattern, template in PATTERNS:
        found = pattern.match(message)
        if found:
            parts = {k: gettext(v) for k, v in found.groupdict().items()}
            return gettext(template, **parts)
    return message
