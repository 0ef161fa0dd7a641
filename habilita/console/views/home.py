"""Home: shortcuts, indicators, enablement cards, search and notifications."""
from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import gettext as _

from habilita.models import Company, ProcessRecord

from habilita.console import charts, dashboard
from habilita.console.access import RoleGuarded
from habilita.console.processes.labels import process_label as kind_label
from habilita.console.processes.labels import step_label
from habilita.processes import STARTABLE


def steps_by_type() -> dict[str, tuple[str, ...]]:
    """The steps of each process people start, from their declarations."""
    return {d.process_type: d.step_names for d in STARTABLE.values()}


def indicator_figures() -> dict:
    """The indicators' numbers: the costly part of the home page (tens of ms at 100,000 processes)."""
    return {
        "by_step": dashboard.processes_by_type_and_step(steps_by_type()),
        "per_week": dashboard.enabled_per_week(),
        "median_days": dashboard.median_days_to_enable(),
        "stuck": dashboard.stuck_count(),
        "channels": dashboard.channel_figures(),
    }


def indicator_charts(figures: dict) -> dict:
    by_step = [dashboard.Bar(step_label(b.label), b.value, kind_label(b.group)) for b in figures["by_step"]]
    return {
        "by_step": charts.horizontal_bars(by_step, title=_("Processes by type and step"),
                                          empty_text=_("No process is under way.")),
        "per_week": charts.columns(figures["per_week"], title=_("Enabled per week")),
        "median_days": figures["median_days"],
        "stuck": figures["stuck"],
        "channels": figures["channels"],
    }


def search_companies(term: str, limit: int = 20) -> list[Company]:
    digits = term.replace(".", "").replace("-", "").replace(" ", "")
    query = Company.select().where(Company.legal_name.contains(term) | Company.tax_id.startswith(digits or term))
    return list(query.order_by(Company.legal_name).limit(limit))


class HomeView(RoleGuarded, AdminIndexView):

    @expose("/")
    def index(self):
        # Every person's home shows the same indicators: computed once per
        # INDICATORS_TTL_SECONDS and shared, while cards and notices stay live.
        figures = current_app.extensions["habilita"].indicators.get("figures", indicator_figures)
        return self.render("habilita/home.html", charts=indicator_charts(figures),
                           cards=dashboard.recent_cards(tuple(STARTABLE)),
                           notices=dashboard.notifications(), kinds=STARTABLE)

    @expose("/search")
    def search(self):
        """Jump straight to an exact process id or tax id; otherwise list what matches."""
        term = (request.args.get("q") or "").strip()
        if not term:
            return redirect(url_for(".index"))
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == term)
        if record is not None:
            return redirect(url_for("process.page", workflow_id=record.workflow_id))
        companies = search_companies(term)
        processes = list(ProcessRecord.select().where(ProcessRecord.workflow_id.contains(term))
                         .order_by(ProcessRecord.updated_at.desc()).limit(20))
        if len(companies) == 1 and not processes:
            return redirect(url_for("company.details_view", id=companies[0].id))
        return self.render("habilita/search.html", term=term, companies=companies, processes=processes)
