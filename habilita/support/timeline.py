"""One timeline per process: Temporal's history of every run merged with our AuditEvents.

Filterable by source, kind, actor and text; exportable as JSON and CSV.
Entries carry plain words only (see ``habilita.support.narrate`` for what is never
rendered).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict, dataclass, fields

from temporalio.client import Client

from habilita.models import AuditEvent

from .errors import UnknownAction
from .history import fetch_histories
from .narrate import Narrator

EXPORT_FORMATS = ("json", "csv")


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime  # naive UTC
    source: str  # "temporal" or "audit"
    kind: str
    actor: str
    text: str
    run_id: str = ""
    event_id: int | None = None
    workflow_id: str = ""
    # An audit row's own fields, for a reader that words them in its language (empty for Temporal's events).
    action: str = ""
    outcome: str = ""
    reason: str = ""
    detail: str = ""


async def build_timeline(client: Client, workflow_id: str, *, max_depth: int = 3) -> list[TimelineEntry]:
    """Every run's events in plain words and every AuditEvent about the process, in time order.

    Child processes (a certificate, a test set) are part of their parent's
    story: their entries are included, down to ``max_depth`` levels.
    """
    entries: list[TimelineEntry] = []
    pending, visited = [(workflow_id, 0)], set()
    while pending:
        current, depth = pending.pop(0)
        if current in visited:
            continue
        visited.add(current)
        told_entries, children = await _process_entries(client, current)
        entries.extend(told_entries)
        entries.extend(audit_entries(current))
        if depth < max_depth:
            pending.extend((child, depth + 1) for child in children)
    return sorted(entries, key=lambda e: (e.at, e.source != "temporal", e.event_id or 0))


async def _process_entries(client: Client, workflow_id: str) -> tuple[list[TimelineEntry], list[str]]:
    entries, children, seen = [], [], set()
    for run_id, history in await fetch_histories(client, workflow_id):
        narrator = Narrator(client.data_converter)
        for told in await narrator.narrate(history):
            # A reset run starts with a copy of its base run's events: tell them once.
            key = (told.event_id, told.at, told.event_type, told.text)
            if key in seen:
                continue
            seen.add(key)
            entries.append(TimelineEntry(at=told.at, source="temporal", kind=told.kind, actor=told.actor,
                                         text=told.text, run_id=run_id, event_id=told.event_id,
                                         workflow_id=workflow_id))
        children.extend(c for c in narrator.children if c not in children)
    return entries, children


def audit_entries(workflow_id: str) -> list[TimelineEntry]:
    """Our AuditEvents about the process, as timeline entries."""
    rows = AuditEvent.select().where(AuditEvent.target_id == workflow_id).order_by(AuditEvent.id)
    return [TimelineEntry(at=row.at, source="audit", kind="audit", actor=row.actor, text=_audit_words(row),
                          workflow_id=workflow_id, action=row.action, outcome=row.outcome, reason=row.reason,
                          detail=row.detail)
            for row in rows]


def _audit_words(row: AuditEvent) -> str:
    text = row.action.replace("_", " ")
    if row.outcome != "ok":
        text += f" ({row.outcome})"
    if row.reason:
        text += f"; reason: {row.reason}"
    if row.detail:
        text += f"; {row.detail}"
    return text


def filter_timeline(entries: list[TimelineEntry], *, source: str = "", kind: str = "", actor: str = "",
                    text: str = "") -> list[TimelineEntry]:
    """The entries matching every given criterion (``text`` and ``actor``: case-insensitive substrings)."""
    return [e for e in entries
            if (not source or e.source == source) and (not kind or e.kind == kind)
            and (not actor or actor.lower() in e.actor.lower()) and (not text or text.lower() in e.text.lower())]


def export_timeline(entries: list[TimelineEntry], export_format: str) -> str:
    """The entries as JSON (a list of objects) or CSV (a header row, then one row per entry)."""
    if export_format == "json":
        return json.dumps([_row(e) for e in entries], ensure_ascii=False, indent=1)
    if export_format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(TimelineEntry)])
        writer.writeheader()
        writer.writerows(_row(e) for e in entries)
        return out.getvalue()
    raise UnknownAction(f"unknown export format {export_format!r}; formats: {', '.join(EXPORT_FORMATS)}")


def _row(entry: TimelineEntry) -> dict:
    row = asdict(entry)
    row["at"] = entry.at.isoformat(timespec="milliseconds") + "Z"
    return row


async def original_history_json(client: Client, workflow_id: str) -> str:
    """Temporal's own history JSON of every run, as stored (payloads stay encrypted by the codec)."""
    runs = await fetch_histories(client, workflow_id)
    return json.dumps({"workflow_id": workflow_id,
                       "runs": [{"run_id": run_id, "history": history.to_json_dict()} for run_id, history in runs]},
                      indent=1)
