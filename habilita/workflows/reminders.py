"""Durable waiting: reminders and SLAs as workflow timers, never cron jobs."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Awaitable, Callable

from temporalio import workflow
from temporalio.common import RetryPolicy

from .process import bookkeeping

with workflow.unsafe.imports_passed_through():
    from habilita.activities.enablement import EnablementActivities, Notice
    from habilita.activities.certificates import CertificateActivities, CompanyRef
    from habilita.messages import Message


@dataclass(frozen=True)
class WaitPolicy:
    """How often a waiting step reminds, and after how long it breaches its SLA."""

    # Seconds: Temporal's JSON payloads have no timedelta.
    remind_every_seconds: float = 86_400
    sla_seconds: float = 5 * 86_400

    @property
    def remind_every(self) -> timedelta:
        return timedelta(seconds=self.remind_every_seconds)

    @property
    def sla(self) -> timedelta:
        return timedelta(seconds=self.sla_seconds)


async def wait_reminding(done: Callable[[], bool], policy: WaitPolicy, *,
                         on_tick: Callable[[int], Awaitable[None]],
                         on_sla: Callable[[], Awaitable[None]]) -> None:
    """Wait until ``done()``; every ``remind_every`` run ``on_tick(n)`` (a reminder,
    a re-check), and once the wait exceeds the SLA run ``on_sla()``."""
    started = workflow.now()
    ticks, breached = 0, False
    while not done():
        try:
            await workflow.wait_condition(done, timeout=policy.remind_every)
        except asyncio.TimeoutError:
            ticks += 1
            await on_tick(ticks)
            if not breached and workflow.now() - started >= policy.sla:
                breached = True
                await on_sla()


async def notify(company_id: int | None, kind: str, title: Message, body: Message, key: str) -> None:
    """Write a notification once per workflow and ``key``; the reader sees it in their language."""
    await bookkeeping(
        EnablementActivities.notify,
        Notice(company_id=company_id, kind=kind, title=title, body=body,
               source_key=f"{workflow.info().workflow_id}:{key}"),
        start_to_close_timeout=timedelta(seconds=30),
        retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
    )


# The reminder's workflow id is its enablement's plus this (it outlives the enablement).
REMINDER_ID_SUFFIX = "-own-certificate-reminder"


@dataclass(frozen=True)
class OwnCertificateReminderInput:
    company_id: int
    company_name: str
    remind_every_seconds: float = 30 * 86_400
    reminders: int = 12


@workflow.defn
class OwnCertificateReminder:
    """After an enablement on a loaned certificate: remind the company to get its own,
    until it has one or the reminders run out."""

    @workflow.run
    async def run(self, start: OwnCertificateReminderInput) -> int:
        for n in range(1, start.reminders + 1):
            await workflow.sleep(timedelta(seconds=start.remind_every_seconds))
            has_own = await workflow.execute_activity_method(
                CertificateActivities.has_own_certificate, CompanyRef(start.company_id),
                start_to_close_timeout=timedelta(seconds=30))
            if has_own:
                return n - 1
            await notify(start.company_id, "own_certificate_reminder", Message("notice.own_certificate"),
                         Message("notice.own_certificate_body", {"company": start.company_name}),
                         f"own-certificate:{n}")
        return start.reminders
