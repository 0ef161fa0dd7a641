"""Invite a company to do its own steps of a process: issue the link, mail it, record it.

Shared by the console's "Invitar a la empresa" and ``habilita process invite``.
The link is built on the configured public address (``Settings.console_url``),
never on a request's Host header, and exists only in the e-mail: neither the
page nor the command nor the audit log shows it.
"""
from __future__ import annotations

from dataclasses import dataclass

from habilita.inputs.emails import email_problem
from habilita.messages import Message, Problem
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.messages.stored import as_text
from habilita.models import AuditEvent, CompanyInvitation, ProcessRecord
from habilita.states import ENDED

from . import STARTABLE
from .declaration import ProcessDeclaration
from .words import words_in

EMAIL_LENGTH = 200  # CompanyInvitation.email's column


class InvitationRefused(ValueError):
    """Why no invitation was sent: a problem at a field (``email``) or of the process as a whole."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(f"{problem.field}: {problem.code}")


@dataclass(frozen=True)
class Sent:
    invitation: CompanyInvitation
    email: str


def invite(workflow_id: str, *, by: str, email: str = "", settings, mailer) -> Sent:
    """Issue an invitation to ``workflow_id``'s company and mail its link; ``InvitationRefused`` when it cannot."""
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    if record is None or record.process_type not in STARTABLE:
        raise InvitationRefused(Problem("", "invite_no_process", {"id": workflow_id}))
    if not has_company_steps(STARTABLE[record.process_type]):
        raise InvitationRefused(Problem("", "invite_no_company_steps", {"process": record.process_type}))
    if record.status in ENDED:
        raise InvitationRefused(Problem("", "invite_process_ended", {"status": record.status}))
    if record.company is None:
        raise InvitationRefused(Problem("", "invite_no_company"))
    address = (email or record.company.email or "").strip()
    if not address:
        raise InvitationRefused(Problem("email", "required"))
    problem = email_problem("email", address, maximum=EMAIL_LENGTH)
    if problem is not None:
        raise InvitationRefused(problem)
    invitation, token = CompanyInvitation.issue(workflow_id=workflow_id, company=record.company, email=address, by=by)
    gettext = gettext_for(settings.admin_locale)
    words = words_in(gettext)
    facts = {"company": record.company.legal_name, "process": record.process_type,
             "link": f"{settings.console_url}/empresa/{token}",
             "date": invitation.expires_at.strftime("%d/%m/%Y")}
    mailer.send(to=invitation.email, subject=render(Message("invite.subject", facts), gettext, words),
                body=render(Message("invite.body", facts), gettext, words))
    AuditEvent.record(actor=by, action="invite company", target_type="process", target_id=workflow_id,
                      detail=as_text(Message("audit.invited", {"email": invitation.email,
                                                               "date": facts["date"]})))
    return Sent(invitation, invitation.email)


def has_company_steps(declaration: ProcessDeclaration) -> bool:
    """Whether the process, or a child carrying one of its steps, has a step the company may do."""
    for step in declaration.steps:
        if any(action.by_company for action in step.actions):
            return True
        if step.child is not None and has_company_steps(step.child):
            return True
    return False


def revoke(invitation_id: int, *, workflow_id: str, by: str) -> bool:
    """Withdraw one invitation of ``workflow_id``; False when it is not one of its active ones."""
    invitation = CompanyInvitation.get_or_none((CompanyInvitation.id == invitation_id)
                                               & (CompanyInvitation.workflow_id == workflow_id))
    if invitation is None or invitation.state() != "active":
        return False
    invitation.revoke(by)
    AuditEvent.record(actor=by, action="revoke invitation", target_type="process", target_id=workflow_id,
                      detail=as_text(Message("audit.invitation_revoked", {"email": invitation.email})))
    return True
