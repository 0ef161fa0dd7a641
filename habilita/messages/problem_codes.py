"""Why a field's value is refused: code -> English template (the catalog's message id)."""
from __future__ import annotations

from . import N_, Problem
from .connection_codes import CONNECTION_PROBLEMS
from .order_codes import ORDER_PROBLEMS


PROBLEMS: dict[str, str] = {
    # The console's file input, before anything reaches the workflow.
    "upload_too_large": N_("The file is larger than %(limit)s MB; nothing was stored."),
    "upload_not_here": N_("This step cannot receive files from the console."),
    "upload_missing": N_("Choose the file to upload."),
    "required": N_("this field is required"),
    # Any field. ``choices`` are machine names, shown as the reader's words for them.
    "one_of": N_("choose one of: %(choices)s"),
    "guid": N_("must be a GUID like %(example)s, not '%(value)s'"),
    "exact_digits": N_("must be exactly %(digits)s digits"),
    "invite_no_process": N_("there is no process %(id)s to invite a company to"),
    "invite_process_ended": N_("the process has ended (%(status)s): there is nothing left for the company to do"),
    "invite_no_company": N_("the process belongs to no company"),
    "invite_no_company_steps": N_("%(process)s has no step the company does itself"),
    # A CSV file of companies to import (habilita.processes.company_import).
    "import_not_utf8": N_("the file is not UTF-8 text: save it as CSV UTF-8"),
    "import_header": N_("the first row must be exactly %(expected)s"),
    "import_too_many_rows": N_("the file has %(rows)s rows; at most %(maximum)s at a time"),
    "import_cells": N_("the row has %(cells)s columns; it needs %(expected)s"),
    "import_nit_format": N_("write the NIT with its check digit after a dash, such as %(example)s"),
    "import_nit_repeated": N_("this NIT is already on row %(row)s of the file"),
    "import_phone": N_("write a Colombian phone number: 10 digits (or 7), with +57 in front if you like"),
    "import_dane_city": N_("write the city's 5-digit DANE code (e.g. 11001 for Bogotá), not %(value)s"),
    "provider_software_not_configured": N_("is needed with its PIN: the provider's own DIAN software is not "
                                           "configured (PROVIDER_SOFTWARE_ID and PROVIDER_SOFTWARE_PIN)"),
    # Any text field (the rules of habilita/inputs): ``characters`` lists them (U+0000, or the characters as typed).
    "control_characters": N_("must not contain control characters (%(characters)s)"),
    "too_long": N_("has %(length)s characters; at most %(maximum)s fit"),
    "name_characters": N_("write letters, spaces and %(punctuation)s only"),
    "title_characters": N_("write letters, digits, spaces and %(punctuation)s only"),
    "starts_with_letter": N_("must start with a letter"),
    "starts_with_letter_or_digit": N_("must start with a letter or a digit"),
    "not_printable_on_letter": N_("cannot be printed on the letter: its typeface has no %(characters)s"),
    "phone_format": N_("a phone number has %(minimum)s to %(maximum)s digits, optionally after +"),
    "not_a_date": N_("'%(value)s' is not a date like %(example)s"),
    "date_in_future": N_("%(date)s is in the future (today is %(today)s)"),
    "range_reversed": N_("the range ends on %(last)s, before it starts on %(first)s"),
    "range_overlaps": N_("the range overlaps %(first)s to %(last)s, synced on %(on)s by %(by)s "
                         "(%(posted)s documents posted there)"),
    # The update as a whole (field ""): ``action`` is the update's name, ``step`` where the process is.
    "wrong_step": N_("'%(action)s' is not possible now: the process is at step %(step)s"),
    "already_done": N_("'%(action)s' was already done: the process is at step %(step)s"),
    # Tax ids, from the facts of habilita.dian's InvalidTaxId (see tax_id_problem); ``kind`` is NIT or RUT.
    "tax_id_not_text": N_("the %(kind)s must be text"),
    "tax_id_empty": N_("the %(kind)s is empty"),
    "tax_id_not_digits": N_("the %(kind)s must be digits only, not '%(value)s'"),
    "tax_id_length": N_("the %(kind)s must have %(minimum)s to %(maximum)s digits without the check digit; "
                        "'%(value)s' has %(length)s"),
    "tax_id_check_digit_written": N_("write the %(kind)s without its check digit, not '%(value)s'"),
    "tax_id_check_digits_differ": N_("%(kind)s %(value)s carries check digit %(written)s but %(given)s was given"),
    "tax_id_check_digit_format": N_("the check digit of a %(kind)s is one of %(allowed)s, not '%(given)s'"),
    "tax_id_check_digit": N_("the check digit of %(kind)s %(number)s is %(expected)s, not %(given)s"),
    "tax_id_taken": N_("a company with tax id %(tax_id)s already exists"),
    "tax_id_locked": N_("the tax id can no longer change"),
    "tax_id_locked_because": N_("the tax id can no longer change: %(reason)s"),
    # Why P1 locked it (kept as a message in Company.tax_id_locked_reason, the ``reason`` above).
    "tax_id_locked_by_test_set": N_("DIAN ties the electronic invoicing enablement to this NIT since its test set "
                                    "started"),
    "confirm_nit": N_("the test set will use NIT %(nit)s; type exactly that NIT to confirm it cannot change "
                      "afterwards"),
    # DIAN's steps (P1, P2).
    "dian_substep_order": N_("confirm '%(substep)s' first: DIAN's sub-steps go in order"),
    "new_test_set_needed": N_("DIAN rejected the whole set: ask DIAN's portal for a new test set id"),
    "test_set_unknown": N_("DIAN has no test set %(id)s: copy the id DIAN's portal shows"),
    "test_set_not_support_document": N_("test set %(id)s is not the support-document test set of NIT %(nit)s: "
                                        "copy the id DIAN's portal shows for the support document"),
    "resolution_not_synced": N_("pick one of the synced resolutions: %(offered)s"),
    "no_resolution_synced": N_("pick one of the synced resolutions: none is synced yet"),
    "resolution_choice": N_("%(id)s (%(prefix)s %(number)s)"),
    "prefix_mismatch": N_("resolution %(number)s authorizes prefix '%(expected)s', not '%(given)s'"),
    "next_number_out_of_range": N_("the next number must lie in the authorized range %(first)s-%(last)s"),
    # The certificate: the legal representative and the signed letter.
    "full_name_incomplete": N_("write the representative's first and last names"),
    "id_card_digits": N_("a %(document)s is digits only, without dots or spaces"),
    "id_card_length": N_("a %(document)s has %(minimum)s to %(maximum)s digits and does not start with 0"),
    "passport_format": N_("a passport number has %(minimum)s to %(maximum)s letters and digits"),
    "check_digit_required_for_nit": N_("the check digit is required when the document is a NIT"),
    "check_digit_only_nit": N_("only a NIT has a check digit: leave it empty"),
    "not_an_email": N_("%(value)s is not an e-mail address"),
    "phone_digits": N_("the phone number must have 7 or 10 digits (optionally after +57)"),
    "upload_first": N_("upload the file first: it has no stored id"),
    "sha256_format": N_("the upload's SHA-256 digest must be 64 hex characters"),
    "signed_letter_missing": N_("upload the signed exoneration letter first"),
    "letter_empty": N_("the file is empty: upload the signed letter scanned as a PDF"),
    "letter_too_large": N_("the file has %(size)s bytes; the limit is %(limit)s bytes (1 MB): "
                           "scan it at a lower resolution"),
    "letter_not_pdf": N_("the file is not a PDF: scan the signed letter to PDF and upload that file"),
    "letter_damaged": N_("the PDF is damaged and cannot be read: scan the letter again"),
    "letter_no_pages": N_("the PDF has no pages: scan the signed letter again"),
    "upload_not_stored": N_("uploaded file %(id)s is not stored with that digest: upload it again"),
    "upload_changed": N_("uploaded file %(id)s changed after it was stored: upload it again"),
    # Support's skip.
    "step_not_skippable": N_("step '%(step)s' cannot be skipped; skippable steps: %(steps)s"),
    "no_step_skippable": N_("step '%(step)s' cannot be skipped; this process has no skippable steps"),
    # P3: the accounting integration and its chart of accounts (``level``: class, group, account...).
    "hide_not_offered": N_("only a company that shares the holder's tax id can be hidden here; "
                           "choose one of %(offered)s"),
    "hide_nothing_offered": N_("only a company that shares the holder's tax id can be hidden here; "
                               "request the integration first"),
    "request_is_for": N_("the pending request is for %(name)s (id %(id)s)"),
    "holder_not_found": N_("no company in accounting has %(kind)s %(tax_id)s; create it in accounting, or check "
                           "the %(kind)s of the contract holder"),
    "holder_shared": N_("%(count)s companies in accounting share %(kind)s %(tax_id)s: %(companies)s. The integration "
                        "cannot tell which one to post to; hide all but one of them and request again"),
    "company_choice": N_("%(name)s (id %(id)s)"),
    "accounting_company_unknown": N_("no accounting company with id %(id)s"),
    "no_pending_request": N_("there is no pending request of this process for accounting company %(id)s"),
    "account_code_digits": N_("an account code is digits only, not '%(value)s'"),
    "account_code_length": N_("account code %(code)s has %(length)s digits; codes have %(lengths)s"),
    "digits_level": N_("%(digits)s (%(level)s)"),
    "account_name_required": N_("the new account needs a name"),
    "account_name_too_long": N_("an account name has at most %(maximum)s characters"),
    "account_not_creatable": N_("%(code)s would be a %(level)s; only these levels can be added to the chart: "
                                "%(levels)s"),
    "account_exists": N_("account %(code)s already exists in the chart: %(name)s"),
    "account_parent_missing": N_("account %(code)s needs its parent %(parent)s in the chart first"),
    "account_not_in_chart": N_("account %(code)s is not in the company's chart of accounts; create it first"),
    "account_not_postable": N_("account %(code)s (%(name)s) is a %(level)s, a heading that takes no postings; "
                               "choose an account under it that takes postings"),
    "chart_unknown_country": N_("no standard chart of accounts for country %(country)s; known: %(known)s"),
    "chart_orphans": N_("chart %(chart)s has accounts without a parent: %(codes)s"),
    "document_required": N_("choose the document whose detail account changes"),
    "document_not_of_company": N_("document %(id)s is not a document of this company"),
    "document_outside_range": N_("document %(number)s is dated %(date)s, outside this sync's range "
                                 "%(first)s to %(last)s"),
    # Users and passwords (the rules of habilita/models/passwords.py: length, and zxcvbn's guessability).
    "password_too_short": N_("the password must have at least %(minimum)s characters"),
    "password_too_long": N_("the password may have at most %(maximum)s characters"),
    "password_personal": N_("the password must not be built from your name, your e-mail or the service's name: "
                            "they are the first guesses"),
    "password_common": N_("the password must not be one of the most used passwords: choose a phrase of several "
                          "uncommon words"),
    "password_guessable": N_("the password is too easy to guess (repeats, sequences, dates, keyboard patterns or "
                             "common words): choose a longer phrase of several uncommon words"),
    "password_wrong": N_("the current password is wrong"),
    "password_unchanged": N_("the new password must differ from the current one"),
    "roles_unknown": N_("unknown role(s): %(unknown)s; roles are %(roles)s"),
    "roles_empty": N_("a user needs at least one role"),
    "email_taken": N_("A user with this e-mail already exists."),
    # P4: a person's "Facturar" on a marketplace order (habilita.workflows.channel_order).
    **ORDER_PROBLEMS,
    # P4: a sales channel's connection to the ERP (habilita.workflows.channel_connection).
    **CONNECTION_PROBLEMS,
}


def tax_id_problem(error, *, number_field: str, check_digit_field: str) -> Problem:
    """The problem a refused tax id stands for, from the facts ``error`` carries (never its text).

    ``error`` is a :class:`habilita.dian.errors.InvalidTaxId`: its ``reason``
    names the code (``tax_id_<reason>``), its ``part`` the field, its
    ``facts`` the parameters. Read by attribute so this package stays free of
    the DIAN toolkit.
    """
    field = check_digit_field if error.part == "check_digit" else number_field
    return Problem(field, f"tax_id_{error.reason}", {"kind": error.kind, **error.facts})
