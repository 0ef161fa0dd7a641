"""A process's page: stepper, the current step's forms, documents, history, and its start."""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask import abort, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _

from habilita.models import Company, CompanyInvitation, ProcessRecord, StoredFile, utcnow
from habilita.support.health import health_of

from habilita.console.access import RoleGuarded, actor, may_request
from habilita.console.audit import audit, why
from habilita.console.forms import CsrfForm
from habilita.console.messages import refusal_reason, say
from habilita.console.processes import chart_picker, documents, page_data
from habilita.console.processes.target import acting_on, top_level
from habilita.console.processes.labels import action_label, button_label, field_label
from habilita.console.processes.operations import Refusal, query_status, send_update, start_process
from habilita.processes import invitations
from habilita.processes.client import StillWorking
from habilita.processes.refusals import ALREADY_STARTED, NO_ANSWER, UNAVAILABLE, WRONG_STEP
from habilita.messages import Message
from habilita.messages.stored import as_text
from habilita.processes import STARTABLE, Action, declaration as declaration_of
from habilita.console.processes.step_forms import UploadRefused, build_input, form_class, resolution_choices


def console():
    return current_app.extensions["habilita"]


@dataclass(frozen=True)
class ChoiceButton:
    """One choice of an action shown as its own button (``Action.buttons``): done, next, or later."""

    value: str
    state: str  # "done", "next" or "later"


@dataclass(frozen=True)
class StepForm:
    action: Action
    form: object
    buttons: tuple[ChoiceButton, ...] = ()


def choice_buttons(action: Action, statuses: list) -> tuple[ChoiceButton, ...]:
    """The action's choices in order: those the statuses list as done, the first one left, the rest."""
    if not action.buttons:
        return ()
    done = {value for s in statuses for value in (getattr(s, action.done_field, None) or ())}
    buttons, next_found = [], False
    for value in action.choices.get(action.buttons, ()):
        state = "done" if value in done else ("later" if next_found else "next")
        next_found = next_found or state == "next"
        buttons.append(ChoiceButton(value, state))
    return tuple(buttons)


def prefilled(action: Action, company_id: int | None) -> dict:
    """What the action's form starts with for the company (``Action.prefill``): e.g. P1's representative in P2."""
    if action.prefill is None or company_id is None:
        return {}
    return action.prefill(company_id, box=console().box)


def step_forms(target, offered: dict, statuses: list, submitted: dict | None = None, *,
               by_company: bool = False) -> list[StepForm]:
    """The forms of the current step's updates that can go ahead now (see ``Action.offered_when``, read from
    the workflows' ``statuses``); ``submitted`` keeps a refused form with its errors. ``by_company``: only
    the actions the company may do itself (its invitation page)."""
    if target.record.status in page_data.TERMINAL:
        return []
    forms = []
    for action in target.kind.actions_for(target.record.current_step):
        if by_company and not action.by_company:
            continue
        if action.offered_when and not any(getattr(s, action.offered_when, False) for s in statuses):
            continue
        form = (submitted or {}).get(action.name) or form_class(action, offered)(
            formdata=None, data=prefilled(action, target.record.company_id))
        forms.append(StepForm(action, form, choice_buttons(action, statuses)))
    return forms


def show_refusal(form, refusal: Refusal) -> None:
    """Put each of the validator's problems under its field; the rest above the form."""
    if refusal.kind == WRONG_STEP or not refusal.problems:
        flash(refusal_text(refusal), "danger")
        return
    for field, problems in refusal.by_field().items():
        target = getattr(form, field, None) if field else None
        words = [say(p) for p in problems]
        if target is not None:
            target.errors = [*target.errors, *words]
        elif field:
            flash(f"{field_label(field)}: {'; '.join(words)}", "danger")
        else:
            flash("; ".join(words), "danger")
    flash(_("The data was not saved. Check the marked fields."), "danger")


def refusal_text(refusal: Refusal) -> str:
    """A refusal that has no field to show at, in the user's language."""
    if refusal.kind == WRONG_STEP:
        return _("The process is no longer at this step; the page now shows where it stands.")
    if refusal.kind == UNAVAILABLE:
        return _("Temporal could not be reached; nothing was saved. Try again in a moment.")
    if refusal.kind == NO_ANSWER:
        return _("The process did not answer in time; the action may still be under way. The page shows where "
                 "it stands; check it before trying again.")
    if refusal.problems:
        return "; ".join(say(p) for p in refusal.problems)
    return refusal.message  # Temporal's own words (a failure that is not a refusal), shown as they are


REFUSED = object()  # what send_step returns for a refused form (an update may itself answer None)


def send_step(action: Action, form, workflow_id: str):
    """A step's form sent to its workflow as the action's update: the update's answer, or ``REFUSED`` once
    the refusal is audited and shown at the form's fields (the caller draws the form again)."""
    if not form.validate():
        audit(action.name, "process", workflow_id, outcome="refused", reason=why("audit.form_invalid"))
        return REFUSED
    try:
        data = build_input(action, form, request.files, actor(), workflow_id=workflow_id)
        return send_update(console().bridge, console().settings, workflow_id, action, data)
    except (UploadRefused, Refusal) as error:
        refusal = error.refusal() if isinstance(error, UploadRefused) else error
        audit(action.name, "process", workflow_id, outcome="refused", reason=audit_reason(refusal))
        show_refusal(form, refusal)
        return REFUSED


def audit_reason(refusal: Refusal) -> str:
    """What the audit log keeps of a refusal: its problems (rendered when shown), else Temporal's words."""
    return refusal_reason(refusal.problems) if refusal.problems else refusal.message


class ProcessPageView(RoleGuarded, BaseView):
    write_endpoint = "act"

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("processrecord.index_view"))

    @expose("/<workflow_id>")
    def page(self, workflow_id: str, submitted: dict | None = None):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        if record is None:
            # Just started: the workflow has not projected its first step yet.
            return self.render("habilita/process_starting.html", workflow_id=workflow_id)
        kind = declaration_of(record.process_type)
        if kind is None:
            abort(404)
        target = acting_on(kind, record)
        bridge, settings = console().bridge, console().settings
        statuses = [query_status(bridge, settings, kind, workflow_id)]
        if target.is_child:
            statuses.append(query_status(bridge, settings, target.kind, target.workflow_id))
        facts = [pair for status in statuses for pair in page_data.facts(status)]
        warnings = page_data.warnings(statuses)
        health_kind, health_why = health_of(record, utcnow())
        return self.render(
            "habilita/process.html", record=record, kind=kind, target=target, warnings=warnings,
            health_kind=health_kind, health_why=health_why, ended=record.status in page_data.TERMINAL,
            invitations=CompanyInvitation.active_for(workflow_id) if record.process_type in STARTABLE else [],
            may_invite=may_request("process.invite") and invitations.has_company_steps(kind) and record.company is not None,
            steps=page_data.stepper(kind, record),
            forms=step_forms(target, resolution_choices(statuses), statuses, submitted) if self.may_write() else [],
            facts=facts, files=documents.files_of(workflow_id), answers=documents.dian_answers(workflow_id),
            certificates=documents.certificates_of(workflow_id),
            may_download=documents.may_download(),
            history=page_data.history(workflow_id), action_label=action_label, button_label=button_label,
            temporal_url=page_data.temporal_ui_link(settings.temporal_ui_url, settings.temporal_namespace,
                                                    target.workflow_id),
        )

    @expose("/<workflow_id>/act/<action_name>", methods=["POST"])
    def act(self, workflow_id: str, action_name: str):
        """Send the current step's update; the validator's refusal comes back to the form's fields.

        ``workflow_id`` is the workflow that owns the step: the process, or
        the child running its current step. The person lands back on the
        top-level process's page either way.
        """
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id) or abort(404)
        kind = declaration_of(record.process_type) or abort(404)
        page_id = top_level(workflow_id).workflow_id
        action = kind.action(record.current_step, action_name)
        if action is None:
            audit(action_name, "process", workflow_id, outcome="refused",
                  reason=why("audit.not_an_action_of_step", step=record.current_step))
            flash(_("The process is no longer at this step; the page now shows where it stands."), "warning")
            return redirect(url_for(".page", workflow_id=page_id))
        offered = resolution_choices([query_status(console().bridge, console().settings, kind, workflow_id)])
        form = form_class(action, offered)(request.form)
        answer = send_step(action, form, workflow_id)
        if answer is REFUSED:
            return self.page(page_id, submitted={action.name: form})
        if isinstance(answer, StillWorking):
            # Recorded by the workflow, not yet done: no "Done" before it is.
            audit(action_name, "process", workflow_id, outcome="accepted",
                  payload={"action": action_name, "step": record.current_step})
            flash(say(answer.message), "info")
            return redirect(url_for(".page", workflow_id=page_id))
        audit(action_name, "process", workflow_id, payload={"action": action_name, "step": record.current_step})
        flash(_("Done: %(what)s.", what=action_label(action_name)), "success")
        said = page_data.answer_words(answer)
        if said:
            flash(said, "info")
        page_data.wait_for_projection(workflow_id, record.version)
        return redirect(url_for(".page", workflow_id=page_id))

    @expose("/start", methods=["POST"])
    def start(self):
        """Start a process for a company, from the company's page or the home shortcuts."""
        form = CsrfForm(request.form)
        company = Company.get_or_none(Company.id == request.form.get("company_id", type=int)) or abort(404)
        kind = STARTABLE.get(request.form.get("process_type", "")) or abort(404)
        if not form.validate():
            audit("start process", "company", company.id, outcome="refused", reason=why("audit.form_expired"))
            flash(_("The form expired; try again."), "danger")
            return redirect(url_for("company.details_view", id=company.id))
        try:
            workflow_id = start_process(console().bridge, kind, company, actor=actor(),
                                        settings=console().settings)
        except Refusal as refusal:
            if refusal.kind != ALREADY_STARTED:
                audit("start process", "company", company.id, outcome="refused", reason=why("audit.refusal_kind", kind=refusal.kind))
                flash(refusal_text(refusal), "danger")
                return redirect(url_for("company.details_view", id=company.id))
            audit("start process", "process", kind.workflow_id(company), outcome="refused", reason=why("audit.already_running"))
            flash(_("%(company)s already has this process under way.", company=company.legal_name), "warning")
            return redirect(url_for(".page", workflow_id=kind.workflow_id(company)))
        audit("start process", "process", workflow_id, detail=as_text(
            Message("audit.process_for", {"process": kind.process_type, "tax_id": company.display_tax_id})))
        flash(_("Process started for %(company)s.", company=company.legal_name), "success")
        page_data.wait_for_projection(workflow_id, "")
        return redirect(url_for(".page", workflow_id=workflow_id))

    @expose("/<workflow_id>/invite", methods=["POST"])
    def invite(self, workflow_id: str):
        """Mail the company a link to do its own steps of this process (the link never shows here)."""
        if not CsrfForm(request.form).validate():
            flash(_("The form expired; try again."), "danger")
            return redirect(url_for(".page", workflow_id=workflow_id))
        try:
            sent = invitations.invite(workflow_id, by=actor(), email=request.form.get("email", ""),
                                      settings=console().settings, mailer=console().mailer)
        except invitations.InvitationRefused as refusal:
            audit("invite company", "process", workflow_id, outcome="refused", reason=as_text(
                Message(refusal.problem.code, refusal.problem.params)))
            problem = say(refusal.problem)
            flash(f"{field_label(refusal.problem.field)}: {problem}" if refusal.problem.field else problem, "danger")
            return redirect(url_for(".page", workflow_id=workflow_id))
        flash(_("Invitation sent to %(email)s; the link is valid until %(date)s.", email=sent.email,
                date=sent.invitation.expires_at.strftime("%d/%m/%Y")), "success")
        return redirect(url_for(".page", workflow_id=workflow_id))

    @expose("/<workflow_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
    def revoke_invitation(self, workflow_id: str, invitation_id: int):
        if not CsrfForm(request.form).validate():
            flash(_("The form expired; try again."), "danger")
        elif invitations.revoke(invitation_id, workflow_id=workflow_id, by=actor()):
            flash(_("Invitation withdrawn: its link no longer opens the process."), "success")
        else:
            flash(_("That invitation is no longer active."), "warning")
        return redirect(url_for(".page", workflow_id=workflow_id))

    @expose("/<workflow_id>/accounts.json")
    def accounts(self, workflow_id: str):
        """The process's chart of accounts for its account pickers: ``q`` searches, ``parent`` browses."""
        process = top_level(workflow_id)  # a sync's page asks with its own id; the request is its parent's
        ledger = chart_picker.ledger_of(process.workflow_id if process is not None else workflow_id)
        if ledger is None:
            abort(404)
        text, parent = (request.args.get(name, "")[:100] for name in ("q", "parent"))
        return jsonify(chart_picker.accounts(ledger, text=text, parent=parent))

    @expose("/<workflow_id>/file/<int:file_id>")
    def download(self, workflow_id: str, file_id: int):
        """One of the process's documents, and only those, to the roles that handle them
        (``download_documents``; each download, and each refusal, in the audit log)."""
        if not documents.file_belongs_to(workflow_id, file_id):
            abort(404)
        stored = StoredFile.get_by_id(file_id)
        audit("download document", "process", workflow_id, detail=stored.original_name or stored.sha256[:12])
        return send_file(io.BytesIO(documents.content_of(stored)), mimetype=stored.media_type, as_attachment=True,
                         download_name=stored.original_name or f"{stored.sha256[:12]}.pdf")
