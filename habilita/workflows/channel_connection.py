"""P4: a company's sales-channel connection to its ERP, and the settings its orders are invoiced under (seed 003).

Steps: ``credentials`` (checked against the ERP at once) -> ``configuration``
(one price list, currency, warehouse, seller and the buyers' default e-mail
and phone, from the ERP's own catalogs) -> ``automatic_invoicing`` (the rules,
or "connect without automatic invoicing") -> ``connected`` (long-lived:
orders arrive; ``paused`` while a person pauses it) until it is disconnected.

The access key never enters this workflow: the shell seals it into the
connection's row and the credentials update carries the row's id. Every
change of the settings is written by an activity to ``ChannelConnection``
(``settings_json``, ``settings_version``, ``state``), where the order
workflows read the settings in force. The order side signals
``invoicing_stopped`` when the ERP refuses the credentials, blocks the API
user or keeps answering "too many requests"; the process then says so as its
last error, which support's queue shows, until ``invoicing_resumed``.

With automatic invoicing on, the connection runs its reconciliation
(``ChannelReconciliation``, a child named by type, id ``<this id>-reconcile``)
and terminates it when it ends. Continuing as new closes this run, and the
child with it: the new run starts it again (a pass of reconciliation keeps
nothing a restart would lose), waiting out the old one's termination.
"""
from __future__ import annotations

import asyncio
import dataclasses
import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    WorkflowAlreadyStartedError,
)
from temporalio.workflow import ParentClosePolicy

from habilita.inputs import limits
from habilita.inputs.identifiers import ascii_digits, phone_digits
from habilita.messages.problem_codes import tax_id_problem
from habilita.states import ProcessStatus, WaitingOn

from .accounting_sync import refusal_from
from .inputs import Problems, expect_step
from .process import AuditEntry, ProcessTracker, projecting_the_end

with workflow.unsafe.imports_passed_through():
    from habilita.activities.channel_connection import (
        CatalogsRequest,
        ChannelConnectionActivities,
        CredentialsAccepted,
        CredentialsCheck,
        ErpCatalogs,
        OpenConnection,
        SettingsToSave,
        StoppedReason,
    )
    from habilita.channels import cities
    from habilita.channels.configuration import (
        CURRENCIES,
        CUSTOMER_ID_TYPES,
        HUB_STATES,
        ErpConfiguration,
        InvoicingResumed,
        InvoicingRules,
        InvoicingStopped,
        Offered,
        ReconcileStart,
    )
    from habilita.dian.checkdigit import validate_nit
    from habilita.dian.errors import InvalidTaxId
    from habilita.inputs.emails import email_problem
    from habilita.messages import Message

PROCESS_TYPE = "channels"
RECONCILIATION = "ChannelReconciliation"
RECONCILE_SUFFIX = "-reconcile"


class Step(StrEnum):
    """P4's steps, in order; ``paused`` is the connected connection, paused by a person."""

    CREDENTIALS = "credentials"
    CONFIGURATION = "configuration"
    AUTOMATIC_INVOICING = "automatic_invoicing"
    CONNECTED = "connected"
    PAUSED = "paused"


STEPS = tuple(Step)
DISCONNECTED = "disconnected"  # where the process ends
LIVE = (Step.CONNECTED, Step.PAUSED)
QUICK = timedelta(seconds=60)
# The ERP may take long to answer: the settings' timeouts bound each call, this bounds an attempt.
ERP_CALL = timedelta(minutes=5)
HANDLER_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=10), maximum_attempts=5)
WRITE_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
# The old run's reconciliation is terminated as it closes; its successor waits this long between tries.
RECONCILE_RESTART_WAIT = timedelta(seconds=1)
RECONCILE_RESTART_TRIES = 30
# What the ERP's columns hold: channel_connection.name, api_user, marketplace_user_id.
NAME_MAX, API_USER_MAX, MARKETPLACE_USER_MAX = 60, 100, 20
SOURCE_CHANNEL_MAX, GENERIC_SKU_MAX = 60, 30
EXCHANGE_RATE_EXAMPLE = "4100.50"
# A positive decimal in ASCII digits: "1", "4100.50".
EXCHANGE_RATE = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)
PHONE_DIGITS = (7, 15)
# The fields of a status's ``offers`` and the catalog each comes from.
CATALOG_OF = {"price_list_id": "price_lists", "warehouse_id": "warehouses", "seller_id": "sellers",
              "document_type_id": "document_types", "cost_center_id": "cost_centers",
              "payment_type_id": "payment_types", "product_warehouse_id": "warehouses"}


@dataclass(frozen=True)
class EnterCredentials:
    """Step 1 (*Credenciales*): the channel's name, the company's NIT, the ERP's API user, and the marketplace
    seller whose orders this connection invoices. The access key is sealed by the shell before this is sent:
    ``connection_id`` names the row that holds it, and the key itself is never here."""

    actor: str
    name: str
    tax_id: str
    check_digit: str
    api_user: str
    marketplace_user_id: str
    connection_id: int = 0


@dataclass(frozen=True)
class ConfigureConnection:
    """Step 2 (*Configuración*): one of each from the ERP's catalogs, and the buyers' default contact."""

    actor: str
    price_list_id: str
    currency: str
    warehouse_id: str
    seller_id: str
    default_email: str
    default_phone: str


@dataclass(frozen=True)
class SetInvoicingRules:
    """Step 3 (*Facturación automática*). ``source_channels`` and ``order_states`` are comma-separated
    (empty: all of them); ids come from the ERP's catalogs; ``exchange_rate`` is a decimal like 4100.50."""

    actor: str
    enabled: bool = False
    source_channels: str = ""
    order_states: str = ""
    invoice_fulfillment: bool = False
    document_type_id: str = ""
    cost_center_id: str = ""
    payment_type_id: str = ""
    customer_id_type: str = "13"
    customer_city_code: str = ""
    invoice_currency: str = "COP"
    exchange_rate: str = "1"
    product_warehouse_id: str = ""
    generic_sku: str = ""
    send_to_dian: bool = False
    invoice_shipping: bool = False


@dataclass(frozen=True)
class ConnectWithoutInvoicing:
    """Step 3, "Actualizar" with automatic invoicing left off: the channel is connected."""

    actor: str


@dataclass(frozen=True)
class ReloadCatalogs:
    """Read the ERP's catalogs again (a warehouse or seller created there since)."""

    actor: str


@dataclass(frozen=True)
class PauseConnection:
    actor: str


@dataclass(frozen=True)
class ResumeConnection:
    actor: str


@dataclass(frozen=True)
class Disconnect:
    """End the connection: no order is invoiced under it any more."""

    actor: str
    reason: str


@dataclass(frozen=True)
class SettingsSaved:
    version: int
    state: str


@dataclass(frozen=True)
class ConnectionState:
    """Everything the connection knows; carried across continue-as-new."""

    connection_id: int = 0
    credentials: CredentialsAccepted | None = None
    catalogs: ErpCatalogs | None = None
    configuration: ErpConfiguration | None = None
    rules: InvoicingRules | None = None
    settings_version: int = 0
    paused: bool = False
    disconnected_by: str = ""
    stopped: Message | None = None
    # Automatic invoicing was on at some point: the reconciliation runs from then on.
    reconciling: bool = False


@dataclass(frozen=True)
class StartChannelConnection:
    company_id: int
    company_tax_id: str
    tax_id: str
    country: str
    started_by: str
    # Continue as new past this many history events (0: when Temporal suggests it).
    renew_after_events: int = 0
    carried: ConnectionState | None = None


@dataclass(frozen=True)
class ConnectionStatus:
    step: str
    status: str
    waiting_on: str
    connection_id: int
    name: str
    api_user: str
    display_tax_id: str
    marketplace_user_id: str
    configuration: ErpConfiguration | None
    rules: InvoicingRules | None
    settings_version: int
    paused: bool
    invoicing_enabled: bool
    invoicing_stopped: Message | None
    reconciliation_id: str
    # Choices the console offers for these fields (ERP ids with their names), from the ERP's catalogs.
    offers: dict[str, list[Offered]] = field(default_factory=dict)


def check_credentials(data: EnterCredentials, company_tax_id: str, connection_id: int) -> None:
    """Every field of the credentials step, at once; the access key by its reference (sealed into this
    process's own connection, ``connection_id``)."""
    problems = Problems.acting(data.actor)
    problems.require("name", data.name, maximum=NAME_MAX)
    number = (data.tax_id or "").replace(".", "").replace(" ", "").strip()
    digit = (data.check_digit or "").strip()
    if problems.require("tax_id", number) and problems.require("check_digit", digit):
        try:
            validate_nit(number, digit)
        except InvalidTaxId as exc:
            problems.extend([tax_id_problem(exc, number_field="tax_id", check_digit_field="check_digit")])
        else:
            if number != company_tax_id:
                problems.add("tax_id", "channel_nit_not_company", nit=company_tax_id)
    problems.require("api_user", data.api_user, maximum=API_USER_MAX)
    seller = (data.marketplace_user_id or "").strip()
    if problems.require("marketplace_user_id", seller, maximum=MARKETPLACE_USER_MAX) and not ascii_digits(seller):
        problems.add("marketplace_user_id", "marketplace_user_digits", maximum=MARKETPLACE_USER_MAX)
    if data.connection_id <= 0:
        problems.add("access_key", "required")
    elif data.connection_id != connection_id:
        problems.add("access_key", "connection_not_open")
    problems.raise_if_any()


def _in_catalog(problems: Problems, name: str, value: str, catalog: list[Offered], *, required: bool = True) -> None:
    """Refuse ``name`` unless ``value`` is an id the ERP's catalog offers (blank: refused when required)."""
    value = (value or "").strip()
    if not value and required:
        problems.add(name, "required")
    if not value:
        return
    if value not in {o.value for o in catalog}:
        problems.add(name, "not_in_erp_catalog", value=value, offered=[o.label for o in catalog] or ["-"])


def _one_of(problems: Problems, name: str, value: str, allowed: tuple[str, ...]) -> None:
    if (value or "").strip() not in allowed:
        problems.add(name, "one_of", choices=list(allowed))


def check_configuration(data: ConfigureConnection, catalogs: ErpCatalogs) -> ErpConfiguration:
    problems = Problems.acting(data.actor)
    _in_catalog(problems, "price_list_id", data.price_list_id, catalogs.price_lists)
    _one_of(problems, "currency", data.currency, CURRENCIES)
    _in_catalog(problems, "warehouse_id", data.warehouse_id, catalogs.warehouses)
    _in_catalog(problems, "seller_id", data.seller_id, catalogs.sellers)
    email = (data.default_email or "").strip()
    if problems.require("default_email", email, maximum=limits.EMAIL) and (
            problem := email_problem("default_email", email, maximum=limits.EMAIL)):
        problems.extend([problem])
    phone = (data.default_phone or "").strip()
    if problems.require("default_phone", phone, maximum=limits.PHONE):
        digits = phone_digits(phone)
        if digits is None or not PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]:
            problems.add("default_phone", "phone_format", minimum=PHONE_DIGITS[0], maximum=PHONE_DIGITS[1])
    problems.raise_if_any()
    return ErpConfiguration(price_list_id=data.price_list_id.strip(), currency=data.currency.strip(),
                            warehouse_id=data.warehouse_id.strip(), seller_id=data.seller_id.strip(),
                            default_email=email, default_phone=phone)


def _listed(text: str) -> tuple[str, ...]:
    """A comma-separated list, each item trimmed, empty ones dropped, each once in the order given."""
    return tuple(dict.fromkeys(item.strip() for item in (text or "").split(",") if item.strip()))


def check_rules(data: SetInvoicingRules, catalogs: ErpCatalogs) -> InvoicingRules:
    """The rules, each field judged; with automatic invoicing on, the defaults an order lacks are required."""
    problems = Problems.acting(data.actor)
    on = bool(data.enabled)
    channels = _listed(data.source_channels)
    for channel in channels:
        if not problems.require("source_channels", channel, maximum=SOURCE_CHANNEL_MAX):
            break
    states = _listed(data.order_states)
    if any(state not in HUB_STATES for state in states):
        problems.add("order_states", "one_of", choices=list(HUB_STATES))
    _in_catalog(problems, "document_type_id", data.document_type_id, catalogs.document_types, required=on)
    _in_catalog(problems, "cost_center_id", data.cost_center_id, catalogs.cost_centers, required=False)
    if on and not (data.cost_center_id or "").strip() \
            and (data.document_type_id or "").strip() in catalogs.cost_center_required:
        problems.add("cost_center_id", "cost_center_required_by_document")
    _in_catalog(problems, "payment_type_id", data.payment_type_id, catalogs.payment_types, required=on)
    _one_of(problems, "customer_id_type", data.customer_id_type, CUSTOMER_ID_TYPES)
    city = (data.customer_city_code or "").strip()
    if city and not cities.is_city_code(city):
        problems.add("customer_city_code", "dane_city_unknown", value=city)
    elif on and not city:
        problems.add("customer_city_code", "required")
    _one_of(problems, "invoice_currency", data.invoice_currency, CURRENCIES)
    rate = (data.exchange_rate or "").strip()
    if problems.require("exchange_rate", rate, maximum=24):
        try:
            number = Decimal(rate) if EXCHANGE_RATE.fullmatch(rate) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            problems.add("exchange_rate", "not_a_decimal", value=rate, example=EXCHANGE_RATE_EXAMPLE)
        elif number <= 0:
            problems.add("exchange_rate", "exchange_rate_positive", value=rate)
    _in_catalog(problems, "product_warehouse_id", data.product_warehouse_id, catalogs.warehouses, required=on)
    sku = (data.generic_sku or "").strip()
    if sku:
        problems.require("generic_sku", sku, maximum=GENERIC_SKU_MAX)
    problems.raise_if_any()
    return InvoicingRules(
        enabled=on, source_channels=channels, order_states=states, invoice_fulfillment=bool(data.invoice_fulfillment),
        document_type_id=data.document_type_id.strip(), cost_center_id=data.cost_center_id.strip(),
        payment_type_id=data.payment_type_id.strip(), customer_id_type=data.customer_id_type.strip(),
        customer_city_code=city, invoice_currency=data.invoice_currency.strip(), exchange_rate=rate,
        product_warehouse_id=data.product_warehouse_id.strip(), generic_sku=sku,
        send_to_dian=bool(data.send_to_dian), invoice_shipping=bool(data.invoice_shipping))


def offers_of(catalogs: ErpCatalogs | None) -> dict[str, list[Offered]]:
    """What each id field may be, as the console offers it."""
    if catalogs is None:
        return {}
    return {name: list(getattr(catalogs, catalog)) for name, catalog in CATALOG_OF.items()}


@workflow.defn
class SalesChannelConnection:
    @workflow.init
    def __init__(self, start: StartChannelConnection) -> None:
        # Set before any update is validated: an update may arrive with the start.
        self._start = start
        self._state = start.carried or ConnectionState()
        self._tracker: ProcessTracker | None = None
        self._lock = asyncio.Lock()
        self._changed = False  # the live step or the stop needs projecting again
        self._reconciliation_started = False

    @workflow.run
    async def run(self, start: StartChannelConnection) -> str:
        return await projecting_the_end(lambda: self._tracker, self._run(start))

    async def _run(self, start: StartChannelConnection) -> str:
        self._tracker = ProcessTracker(process_type=PROCESS_TYPE, company_id=start.company_id,
                                       company_tax_id=start.company_tax_id)
        if not self._state.connection_id:
            connection_id = await workflow.execute_activity_method(
                ChannelConnectionActivities.open_connection, OpenConnection(start.company_id, start.started_by),
                start_to_close_timeout=QUICK, retry_policy=WRITE_RETRY)
            self._state = replace(self._state, connection_id=connection_id)
        for step, reached in ((Step.CREDENTIALS, lambda: self._state.catalogs is not None),
                              (Step.CONFIGURATION, lambda: self._state.configuration is not None),
                              (Step.AUTOMATIC_INVOICING, lambda: self._state.rules is not None)):
            if not reached():
                await self._tracker.enter(step, waiting_on=WaitingOn.STAFF)
                await workflow.wait_condition(reached)
        await self._project_live()
        while True:
            await workflow.wait_condition(lambda: self._changed or bool(self._state.disconnected_by)
                                          or self._reconciliation_due() or self._renewal_due())
            if self._state.disconnected_by:
                break
            if self._reconciliation_due():
                await self._start_reconciliation()
            if self._changed:
                self._changed = False
                await self._project_live()
            if self._renewal_due():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(replace(self._start, carried=self._state))
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._tracker.finish(ProcessStatus.COMPLETED, step=DISCONNECTED)
        return DISCONNECTED

    # The live connection ------------------------------------------------------
    async def _project_live(self) -> None:
        """Project ``connected`` (waiting on the system: orders) or ``paused``, then a stop's reason if any."""
        if self._state.paused:
            await self._tracker.enter(Step.PAUSED, waiting_on=WaitingOn.NOBODY, status=ProcessStatus.WAITING)
        else:
            await self._tracker.enter(Step.CONNECTED, waiting_on=WaitingOn.SYSTEM)
        if self._state.stopped is not None:
            await self._tracker.failed_attempt(Message("blocked.invoicing_stopped", {
                "reason": dataclasses.asdict(self._state.stopped)}))

    def _reconciliation_due(self) -> bool:
        return (self._state.reconciling and not self._reconciliation_started and not self._state.disconnected_by
                and self._tracker is not None and self._tracker.step in LIVE)

    def _renewal_due(self) -> bool:
        info = workflow.info()
        limit = self._start.renew_after_events
        return (info.get_current_history_length() > limit) if limit else info.is_continue_as_new_suggested()

    def _reconciliation_id(self) -> str:
        return workflow.info().workflow_id + RECONCILE_SUFFIX

    async def _start_reconciliation(self) -> None:
        """Start the connection's reconciliation once per run; the previous run's is being terminated
        as that run closed, so its id may still be taken for a moment."""
        for _ in range(RECONCILE_RESTART_TRIES):
            try:
                await workflow.start_child_workflow(
                    RECONCILIATION, ReconcileStart(connection_id=self._state.connection_id,
                                                   workflow_id=workflow.info().workflow_id),
                    id=self._reconciliation_id(), parent_close_policy=ParentClosePolicy.TERMINATE,
                    static_summary=f"reconcile connection {self._state.connection_id}")
            except WorkflowAlreadyStartedError:
                await workflow.sleep(RECONCILE_RESTART_WAIT)
                continue
            self._reconciliation_started = True
            return
        raise ApplicationError(f"the reconciliation {self._reconciliation_id()} is still running from a previous run",
                               type="ReconciliationStillRunning")

    async def _run_activity(self, method, arg, *, timeout: timedelta = QUICK):
        """Run an activity for a person's action, one at a time; its refusal fails only that action."""
        async with self._lock:
            return await self._call(method, arg, timeout=timeout)

    @staticmethod
    async def _call(method, arg, *, timeout: timedelta = QUICK):
        try:
            return await workflow.execute_activity_method(method, arg, start_to_close_timeout=timeout,
                                                          retry_policy=HANDLER_RETRY)
        except ActivityError as error:
            raise refusal_from(error) from error

    async def _save(self, actor: str, action: str, *, configuration: ErpConfiguration | None = None,
                    rules: InvoicingRules | None = None, paused: bool | None = None,
                    state: str = "") -> SettingsSaved:
        """Write the settings in force (the next version) and the connection's state; then keep them.

        Under the lock: two edits sent at once get two versions, in the order they are written."""
        async with self._lock:
            s = self._state
            configuration = configuration or s.configuration
            rules = rules or s.rules
            paused = s.paused if paused is None else paused
            if not state:
                state = "connecting" if rules is None else ("paused" if paused else "connected")
            version = s.settings_version + 1
            await self._call(ChannelConnectionActivities.save_settings, SettingsToSave(
                connection_id=s.connection_id, state=state, actor=actor, action=action, configuration=configuration,
                rules=rules or InvoicingRules(), version=version, paused=paused))
            self._state = replace(self._state, configuration=configuration, rules=rules, paused=paused,
                                  settings_version=version,
                                  reconciling=self._state.reconciling or bool(rules and rules.enabled))
        self._changed = True
        return SettingsSaved(version, state)

    def _step(self) -> str:
        """The step the state stands at (the projection may still be catching up)."""
        s = self._state
        if not s.connection_id:
            return "starting"
        if s.disconnected_by:
            return DISCONNECTED
        if s.catalogs is None:
            return Step.CREDENTIALS
        if s.configuration is None:
            return Step.CONFIGURATION
        if s.rules is None:
            return Step.AUTOMATIC_INVOICING
        return Step.PAUSED if s.paused else Step.CONNECTED

    def _at(self, action: str, *steps: str) -> None:
        expect_step(action, self._step(), *steps)

    # Step 1 ---------------------------------------------------------------
    @workflow.update
    async def enter_credentials(self, data: EnterCredentials) -> CredentialsAccepted:
        check = CredentialsCheck(
            connection_id=data.connection_id, actor=data.actor, name=data.name.strip(),
            tax_id=data.tax_id.replace(".", "").replace(" ", "").strip(), check_digit=data.check_digit.strip(),
            api_user=data.api_user.strip(), marketplace_user_id=data.marketplace_user_id.strip())
        accepted = await self._run_activity(ChannelConnectionActivities.check_credentials, check, timeout=ERP_CALL)
        catalogs = await self._run_activity(ChannelConnectionActivities.load_catalogs,
                                            CatalogsRequest(data.connection_id), timeout=ERP_CALL)
        self._state = replace(self._state, credentials=accepted, catalogs=catalogs)
        return accepted

    @enter_credentials.validator
    def _validate_credentials(self, data: EnterCredentials) -> None:
        self._at("enter_credentials", Step.CREDENTIALS)
        check_credentials(data, self._start.tax_id, self._state.connection_id)

    @workflow.update
    async def reload_catalogs(self, data: ReloadCatalogs) -> ErpCatalogs:
        catalogs = await self._run_activity(ChannelConnectionActivities.load_catalogs,
                                            CatalogsRequest(self._state.connection_id), timeout=ERP_CALL)
        self._state = replace(self._state, catalogs=catalogs)
        return catalogs

    @reload_catalogs.validator
    def _validate_reload(self, data: ReloadCatalogs) -> None:
        self._at("reload_catalogs", Step.CONFIGURATION, Step.AUTOMATIC_INVOICING, *LIVE)
        Problems.acting(data.actor).raise_if_any()

    # Step 2 ---------------------------------------------------------------
    @workflow.update
    async def configure(self, data: ConfigureConnection) -> SettingsSaved:
        return await self._save(data.actor, "channel_configuration",
                                configuration=check_configuration(data, self._state.catalogs))

    @configure.validator
    def _validate_configure(self, data: ConfigureConnection) -> None:
        self._at("configure", Step.CONFIGURATION, Step.AUTOMATIC_INVOICING, *LIVE)
        check_configuration(data, self._state.catalogs)

    # Step 3 ---------------------------------------------------------------
    @workflow.update
    async def set_invoicing_rules(self, data: SetInvoicingRules) -> SettingsSaved:
        return await self._save(data.actor, "channel_invoicing_rules", rules=check_rules(data, self._state.catalogs))

    @set_invoicing_rules.validator
    def _validate_rules(self, data: SetInvoicingRules) -> None:
        self._at("set_invoicing_rules", Step.AUTOMATIC_INVOICING, *LIVE)
        check_rules(data, self._state.catalogs)

    @workflow.update
    async def connect_without_invoicing(self, data: ConnectWithoutInvoicing) -> SettingsSaved:
        return await self._save(data.actor, "channel_connected", rules=InvoicingRules(enabled=False))

    @connect_without_invoicing.validator
    def _validate_connect(self, data: ConnectWithoutInvoicing) -> None:
        self._at("connect_without_invoicing", Step.AUTOMATIC_INVOICING)
        Problems.acting(data.actor).raise_if_any()

    # Connected --------------------------------------------------------------
    @workflow.update
    async def pause_connection(self, data: PauseConnection) -> SettingsSaved:
        return await self._save(data.actor, "channel_paused", paused=True)

    @pause_connection.validator
    def _validate_pause(self, data: PauseConnection) -> None:
        self._at("pause_connection", Step.CONNECTED)
        Problems.acting(data.actor).raise_if_any()

    @workflow.update
    async def resume_connection(self, data: ResumeConnection) -> SettingsSaved:
        return await self._save(data.actor, "channel_resumed", paused=False)

    @resume_connection.validator
    def _validate_resume(self, data: ResumeConnection) -> None:
        self._at("resume_connection", Step.PAUSED)
        Problems.acting(data.actor).raise_if_any()

    @workflow.update
    async def disconnect(self, data: Disconnect) -> SettingsSaved:
        saved = await self._save(data.actor, "channel_disconnected", state=DISCONNECTED)
        await self._tracker.audit(AuditEntry(actor=data.actor, action="channel_disconnected",
                                             target_id=workflow.info().workflow_id, reason=data.reason.strip()))
        self._state = replace(self._state, disconnected_by=data.actor)
        return saved

    @disconnect.validator
    def _validate_disconnect(self, data: Disconnect) -> None:
        self._at("disconnect", *LIVE)
        problems = Problems.acting(data.actor)
        problems.require("reason", data.reason, multiline=True)
        problems.raise_if_any()

    # What the order side says ------------------------------------------------
    @workflow.signal
    async def invoicing_stopped(self, stop: InvoicingStopped | None = None) -> None:
        stop = stop or InvoicingStopped()
        reason = Message(stop.code, dict(stop.params or {}))
        if reason == self._state.stopped:
            return
        self._state = replace(self._state, stopped=reason)
        await self._tell_the_row()

    @workflow.signal
    async def invoicing_resumed(self, resumed: InvoicingResumed | None = None) -> None:
        if self._state.stopped is None:
            return
        self._state = replace(self._state, stopped=None)
        await self._tell_the_row()

    async def _tell_the_row(self) -> None:
        """Keep the row's reason in step with the state, then have the live step projected again."""
        async with self._lock:
            stopped = self._state.stopped
            await workflow.execute_activity_method(
                ChannelConnectionActivities.set_invoicing_stopped,
                StoppedReason(self._state.connection_id, stopped), start_to_close_timeout=QUICK,
                retry_policy=WRITE_RETRY)
        self._changed = True

    @workflow.query
    def status(self) -> ConnectionStatus:
        s = self._state
        snap = self._tracker.snapshot if self._tracker else None
        step, status, waiting_on = (snap.step, snap.status, snap.waiting_on) if snap else ("", ProcessStatus.RUNNING, "")
        c = s.credentials
        return ConnectionStatus(
            step=step, status=status, waiting_on=waiting_on, connection_id=s.connection_id,
            name=c.name if c else "", api_user=c.api_user if c else "", display_tax_id=c.display_tax_id if c else "",
            marketplace_user_id=c.marketplace_user_id if c else "", configuration=s.configuration, rules=s.rules,
            settings_version=s.settings_version, paused=s.paused, invoicing_enabled=bool(s.rules and s.rules.enabled),
            invoicing_stopped=s.stopped,
            reconciliation_id=self._reconciliation_id() if self._reconciliation_started else "",
            offers=offers_of(s.catalogs))
