"""The home page's figures, each one query over the process projection.

Every query is bounded by an index on ``process_record`` (status with
step_entered_at, or updated_at), so the home page stays fast at 100,000 rows.
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

import peewee

from habilita.messages import Message
from habilita.messages.stored import from_text
from habilita.models import ChannelConnection, ChannelOrder, Company, Notification, ProcessRecord, utcnow
from habilita.support import health

ACTIVE = ("running", "waiting")
# The step a process stands at once it has enabled the company.
ENABLED_STEPS = ("enabled",)
WEEKS_SHOWN = 12
MEDIAN_WINDOW = dt.timedelta(days=30)
# Sales channels: orders in error counted (and notified) over this many last days.
CHANNEL_ERROR_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    group: str = ""


def processes_by_type_and_step(steps_by_type: dict[str, tuple[str, ...]]) -> list[Bar]:
    """Active processes of the given types counted by type and step.

    Both counts run on the covering (current_step, status, process_type)
    index: by step alone, and by type as well only for the steps that several
    types share (a few ms each at 100,000 rows).
    """
    owners: dict[str, list[str]] = {}
    for ptype, steps in steps_by_type.items():
        for step in steps:
            owners.setdefault(step, []).append(ptype)
    shared = [step for step, types in owners.items() if len(types) > 1]
    active = ProcessRecord.status.in_(ACTIVE)
    rows = (ProcessRecord.select(ProcessRecord.current_step, peewee.fn.COUNT(1))
            .where(active & ProcessRecord.current_step.in_([s for s in owners if s not in shared]))
            .group_by(ProcessRecord.current_step).tuples())
    bars = [Bar(label=step, value=n, group=owners[step][0]) for step, n in rows]
    if shared:
        split = (ProcessRecord.select(ProcessRecord.process_type, ProcessRecord.current_step, peewee.fn.COUNT(1))
                 .where(active & ProcessRecord.current_step.in_(shared)
                        & ProcessRecord.process_type.in_(list(steps_by_type)))
                 .group_by(ProcessRecord.process_type, ProcessRecord.current_step).tuples())
        bars += [Bar(label=step, value=n, group=ptype) for ptype, step, n in split]
    order = {ptype: i for i, ptype in enumerate(steps_by_type)}
    position = {(ptype, step): i for ptype, steps in steps_by_type.items() for i, step in enumerate(steps)}
    return sorted(bars, key=lambda b: (order[b.group], position[(b.group, b.label)]))


def _as_datetime(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _raw_rows(query) -> list[tuple]:
    # Converting thousands of timestamps through the ORM costs more than the
    # query; ``fromisoformat`` on SQLite's text (or the driver's datetimes on
    # PostgreSQL) costs a tenth of that.
    sql, params = query.sql()
    return ProcessRecord._meta.database.execute_sql(sql, params).fetchall()


def _completed_since(since: dt.datetime, *columns):
    # completed_at equals the last step_entered_at of a finished process, so
    # the (current_step, status, step_entered_at, started_at) index bounds the
    # scan and covers it. Only the last step of a whole process counts as
    # enabled, not a finished child workflow.
    return (ProcessRecord.select(*columns)
            .where((ProcessRecord.status == "completed") & (ProcessRecord.step_entered_at >= since)
                   & ProcessRecord.current_step.in_(ENABLED_STEPS)))


def week_start(moment: dt.datetime) -> dt.date:
    day = moment.date()
    return day - dt.timedelta(days=day.weekday())


def enabled_per_week(now: dt.datetime | None = None) -> list[Bar]:
    """Processes completed in each of the last ``WEEKS_SHOWN`` weeks (Monday first), oldest first."""
    this_week = week_start(now or utcnow())
    weeks = [this_week - dt.timedelta(weeks=i) for i in reversed(range(WEEKS_SHOWN))]
    counts = dict.fromkeys(weeks, 0)
    day = peewee.fn.DATE(ProcessRecord.step_entered_at)
    per_day = _completed_since(dt.datetime.combine(weeks[0], dt.time()), day, peewee.fn.COUNT(1)).group_by(day)
    for completed_on, n in _raw_rows(per_day):
        monday = week_start(_as_datetime(f"{completed_on}"[:10] + "T00:00:00"))
        if monday in counts:
            counts[monday] += n
    return [Bar(label=week.strftime("%d/%m"), value=n) for week, n in counts.items()]


def median_days_to_enable(now: dt.datetime | None = None) -> float | None:
    """Median days from start to completion of the processes completed in the last ``MEDIAN_WINDOW``."""
    since = (now or utcnow()) - MEDIAN_WINDOW
    rows = _raw_rows(_completed_since(since, ProcessRecord.started_at, ProcessRecord.step_entered_at))
    days = [(_as_datetime(done) - _as_datetime(started)).total_seconds() / 86400 for started, done in rows]
    return round(statistics.median(days), 1) if days else None


def stuck_query(now: dt.datetime | None = None):
    """Processes that need support: failed, retrying or over their SLA (the queue's own rule)."""
    return ProcessRecord.select().where(health.needs_support(now or utcnow()))


def stuck_count(now: dt.datetime | None = None) -> int:
    return stuck_query(now).count()


@dataclass(frozen=True)
class Card:
    company: Company
    processes: list[ProcessRecord]


def recent_cards(top_level: tuple[str, ...], limit: int = 6) -> list[Card]:
    """Enablement cards of the companies whose processes (of the ``top_level`` types) moved last."""
    recent = (ProcessRecord.select(ProcessRecord.company).where(ProcessRecord.company.is_null(False))
              .order_by(ProcessRecord.updated_at.desc()).limit(limit * 10).tuples())
    company_ids: list[int] = []
    for (company_id,) in recent:
        if company_id not in company_ids:
            company_ids.append(company_id)
        if len(company_ids) == limit:
            break
    if len(company_ids) < limit:
        extra = (Company.select(Company.id).where(Company.id.not_in(company_ids or [0]))
                 .order_by(Company.updated_at.desc()).limit(limit - len(company_ids)).tuples())
        company_ids += [cid for (cid,) in extra]
    companies = {c.id: c for c in Company.select().where(Company.id.in_(company_ids or [0]))}
    processes: dict[int, list[ProcessRecord]] = {cid: [] for cid in company_ids}
    for record in ProcessRecord.select().where(ProcessRecord.company.in_(company_ids or [0])
                                               & ProcessRecord.process_type.in_(top_level)):
        processes[record.company_id].append(record)
    return [Card(companies[cid], sorted(processes[cid], key=lambda r: r.process_type))
            for cid in company_ids if cid in companies]


@dataclass(frozen=True)
class Notice:
    kind: str  # the Notification's kind ("dian_approved", "reminder", ...) or "stuck"
    text: str  # the notification's title as stored (a message; the page shows it in words), or the stuck step
    at: dt.datetime
    workflow_id: str = ""
    company: Company | None = None
    why: Message | None = None  # why a stuck process needs support
    count: int = 0  # a sales channel's orders in error


def notifications(limit: int = 8, now: dt.datetime | None = None) -> list[Notice]:
    """DIAN approvals and rejections and reminders the workflows wrote, and stuck processes; newest first."""
    now = now or utcnow()
    notices = [Notice(n.kind, n.title, n.created_at, company=n.company)
               for n in Notification.select(Notification, Company).join(Company, peewee.JOIN.LEFT_OUTER)
               .order_by(Notification.created_at.desc()).limit(limit)]
    for record in stuck_query(now).order_by(ProcessRecord.updated_at.desc()).limit(limit):
        notices.append(Notice("stuck", record.current_step, record.updated_at, workflow_id=record.workflow_id,
                              why=health.health_of(record, now)[1]))
    notices += channel_notices(limit, now)
    return sorted(notices, key=lambda n: n.at, reverse=True)[:limit]


def channel_figures(now: dt.datetime | None = None) -> dict:
    """Sales channels for the home's indicators: connections invoicing, connections whose invoicing stopped,
    and orders in error that changed in the last ``CHANNEL_ERROR_WINDOW``."""
    since = (now or utcnow()) - CHANNEL_ERROR_WINDOW
    return {
        "connected": ChannelConnection.select().where(ChannelConnection.state == "connected").count(),
        "stopped": ChannelConnection.select().where((ChannelConnection.invoicing_stopped_reason != "")
                                                    & (ChannelConnection.state != "disconnected")).count(),
        "errors": ChannelOrder.select().where((ChannelOrder.state == "error")
                                              & (ChannelOrder.updated_at >= since)).count(),
        "window_days": CHANNEL_ERROR_WINDOW.days,
    }


def channel_notices(limit: int = 8, now: dt.datetime | None = None) -> list[Notice]:
    """Connections whose automatic invoicing stopped (and why), and connections with orders in error in the
    last ``CHANNEL_ERROR_WINDOW`` (how many, as of the latest)."""
    since = (now or utcnow()) - CHANNEL_ERROR_WINDOW
    notices = [Notice("channel_stopped", c.name, c.updated_at, workflow_id=c.workflow_id, company=c.company,
                      why=from_text(c.invoicing_stopped_reason))
               for c in ChannelConnection.select(ChannelConnection, Company).join(Company)
               .where((ChannelConnection.invoicing_stopped_reason != "") & (ChannelConnection.state != "disconnected"))
               .order_by(ChannelConnection.updated_at.desc()).limit(limit)]
    latest = peewee.fn.MAX(ChannelOrder.updated_at)
    errors = (ChannelOrder.select(ChannelOrder.connection, peewee.fn.COUNT(1), latest)
              .where((ChannelOrder.state == "error") & (ChannelOrder.updated_at >= since))
              .group_by(ChannelOrder.connection).order_by(latest.desc()).limit(limit).tuples())
    found = list(errors)
    connections = {c.id: c for c in ChannelConnection.select(ChannelConnection, Company).join(Company)
                   .where(ChannelConnection.id.in_([cid for cid, _, _ in found] or [0]))}
    for connection_id, n, at in found:
        connection = connections.get(connection_id)
        if connection is not None:
            notices.append(Notice("channel_errors", connection.name, _as_datetime(at),
                                  workflow_id=connection.workflow_id, company=connection.company, count=n))
    return notices
