"""Processes: the list from the projection, with filters, search, sort and CSV export."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, FilterEqual
from flask_admin.form import SecureForm
from flask_babel import gettext as _
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from habilita.inputs.identifiers import whole_number
from habilita.models import Company, ProcessRecord, utcnow
from habilita.models.process import STATUSES, WAITING_ON

from habilita.console.access import RoleGuarded
from habilita.console.processes.labels import process_label
from habilita.console.messages import shown
from habilita.processes import DECLARATIONS, STARTABLE
from habilita.console.processes.labels import status_label, step_label, waiting_label

from .csv_export import InertCsvExport


class FilterOlderThanDays(BasePeeweeFilter):
    """In its current step for more than N days: a whole number in ASCII digits, at most a century
    (a larger one is no date; "²" or "٣" pass ``str.isdigit()`` and then break ``int()`` or the query)."""

    MAX_DAYS = 36_500

    def validate(self, value) -> bool:
        return whole_number(str(value), maximum=self.MAX_DAYS) is not None

    def clean(self, value) -> int:
        return whole_number(str(value), maximum=self.MAX_DAYS)

    def apply(self, query, value):
        return query.filter(self.column < utcnow() - dt.timedelta(days=value))

    def operation(self):
        return _l("more than (days)")


def all_steps() -> list[str]:
    seen: list[str] = []
    for declaration in STARTABLE.values():
        seen += [s for s in declaration.step_names if s not in seen]
    return seen


def age(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago, in the largest unit that reads naturally."""
    if moment is None:
        return ""
    seconds = max(0, ((now or utcnow()) - moment).total_seconds())
    if seconds < 60:
        return _("less than a minute")
    if seconds < 3600:
        return _("%(n)d min", n=seconds // 60)
    if seconds < 86400 * 2:
        return _("%(n)d h", n=seconds // 3600)
    return _("%(n)d days", n=seconds // 86400)


def link_to_process(view, context, record, name):
    return Markup('<a href="{}">{}</a>').format(url_for("process.page", workflow_id=record.workflow_id),
                                                record.workflow_id)


# Positions in ``ProcessListView.column_filters``: Flask-Admin names filters by index in the URL.
FILTER_INDEX = {"process_type": 0, "current_step": 1, "status": 2, "waiting_on": 3, "older_than_days": 4}


def process_list_url(**filters) -> str:
    """The process list with ``filters`` applied, e.g. ``status="waiting"``."""
    args = {f"flt{position}_{FILTER_INDEX[name]}": value for position, (name, value) in enumerate(filters.items())}
    return url_for("processrecord.index_view", **args)


class ProcessListView(RoleGuarded, InertCsvExport, ModelView):
    """Read-only: a process changes only through its workflow."""

    form_base_class = SecureForm
    can_create = can_edit = can_delete = False
    can_export = True
    export_types = ["csv"]
    page_size = 50
    can_set_page_size = True
    column_list = ("workflow_id", "company", "process_type", "current_step", "status", "waiting_on",
                   "step_entered_at", "updated_at")
    column_labels = {
        "workflow_id": _l("Process"), "company": _l("Company"), "process_type": _l("Type"),
        "current_step": _l("Step"), "status": _l("Status"), "waiting_on": _l("Waiting on"),
        "step_entered_at": _l("In this step for"), "updated_at": _l("Updated"), "last_error": _l("Last error"),
        "started_at": _l("Started"), Company.legal_name: _l("Company"), Company.tax_id: _l("Tax id"),
    }
    column_searchable_list = (ProcessRecord.workflow_id, Company.legal_name, Company.tax_id)
    column_sortable_list = ("workflow_id", "process_type", "current_step", "status", "step_entered_at",
                            "updated_at")
    column_default_sort = ("updated_at", True)
    # Flask-Admin reads the options once, outside any request: their words are lazy, said in each request's language.
    column_filters = (
        FilterEqual(ProcessRecord.process_type, _l("Type"),
                    options=lambda: [(k, LazyString(process_label, k)) for k in DECLARATIONS]),
        FilterEqual(ProcessRecord.current_step, _l("Step"),
                    options=lambda: [(s, LazyString(step_label, s)) for s in all_steps()]),
        FilterEqual(ProcessRecord.status, _l("Status"),
                    options=lambda: [(s, LazyString(status_label, s)) for s in STATUSES]),
        FilterEqual(ProcessRecord.waiting_on, _l("Waiting on"),
                    options=lambda: [(w, LazyString(waiting_label, w)) for w in WAITING_ON if w]),
        FilterOlderThanDays(ProcessRecord.step_entered_at, _l("In this step")),
    )
    column_formatters = {
        "workflow_id": link_to_process,
        "company": lambda v, c, m, n: m.company.legal_name if m.company_id else "",
        "process_type": lambda v, c, m, n: process_label(m.process_type),
        "current_step": lambda v, c, m, n: step_label(m.current_step),
        "status": lambda v, c, m, n: Markup('<span class="badge status-{}">{}</span>').format(
            m.status, status_label(m.status)),
        "waiting_on": lambda v, c, m, n: waiting_label(m.waiting_on),
        "step_entered_at": lambda v, c, m, n: age(m.step_entered_at),
        "updated_at": lambda v, c, m, n: m.updated_at.strftime("%Y-%m-%d %H:%M"),
    }
    column_export_list = ("workflow_id", "company", "process_type", "current_step", "status", "waiting_on",
                          "step_entered_at", "started_at", "updated_at", "last_error")
    column_formatters_export = {
        "company": lambda v, c, m, n: f"{m.company.legal_name} ({m.company.display_tax_id})" if m.company_id else "",
        "step_entered_at": lambda v, c, m, n: m.step_entered_at.isoformat(sep=" ", timespec="seconds"),
        "started_at": lambda v, c, m, n: m.started_at.isoformat(sep=" ", timespec="seconds"),
        "updated_at": lambda v, c, m, n: m.updated_at.isoformat(sep=" ", timespec="seconds"),
        "last_error": lambda v, c, m, n: shown(m.last_error),
    }

    def search_placeholder(self) -> str:
        return _("Company, tax id or process id")

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        count, rows = super().get_list(page, sort_column, sort_desc, search, filters, execute, page_size)
        if execute:
            attach_companies(rows)
        return count, rows


def attach_companies(records: list[ProcessRecord]) -> None:
    """Load the page's companies in one query instead of one per row."""
    ids = sorted({r.company_id for r in records if r.company_id})
    companies: dict[int, Company] = {}
    # Chunks keep an export of every row under the database's parameter limit.
    for start in range(0, len(ids), 500):
        companies.update((c.id, c) for c in Company.select().where(Company.id.in_(ids[start:start + 500])))
    for record in records:
        if record.company_id in companies:
            record.company = companies[record.company_id]
