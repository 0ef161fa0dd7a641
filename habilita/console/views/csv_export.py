"""The console's CSV exports write cells a spreadsheet never runs (see :mod:`habilita.csv_cells`)."""
from __future__ import annotations

from habilita.csv_cells import inert


class InertCsvExport:
    """Mixin for a Flask-Admin ModelView that exports CSV: every cell goes through ``inert``, so a value
    someone typed as ``=HYPERLINK(...)`` opens as text, not as a formula."""

    def get_export_value(self, model, name):
        return inert(super().get_export_value(model, name))
