"""Words for the machine names processes use: steps, fields, choices, statuses, actions.

Everything a person reads about a process comes through here, so the
catalog holds it and an unknown name still reads as words.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STEPS = {
    "dian_registration": _l("DIAN registration"),
    "certificate": _l("Digital certificate"),
    "representative_data": _l("Legal representative"),
    "exoneration_letter": _l("Exoneration letter"),
    "test_set": _l("Test set"),
    "numbering_resolution": _l("Numbering resolution"),
    "prefix_association": _l("Prefix association"),
    "voucher_type": _l("Voucher type"),
    "support_document": _l("Support document at DIAN"),
    "resolution": _l("Resolution"),
    "enabled": _l("Enabled"),
}

STATUSES = {
    "running": _l("Running"), "waiting": _l("Waiting"), "completed": _l("Completed"),
    "failed": _l("Failed"), "cancelled": _l("Cancelled"), "terminated": _l("Terminated"),
}

WAITING_ON = {
    "": _l("Nobody"), "staff": _l("Our staff"), "company": _l("The company"),
    "dian": _l("DIAN"), "system": _l("The system"),
}

FIELDS = {
    "operation_mode": _l("Operation mode"),
    "test_set_id": _l("Test set id (TestSetId)"),
    "software_id": _l("Software id"),
    "pin": _l("Software PIN"),
    "reason": _l("Reason"),
    "document_type": _l("Document type"),
    "document_number": _l("Document number"),
    "check_digit": _l("Check digit"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "full_name": _l("Full name"),
    "name": _l("Name"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "address": _l("Address"),
    "city": _l("City"),
    "letter": _l("Signed letter (PDF, at most 1 MB)"),
    "content": _l("File"),
    "file_name": _l("File name"),
    "prefix": _l("Prefix"),
    "prefixes": _l("Prefixes"),
    "resolution_number": _l("Resolution number"),
    "invoice_type": _l("Invoice type"),
    "confirmed": _l("Confirmed"),
    "date_from": _l("From"),
    "date_to": _l("To"),
}

CHOICES = {
    "own_software": _l("Own software"),
    "provider": _l("Technology provider's software"),
}

ACTIONS = {
    "submit_dian_registration": _l("Save the DIAN registration"),
    "dian_registration": _l("entered the DIAN registration data"),
    "start process": _l("started the process"),
    "login": _l("logged in"),
}


def label(table: dict, name: str) -> str:
    """The catalog's words for ``name``, or the name itself made readable."""
    found = table.get(name)
    if found is not None:
        return str(found)
    return (name or "").replace("_", " ").strip().capitalize()


def step_label(name: str) -> str:
    return label(STEPS, name)


def status_label(name: str) -> str:
    return label(STATUSES, name)


def waiting_label(name: str) -> str:
    return label(WAITING_ON, name)


def field_label(name: str) -> str:
    return label(FIELDS, name)


def action_label(name: str) -> str:
    return label(ACTIONS, name)
