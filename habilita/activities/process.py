"""Writes every workflow makes about itself: its projection and audit rows."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from temporalio import activity

from habilita.messages import Message
from habilita.messages.stored import as_text
from habilita.models import AuditEvent, ProcessRecord
from habilita.models.process import upsert_projection
from habilita.states import ENDED


@dataclass(frozen=True)
class ProcessSnapshot:
    workflow_id: str
    run_id: str
    process_type: str
    company_id: int | None
    company_tax_id: str
    step: str
    status: str
    waiting_on: str
    step_entered_at: datetime
    last_error: str
    version: str


@dataclass(frozen=True)
class AuditEntry:
    """One line of our audit log, written by the workflow as it acts.

    ``detail`` is a message, stored as JSON for the reader's language (a str
    only in an entry a workflow scheduled before messages were codes).
    """

    actor: str
    action: str
    target_id: str
    reason: str = ""
    outcome: str = "ok"
    detail: Message | str = ""


class ProcessActivities:
    @activity.defn
    def project(self, snapshot: ProcessSnapshot) -> None:
        """Upsert the ``ProcessRecord`` unless a newer version is stored (``models.process.upsert_projection``)."""
        upsert_projection(snapshot.workflow_id, {
            ProcessRecord.run_id: snapshot.run_id,
            ProcessRecord.process_type: snapshot.process_type,
            ProcessRecord.company: snapshot.company_id,
            ProcessRecord.current_step: snapshot.step,
            ProcessRecord.status: snapshot.status,
            ProcessRecord.waiting_on: snapshot.waiting_on,
            ProcessRecord.step_entered_at: snapshot.step_entered_at.replace(tzinfo=None),
            ProcessRecord.last_error: snapshot.last_error,
            ProcessRecord.version: snapshot.version,
            ProcessRecord.updated_at: activity.info().current_attempt_scheduled_time.replace(tzinfo=None),
            ProcessRecord.completed_at: snapshot.step_entered_at.replace(tzinfo=None) if snapshot.status in ENDED else None,
        }, ended=snapshot.status in ENDED)

    @activity.defn
    def record_audit(self, entry: AuditEntry) -> None:
        """Append the entry once, however often the activity is retried."""
        info = activity.info()
        AuditEvent.record(
            actor=entry.actor, action=entry.action, target_type="process", target_id=entry.target_id,
            reason=entry.reason, outcome=entry.outcome,
            detail=as_text(entry.detail) if isinstance(entry.detail, Message) else entry.detail,
            payload=dataclasses.asdict(entry),
            source_key=f"{info.workflow_run_id}:{info.activity_id}",
        )

