"""The audit log: who did what, when and why; read-only for everyone, exportable."""
from __future__ import annotations

from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.filters import FilterEqual, FilterLike
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _l

from habilita.models import AuditEvent

from habilita.console.access import RoleGuarded
from habilita.console.messages import shown

from .csv_export import InertCsvExport


class AuditLogView(RoleGuarded, InertCsvExport, ModelView):
    form_base_class = SecureForm
    can_create = can_edit = can_delete = False
    can_export = True
    export_types = ["csv"]
    page_size = 50
    column_list = ("at", "actor", "action", "target_type", "target_id", "outcome", "reason", "detail")
    column_labels = {"at": _l("When (UTC)"), "actor": _l("Who"), "action": _l("Action"), "target_type": _l("On"),
                     "target_id": _l("Which"), "outcome": _l("Outcome"), "reason": _l("Reason"), "detail": _l("Detail")}
    column_searchable_list = ("actor", "target_id", "action")
    column_filters = (FilterEqual(AuditEvent.outcome, _l("Outcome")), FilterLike(AuditEvent.actor, _l("Who")),
                      FilterEqual(AuditEvent.target_type, _l("On")))
    column_default_sort = ("id", True)
    # A refusal's reason is stored as its problems (codes), a workflow's detail as a message: shown, and
    # exported, in the reader's words.
    column_formatters = {"at": lambda v, c, m, n: m.at.strftime("%Y-%m-%d %H:%M:%S"),
                         "reason": lambda v, c, m, n: shown(m.reason),
                         "detail": lambda v, c, m, n: shown(m.detail)}
