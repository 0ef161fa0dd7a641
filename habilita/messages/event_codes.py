"""What processes tell people (answers to actions, guidance, notifications, history): code -> English template.

A template names its parameters (never ``message``: ``gettext`` takes the
template by that name); a parameter may itself be a message (a
``{"code": ..., "params": ...}`` mapping) or a list of them, and the names in
:data:`habilita.messages.catalog.MACHINE_NAMES` (step, who, update, mode...)
hold machine names the reader's words replace.
"""
from __future__ import annotations

from . import N_
from .connection_codes import CONNECTION_EVENTS
from .order_codes import ORDER_EVENTS
from .support_codes import ACTIVITIES, SUPPORT


# What a workflow answers after an action, and what its status shows.
ANSWERS: dict[str, str] = {
    "voucher_types.creating_invoicing": N_(
        "Creating the invoice, credit-note and debit-note voucher types with prefix %(prefix)s."),
    "voucher_types.creating_support": N_("Creating the support-document voucher type with prefix %(prefix)s."),
    "numbering.listed": N_("DIAN lists: %(ranges)s"),
    "numbering.range": N_("%(prefix)s %(first)s-%(last)s (resolution %(number)s)"),
    "numbering.no_range": N_("DIAN has no numbering range for the company yet (%(answer)s): keep waiting"),
    "numbering.range_without_prefixes": N_(
        "DIAN has the numbering range; its prefixes are not associated to the software yet"),
    "numbering.prefixes_not_associated": N_(
        "the prefixes are not associated to the software yet (%(answer)s): associate them at DIAN"),
    "numbering.answer": N_("DIAN answered %(answer)s"),
    # What GetNumberingRange answered (``answer`` above): DIAN's operation code and its own words.
    "numbering.dian_answer": N_("%(operation)s: %(description)s"),
    "numbering.no_new_invoicing_range": N_("%(operation)s: DIAN lists no new electronic invoicing range yet"),
    "numbering.no_new_support_range": N_("%(operation)s: DIAN lists no new support-document range yet"),
    "numbering.no_new_range": N_("%(operation)s: DIAN lists no new numbering range yet"),
    "test_set.nit_locked": N_("The test set uses NIT %(nit)s: from then on the company's NIT cannot change, "
                              "because DIAN ties the enablement to it."),
    "test_set.resending": N_("resending round %(round)s"),
    "letter.received": N_("Letter received; the certificate loan dates from %(date)s."),
    "letter.replaced": N_(
        "The exoneration letter was updated. This does not renew the certificate loan: its date stays %(date)s."),
    "letter.deleted": N_(
        "the signed letter was deleted; upload it again to continue (the loan date does not change)"),
    "loan.dates_from": N_("the certificate loan dates from %(date)s"),
    "payment.paid": N_("the certificate is already paid"),
    # ``price`` is an amount in ``currency``: the catalog writes it as the reader does (habilita.messages.money).
    "payment.not_paid": N_("not paid: the certificate costs %(price)s and is valid %(days)s days"),
    "support_set.accepted": N_("DIAN accepted the support-document test set: %(answer)s"),
    "support_set.pending": N_(
        "DIAN has not accepted the support-document test set yet (%(answer)s): the process checks it again"),
    "support_certificate.signs_with": N_("the company signs support documents with the certificate of NIT %(nit)s"),
    "substep.recorded": N_("Recorded: %(substep)s. %(rest)s"),
    "sync.posted": N_("posted %(posted)s documents from %(first)s to %(last)s; %(already)s were already posted, "
                      "%(unpostable)s cannot be posted"),
    "sync.nothing_to_post": N_("No documents to post from %(first)s to %(last)s (%(already)s already posted, "
                               "%(unpostable)s cannot be posted)"),
    "sync.detail_changed": N_("document %(number)s will post its detail to account %(account)s"),
    "sync.detail_already_posted": N_("document %(number)s is already posted in voucher %(voucher)s with detail "
                                     "account %(account)s; it was not changed"),
}

# Why a document of a sync cannot become a voucher (habilita.accounting.posting).
UNPOSTABLE: dict[str, str] = {
    "unpostable.direction": N_("unknown direction %(direction)s"),
    "unpostable.document_type": N_("unknown document type %(type)s"),
    "unpostable.no_counterparty": N_(
        "the document has no counterparty tax id, so the auxiliary account cannot be analysed by third party"),
    "unpostable.zero_total": N_("the document's total is zero: there is nothing to post"),
    "unpostable.negative": N_("negative amounts (net %(net)s, taxes %(tax)s, total %(total)s); "
                              "a return is posted from its credit note"),
    "unpostable.not_the_total": N_("net %(net)s + taxes %(tax)s = %(sum)s, not the total %(total)s"),
    "unpostable.period_closed": N_("the period of %(date)s is closed (books closed through %(closed)s)"),
    "unpostable.unbalanced": N_("the voucher would not balance: debits %(debits)s, credits %(credits)s"),
}

# P2's guidance at each step.
GUIDANCE: dict[str, str] = {
    "support_document.enable_at_dian": N_(
        "Enable the support document at DIAN's portal and enter the test set id it shows."),
    "support_document.update_certificate": N_(
        "Update the certificate for support documents: the legal representative's data, the exoneration "
        "letter, the signed letter (PDF, at most 1 MB), continue."),
    "support_document.confirm_certificate": N_(
        "The company now has the provider's certificate (NIT %(nit)s): confirm to continue."),
    "support_document.wait_for_dian": N_(
        "DIAN needs time after the support document is enabled before the prefixes can be associated: "
        "enable the support document, request the resolution, wait for DIAN, then associate the prefixes "
        "at DIAN's portal and confirm each sub-step here."),
    "support_document.pick_resolution": N_(
        "Pick the synced support-document resolution and configure the voucher type: prefix, "
        "resolution and the next number in its range."),
    "support_document.ready": N_("ready to issue support documents"),
}

# Notifications: a title and a body each.
NOTICES: dict[str, str] = {
    "notice.own_certificate": N_("Get your own digital certificate"),
    "notice.own_certificate_body": N_(
        "%(company)s signs with a loaned certificate; the loan is temporary: buy your own digital certificate."),
    "notice.enabled": N_("Ready to invoice electronically"),
    "notice.enabled_body": N_("%(company)s is enabled: DIAN approvals and rejections will arrive here."),
    "notice.dian_waiting": N_("DIAN is still waiting for you"),
    "notice.payment_due": N_("Your digital certificate is not paid yet"),
    "notice.payment_due_body": N_(
        "%(company)s: the certificate costs %(price)s for %(days)s days; pay it to continue."),
    "notice.letter_waiting": N_("The certificate loan is waiting for you"),
    "notice.letter_upload": N_("%(company)s: upload the signed exoneration letter (PDF, at most 1 MB)."),
    "notice.letter_continue": N_("%(company)s: press continue."),
    "notice.test_set_rejected": N_("DIAN rejected test-set documents"),
    "notice.test_set_resend": N_("The test set is waiting to be resent"),
    "notice.test_set_accepted": N_("DIAN accepted the test set"),
    "notice.test_set_accepted_body": N_("%(company)s: test set %(test_set)s accepted."),
    "notice.support_ready": N_("Ready to issue support documents"),
    "notice.support_ready_body": N_(
        "%(company)s can issue electronic support documents with prefix %(prefix)s."),
    "notice.support_waiting": N_("The support document enablement is waiting for you"),
    "notice.sla_exceeded": N_("SLA exceeded: %(what)s"),
    "notice.sla_exceeded_body": N_("%(company)s (%(tax_id)s): %(what)s."),
}

# What a process writes about itself as its last error, and what it waited for.
PROBLEMS_OF_A_PROCESS: dict[str, str] = {
    "sla.exceeded_at": N_("SLA exceeded at %(step)s: %(why)s"),
    "sla.exceeded_for": N_("SLA exceeded: %(what)s for more than %(sla)s"),
    "sla.waiting_payment": N_("waiting for the certificate payment"),
    "sla.waiting_letter": N_("waiting for the signed exoneration letter"),
    "sla.rejected_test_set": N_("a rejected test set waits to be resent"),
    "sla.rejected_test_set_waited": N_(
        "the rejected test set has waited for staff to resend it for more than %(sla)s"),
    "test_set.overdue": N_("SLA exceeded: %(what)s. %(rejections)s"),
    "test_set.rejections": N_("round %(round)s: %(rejected)s rejected; %(set)s. %(documents)s"),
    "test_set.set_rejected": N_("DIAN rejected the whole set"),
    "test_set.set_in_process": N_("the set is still in process"),
    "test_set.set_accepted": N_("the set was accepted"),
    "test_set.rejected_document": N_("%(number)s (%(rules)s): %(messages)s"),
    "test_set.more_rejected": N_("%(count)s more rejected documents"),
    "sync.failed": N_("the sync from %(first)s to %(last)s failed: %(error)s"),
    "sync.no_default_accounts": N_("the accounting company %(company)s has no default accounts"),
}

# What the workflows write in the audit log's detail.
DETAILS: dict[str, str] = {
    "audit.resolution": N_("%(prefix)s, resolution %(number)s"),
    "audit.imported": N_("%(created)s created, %(existing)s already there, %(refused)s refused, "
                         "%(started)s processes started"),
    "audit.invited": N_("invitation sent to %(email)s, valid until %(date)s"),
    "audit.invitation_revoked": N_("invitation of %(email)s withdrawn"),
    "invite.subject": N_("%(company)s: your steps in %(process)s"),
    "invite.body": N_("Hello,\n\nTo move %(process)s forward for %(company)s, a few steps are yours: the "
                      "legal representative's data, the signed exoneration letter, what you did at DIAN's "
                      "portal. Do them here, without an account:\n\n%(link)s\n\nThe link is for your company "
                      "only and is valid until %(date)s. Do not forward it.\n\nHabilita"),
    "audit.resolution_next": N_("%(prefix)s, resolution %(number)s, next number %(next)s"),
    "audit.registration": N_("mode %(mode)s, test set %(test_set)s"),
    "audit.test_set_answer": N_("test set %(test_set)s: %(answer)s"),
    "audit.certificate_of": N_("certificate of NIT %(nit)s"),
    "audit.process_for": N_("%(process)s for %(tax_id)s"),
    "audit.holder_found": N_("holder %(kind)s %(tax_id)s: %(company)s"),
    "audit.integrated": N_("integrated with %(company)s"),
    # Why the console refused a person (the audit row's reason).
    "audit.role_read_only": N_("the role reads only here"),
    "audit.role_cannot_read": N_("the role may not open this page"),
    "audit.form_expired": N_("the form expired (its security token was missing or old)"),
    "audit.form_invalid": N_("the form did not validate"),
    "audit.already_running": N_("the process was already under way"),
    "audit.not_an_action_of_step": N_("not an action of step %(step)s"),
    "audit.not_a_company_step": N_("not a step of the company's at %(step)s"),
    "audit.no_such_user": N_("no active user with that e-mail"),
    "audit.reset_link_dead": N_("the link is unknown, used or expired"),
    "audit.wrong_password": N_("wrong user or password"),
    "audit.user_locked": N_("user locked after failed attempts"),
    "audit.user_disabled": N_("user disabled"),
    "audit.address_throttled": N_("too many failed attempts from the address"),
    "audit.account_waiting": N_("too many failed attempts: the account waits a while"),
    "audit.refusal_kind": N_("refused: %(kind)s"),
}

# The auditors' timeline, told from Temporal's history (habilita.support.narrate).
TIMELINE: dict[str, str] = {
    "timeline.process_started": N_("process %(type)s started"),
    "timeline.step_started": N_("step %(step)s started"),
    "timeline.waiting_on": N_("waiting on %(who)s"),
    "timeline.process_status": N_("process %(status)s"),
    "timeline.process_finished": N_("process finished"),
    "timeline.process_failed": N_("process failed: %(error)s"),
    "timeline.process_terminated": N_("process terminated: %(reason)s"),
    "timeline.continued_as_new": N_("process continued in a new run (history kept short)"),
    "timeline.cancel_requested": N_("cancellation requested"),
    "timeline.cancel_requested_because": N_("cancellation requested: %(cause)s"),
    "timeline.activity_done": N_("%(what)s done"),
    "timeline.activity_failed": N_("%(what)s failed: %(error)s"),
    "timeline.activity_timed_out": N_("%(what)s timed out"),
    "timeline.round_report": N_("DIAN accepted %(accepted)s/%(total)s documents"),
    "timeline.round_report_open": N_(
        "DIAN accepted %(accepted)s/%(total)s documents (rejected: %(rejected)s, still in process: %(pending)s)"),
    "timeline.update_accepted": N_("update %(update)s by %(actor)s accepted"),
    "timeline.update_accepted_with": N_("update %(update)s by %(actor)s accepted, %(inputs)s"),
    "timeline.input_step": N_("step %(step)s"),
    "timeline.input_reason": N_("reason %(reason)s"),
    "timeline.update_rejected": N_("update %(update)s by %(actor)s rejected: %(error)s"),
    "timeline.field_problem": N_("%(field)s: %(problem)s"),
    "timeline.update_reapplied": N_("update %(update)s by %(actor)s re-applied by a reset"),
    "timeline.unknown_actor": N_("unknown"),
    "timeline.signal": N_("signal %(name)s received"),
    "timeline.timer_started": N_("waiting up to %(time)s"),
    "timeline.timer_fired": N_("wait ended: time is up"),
    "timeline.reset": N_("reset: %(reason)s (new run %(run)s)"),
    "timeline.task_failed": N_("workflow task failed (%(cause)s): %(error)s"),
    "timeline.child_started": N_("child process %(type)s started (%(id)s)"),
    "timeline.child_finished": N_("child process %(type)s finished"),
    "timeline.child_failed": N_("child process %(type)s failed: %(error)s"),
}

# Why the support queue lists a process (habilita.support.stuck).
STUCK: dict[str, str] = {
    "stuck.sla_overrun": N_("waiting on %(who)s for %(waited)s (SLA %(sla)s)"),
    "stuck.task_failing": N_("workflow task failing (%(cause)s) at step %(step)s"),
    "stuck.activity_retrying": N_("activity %(activity)s retrying: attempt %(attempt)s of %(limit)s"),
    "stuck.activity_retrying_unlimited": N_("activity %(activity)s retrying: attempt %(attempt)s, no limit"),
    "stuck.last_failure": N_("%(retrying)s, last failure: %(failure)s"),
    "stuck.several_retrying": N_("%(count)s activities retrying: %(activities)s"),
    # Above the queue, when no worker serves the task queue (habilita.support.workers).
    "stuck.no_worker": N_("No worker serves the task queue %(task_queue)s: no process moves until one starts "
                          "(habilita worker)."),
    "stuck.workers_silent": N_("No worker has asked for work on the task queue %(task_queue)s for %(silent)s: "
                               "no process moves until one starts again (habilita worker)."),
}

# A process's health (habilita.support.health, .reconcile) and the worker's notice of a retry that goes on.
HEALTH: dict[str, str] = {
    "answer.still_working_dian": N_("Recorded. DIAN has not answered yet: we keep checking and will let you know; "
                                    "the process moves on by itself."),
    "answer.still_working_billing": N_("Recorded. Billing has not answered yet: we keep checking and will let you "
                                       "know; the process moves on by itself."),
    "answer.still_working_system": N_("Recorded. The process is still working on it; its page will show the "
                                      "result."),
    "health.terminated": N_("terminated outside the console by %(by)s: %(reason)s"),
    "health.timed_out": N_("the workflow ran out of time"),
    "health.failed": N_("the workflow failed: %(error)s"),
    "health.cancelled": N_("cancelled outside the console"),
    "health.ended_unknown": N_("it ended without saying why"),
    "health.failed_at": N_("%(status)s at step %(step)s: %(why)s"),
    "health.step_failed": N_("the step could not be completed: %(error)s"),
    "health.retrying": N_("%(activity)s failed and is being retried (attempt %(attempt)s): %(error)s"),
    "notice.retrying": N_("A process keeps retrying"),
    "notice.retrying_body": N_("%(id)s, step %(step)s: %(activity)s failed %(attempt)s times; last error: "
                               "%(error)s"),
}

EVENTS: dict[str, str] = {**ANSWERS, **UNPOSTABLE, **GUIDANCE, **NOTICES, **PROBLEMS_OF_A_PROCESS, **DETAILS,
                          **TIMELINE, **STUCK, **HEALTH, **SUPPORT, **ACTIVITIES, **ORDER_EVENTS,
                          **CONNECTION_EVENTS}
