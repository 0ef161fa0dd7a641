"""The home page's figures, computed from the process projection."""
from __future__ import annotations

import datetime as dt

from habilita.console import dashboard
from habilita.messages import Message
from habilita.messages.event_codes import EVENTS
from habilita.messages.stored import as_text
from habilita.models import Notification, ProcessRecord, utcnow

STEPS = {"einvoicing": ("dian_registration", "certificate", "voucher_type"),
         "support_document": ("dian_enablement", "certificate", "voucher_type")}


def record(workflow_id: str, process_type: str, step: str, status: str = "waiting", *, company=None,
           started_days_ago: float = 1, entered_days_ago: float = 0, waiting_on: str = "staff") -> ProcessRecord:
    now = utcnow()
    return ProcessRecord.create(
        workflow_id=workflow_id, process_type=process_type, current_step=step, status=status, company=company,
        waiting_on=waiting_on if status == "waiting" else "",
        started_at=now - dt.timedelta(days=started_days_ago), step_entered_at=now - dt.timedelta(days=entered_days_ago),
        completed_at=now - dt.timedelta(days=entered_days_ago) if status == "completed" else None,
        updated_at=now - dt.timedelta(days=entered_days_ago))


def test_steps_two_processes_share_are_counted_under_each_process(db):
    record("e1", "einvoicing", "voucher_type")
    record("e2", "einvoicing", "voucher_type")
    record("s1", "support_document", "voucher_type")
    record("e3", "einvoicing", "dian_registration", "running")
    record("e4", "einvoicing", "certificate", "completed")
    record("e1-certificate", "certificate", "representative")

    bars = {(b.group, b.label): b.value for b in dashboard.processes_by_type_and_step(STEPS)}

    assert bars == {("einvoicing", "dian_registration"): 1, ("einvoicing", "voucher_type"): 2,
                    ("support_document", "voucher_type"): 1}


def test_only_whole_enabled_processes_count_as_enabled_and_their_median_is_in_days(db):
    record("e1", "einvoicing", "enabled", "completed", started_days_ago=10, entered_days_ago=2)
    record("e2", "einvoicing", "enabled", "completed", started_days_ago=5, entered_days_ago=1)
    record("e1-certificate", "certificate", "loaned", "completed", started_days_ago=9, entered_days_ago=8)

    assert sum(b.value for b in dashboard.enabled_per_week()) == 2
    assert dashboard.median_days_to_enable() == 6.0


def test_the_home_counts_what_the_support_queue_lists_failed_retrying_or_over_its_sla(db):
    record("e1", "einvoicing", "voucher_type", entered_days_ago=4)
    record("e2", "einvoicing", "voucher_type", entered_days_ago=1)
    record("e3", "einvoicing", "enabled", "completed", entered_days_ago=30)
    record("e4", "einvoicing", "test_set", "terminated", entered_days_ago=0)
    ProcessRecord.update(retry_attempt=3, retrying_activity="notify").where(ProcessRecord.workflow_id == "e2").execute()

    assert dashboard.stuck_count() == 3
    stuck = {n.workflow_id: n for n in dashboard.notifications() if n.kind == "stuck"}
    assert set(stuck) == {"e1", "e2", "e4"}
    assert stuck["e2"].why.code == "health.retrying" and stuck["e4"].why.code == "health.failed_at"


def test_cards_show_the_companies_that_moved_last_with_their_whole_processes(db, company):
    record("e1", "einvoicing", "voucher_type", company=company)
    record("e1-certificate", "certificate", "loaned", "completed", company=company)

    (card,) = dashboard.recent_cards(("einvoicing", "support_document"))

    assert card.company.id == company.id
    assert [p.workflow_id for p in card.processes] == ["e1"]


def test_notifications_read_in_the_users_language_and_older_ones_as_stored(as_role, company):
    Notification.create(company=company, kind="enabled", title=as_text(Message("notice.enabled")),
                        body=as_text(Message("notice.enabled_body", {"company": company.legal_name})),
                        source_key="e1:enabled")
    Notification.create(company=None, kind="sla_breached",
                        title=as_text(Message("notice.sla_exceeded", {"what": Message("sla.waiting_letter")})),
                        source_key="e2-certificate:sla")
    Notification.create(company=company, kind="reminder", title="Written before messages were codes",
                        source_key="e3:old")

    page = as_role("onboarding").get("/admin/").get_data(as_text=True)

    assert "Lista para facturar electrónicamente" in page
    assert "ANS vencido: esperando la carta de exoneración firmada" in page
    assert "Written before messages were codes" in page
    assert not [code for code in EVENTS if code in page], "a notification shows as its code"
