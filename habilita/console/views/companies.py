"""Companies: list, search, filters, create and edit, and each company's processes."""
from __future__ import annotations

from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.filters import FilterEqual, FilterLike
from flask_admin.form import SecureForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField

from habilita.models import Company, FieldError, ProcessRecord
from habilita.models.company import COUNTRIES

from habilita.console.access import RoleGuarded
from habilita.console.audit import audit
from habilita.console.messages import shown
from habilita.processes import STARTABLE
from habilita.states import ENDED, ProcessStatus
from .model_form_errors import put_error_at_field, refused_reason

LABELS = {
    "legal_name": _l("Legal name"), "tax_id": _l("NIT or RUT, without check digit"),
    "check_digit": _l("Check digit of the NIT or RUT (DV)"),
    "country": _l("Country"), "email": _l("E-mail"), "phone": _l("Phone"), "city": _l("City"),
    "updated_at": _l("Updated"), "created_at": _l("Created"), "tax_id_locked_reason": _l("Tax id locked because"),
}


def processes_of(company: Company) -> list[ProcessRecord]:
    return list(company.processes.order_by(ProcessRecord.started_at))


def startable_kinds(company: Company) -> list:
    """The processes the company does not have yet (a finished-badly one may start again)."""
    live = {r.process_type for r in company.processes.where(
        ProcessRecord.status.not_in([str(s) for s in ENDED if s != ProcessStatus.COMPLETED]))}
    return [d for d in STARTABLE.values() if d.process_type not in live]


class CompanyView(RoleGuarded, ModelView):
    form_base_class = SecureForm
    can_delete = False
    can_view_details = True
    details_template = "habilita/company_details.html"
    create_template = "habilita/model/create.html"
    edit_template = "habilita/model/edit.html"
    page_size = 50
    column_list = ("legal_name", "tax_id", "country", "city", "updated_at")
    column_labels = LABELS
    column_searchable_list = ("legal_name", "tax_id")

    def search_placeholder(self) -> str:
        return _("Legal name or tax id")

    column_filters = (
        FilterEqual(Company.country, _l("Country"), options=tuple(COUNTRIES.items())),
        FilterLike(Company.city, _l("City")),
    )
    column_sortable_list = ("legal_name", "tax_id", "updated_at")
    column_default_sort = ("updated_at", True)
    column_formatters = {
        "tax_id": lambda v, c, m, n: m.display_tax_id,
        "legal_name": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            v.get_url(".details_view", id=m.id), m.legal_name),
        "country": lambda v, c, m, n: COUNTRIES.get(m.country, m.country),
        "updated_at": lambda v, c, m, n: m.updated_at.strftime("%Y-%m-%d %H:%M"),
    }
    column_details_list = ("legal_name", "tax_id", "country", "email", "phone", "city", "created_at",
                           "tax_id_locked_reason")
    column_formatters_detail = {"tax_id": lambda v, c, m, n: m.display_tax_id,
                                "created_at": lambda v, c, m, n: m.created_at.strftime("%Y-%m-%d %H:%M"),
                                "country": lambda v, c, m, n: COUNTRIES.get(m.country, m.country),
                                "tax_id_locked_reason": lambda v, c, m, n: shown(m.tax_id_locked_reason)}
    form_columns = ("country", "tax_id", "check_digit", "legal_name", "email", "phone", "city")
    form_overrides = {"country": SelectField}
    form_args = {
        "country": {"choices": list(COUNTRIES.items()), "label": LABELS["country"]},
        "tax_id": {"label": LABELS["tax_id"], "description": _l(
            "Colombia: NIT without the check digit. Chile: RUT without the digit after the dash.")},
        "check_digit": {"label": LABELS["check_digit"],
                        "description": _l("The digit after the dash (K allowed in Chile).")},
        "legal_name": {"label": LABELS["legal_name"]}, "email": {"label": LABELS["email"]},
        "phone": {"label": LABELS["phone"]}, "city": {"label": LABELS["city"]},
    }

    def create_model(self, form):
        company = Company()
        form.populate_obj(company)
        return self._save(form, company, created=True)

    def update_model(self, form, model):
        form.populate_obj(model)
        return self._save(form, model, created=False)

    def _save(self, form, company: Company, *, created: bool):
        action = "create company" if created else "edit company"
        try:
            company.save(force_insert=created) if created else company.save()
        except FieldError as error:
            audit(action, "company", company.id or company.tax_id, outcome="refused", reason=refused_reason(error))
            put_error_at_field(form, error)
            return False
        audit(action, "company", company.id, detail=f"{company.legal_name} {company.display_tax_id}")
        return company
