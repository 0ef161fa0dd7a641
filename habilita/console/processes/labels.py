"""Words for the machine names processes use: steps, fields, choices, statuses, actions.

Everything a person reads about a process comes through here, so the
catalog holds it and an unknown name still reads as words.
"""
from __future__ import annotations

from flask_babel import gettext
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
    "choose_path": _l("Choose the certificate"),
    "payment": _l("Payment"),
    "representative": _l("Legal representative"),
    "signed_letter": _l("Signed letter"),
    "lending": _l("Lending the certificate"),
    "issuance": _l("Issuance"),
    "loaned": _l("Loaned"),
    "issued": _l("Issued"),
    "building": _l("Building the documents"),
    "sending": _l("Sending to DIAN"),
    "validating": _l("DIAN is validating"),
    "rejected": _l("Rejected by DIAN"),
    "accepted": _l("Accepted by DIAN"),
    "dian_enablement": _l("Support document at DIAN"),
    "certificate_confirmation": _l("Certificate confirmation"),
    "request": _l("Request"),
    "accept": _l("Acceptance"),
    "default_accounts": _l("Default accounts"),
    "connect": _l("Connect"),
    "sync": _l("Synchronizing"),
    "connected": _l("Connected"),
}

STATUSES = {
    "running": _l("Running"), "waiting": _l("Waiting"), "completed": _l("Completed"),
    "failed": _l("Failed"), "cancelled": _l("Cancelled"), "terminated": _l("Terminated"),
}

# A test-set document as DIAN has judged it so far.
DOCUMENT_STATUSES = {
    "built": _l("built"), "sent": _l("sent"), "accepted": _l("accepted"), "rejected": _l("rejected"),
}

WAITING_ON = {
    "": _l("Nobody"), "staff": _l("Our staff"), "company": _l("The company"),
    "dian": _l("DIAN"), "system": _l("The system"),
}

FIELDS = {
    "operation_mode": _l("Operation mode"),
    "test_set_id": _l("Test set id (TestSetId)"),
    "substep": _l("Sub-step done at DIAN"),
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
    "upload": _l("Signed letter, scanned (PDF, at most 1 MB)"),
    "path": _l("Certificate"),
    "position": _l("Position"),
    "confirmed_tax_id": _l("Type the NIT to confirm it"),
    "resolution_id": _l("Resolution (id)"),
    "next_number": _l("Next number"),
    "holder_tax_id": _l("Tax id of the contract holder"),
    "holder_check_digit": _l("Check digit"),
    "accounting_company_id": _l("Accounting company (id)"),
    "sales_auxiliary": _l("Sales: auxiliary account"),
    "sales_detail": _l("Sales: detail account"),
    "purchases_auxiliary": _l("Purchases: auxiliary account"),
    "purchases_detail": _l("Purchases: detail account"),
    "payments": _l("Payments account (optional)"),
    "collections": _l("Collections account (optional)"),
    "sales_vat": _l("Sales VAT account (optional)"),
    "purchases_vat": _l("Purchases VAT account (optional)"),
    "code": _l("Code"),
    "warning": _l("Warning"),
    "last_check": _l("Last check at DIAN"),
    "active_workflow_id": _l("Sub-process"),
    "signed_letter_uploaded": _l("Signed letter uploaded"),
    "loan_date": _l("Loan date"),
    "messages": _l("Messages"),
    "paid": _l("Paid"),
    "message": _l("Message"),
    "price": _l("Price"),
    "currency": _l("Currency"),
    "validity_days": _l("Validity (days)"),
    "resolutions": _l("Resolutions"),
}

CHOICES = {
    "own_software": _l("Own software"),
    "provider": _l("Technology provider's software"),
    "own": _l("Own certificate (bought by the company)"),
    "loan": _l("Loaned certificate (the provider's)"),
    "enable_support_document": _l("Enabled the support document at DIAN"),
    "request_resolution": _l("Requested the resolution at DIAN"),
    "associate_prefixes": _l("Associated the prefixes at DIAN"),
}

BUTTONS = {
    "submit_dian_registration": _l("Save the DIAN registration"),
    "choose_path": _l("Choose the certificate"),
    "verify_payment": _l("Check the payment again"),
    "submit_representative": _l("Save and generate the letter"),
    "upload_signed_letter": _l("Upload the signed letter"),
    "delete_signed_letter": _l("Delete the uploaded letter"),
    "continue_with_loan": _l("Continue"),
    "start_test_set": _l("Start the test set"),
    "resend_test_set": _l("Resend the test set"),
    "confirm_resolution_requested": _l("The resolution was requested at DIAN"),
    "confirm_prefixes_associated": _l("The prefixes were associated at DIAN"),
    "configure_voucher_type": _l("Create the voucher types"),
    "confirm_support_document_at_dian": _l("Save: enabled at DIAN"),
    "confirm_provider_certificate": _l("The company has the provider's certificate"),
    "confirm_dian_substep": _l("Confirm the sub-step done at DIAN"),
    "request_integration": _l("Request the integration"),
    "hide_accounting_company": _l("Hide this accounting company"),
    "accept_integration": _l("Accept the integration"),
    "create_chart_account": _l("Create the account in the chart"),
    "set_default_accounts": _l("Save the default accounts"),
    "connect_and_sync": _l("Connect and sync"),
}

ACTIONS = {
    "submit_dian_registration": _l("saved the DIAN registration"),
    "dian_registration": _l("entered the DIAN registration data"),
    "choose_path": _l("chose the certificate"),
    "verify_payment": _l("checked the certificate payment"),
    "submit_representative": _l("saved the legal representative"),
    "upload_signed_letter": _l("uploaded the signed letter"),
    "delete_signed_letter": _l("deleted the uploaded letter"),
    "continue_with_loan": _l("continued with the loaned certificate"),
    "start_test_set": _l("started the test set"),
    "test_set_started": _l("started the test set"),
    "resend_test_set": _l("resent the test set"),
    "confirm_resolution_requested": _l("confirmed the resolution was requested"),
    "confirm_prefixes_associated": _l("confirmed the prefixes were associated"),
    "configure_voucher_type": _l("configured the voucher type"),
    "voucher_types_created": _l("created the voucher types"),
    "confirm_support_document_at_dian": _l("confirmed the support document is enabled at DIAN"),
    "confirm_provider_certificate": _l("confirmed the company has the provider's certificate"),
    "confirm_dian_substep": _l("confirmed a sub-step done at DIAN"),
    "request_integration": _l("requested the accounting integration"),
    "accept_integration": _l("accepted the integration"),
    "set_default_accounts": _l("saved the default accounts"),
    "connect_and_sync": _l("connected and started a sync"),
    "start process": _l("started the process"),
    "download document": _l("downloaded a document"),
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


def document_status_label(name: str) -> str:
    return label(DOCUMENT_STATUSES, name)


def waiting_label(name: str) -> str:
    return label(WAITING_ON, name)


def field_label(name: str) -> str:
    return label(FIELDS, name)


# What support did (support.actions records "support: <action>"); skip and reset name their step.
SUPPORT_ACTIONS = {
    "retry now": _l("support: retried now"),
    "cancel": _l("support: cancelled the process"),
}


def action_label(name: str) -> str:
    """What a person did, for the history."""
    what = name.removeprefix("support: ") if name.startswith("support: ") else None
    if what in SUPPORT_ACTIONS:
        return str(SUPPORT_ACTIONS[what])
    if what and what.startswith("skip "):
        return gettext("support: skipped step %(step)s", step=step_label(what.removeprefix("skip ")))
    if what and what.startswith("reset to "):
        return gettext("support: reset to step %(step)s", step=step_label(what.removeprefix("reset to ")))
    return label(ACTIONS, name)


def button_label(name: str) -> str:
    """The button that sends an update."""
    return label(BUTTONS, name)
