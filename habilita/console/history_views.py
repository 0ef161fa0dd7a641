"""A process's history: one timeline, filters, exports and the replay verdict. Read-only for every role."""
from __future__ import annotations

from flask import Response, current_app, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _

from habilita.csv_cells import inert_record
from habilita.support.replay import verify_process
from habilita.support.timeline import build_timeline, export_timeline, filter_timeline, original_history_json

from .access import RoleGuarded
from .audit import audit
from .messages import say, shown
from habilita.console.processes.labels import action_label

CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def bridge():
    return current_app.extensions["habilita"].bridge


def timeline_of(workflow_id: str, args) -> list:
    """The timeline, filtered; the text filter matches the words as stored or as the page shows them."""
    entries = bridge().call(lambda client: build_timeline(client, workflow_id), timeout=60)
    entries = filter_timeline(entries, source=args.get("source", ""), kind=args.get("kind", ""),
                              actor=args.get("actor", ""))
    wanted = args.get("text", "").lower()
    return [e for e in entries if not wanted or wanted in e.text.lower() or wanted in shown_text(e).lower()]


def shown_text(entry) -> str:
    """An entry in the user's language: what a person did (as the process page says it), or what
    support.narrate's message tells of a Temporal event."""
    if entry.source != "audit":
        return say(entry.message) if entry.message is not None else entry.text
    words = action_label(entry.action)
    if entry.outcome != "ok":
        words += f" — {_('refused') if entry.outcome == 'refused' else entry.outcome}"
    for part in (entry.reason, entry.detail):
        if part:
            words += f"; {shown(part)}"
    return words


class HistoryView(RoleGuarded, BaseView):

    def is_visible(self) -> bool:
        return False  # reached from a process or the support queue

    @expose("/")
    def index(self):
        return redirect(url_for("processrecord.index_view"))

    @expose("/<workflow_id>")
    def page(self, workflow_id: str):
        entries = timeline_of(workflow_id, request.args)
        verdict = bridge().call(lambda client: verify_process(client, workflow_id), timeout=60)
        kinds = sorted({e.kind for e in entries})
        return self.render("history/timeline.html", workflow_id=workflow_id, entries=entries, verdict=verdict,
                           kinds=kinds, args=request.args, shown_text=shown_text)

    @expose("/<workflow_id>/export.<export_format>")
    def export(self, workflow_id: str, export_format: str):
        if export_format not in CONTENT_TYPES:
            return Response(f"unknown export format {export_format!r}", status=404)
        entries = timeline_of(workflow_id, request.args)
        if export_format == "csv":
            entries = [inert_record(entry) for entry in entries]
        text = export_timeline(entries, export_format)
        audit("export history", "process", workflow_id, detail=export_format)
        return _download(text, CONTENT_TYPES[export_format], f"{workflow_id}-timeline.{export_format}")

    @expose("/<workflow_id>/temporal.json")
    def original(self, workflow_id: str):
        """Temporal's own history JSON of every run; payloads stay encrypted."""
        text = bridge().call(lambda client: original_history_json(client, workflow_id), timeout=60)
        audit("export history", "process", workflow_id, detail="temporal json")
        return _download(text, CONTENT_TYPES["json"], f"{workflow_id}-temporal-history.json")


def _download(text: str, content_type: str, name: str) -> Response:
    return Response(text, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})
