"""What support reads: the answer to each of its actions, and the timeline's names for activities.

Joined into :data:`habilita.messages.event_codes.EVENTS`. ``step``, ``steps``
and ``update`` hold machine names the reader's words replace; ``error``
holds the words of Temporal or of a failure, shown as they are.
"""
from __future__ import annotations

from . import N_, Message
from .connection_codes import CONNECTION_ACTIVITIES
from .order_codes import ORDER_ACTIVITIES


# What a support action did, or why it was refused (habilita.support.actions.ActionResult).
SUPPORT: dict[str, str] = {
    "support.retried": N_("retried now: %(activities)s"),
    "support.retried_activity": N_("%(activity)s (was attempt %(attempt)s)"),
    "support.nothing_retrying": N_("no activity is retrying: nothing to retry"),
    "support.resumed": N_("sent the update %(update)s"),
    "support.skipped": N_("skipped step %(step)s"),
    "support.cancel_requested": N_("cancellation requested"),
    "support.reset": N_("reset to step %(step)s (event %(event)s); new run %(run)s; re-applied: %(reapplied)s"),
    "support.reapplied_signals": N_("signals"),
    "support.reapplied_updates": N_("updates"),
    "support.reapplied_nothing": N_("nothing"),
    "support.step_never_began": N_("process %(id)s never began step %(step)s; steps it began: %(steps)s"),
    "support.no_step_began": N_("process %(id)s never began step %(step)s; it began no step yet"),
    "support.actor_required": N_("a support action needs the acting user"),
    "support.reason_required": N_("a support action needs a reason"),
    "support.unknown_export_format": N_("unknown export format %(format)s; formats: %(formats)s"),
    "support.refused": N_("the process refused: %(problems)s"),
    "support.field_problem": N_("%(field)s: %(problem)s"),
    "support.refused_because": N_("the process refused: %(error)s"),
    "support.not_found": N_("not found: %(error)s"),
    "support.server_refused": N_("Temporal refused (%(grpc_status)s): %(error)s"),
    "support.failed": N_("could not complete the action: %(error)s"),
}

# The timeline's name for each activity (``activity.<its type>``), instead of the summary a workflow gave it.
ACTIVITIES: dict[str, str] = {
    "activity.accept_request": N_("acceptance of the integration request"),
    "activity.attach_signed_letter": N_("storing of the signed letter"),
    "activity.build_round": N_("building of the test-set documents"),
    "activity.change_detail_account": N_("change of a document's detail account"),
    "activity.check_numbering_range": N_("numbering-range query to DIAN"),
    "activity.check_payment": N_("check of the certificate payment"),
    "activity.check_support_document_set": N_("support-document test-set query to DIAN"),
    "activity.company_standing": N_("check of the company's enablement"),
    "activity.create_account": N_("creation of an account in the chart"),
    "activity.create_voucher_types": N_("creation of the voucher types"),
    "activity.find_holder": N_("search for the contract holder in accounting"),
    "activity.generate_letter": N_("generation of the exoneration letter"),
    "activity.has_own_certificate": N_("check for the company's own certificate"),
    "activity.hide_company": N_("hiding of an accounting company"),
    "activity.issue_own_certificate": N_("issuing of the company's own certificate"),
    "activity.lend_provider_certificate": N_("loan of the provider's certificate"),
    "activity.lock_tax_id": N_("locking of the company's NIT"),
    "activity.notify": N_("notification"),
    "activity.poll_batch": N_("batch status query to DIAN"),
    "activity.post_pages": N_("posting of a page of documents"),
    "activity.project": N_("recording of the process's step"),
    "activity.record_audit": N_("audit log entry"),
    "activity.remove_signed_letter": N_("deletion of the signed letter"),
    "activity.round_report": N_("count of DIAN's answers for the round"),
    "activity.save_default_accounts": N_("saving of the default accounts"),
    "activity.save_representative": N_("saving of the legal representative"),
    "activity.save_software": N_("saving of the software data"),
    "activity.send_batch": N_("sending of the test-set batch to DIAN"),
    "activity.sign_support_document": N_("signing of the support document"),
    "activity.tally_range": N_("count of the range's documents"),
    **CONNECTION_ACTIVITIES,
    **ORDER_ACTIVITIES,
}


def activity_words(activity_type: str) -> Message | str:
    """An activity as people call it (its ``activity.<type>`` entry), or its name when it has none."""
    code = f"activity.{activity_type}"
    return Message(code) if code in ACTIVITIES else activity_type
