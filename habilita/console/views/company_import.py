"""Import companies from a CSV file, with a progress bar and a report by row.

The file is read and its header checked at once (a refusal comes back to the
form); the rest runs in a background thread of the console: every row
checked, the good ones created, their process started. The page polls a small
JSON of the job's progress and shows the report when it is done. Jobs live in
the console's memory, one per import, seen only by whoever started it (or an
admin).
"""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user

from habilita.messages import Message
from habilita.messages.stored import as_text
from habilita.models import AuditEvent, database_proxy
from habilita.processes import EINVOICING, SUPPORT_DOCUMENT
from habilita.processes.client import ProcessClient
from habilita.processes.company_import import (
    HEADER, ImportRefused, ImportReport, check_file, create_companies, start_processes,
)

from ..access import RoleGuarded, actor
from ..audit import audit
from ..forms import CsrfForm
from ..messages import say

STARTS = {d.process_type: d for d in (EINVOICING, SUPPORT_DOCUMENT)}
START_TIMEOUT_SECONDS = 900


@dataclass
class ImportJob:
    """One import's progress, as the page reads it."""

    owner: str
    file_name: str
    phase: str = "checking"  # checking, creating, starting, done, failed
    done: int = 0
    total: int = 0
    report: ImportReport | None = None
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def advance(self, phase: str, done: int, total: int) -> None:
        with self.lock:
            self.phase, self.done, self.total = phase, done, total

    def as_json(self) -> dict:
        with self.lock:
            return {"phase": self.phase, "done": self.done, "total": self.total,
                    "percent": round(100 * self.done / self.total) if self.total else 0}


def jobs() -> dict[str, ImportJob]:
    return current_app.extensions.setdefault("habilita_imports", {})


def run_import(app, job: ImportJob, content: bytes, process_type: str, who: str) -> None:
    """The import, in its own thread: rows checked and created, then processes started through the bridge."""
    console = app.extensions["habilita"]
    declaration = STARTS.get(process_type)
    database_proxy.connect(reuse_if_open=True)
    try:
        results, rows = check_file(content)
        job.advance("creating", 0, len(results))
        companies = create_companies(results, rows)
        total = sum(c is not None for c in companies)
        if declaration is not None:
            job.advance("starting", 0, total)

            async def start(client):
                await start_processes(ProcessClient(client, task_queue=console.settings.task_queue), declaration,
                                      results, companies, actor=who, settings=console.settings,
                                      progress=lambda n: job.advance("starting", n, total))
            console.bridge.call(start, timeout=START_TIMEOUT_SECONDS)
        job.report = ImportReport(results)
        AuditEvent.record(actor=who, action="import companies", target_type="company", target_id=job.file_name,
                          detail=as_text(Message("audit.imported", {
                              "created": job.report.count("created"), "existing": job.report.count("existing"),
                              "refused": job.report.count("refused"), "started": job.report.started})))
        job.advance("done", len(results), len(results))
    except Exception as exc:  # noqa: BLE001 -- the page says the import stopped, and why; nothing is hidden
        job.error = f"{type(exc).__name__}: {exc}"[:500]
        job.advance("failed", job.done, job.total)
    finally:
        if not database_proxy.is_closed():
            database_proxy.close()


class CompanyImportView(RoleGuarded, BaseView):
    """Onboarding (and admin) import companies; the other roles do not see the page."""

    write_endpoint = "index"

    @expose("/", methods=["GET", "POST"])
    def index(self):
        if request.method == "GET":
            return self.render("habilita/import/form.html", header=",".join(HEADER), starts=STARTS)
        if not CsrfForm(request.form).validate():
            flash(_("The form expired; try again."), "danger")
            return redirect(url_for(".index"))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a CSV file."), "warning")
            return redirect(url_for(".index"))
        content = upload.read()
        try:
            check_file(content)  # a file that cannot be read is refused here, before any work starts
        except ImportRefused as refusal:
            audit("import companies", "company", upload.filename[:200], outcome="refused",
                  reason=as_text(Message(refusal.problem.code, refusal.problem.params)))
            flash(say(refusal.problem), "danger")
            return redirect(url_for(".index"))
        process_type = request.form.get("start", "")
        if process_type and process_type not in STARTS:
            abort(400)
        job_id = str(uuid.uuid4())
        job = jobs()[job_id] = ImportJob(owner=actor(), file_name=upload.filename[:200])
        threading.Thread(target=run_import, args=(current_app._get_current_object(), job, content, process_type,
                                                  actor()), name=f"import-{job_id}", daemon=True).start()
        return redirect(url_for(".job", job_id=job_id))

    @expose("/<job_id>")
    def job(self, job_id: str):
        job = self._own_job(job_id)
        return self.render("habilita/import/job.html", job=job, job_id=job_id, progress=job.as_json())

    @expose("/<job_id>/progress.json")
    def progress(self, job_id: str):
        return jsonify(self._own_job(job_id).as_json())

    def _own_job(self, job_id: str) -> ImportJob:
        job = jobs().get(job_id)
        if job is None or (job.owner != actor() and not current_user.has_role("admin")):
            abort(404)
        return job

