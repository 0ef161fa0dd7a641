"""One timeline per process: Temporal's history of every run merged with our AuditEvents.

Filterable by source, kind, actor and text; exportable as JSON and CSV.
An audit row a workflow wrote through a local activity stands where that
activity's marker stands in the history, dated by it: the row is written
while the workflow task runs, before the server dates the update that task
accepted, and the marker keeps it after that update and before what the
same task did next.
A Temporal event's entry carries its message (see ``habilita.support.narrate``
for what is never rendered) and that message in English as its ``text``: the
exports keep both, the console shows the message in the reader's language.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict, dataclass, fields

from temporalio.client import Client

from habilita.messages import Message
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.messages.stored import from_text
from habilita.models import AuditEvent

from .errors import UnknownAction
from .history import fetch_histories
from .narrate import Narrator, label

EXPORT_FORMATS = ("json", "csv")


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime  # naive UTC
    source: str  # "temporal" or "audit"
    kind: str
    actor: str
    text: str  # in English: what the exports and the text filter read
    run_id: str = ""
    event_id: int | None = None
    workflow_id: str = ""
    # An audit row's own fields, for a reader that words them in its language (empty for Temporal's events).
    action: str = ""
    outcome: str = ""
    reason: str = ""
    detail: str = ""
    # What a Temporal event tells, for a reader in their own language (None for an audit row).
    message: Message | None = None


EXPORT_FIELDS = [f.name for f in fields(TimelineEntry) if f.name != "message"] + ["code", "params"]


def english_words(kind: str, name: str) -> str:
    """A machine name in the English text, as the exports have always written it (``Test set``)."""
    if kind == "step":
        return label(name)
    if kind == "button":
        return label(name).lower()
    return name


def in_english(message: Message) -> str:
    """``message`` as the English ``text`` of an entry."""
    return render(message, gettext_for("en"), english_words)


def column_in_english(text: str) -> str:
    """An audit row's column in English: a stored message rendered, anything else as stored."""
    message = from_text(text)
    return in_english(message) if message is not None else text


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
        told_entries, children, audit_markers = await _process_entries(client, current)
        entries.extend(told_entries)
        entries.extend(audit_entries(current, audit_markers))
        if depth < max_depth:
            pending.extend((child, depth + 1) for child in children)
    # At the same instant, history order; an audit row with no marker after the history's entries.
    return sorted(entries, key=lambda e: (e.at, e.event_id is None, e.event_id or 0, e.source != "temporal"))


# An audit row's source key (run id and activity id) -> its marker's time and event id.
AuditMarkers = dict[str, tuple[dt.datetime, int]]


async def _process_entries(client: Client, workflow_id: str) -> tuple[list[TimelineEntry], list[str], AuditMarkers]:
    entries, children, seen, audit_markers = [], [], set(), {}
    for run_id, history in await fetch_histories(client, workflow_id):
        narrator = Narrator(client.data_converter)
        for told in await narrator.narrate(history):
            text = in_english(told.message)
            # A reset run starts with a copy of its base run's events: tell them once.
            key = (told.event_id, told.at, told.event_type, text)
            if key in seen:
                continue
            seen.add(key)
            entries.append(TimelineEntry(at=told.at, source="temporal", kind=told.kind, actor=told.actor,
                                         text=text, run_id=run_id, event_id=told.event_id,
                                         workflow_id=workflow_id, message=told.message))
        children.extend(c for c in narrator.children if c not in children)
        audit_markers.update({f"{run_id}:{activity_id}": marker
                              for activity_id, marker in narrator.audit_markers.items()})
    return entries, children, audit_markers


def audit_entries(workflow_id: str, markers: AuditMarkers) -> list[TimelineEntry]:
    """Our AuditEvents about the process, as timeline entries (one a local activity wrote, at its marker)."""
    rows = AuditEvent.select().where(AuditEvent.target_id == workflow_id).order_by(AuditEvent.id)
    entries = []
    for row in rows:
        marker = markers.get(row.source_key or "")
        at, event_id, run_id = (*marker, row.source_key.partition(":")[0]) if marker else (row.at, None, "")
        entries.append(TimelineEntry(at=at, source="audit", kind="audit", actor=row.actor, text=_audit_words(row),
                                     run_id=run_id, event_id=event_id, workflow_id=workflow_id, action=row.action,
                                     outcome=row.outcome, reason=row.reason, detail=row.detail))
    return entries


def _audit_words(row: AuditEvent) -> str:
    text = row.action.replace("_", " ")
    if row.outcome != "ok":
        text += f" ({row.outcome})"
    if row.reason:
        text += f"; reason: {column_in_english(row.reason)}"
    if row.detail:
        text += f"; {column_in_english(row.detail)}"
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
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows({**row, "params": json.dumps(row["params"], ensure_ascii=False)}
                         for row in map(_row, entries))
        return out.getvalue()
    raise UnknownAction("support.unknown_export_format", format=export_format, formats=list(EXPORT_FORMATS))


def _row(entry: TimelineEntry) -> dict:
    """The entry for an export: its fields, and its message as ``code`` and ``params`` (empty for an audit row)."""
    row = {name: getattr(entry, name) for name in EXPORT_FIELDS[:-2]}
    row["at"] = entry.at.isoformat(timespec="milliseconds") + "Z"
    message = asdict(entry.message) if entry.message is not None else {"code": "", "params": {}}
    row.update(code=message["code"], params=message["params"])
    return row


async def original_history_json(client: Client, workflow_id: str) -> str:
    """Temporal's own history JSON of every run, as stored (payloads stay encrypted by the codec)."""
    runs = await fetch_histories(client, workflow_id)
    return json.dumps({"workflow_id": workflow_id,
                       "runs": [{"run_id": run_id, "history": history.to_json_dict()} for run_id, history in runs]},
                      indent=1)
