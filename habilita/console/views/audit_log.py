"""The audit log: who did what, when and why; read-only for everyone, exportable."""
from __future__ import annotations

from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.filters import FilterEqual, FilterLike
from flask_admin.form import SecureForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import LazyString

from habilita.messages.words import OUTCOMES, TARGETS
from habilita.models import AuditEvent

from habilita.console.access import RoleGuarded
from habilita.console.messages import shown
from habilita.console.processes.labels import ACTIONS, action_label
from habilita.console.speech import words

from .csv_export import InertCsvExport


def audit_action(name: str) -> str:
    """An audit row's action in words when the catalog has them; otherwise as stored (never reshaped)."""
    return action_label(name) if name in ACTIONS or name.startswith("support: ") else name


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
    # Flask-Admin reads the options once, outside any request: their words are lazy.
    column_filters = (
        FilterEqual(AuditEvent.outcome, _l("Outcome"),
                    options=lambda: [(k, LazyString(words, "outcome", k)) for k in OUTCOMES]),
        FilterLike(AuditEvent.actor, _l("Who")),
        FilterEqual(AuditEvent.target_type, _l("On"),
                    options=lambda: [(k, LazyString(words, "target", k)) for k in TARGETS]))
    column_default_sort = ("id", True)
    # Actions, targets and outcomes are machine names; a refusal's reason is stored as its problems (codes)
    # or a message, a workflow's detail as a message: all shown, and exported, in the reader's words.
    column_formatters = {"at": lambda v, c, m, n: m.at.strftime("%Y-%m-%d %H:%M:%S"),
                         "action": lambda v, c, m, n: audit_action(m.action),
                         "target_type": lambda v, c, m, n: words("target", m.target_type),
                         "outcome": lambda v, c, m, n: words("outcome", m.outcome),
                         "reason": lambda v, c, m, n: shown(m.reason),
                         "detail": lambda v, c, m, n: shown(m.detail)}
    column_formatters_export = column_formatters

    def search_placeholder(self) -> str:
        return _("Who, or on which (e-mail, process id)")
