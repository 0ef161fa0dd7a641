"""The English messages of models, validators and workflows, put through the catalog.

Models, workflow validators and workflows speak English (they know nothing of
the console): a validator's message at its field, what a workflow answers
after an action, a step's guidance, a notification, a history's details and
the auditors' timeline. The console shows each in the user's language when
the catalog has it, and as written otherwise. Fixed messages match by exact
text; messages with values match a pattern whose parts are reused (and put
through the catalog in turn).
"""
from __future__ import annotations

import re

from flask_babel import gettext

from habilita.console.processes.catalog import ALL_KINDS
from habilita.console.processes.labels import CHOICES, FIELDS, button_label, field_label, status_label, step_label, waiting_label


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

# What the workflows say back after an action, show on a step or write in the history.
KNOWN += (
    N_("DIAN has the numbering range; its prefixes are not associated to the software yet"),
    N_("the signed letter was deleted; upload it again to continue (the loan date does not change)"),
    N_("Enable the support document at DIAN's portal and enter the test set id it shows."),
    N_("Update the certificate for support documents: the legal representative's data, the exoneration "
       "letter, the signed letter (PDF, at most 1 MB), continue."),
    N_("Pick the synced support-document resolution and configure the voucher type: prefix, "
       "resolution and the next number in its range."),
    N_("DIAN needs time after the support document is enabled before the prefixes can be associated: "
       "enable the support document, request the resolution, wait for DIAN, then associate the prefixes "
       "at DIAN's portal and confirm each sub-step here."),
    N_("ready to issue support documents"),
    # Notification titles.
    N_("DIAN accepted the test set"),
    N_("DIAN is still waiting for you"),
    N_("DIAN rejected test-set documents"),
    N_("Get your own digital certificate"),
    N_("Ready to invoice electronically"),
    N_("Ready to issue support documents"),
    N_("The certificate loan is waiting for you"),
    N_("The support document enablement is waiting for you"),
    N_("Your digital certificate is not paid yet"),
    N_("a rejected test set waits to be resent"),
    N_("waiting for the certificate payment"),
    N_("waiting for the signed exoneration letter"),
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
     N_("The test set uses NIT %(nit)s: from then on the company's NIT cannot change, "
        "because DIAN ties the enablement to it.")),
    (re.compile(r"^the test set will use NIT (?P<nit>\S+); type exactly that NIT .*$"),
     N_("the test set will use NIT %(nit)s; type exactly that NIT to confirm it cannot change afterwards")),
    (re.compile(r"^letter received; the certificate loan dates from (?P<date>\S+)$"),
     N_("Letter received; the certificate loan dates from %(date)s.")),
    (re.compile(r"^the exoneration letter was updated; .* whose date stays (?P<date>\S+)$"),
     N_("The exoneration letter was updated. This does not renew the certificate loan: its date stays %(date)s.")),
    (re.compile(r"^the PDF is damaged and cannot be read .*$"), N_("the PDF is damaged and cannot be read: scan the letter again")),
    (re.compile(r"^creating the invoice, credit-note and debit-note voucher types with prefix (?P<prefix>\S+)$"),
     N_("Creating the invoice, credit-note and debit-note voucher types with prefix %(prefix)s.")),
    (re.compile(r"^creating the support-document voucher type with prefix (?P<prefix>\S+)$"),
     N_("Creating the support-document voucher type with prefix %(prefix)s.")),
    (re.compile(r"^DIAN lists: (?P<ranges>.+)$"), N_("DIAN lists: %(ranges)s")),
    (re.compile(r"^(?P<prefix>\S+) (?P<first>\d+)-(?P<last>\d+) \(resolution (?P<number>\S+)\)$"),
     N_("%(prefix)s %(first)s-%(last)s (resolution %(number)s)")),
    (re.compile(r"^DIAN has no numbering range for the company yet \((?P<answer>.*)\): keep waiting$"),
     N_("DIAN has no numbering range for the company yet (%(answer)s): keep waiting")),
    (re.compile(r"^the prefixes are not associated to the software yet \((?P<answer>.*)\): associate them at DIAN$"),
     N_("the prefixes are not associated to the software yet (%(answer)s): associate them at DIAN")),
    (re.compile(r"^DIAN answered (?P<answer>.*)$"), N_("DIAN answered %(answer)s")),
    (re.compile(r"^the certificate loan dates from (?P<date>\S+)$"), N_("the certificate loan dates from %(date)s")),
    (re.compile(r"^resending round (?P<round>\d+)$"), N_("resending round %(round)s")),
    (re.compile(r"^DIAN accepted the support-document test set: (?P<answer>.*)$"),
     N_("DIAN accepted the support-document test set: %(answer)s")),
    (re.compile(r"^DIAN has not accepted the support-document test set yet \((?P<answer>.*)\): the process re-checks it$"),
     N_("DIAN has not accepted the support-document test set yet (%(answer)s): the process checks it again")),
    (re.compile(r"^the company signs support documents with the certificate of NIT (?P<nit>\S+)$"),
     N_("the company signs support documents with the certificate of NIT %(nit)s")),
    (re.compile(r"^The company now has the provider's certificate \(NIT (?P<nit>\S*)\): confirm to continue\.$"),
     N_("The company now has the provider's certificate (NIT %(nit)s): confirm to continue.")),
    (re.compile(r"^(?P<substep>[a-z_]+) recorded[.;] (?P<rest>.+)$"), N_("Recorded: %(substep)s. %(rest)s")),
    (re.compile(r"^posted (?P<posted>\d+) documents from (?P<first>\S+) to (?P<last>\S+); (?P<already>\d+) were "
                r"already posted, (?P<unpostable>\d+) cannot be posted$"),
     N_("posted %(posted)s documents from %(first)s to %(last)s; %(already)s were already posted, "
        "%(unpostable)s cannot be posted")),
    (re.compile(r"^No existen documentos contabilizables: nothing to post from (?P<first>\S+) to (?P<last>\S+) "
                r"\((?P<already>\d+) already posted, (?P<unpostable>\d+) cannot be posted\)$"),
     N_("No documents to post from %(first)s to %(last)s (%(already)s already posted, "
        "%(unpostable)s cannot be posted)")),
    (re.compile(r"^SLA exceeded: (?P<what>.+)$"), N_("SLA exceeded: %(what)s")),
    # Details of the history.
    (re.compile(r"^(?P<prefix>\S+) resolution (?P<number>\S+)$"), N_("%(prefix)s, resolution %(number)s")),
    (re.compile(r"^(?P<prefix>\S+) resolution (?P<number>\S+), next number (?P<next>\S+)$"),
     N_("%(prefix)s, resolution %(number)s, next number %(next)s")),
    (re.compile(r"^mode (?P<mode>\S+), test set (?P<test_set>\S+)$"), N_("mode %(mode)s, test set %(test_set)s")),
    (re.compile(r"^test set (?P<test_set>\S+): (?P<answer>.*)$"), N_("test set %(test_set)s: %(answer)s")),
    (re.compile(r"^certificate of NIT (?P<nit>\S+)$"), N_("certificate of NIT %(nit)s")),
    (re.compile(r"^(?P<process>einvoicing|support_document|accounting) for (?P<tax_id>\S+)$"),
     N_("%(process)s for %(tax_id)s")),
)

# What support.narrate tells of a Temporal history (the auditors' timeline). Groups named step, who,
# status and update hold machine names (support.narrate.label writes them as words), shown as the
# console names them.
TIMELINE_PATTERNS = (
    (re.compile(r"^process (?P<type>\w+) started$"), N_("process %(type)s started")),
    (re.compile(r"^step (?P<step>.+) started$"), N_("step %(step)s started")),
    (re.compile(r"^waiting on (?P<who>\w+)$"), N_("waiting on %(who)s")),
    (re.compile(r"^process (?P<status>completed|cancelled|failed)$"), N_("process %(status)s")),
    (re.compile(r"^child process (?P<type>\w+) failed: (?P<message>.*)$", re.DOTALL),
     N_("child process %(type)s failed: %(message)s")),
    (re.compile(r"^process failed: (?P<message>.*)$", re.DOTALL), N_("process failed: %(message)s")),
    (re.compile(r"^(?P<what>.+) failed: (?P<message>.*)$", re.DOTALL), N_("%(what)s failed: %(message)s")),
    (re.compile(r"^(?P<what>.+) timed out$"), N_("%(what)s timed out")),
    (re.compile(r"^signal (?P<name>.+) received$"), N_("signal %(name)s received")),
    (re.compile(r"^waiting up to (?P<time>.+)$"), N_("waiting up to %(time)s")),
    (re.compile(r"^wait ended: time is up$"), N_("wait ended: time is up")),
    (re.compile(r"^child process (?P<type>\w+) started \((?P<id>.+)\)$"), N_("child process %(type)s started (%(id)s)")),
    (re.compile(r"^child process (?P<type>\w+) finished$"), N_("child process %(type)s finished")),
    (re.compile(r"^update (?P<update>.+) by (?P<actor>\S+) accepted(?P<rest>(, .*)?)$"),
     N_("update %(update)s by %(actor)s accepted%(rest)s")),
    (re.compile(r"^update (?P<update>.+) by (?P<actor>\S+) rejected: (?P<message>.*)$", re.DOTALL),
     N_("update %(update)s by %(actor)s rejected: %(message)s")),
    (re.compile(r"^update (?P<update>.+) by (?P<actor>\S+) re-applied by a reset$"),
     N_("update %(update)s by %(actor)s re-applied by a reset")),
    (re.compile(r"^reset: (?P<message>.*) \(new run (?P<run>\S+)\)$"), N_("reset: %(message)s (new run %(run)s)")),
    (re.compile(r"^workflow task failed \((?P<cause>[^)]*)\): (?P<message>.*)$", re.DOTALL),
     N_("workflow task failed (%(cause)s): %(message)s")),
    (re.compile(r"^cancellation requested(?P<rest>(: .*)?)$"), N_("cancellation requested%(rest)s")),
    (re.compile(r"^process terminated: (?P<reason>.*)$"), N_("process terminated: %(reason)s")),
    (re.compile(r"^DIAN accepted (?P<accepted>\d+)/(?P<total>\d+) documents(?P<rest>(, .*)?)$"),
     N_("DIAN accepted %(accepted)s/%(total)s documents%(rest)s")),
    (re.compile(r"^rejected (?P<count>\d+)$"), N_("rejected %(count)s")),
    (re.compile(r"^(?P<count>\d+) still in process$"), N_("%(count)s still in process")),
    (re.compile(r"^step (?P<step>\w+)$"), N_("step %(step)s")),
    (re.compile(r"^reason (?P<reason>.+)$"), N_("reason %(reason)s")),
    (re.compile(r"^(?P<what>.+) done$"), N_("%(what)s done")),
)

# "field: message; field: message", as a refused update is summed up in the history.
FIELD_PROBLEM = re.compile(r"^(?P<field>[a-z][a-z_]*): (?P<message>.+)$", re.DOTALL)
NEXT_FIELD_PROBLEM = re.compile(r"; (?=[a-z][a-z_]*: )")


def translated(message: str, patterns: tuple = PATTERNS) -> str:
    """``message`` in the user's language when the catalog knows it or one of its ``patterns``."""
    if not message:
        return message
    exact = gettext(message)
    if exact != message:
        return exact
    for pattern, template in patterns:
        found = pattern.match(message)
        if found:
            parts = {k: NAMED_PARTS[k](v) if k in NAMED_PARTS else _translated_part(v or "", message, patterns)
                     for k, v in found.groupdict().items()}
            return gettext(template, **parts)
    return message


def timeline_words(text: str) -> str:
    """A line of the auditors' timeline (support.narrate's words) in the user's language."""
    return translated(text, PATTERNS + TIMELINE_PATTERNS)


def _machine_name(words: str) -> str:
    """``Test set`` (as support.narrate.label writes ``test_set``) back to ``test_set``."""
    return words.strip().lower().replace(" ", "_")


# A pattern's group of this name holds a machine name: these give its words.
NAMED_PARTS = {
    "step": lambda v: step_label(_machine_name(v)),
    "who": lambda v: waiting_label("" if v == "nobody" else v),
    "status": status_label,
    "update": lambda v: button_label(_machine_name(v)),
}


def _translated_part(value: str, whole: str, patterns: tuple) -> str:
    # A machine value inside a message (an operation mode, a DIAN sub-step, a process type) reads as
    # the form and the lists name it; a part may also be a list of messages of its own
    # ("DIAN lists: A (...), B (...)").
    if value in CHOICES:
        return str(CHOICES[value])
    if value in ALL_KINDS:
        return str(ALL_KINDS[value].label)
    if value == whole or not value:
        return value
    as_one = translated(value, patterns)
    if as_one != value:
        return as_one
    return ", ".join(translated(item, patterns) for item in value.split(", "))


def translated_summary(text: str) -> str:
    """A history's reason or detail in the user's language: one message, a
    refused update's ``field: message; field: message`` with each field named
    as the form names it, or the console's ``detail · address``."""
    if " · " in (text or ""):  # what the console adds to its own rows: "detail · address"
        return " · ".join(translated_summary(part) for part in text.split(" · "))
    first = FIELD_PROBLEM.match(text or "")
    if not (first and first["field"] in FIELDS):
        return translated(text)
    parts = []
    for part in NEXT_FIELD_PROBLEM.split(text):
        problem = FIELD_PROBLEM.match(part)
        if problem and problem["field"] in FIELDS:
            parts.append(f"{field_label(problem['field'])}: {translated(problem['message'])}")
        else:
            parts.append(translated(part))
    return "; ".join(parts)
