"""One audit row for each action a person takes in the console."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from habilita.messages import Message
from habilita.messages.stored import as_text
from habilita.models import AuditEvent


def why(code: str, **params) -> str:
    """A refusal's reason as the audit log keeps it: a message code (``audit.*``), shown in the reader's words."""
    return as_text(Message(code, params))


def audit(action: str, target_type: str, target_id: str = "", *, outcome: str = "ok",
          reason: str = "", detail: str = "", payload=None, who: str | None = None) -> AuditEvent:
    """Record that the current person did (or was refused) ``action``.

    ``who`` names the actor when nobody is signed in yet (a login attempt).
    """
    person = who or (current_user.email if current_user.is_authenticated else "anonymous")
    address = request.remote_addr if has_request_context() else ""
    fields = dict(actor=person, action=action, target_type=target_type, target_id=str(target_id or ""),
                  outcome=outcome, reason=reason, detail=" · ".join(part for part in (detail, address) if part),
                  payload=payload)
    return AuditEvent.record(**fields)
