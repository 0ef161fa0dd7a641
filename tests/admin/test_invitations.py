"""Invitations: refused with a reason, the token kept only as a digest, the link only in the e-mail."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from click.testing import CliRunner

from habilita.adapters.mail import OutboxMailer
from habilita.cli import cli
from habilita.messages import Problem
from habilita.models import AuditEvent, CompanyInvitation, OutboxMessage, ProcessRecord
from habilita.processes.invitations import InvitationRefused, invite, revoke
from tests.harness import test_settings

from .conftest import csrf_from, sign_in

LINK = re.compile(r"/empresa/([A-Za-z0-9_\-]{40,})")


@pytest.fixture
def waiting(db, company) -> ProcessRecord:
    company.email = "contacto@laespiga.co"
    company.save()
    return ProcessRecord.create(workflow_id="einvoicing-CO-900123456", process_type="einvoicing", company=company,
                                current_step="certificate", status="waiting", waiting_on="staff")


def test_an_invitation_mails_the_link_and_keeps_only_its_digest(waiting, settings):
    sent = invite(waiting.workflow_id, by="lina@habilita.test", settings=settings, mailer=OutboxMailer())

    mail = OutboxMessage.get()
    token = LINK.search(mail.body).group(1)
    assert mail.recipient == "contacto@laespiga.co" == sent.email
    assert mail.body.count(settings.console_url + "/empresa/") == 1, "built on the configured address"
    assert sent.invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in "".join(f"{e.detail}{e.reason}{e.target_id}" for e in AuditEvent.select())
    assert CompanyInvitation.by_token(token).id == sent.invitation.id
    assert CompanyInvitation.by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert sent.invitation.expires_at - sent.invitation.created_at == dt.timedelta(days=7)


@pytest.mark.parametrize("email, problem", [
    ("no-es-un-correo", Problem("email", "not_an_email", {"value": "no-es-un-correo"})),
    ("ana\x00@laespiga.co", Problem("email", "control_characters", {"characters": "U+0000"})),
    ("x" * 190 + "@empresa.co", Problem("email", "too_long", {"maximum": 200, "length": 201})),
])
def test_a_bad_address_is_refused_at_its_field_and_nothing_is_sent(waiting, settings, email, problem):
    with pytest.raises(InvitationRefused) as refused:
        invite(waiting.workflow_id, by="lina@habilita.test", email=email, settings=settings, mailer=OutboxMailer())
    assert refused.value.problem == problem
    assert CompanyInvitation.select().count() == 0 and OutboxMessage.select().count() == 0


def test_an_ended_process_or_one_without_company_steps_gets_no_invitation(waiting, settings):
    ProcessRecord.create(workflow_id="accounting-CO-900123456", process_type="accounting", company=waiting.company,
                         current_step="request", status="waiting", waiting_on="staff")
    with pytest.raises(InvitationRefused) as refused:
        invite("accounting-CO-900123456", by="x@y.co", settings=settings, mailer=OutboxMailer())
    assert refused.value.problem.code == "invite_no_company_steps"
    ProcessRecord.update(status="completed").where(ProcessRecord.workflow_id == waiting.workflow_id).execute()
    with pytest.raises(InvitationRefused) as refused:
        invite(waiting.workflow_id, by="x@y.co", settings=settings, mailer=OutboxMailer())
    assert refused.value.problem.code == "invite_process_ended"


def test_revoking_takes_only_an_active_invitation_of_that_process(waiting, settings):
    sent = invite(waiting.workflow_id, by="lina@habilita.test", settings=settings, mailer=OutboxMailer())
    assert not revoke(sent.invitation.id, workflow_id="another-process", by="x@y.co")
    assert revoke(sent.invitation.id, workflow_id=waiting.workflow_id, by="x@y.co")
    assert not revoke(sent.invitation.id, workflow_id=waiting.workflow_id, by="x@y.co")
    assert CompanyInvitation.get_by_id(sent.invitation.id).state() == "revoked"


def test_the_command_sends_the_invitation_and_never_prints_the_link(waiting, tmp_path):
    env = {"HABILITA_VAR": str(tmp_path / "var"), "DATABASE_URL": test_settings(tmp_path).database_url}
    result = CliRunner().invoke(cli, ["process", "invite", waiting.workflow_id, "--actor", "lina@habilita.test"],
                                env=env)
    assert result.exit_code == 0, result.output
    assert "contacto@laespiga.co" in result.output and "/empresa/" not in result.output
    refused = CliRunner().invoke(cli, ["process", "invite", waiting.workflow_id, "--actor", "x@y.co",
                                       "--email", "malo"], env=env)
    assert refused.exit_code == 1
    assert "email: " in refused.output and "malo" in refused.output


def test_a_link_that_opens_nothing_says_so_in_spanish_and_the_page_is_rate_limited(app, waiting, settings):
    browser = app.test_client()
    answer = browser.get("/empresa/" + "x" * 43)
    assert answer.status_code == 404 and "Este enlace no es válido" in answer.get_data(as_text=True)
    codes = [browser.get("/empresa/" + "y" * 43).status_code for _ in range(40)]
    assert 429 in codes, "a script guessing links is slowed down"


def test_staff_without_a_writing_role_cannot_invite(app, users, waiting):
    auditor = app.test_client()
    assert sign_in(auditor, "auditor@habilita.test").status_code == 302
    token = csrf_from(auditor.get("/auth/profile").get_data(as_text=True))
    answer = auditor.post(f"/admin/process/{waiting.workflow_id}/invite", data={"csrf_token": token})
    assert answer.status_code == 403
    assert CompanyInvitation.select().count() == 0
