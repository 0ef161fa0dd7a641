"""Words for the machine names processes use: statuses, who a step waits on, fields, choices, actions.

English message ids marked for the catalog; the console and the CLI show them
translated (steps and process types take their words from the declarations in
``habilita.processes``).
"""
from __future__ import annotations

from . import N_
from .connection_codes import CONNECTION_ACTIONS, CONNECTION_BUTTONS, CONNECTION_CHOICES, CONNECTION_FIELDS


STATUSES = {
    "running": N_("Running"), "waiting": N_("Waiting"), "completed": N_("Completed"),
    "failed": N_("Failed"), "cancelled": N_("Cancelled"), "terminated": N_("Terminated"),
}


# A test-set document as DIAN has judged it so far.
DOCUMENT_STATUSES = {
    "built": N_("built"), "sent": N_("sent"), "accepted": N_("accepted"), "rejected": N_("rejected"),
}


WAITING_ON = {
    "": N_("Nobody"), "staff": N_("Our staff"), "company": N_("The company"),
    "dian": N_("DIAN"), "system": N_("The system"),
}


FIELDS = {
    # The columns of a CSV file of companies to import (their names are Spanish in the file itself).
    "razon_social": N_("Legal name (razon_social)"),
    "nit": N_("NIT with check digit (nit)"),
    "telefono": N_("Phone (telefono)"),
    "ciudad": N_("City, DANE code (ciudad)"),
    "file": N_("File"),
    "operation_mode": N_("Operation mode"),
    "test_set_id": N_("Test set id (TestSetId)"),
    "substep": N_("Sub-step done at DIAN"),
    "software_id": N_("Software id"),
    "pin": N_("Software PIN"),
    "reason": N_("Reason"),
    "document_type": N_("Document type"),
    "document_number": N_("Document number"),
    "check_digit": N_("Check digit of the NIT (DV)"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "full_name": N_("Full name"),
    "name": N_("Name"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "city": N_("City"),
    "letter": N_("Signed letter (PDF, at most 1 MB)"),
    "content": N_("File"),
    "file_name": N_("File name"),
    "prefix": N_("Prefix"),
    "prefixes": N_("Prefixes"),
    "resolution_number": N_("Resolution number"),
    "invoice_type": N_("Invoice type"),
    "confirmed": N_("Confirmed"),
    "date_from": N_("From"),
    "date_to": N_("To"),
    "upload": N_("Signed letter, scanned (PDF, at most 1 MB)"),
    "path": N_("Certificate"),
    "position": N_("Position"),
    "confirmed_tax_id": N_("NIT with check digit, typed to confirm it"),
    "resolution_id": N_("Resolution"),
    "next_number": N_("Next number"),
    "holder_tax_id": N_("Tax id of the contract holder"),
    "holder_check_digit": N_("Check digit of the holder's NIT or RUT (DV)"),
    "accounting_company_id": N_("Accounting company"),
    "sales_auxiliary": N_("Sales: auxiliary account"),
    "sales_detail": N_("Sales: detail account"),
    "purchases_auxiliary": N_("Purchases: auxiliary account"),
    "purchases_detail": N_("Purchases: detail account"),
    "payments": N_("Payments account (optional)"),
    "collections": N_("Collections account (optional)"),
    "sales_vat": N_("Sales VAT account (optional)"),
    "purchases_vat": N_("Purchases VAT account (optional)"),
    "code": N_("Code"),
    "number": N_("Number"),
    "warning": N_("Warning"),
    "last_check": N_("Last check at DIAN"),
    "active_workflow_id": N_("Sub-process"),
    "signed_letter_uploaded": N_("Signed letter uploaded"),
    "loan_date": N_("Loan date"),
    "messages": N_("Messages"),
    "paid": N_("Paid"),
    "message": N_("Message"),
    "price": N_("Price"),
    "currency": N_("Currency"),
    "validity_days": N_("Validity (days)"),
    "resolutions": N_("Resolutions"),
    # Fields a refusal may name that no form shows as such (the models' fields, the staged upload's).
    "actor": N_("Acting user"),
    "tax_id": N_("Tax id"),
    "legal_name": N_("Legal name"),
    "country": N_("Country"),
    "password": N_("Password"),
    "current": N_("Current password"),
    "roles": N_("Roles"),
    "signed_letter": N_("Signed letter"),
    "stored_file_id": N_("Uploaded file"),
    "sha256": N_("SHA-256 digest of the upload"),
    "step": N_("Step"),
    "document_id": N_("Document"),
    "account_code": N_("Detail account"),
    "resync": N_("Sync again, though the range overlaps one already synced"),
    # What a test set's status shows (its documents' answers have their own table).
    "round": N_("Round sent"),
    "set_status": N_("Test set at DIAN"),
    "accepted": N_("Documents accepted"),
    "rejected": N_("Documents rejected"),
    "sample_cuds": N_("CUDS of the sample support document"),
    # What P3's status tells (its last sync and the ranges synced) and P2's (where it started, DIAN's sub-steps).
    "duplicates": N_("Accounting companies that share the tax id"),
    "chart_accounts": N_("Accounts in the chart"),
    "syncs": N_("Syncs run"),
    "documents_in_range": N_("Documents in the range"),
    "posted": N_("Posted"),
    "already_posted": N_("Already posted"),
    "unpostable_count": N_("Not postable"),
    "unpostable": N_("Documents that cannot be posted"),
    "synced": N_("Ranges synced"),
    "synced_by": N_("Synced by"),
    "synced_on": N_("Synced on"),
    "started_at_step": N_("Started at step"),
    "step_number": N_("Step number"),
    "substeps_done": N_("Sub-steps done at DIAN"),
    **CONNECTION_FIELDS,
}


# The levels of a chart of accounts (habilita.accounting.charts.LEVELS), as the PUC names them.
LEVELS = {
    "class": N_("class"), "group": N_("group"), "account": N_("account"), "subaccount": N_("subaccount"),
    "auxiliary": N_("auxiliary"), "subgroup": N_("subgroup"),
}


CHOICES = {
    # Where a test set stands at DIAN (a test set's status).
    "in_process": N_("in process"), "accepted": N_("accepted"), "rejected": N_("rejected"),
    "own_software": N_("Own software"),
    "provider": N_("Technology provider's software"),
    "own": N_("Own certificate (bought by the company)"),
    "loan": N_("Loaned certificate (the provider's)"),
    "enable_support_document": N_("Enabled the support document at DIAN"),
    "request_resolution": N_("Requested the resolution at DIAN"),
    "associate_prefixes": N_("Associated the prefixes at DIAN"),
    "CC": N_("CC — citizenship card"),
    "CE": N_("CE — foreigner ID card"),
    "PA": N_("PA — passport"),
    "NIT": N_("NIT"),
    **CONNECTION_CHOICES,
}


BUTTONS = {
    "submit_dian_registration": N_("Save the DIAN registration"),
    "choose_path": N_("Choose the certificate"),
    "verify_payment": N_("Check the payment again"),
    "submit_representative": N_("Save the legal representative"),
    "upload_signed_letter": N_("Upload the signed letter"),
    "delete_signed_letter": N_("Delete the uploaded letter"),
    "continue_with_loan": N_("Continue"),
    "start_test_set": N_("Start the test set"),
    "resend_test_set": N_("Resend the test set"),
    "confirm_resolution_requested": N_("The resolution was requested at DIAN"),
    "confirm_prefixes_associated": N_("The prefixes were associated at DIAN"),
    "configure_voucher_type": N_("Create the voucher types"),
    "confirm_support_document_at_dian": N_("Save: enabled at DIAN"),
    "confirm_provider_certificate": N_("The company has the provider's certificate"),
    "confirm_dian_substep": N_("Confirm the sub-step done at DIAN"),
    "request_integration": N_("Request the integration"),
    "hide_accounting_company": N_("Hide this accounting company"),
    "accept_integration": N_("Accept the integration"),
    "create_chart_account": N_("Create the account in the chart"),
    "set_default_accounts": N_("Save the default accounts"),
    "connect_and_sync": N_("Connect and sync"),
    **CONNECTION_BUTTONS,
}


ACTIONS = {
    "submit_dian_registration": N_("saved the DIAN registration"),
    "dian_registration": N_("entered the DIAN registration data"),
    "choose_path": N_("chose the certificate"),
    "verify_payment": N_("checked the certificate payment"),
    "submit_representative": N_("saved the legal representative"),
    "upload_signed_letter": N_("uploaded the signed letter"),
    "delete_signed_letter": N_("deleted the uploaded letter"),
    "continue_with_loan": N_("continued with the loaned certificate"),
    "start_test_set": N_("started the test set"),
    "test_set_started": N_("started the test set"),
    "resend_test_set": N_("resent the test set"),
    "confirm_resolution_requested": N_("confirmed the resolution was requested"),
    "confirm_prefixes_associated": N_("confirmed the prefixes were associated"),
    "configure_voucher_type": N_("configured the voucher type"),
    "voucher_types_created": N_("created the voucher types"),
    "confirm_support_document_at_dian": N_("confirmed the support document is enabled at DIAN"),
    "confirm_provider_certificate": N_("confirmed the company has the provider's certificate"),
    "confirm_dian_substep": N_("confirmed a sub-step done at DIAN"),
    "dian_enable_support_document": N_("enabled the support document at DIAN"),
    "dian_request_resolution": N_("requested the resolution at DIAN"),
    "dian_associate_prefixes": N_("associated the prefixes at DIAN"),
    "request_integration": N_("requested the accounting integration"),
    "accept_integration": N_("accepted the integration"),
    "set_default_accounts": N_("saved the default accounts"),
    "connect_and_sync": N_("connected and started a sync"),
    "start process": N_("started the process"),
    "download document": N_("downloaded a document"),
    "login": N_("logged in"),
    "logout": N_("logged out"),
    "change password": N_("changed the password"),
    "request password reset": N_("asked for a password reset"),
    "reset password": N_("reset the password"),
    "create user": N_("created a user"),
    "edit user": N_("edited a user"),
    "create company": N_("created a company"),
    "edit company": N_("edited a company"),
    "import companies": N_("imported companies"),
    "invite company": N_("invited the company"),
    "revoke invitation": N_("withdrew an invitation"),
    "export history": N_("exported a history"),
    "accounting_request": N_("requested the accounting integration"),
    "accounting_accept": N_("accepted the integration"),
    "accounting_company_hidden": N_("hid an accounting company"),
    "accounting_sync": N_("synced a date range"),
    **CONNECTION_ACTIONS,
    "provider_certificate_confirmed": N_("confirmed the provider's certificate"),
    "support_document_enabled_at_dian": N_("confirmed the support document is enabled at DIAN"),
    "support_voucher_type_created": N_("created the support-document voucher type"),
    # A request the permissions table refused names the permission it lacked.
    "see_work": N_("open the processes and companies"),
    "see_audit_log": N_("open the audit log"),
    "see_support_queue": N_("open the support queue"),
    "act_as_support": N_("act as support"),
    "drive_steps": N_("do a step of a process"),
    "start_processes": N_("start a process"),
    "invite_companies": N_("invite a company"),
    "edit_companies": N_("create or edit companies"),
    "import_companies": N_("import companies"),
    "download_documents": N_("download a document"),
    "manage_users": N_("manage users"),
    "read_dev_outbox": N_("read the dev outbox"),
    "nobody": N_("an operation the console does not offer"),
}

# What a person sees at DIAN's portal when a sub-step is done (the buttons of P2's resolution step).
CHOICE_HINTS = {
    "enable_support_document": N_(
        "At DIAN's portal (Habilitación › Documento Soporte), the company shows as enabled to issue "
        "electronic support documents."),
    "request_resolution": N_(
        "At DIAN's portal (Numeración), the support-document numbering resolution was requested, with its "
        "prefix and range; DIAN takes a while to list it."),
    "associate_prefixes": N_(
        "At DIAN's portal (Asociar prefijos), the resolution's prefix shows associated to the provider's "
        "software."),
}

# What an audit row is about, and how it ended.
TARGETS = {
    "process": N_("process"), "company": N_("company"), "user": N_("user"), "audit": N_("audit log"),
    "accounting_company": N_("accounting company"), "outbox": N_("outbox"), "home": N_("home"),
    "view": N_("page"), "admin": N_("home"), "channel": N_("sales channel"),
}
OUTCOMES = {"ok": N_("done"), "refused": N_("refused"), "accepted": N_("accepted, under way")}


# What support did (support.actions records "support: <action>"); skip and reset name their step.
SUPPORT_ACTIONS = {
    "retry now": N_("support: retried now"),
    "cancel": N_("support: cancelled the process"),
}


# A sales channel's orders (P4): "Facturar", one by one or in bulk, and the permission it needs.
ACTIONS.update({
    "invoice order": N_("invoiced a sales channel's order by hand"),
    "invoice_orders": N_("invoice a sales channel's orders"),
})

# What a sales channel connection's status says (habilita.workflows.channel_connection.ConnectionStatus),
# as its process page lists it.
FIELDS.update({
    "display_tax_id": N_("NIT"),
    "settings_version": N_("Settings version"),
    "paused": N_("Paused by a person"),
    "invoicing_enabled": N_("Automatic invoicing on"),
    "invoicing_stopped": N_("Why automatic invoicing stopped"),
    "reconciliation_id": N_("Reconciliation (workflow)"),
})
