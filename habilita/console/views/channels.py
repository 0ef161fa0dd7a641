"""Sales channels (P4, seed 003): the connections, each one's three tabs and its orders.

The three tabs (*Credenciales*, *Configuración*, *Facturación automática*) are
the connection process's own updates (``habilita.processes.channels``), built
as forms from their dataclasses with the ERP's catalogs the workflow offers as
choices; a refusal comes back at its field from the workflow's validator, as on
the process page. The orders come from ``ChannelOrder`` rows; "Facturar" is the
order workflow's update ``invoice_now`` (see :mod:`habilita.console.channel_orders`).
"""
from __future__ import annotations

import dataclasses
import functools

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from habilita.channels import cities
from habilita.channels.configuration import HUB_STATES, settings_from_json
from habilita.console import channel_orders
from habilita.console.access import RoleGuarded, actor, may_request
from habilita.console.audit import audit, why
from habilita.console.forms import CsrfForm
from habilita.console.messages import refusal_reason, say
from habilita.console.processes import page_data
from habilita.console.processes.labels import action_label, field_label
from habilita.console.processes.operations import Refusal, query_status, start_process
from habilita.console.processes.step_forms import form_class, resolution_choices
from habilita.console.speech import words
from habilita.console.views.home import search_companies
from habilita.console.views.process_page import REFUSED, audit_reason, refusal_text, send_step
from habilita.inputs.identifiers import whole_number
from habilita.messages import Message, Problem
from habilita.messages.stored import as_text, from_text
from habilita.models import AuditEvent, ChannelConnection, ChannelOrder, Company, ProcessRecord, utcnow
from habilita.processes import CHANNELS
from habilita.processes.client import StillWorking
from habilita.processes.refusals import ALREADY_STARTED, NO_ANSWER, UNAVAILABLE
from habilita.support.health import health_of

# The three tabs of seed 003, named by the step each one is.
TABS = ("credentials", "configuration", "automatic_invoicing")
# The tab each update is sent from (pause, resume and disconnect are the connection's own box).
TAB_OF = {"enter_credentials": "credentials", "configure": "configuration", "reload_catalogs": "configuration",
          "set_invoicing_rules": "automatic_invoicing", "connect_without_invoicing": "automatic_invoicing"}
LIVE_ACTIONS = ("pause_connection", "resume_connection", "disconnect")
# The steps of setting the connection up: an update sent there moves it on, and the page follows.
SETUP_STEPS = TABS
CONNECTIONS_PER_PAGE = 50
CITY_RESULTS = 15
# Fields of the rules shown as a list of the hub's states (check boxes; the update takes them comma-separated).
STATE_LIST_FIELD = "order_states"
SKUS_PER_CLICK = 20


def console():
    return current_app.extensions["habilita"]


def sku_finder() -> channel_orders.SkuFinder:
    """The console's one ERP product finder (its ERP clients kept between requests)."""
    found = current_app.extensions.get("habilita_sku_finder")
    if found is None:
        found = current_app.extensions["habilita_sku_finder"] = channel_orders.SkuFinder(console().settings,
                                                                                         console().box)
    return found


def positive(text: str | None, default: int = 1) -> int:
    return whole_number(str(text or ""), maximum=100_000) or default


def saved_settings(connection: ChannelConnection | None):
    if connection is None or not connection.settings_json:
        return None
    try:
        return settings_from_json(connection.settings_json)
    except ValueError:
        return None


def tab_of_step(step: str) -> str:
    return step if step in TABS else "automatic_invoicing"


def prefill(action_name: str, connection: ChannelConnection | None, company: Company | None, settings,
            step: str) -> dict:
    """What a tab's form shows before anyone types: what was saved (never the access key)."""
    if action_name == "enter_credentials":
        values = {"tax_id": company.tax_id if company else "", "check_digit": company.check_digit if company else ""}
        if connection is not None and connection.name:
            values.update(name=connection.name, api_user=connection.api_user,
                          marketplace_user_id=connection.marketplace_user_id,
                          tax_id=connection.erp_tax_id or values["tax_id"],
                          check_digit=connection.erp_check_digit or values["check_digit"])
        return values
    if action_name == "configure" and settings is not None:
        return dataclasses.asdict(settings.configuration)
    if action_name == "set_invoicing_rules" and settings is not None and step not in SETUP_STEPS:
        rules = dataclasses.asdict(settings.rules)
        return {k: ",".join(v) if isinstance(v, (list, tuple)) else v for k, v in rules.items()}
    return {}


def submitted_data(action_name: str) -> MultiDict:
    """The request's form, the rules' order states (one check box each) joined as the update takes them."""
    data = MultiDict(request.form)
    if action_name == "set_invoicing_rules":
        chosen = [s.strip() for value in request.form.getlist(STATE_LIST_FIELD) for s in value.split(",")]
        data.setlist(STATE_LIST_FIELD, [",".join(s for s in chosen if s)])
    return data


def shown_value(name: str, value, offered: dict) -> str:
    """A saved setting as a person reads it: the ERP's name for an id, words for choices, the city's name."""
    labels = dict(offered.get(name) or ())
    if isinstance(value, str) and value in labels:
        return str(labels[value])
    if name == "customer_city_code" and value:
        found = cities.city(value)
        return f"{found.label} ({value})" if found else value
    if value in ("", (), []):
        return "—"
    return page_data.readable(value)


class ChannelsView(RoleGuarded, BaseView):
    """Canales de venta: every connection with its orders counted, and "Conectar canal"."""

    write_endpoint = "act"

    @expose("/")
    def index(self):
        page = positive(request.args.get("page"))
        query = (ChannelConnection.select(ChannelConnection, Company).join(Company)
                 .order_by(Company.legal_name, ChannelConnection.id))
        total = query.count()
        pages = max(1, -(-total // CONNECTIONS_PER_PAGE))
        connections = list(query.paginate(min(page, pages), CONNECTIONS_PER_PAGE))
        records = {r.workflow_id: r for r in ProcessRecord.select().where(
            ProcessRecord.workflow_id.in_([c.workflow_id for c in connections] or [""]))}
        term = (request.args.get("company") or "").strip()[:100]
        may_connect = may_request("channels.connect")
        return self.render(
            "habilita/channels/index.html", connections=connections, records=records, page=min(page, pages),
            pages=pages, counts=channel_orders.order_counts([c.id for c in connections]), term=term,
            companies=search_companies(term) if term and may_connect else [], may_connect=may_connect)

    @expose("/connect", methods=["POST"])
    def connect(self):
        """"Conectar canal" for a company: the connection process starts at its credentials."""
        company = Company.get_or_none(Company.id == whole_number(request.form.get("company_id", ""), maximum=2**62)) or abort(404)
        if not CsrfForm(request.form).validate():
            audit("start process", "company", company.id, outcome="refused", reason=why("audit.form_expired"))
            flash(_("The form expired; try again."), "danger")
            return redirect(url_for(".index"))
        try:
            workflow_id = start_process(console().bridge, CHANNELS, company, actor=actor(),
                                        settings=console().settings)
        except Refusal as refusal:
            if refusal.kind != ALREADY_STARTED:
                audit("start process", "company", company.id, outcome="refused",
                      reason=why("audit.refusal_kind", kind=refusal.kind))
                flash(refusal_text(refusal), "danger")
                return redirect(url_for(".index"))
            workflow_id = CHANNELS.workflow_id(company)
            audit("start process", "process", workflow_id, outcome="refused", reason=why("audit.already_running"))
            flash(_("%(company)s already has a sales channel being connected or connected.",
                    company=company.legal_name), "warning")
            return redirect(url_for(".page", workflow_id=workflow_id))
        audit("start process", "process", workflow_id, detail=as_text(
            Message("audit.process_for", {"process": CHANNELS.process_type, "tax_id": company.display_tax_id})))
        flash(_("Process started for %(company)s.", company=company.legal_name), "success")
        page_data.wait_for_projection(workflow_id, "")
        return redirect(url_for(".page", workflow_id=workflow_id, starting=1))

    @expose("/cities.json")
    def cities(self):
        """DANE municipalities matching ``q`` (a code prefix or words of the name), for the city field."""
        found = cities.search((request.args.get("q") or "")[:60], limit=CITY_RESULTS)
        return jsonify({"cities": [{"code": c.code, "label": c.label} for c in found]})

    @expose("/<workflow_id>")
    def page(self, workflow_id: str, submitted: dict | None = None, tab: str | None = None):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        if record is None:
            if request.args.get("starting"):
                return self.render("habilita/process_starting.html", workflow_id=workflow_id)
            abort(404)
        if record.process_type != CHANNELS.process_type:
            abort(404)
        connection = ChannelConnection.get_or_none(ChannelConnection.workflow_id == workflow_id)
        company = record.company
        status = query_status(console().bridge, console().settings, CHANNELS, workflow_id)
        offered = resolution_choices([status]) if status is not None else {}
        settings = saved_settings(connection)
        step = record.current_step
        ended = record.status in page_data.TERMINAL
        may_write = self.may_write() and not ended
        tab = tab or request.args.get("tab", "")
        tab = tab if tab in TABS else tab_of_step(step)
        forms = {}
        if may_write:
            for action in CHANNELS.actions_for(step):
                form = (submitted or {}).get(action.name) or form_class(action, offered)(
                    formdata=None, data=prefill(action.name, connection, company, settings, step))
                forms[action.name] = form
        state = request.args.get("state", "")
        state = state if state in channel_orders.FILTER_STATES else ""
        orders, pages = channel_orders.orders_of(connection, state, positive(request.args.get("page"))) \
            if connection is not None else ([], 1)
        health_kind, health_why = health_of(record, utcnow())
        configuration = dataclasses.asdict(settings.configuration) if settings is not None and \
            step not in ("credentials", "configuration") else None
        rules = dataclasses.asdict(settings.rules) if settings is not None and step not in SETUP_STEPS else None
        return self.render(
            "habilita/channels/page.html", record=record, connection=connection, company=company, status=status,
            step=step, ended=ended, tab=tab, tabs=TABS, forms=forms, may_write=may_write,
            configuration=configuration, rules=rules, shown_value=functools.partial(shown_value, offered=offered),
            catalogs_read=status is not None and bool(offered), hub_states=HUB_STATES,
            city=cities.city(city_code(forms, rules)),
            counts=channel_orders.order_counts([connection.id])[connection.id] if connection is not None else {},
            orders=orders, state=state, pages=pages, page=positive(request.args.get("page")),
            filter_states=channel_orders.FILTER_STATES, unknown_skus=channel_orders.unknown_skus,
            order_state=lambda s: say(Message(f"order_state.{s}")), reason_of=reason_of,
            may_invoice=may_request("channels.invoice") and connection is not None,
            health_kind=health_kind, health_why=health_why, live_actions=LIVE_ACTIONS,
            history=recent_history(workflow_id), action_label=action_label,
            choice_label=lambda name: words("choice", name),
        )

    @expose("/<workflow_id>/act/<action_name>", methods=["POST"])
    def act(self, workflow_id: str, action_name: str):
        """Send a tab's update; a refusal comes back to the tab's form, at its fields."""
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id) or abort(404)
        if record.process_type != CHANNELS.process_type:
            abort(404)
        step = record.current_step
        action = CHANNELS.action(step, action_name)
        tab = TAB_OF.get(action_name)
        if action is None:
            audit(action_name, "process", workflow_id, outcome="refused",
                  reason=why("audit.not_an_action_of_step", step=step))
            flash(_("The process is no longer at this step; the page now shows where it stands."), "warning")
            return redirect(url_for(".page", workflow_id=workflow_id))
        offered = resolution_choices([query_status(console().bridge, console().settings, CHANNELS, workflow_id)])
        form = form_class(action, offered)(submitted_data(action_name))
        answer = send_step(action, form, workflow_id)
        if answer is REFUSED:
            return self.page(workflow_id, submitted={action.name: form}, tab=tab)
        if isinstance(answer, StillWorking):
            audit(action_name, "process", workflow_id, outcome="accepted", payload={"action": action_name, "step": step})
            flash(say(answer.message), "info")
            return redirect(url_for(".page", workflow_id=workflow_id, tab=tab))
        audit(action_name, "process", workflow_id, payload={"action": action_name, "step": step})
        flash(_("Done: %(what)s.", what=action_label(action_name)), "success")
        page_data.wait_for_projection(workflow_id, record.version)
        # Set up step by step, the page follows the process to its next tab; a later edit stays on its tab.
        return redirect(url_for(".page", workflow_id=workflow_id, tab=None if step in SETUP_STEPS else tab))

    @expose("/<workflow_id>/orders/<order_id>/sku-match.json")
    def sku_match(self, workflow_id: str, order_id: str):
        """For an order in error, the ERP code that now matches each unknown SKU ("if the SKU matches it
        shows by itself"): asked of the ERP after the page is shown, so the page never waits on it."""
        connection, order = self._order(workflow_id, order_id)
        skus = channel_orders.unknown_skus(order)
        found = sku_finder().matches(connection, skus) if skus else {}
        return jsonify({"available": found is not None, "matches": found or {}})

    @expose("/<workflow_id>/orders/<order_id>/invoice", methods=["POST"])
    def invoice(self, workflow_id: str, order_id: str):
        """"Facturar": the order workflow's ``invoice_now`` with the SKU codes typed; an order invoiced
        already is never invoiced again (the workflow answers with its invoice)."""
        connection, order = self._order(workflow_id, order_id)
        back = redirect(url_for(".page", workflow_id=workflow_id, state=request.form.get("state") or None,
                                _anchor=f"order-{order_id}"))
        if not CsrfForm(request.form).validate():
            audit("invoice order", "process", workflow_id, outcome="refused", reason=why("audit.form_expired"),
                  detail=order_id)
            flash(_("The form expired; try again."), "danger")
            return back
        if order.state == "invoiced":
            self._already_invoiced(workflow_id, order)
            return back
        pairs = tuple((sku.strip(), code.strip()) for sku, code in zip(request.form.getlist("sku"),
                                                                      request.form.getlist("code"))
                      if sku.strip() and code.strip())[:SKUS_PER_CLICK]
        try:
            outcome = channel_orders.invoice_now(console().bridge, console().settings, connection,
                                                 connection.company.tax_id, order_id, actor=actor(), overrides=pairs)
        except Refusal as refusal:
            audit("invoice order", "process", workflow_id, outcome="refused", reason=audit_reason(refusal),
                  detail=order_id, payload={"order": order_id, "sku_overrides": dict(pairs)})
            flash(_("Order %(order)s: %(why)s", order=order_id, why=order_refusal_text(refusal)), "danger")
            return back
        result = channel_orders.InvoiceResult(order_id, outcome=outcome)
        if result.invoiced:
            audit("invoice order", "process", workflow_id, detail=f"{order_id} · {outcome.invoice.number}",
                  payload={"order": order_id, "invoice": outcome.invoice.number, "sku_overrides": dict(pairs)})
            flash(_("Order %(order)s invoiced as %(number)s.", order=order_id, number=outcome.invoice.number),
                  "success")
        else:
            audit("invoice order", "process", workflow_id, outcome="accepted", detail=order_id,
                  payload={"order": order_id, "state": outcome.state, "sku_overrides": dict(pairs)})
            flash(_("Order %(order)s: %(why)s", order=order_id,
                    why=say(outcome.reason) if outcome.reason else order_state_text(outcome.state)), "info")
        return back

    @expose("/<workflow_id>/orders/invoice", methods=["POST"])
    def invoice_selected(self, workflow_id: str):
        """"Facturar seleccionadas": the orders in error that were ticked, each with its own result."""
        connection = ChannelConnection.get_or_none(ChannelConnection.workflow_id == workflow_id) or abort(404)
        if not CsrfForm(request.form).validate():
            audit("invoice order", "process", workflow_id, outcome="refused", reason=why("audit.form_expired"))
            flash(_("The form expired; try again."), "danger")
            return redirect(url_for(".page", workflow_id=workflow_id, state="error"))
        wanted = list(dict.fromkeys(o.strip() for o in request.form.getlist("order_id") if o.strip()))
        if not wanted:
            flash(_("Tick the orders in error to invoice."), "warning")
            return redirect(url_for(".page", workflow_id=workflow_id, state="error"))
        rows = {o.order_id: o for o in ChannelOrder.select().where(
            (ChannelOrder.connection == connection.id) & ChannelOrder.order_id.in_(wanted[:channel_orders.BULK_LIMIT]))}
        results: dict[str, channel_orders.InvoiceResult] = {}
        for order_id in wanted[:channel_orders.BULK_LIMIT]:
            row = rows.get(order_id)
            if row is None:
                results[order_id] = channel_orders.InvoiceResult(order_id, missing=True)
            elif row.state == "invoiced":
                results[order_id] = channel_orders.InvoiceResult(order_id, already=True)
        to_send = [o for o in wanted[:channel_orders.BULK_LIMIT] if o not in results]
        if to_send:
            results.update(channel_orders.invoice_many(console().bridge, console().settings, connection,
                                                       connection.company.tax_id, to_send, actor=actor()))
        lines = []
        for order_id in wanted[:channel_orders.BULK_LIMIT]:
            result = results[order_id]
            row = rows.get(order_id)
            lines.append(bulk_line(result, row))
            if result.invoiced:
                audit("invoice order", "process", workflow_id, detail=f"{order_id} · {result.outcome.invoice.number}",
                      payload={"order": order_id, "invoice": result.outcome.invoice.number, "bulk": True})
            elif result.refusal is not None:
                audit("invoice order", "process", workflow_id, outcome="refused",
                      reason=audit_reason(result.refusal), detail=order_id, payload={"order": order_id, "bulk": True})
            elif not (result.already or result.missing):
                audit("invoice order", "process", workflow_id, outcome="accepted", detail=order_id,
                      payload={"order": order_id, "state": result.outcome.state, "bulk": True})
        return self.render("habilita/channels/bulk.html", connection=connection, workflow_id=workflow_id,
                           lines=lines, left_out=max(0, len(wanted) - channel_orders.BULK_LIMIT))

    def _order(self, workflow_id: str, order_id: str) -> tuple[ChannelConnection, ChannelOrder]:
        connection = ChannelConnection.get_or_none(ChannelConnection.workflow_id == workflow_id) or abort(404)
        order = ChannelOrder.get_or_none((ChannelOrder.connection == connection.id)
                                         & (ChannelOrder.order_id == order_id)) or abort(404)
        return connection, order

    @staticmethod
    def _already_invoiced(workflow_id: str, order: ChannelOrder) -> None:
        """A second click: the order is invoiced; nothing is sent, nothing is created."""
        audit("invoice order", "process", workflow_id, outcome="refused", detail=order.order_id,
              reason=refusal_reason([Problem("", "order_not_in_error", {"state": {"code": "order_state.invoiced",
                                                                                   "params": {}}})]))
        flash(_("Order %(order)s is already invoiced as %(number)s: no other invoice was created.",
                order=order.order_id, number=order.invoice_number), "warning")


def recent_history(workflow_id: str, limit: int = 15) -> list[AuditEvent]:
    """The connection's latest recorded events, newest first (the full history is one link away)."""
    return list(AuditEvent.select().where(AuditEvent.target_id == workflow_id)
                .order_by(AuditEvent.id.desc()).limit(limit))


def city_code(forms: dict, rules: dict | None) -> str:
    """The customer city the rules' tab shows: the one typed in its form, else the one saved."""
    form = forms.get("set_invoicing_rules")
    if form is not None:
        return (form.customer_city_code.data or "").strip()
    return (rules or {}).get("customer_city_code", "")


def order_state_text(state: str) -> str:
    return say(Message(f"order_state.{state}"))


def reason_of(order: ChannelOrder) -> str:
    """Why the order stands where it does, in the reader's words."""
    message = from_text(order.reason)
    return say(message) if message is not None else ""


def order_refusal_text(refusal: Refusal) -> str:
    """Why "Facturar" was refused, in the reader's words: the workflow's problems, or why nothing was heard."""
    if refusal.problems:
        return "; ".join(f"{field_label(p.field)}: {say(p)}" if p.field else say(p) for p in refusal.problems)
    if refusal.kind == NO_ANSWER:
        return _("the order did not answer in time; it may still be under way. The page shows where it stands; "
                 "check it before trying again.")
    if refusal.kind == UNAVAILABLE:
        return _("Temporal could not be reached; nothing was saved. Try again in a moment.")
    return refusal.message


@dataclasses.dataclass(frozen=True)
class BulkLine:
    order_id: str
    kind: str  # invoiced, already, refused, under_way
    text: str


def bulk_line(result: channel_orders.InvoiceResult, row: ChannelOrder | None) -> BulkLine:
    if result.missing:
        return BulkLine(result.order_id, "refused", _("this connection has no such order"))
    if result.already:
        return BulkLine(result.order_id, "already", _("already invoiced as %(number)s: no other invoice was created",
                                                      number=row.invoice_number if row else ""))
    if result.invoiced:
        return BulkLine(result.order_id, "invoiced", _("invoiced as %(number)s", number=result.outcome.invoice.number))
    if result.refusal is not None:
        kind = "under_way" if result.refusal.kind == NO_ANSWER else "refused"
        return BulkLine(result.order_id, kind, order_refusal_text(result.refusal))
    outcome = result.outcome
    return BulkLine(result.order_id, "under_way", say(outcome.reason) if outcome.reason else order_state_text(outcome.state))
