"""The company's own page, opened from an invitation link, without an account.

The page shows one process: the steps that wait on the company (the actions
its declaration marks ``by_company``), with the same forms, validators and
Spanish refusals staff get, and the letter to download. Each action goes to
the workflow as the same update staff send, with the invitation's e-mail as
the actor (``empresa:<e-mail>``), and is written to the audit log.

Refused with one page that says why, and nothing else: an unknown, expired or
revoked link, a process that has ended, too many requests. The token lives
only in the path; it is blanked in the request log (``log_redaction``).
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from habilita.models import CompanyInvitation, ProcessRecord, StoredFile, utcnow
from habilita.processes import declaration as declaration_of
from habilita.processes.client import StillWorking
from habilita.states import ENDED

from .audit import audit, why
from .messages import say
from .processes import documents
from .processes.operations import Refusal, query_status, send_update
from .processes.step_forms import UploadRefused, build_input, form_class, resolution_choices
from .processes.target import acting_on
from .rate_limit import SlidingWindow
from .views.process_page import audit_reason, show_refusal, step_forms

# Requests one address may make to invitation pages in a minute (a person needs a handful).
REQUESTS_PER_MINUTE = 30
ACTOR_PREFIX = "empresa:"

blueprint = Blueprint("company_link", __name__, url_prefix="/empresa")


def limiter() -> SlidingWindow:
    return current_app.extensions.setdefault("habilita_company_link_limiter", SlidingWindow(REQUESTS_PER_MINUTE, 60))


def refused(reason: str, status: int):
    return render_template("habilita/company/refused.html", reason=reason), status


def opened(token: str):
    """(invitation, process record), or a refusal page to return."""
    if not limiter().allow(request.remote_addr or ""):
        return None, refused(_("Too many requests from your network; wait a minute and open the link again."), 429)
    invitation = CompanyInvitation.by_token(token)
    if invitation is None:
        return None, refused(_("This link is not valid. Ask your contact at the provider for a new one."), 404)
    state = invitation.state()
    if state != "active":
        why = {"expired": _("This link has expired. Ask your contact at the provider for a new one."),
               "revoked": _("This link was withdrawn. Ask your contact at the provider for a new one.")}[state]
        return None, refused(why, 410)
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == invitation.workflow_id)
    if record is None or record.status in ENDED:
        return None, refused(_("This process has no steps left for you: the link no longer opens it."), 410)
    invitation.last_used_at = utcnow()
    invitation.save()
    return (invitation, record), None


def opened_at_its_step(token: str):
    """(invitation, process record, the workflow carrying its current step), or a refusal page."""
    found, refusal = opened(token)
    if refusal:
        return None, refusal
    invitation, record = found
    kind = declaration_of(record.process_type) or abort(404)
    return (invitation, record, acting_on(kind, record)), None


def render_page(token: str, invitation, record, target, submitted: dict | None = None):
    console = current_app.extensions["habilita"]
    statuses = [query_status(console.bridge, console.settings, target.kind, target.workflow_id)]
    forms = step_forms(target, resolution_choices(statuses), statuses, submitted, by_company=True)
    letters = [d for d in documents.files_of(record.workflow_id) if d.file is not None]
    return render_template("habilita/company/page.html", invitation=invitation, record=record, target=target,
                           forms=forms, letters=letters, token=token)


@blueprint.get("/<token>")
def page(token: str):
    found, refusal = opened_at_its_step(token)
    return refusal or render_page(token, *found)


@blueprint.post("/<token>/act/<action_name>")
def act(token: str, action_name: str):
    found, refusal = opened_at_its_step(token)
    if refusal:
        return refusal
    invitation, record, target = found
    action = target.kind.action(target.record.current_step, action_name)
    who = ACTOR_PREFIX + invitation.email
    if action is None or not action.by_company:
        audit(action_name, "process", target.workflow_id, outcome="refused", who=who,
              reason=why("audit.not_a_company_step", step=target.record.current_step))
        flash(_("This step is no longer waiting on you; the page now shows where the process stands."), "warning")
        return redirect(url_for(".page", token=token))
    settings, bridge = current_app.extensions["habilita"].settings, current_app.extensions["habilita"].bridge
    offered = resolution_choices([query_status(bridge, settings, target.kind, target.workflow_id)])
    form = form_class(action, offered)(request.form)
    if not form.validate():
        return render_page(token, invitation, record, target, submitted={action.name: form})
    try:
        data = build_input(action, form, request.files, who)
        answer = send_update(bridge, settings, target.workflow_id, action, data)
    except (UploadRefused, Refusal) as error:
        refusal = error.refusal() if isinstance(error, UploadRefused) else error
        audit(action_name, "process", target.workflow_id, outcome="refused", who=who, reason=audit_reason(refusal))
        show_refusal(form, refusal)
        return render_page(token, invitation, record, target, submitted={action.name: form})
    still = isinstance(answer, StillWorking)
    audit(action_name, "process", target.workflow_id, who=who, outcome="accepted" if still else "ok",
          payload={"action": action_name, "step": target.record.current_step, "by": "company link"})
    flash(say(answer.message) if still else _("Received, thank you. Your provider will see it right away."),
          "info" if still else "success")
    return redirect(url_for(".page", token=token))


@blueprint.get("/<token>/file/<int:file_id>")
def download(token: str, file_id: int):
    """A letter of this process, and only those."""
    found, refusal = opened(token)
    if refusal:
        return refusal
    invitation, record = found
    if not documents.file_belongs_to(record.workflow_id, file_id):
        abort(404)
    stored = StoredFile.get_by_id(file_id)
    audit("download document", "process", record.workflow_id, who=ACTOR_PREFIX + invitation.email,
          detail=stored.original_name or stored.sha256[:12])
    return send_file(io.BytesIO(documents.content_of(stored)), mimetype=stored.media_type, as_attachment=True,
                     download_name=stored.original_name or f"{stored.sha256[:12]}.pdf")
