"""P4's connection to the ERP: its row, the credentials check, the ERP's catalogs and the settings in force.

The access key never crosses Temporal: the shell seals it into the
connection's row (``ChannelConnection.access_key_sealed``) and the workflow
sends only the connection's id; these activities open it with the
application's box to call the ERP. Every write is keyed on the workflow id
(a support reset finds what the first run wrote), and settings are written
only when their version is newer than the stored one, so a retried or late
write never undoes a later edit. Refusals a person must act on cross the
boundary as non-retryable ``ApplicationError``s with the problem at its field.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.adapters.erp_client import ErpClient, Timeouts
from habilita.adapters.erp_errors import (
    ErpCredentialsRefused,
    ErpError,
    ErpRateLimited,
    ErpRefused,
    ErpUnavailable,
    ErpUserBlocked,
)
from habilita.adapters.secrets_box import DecryptionError, SecretBox
from habilita.channels.configuration import (
    ConnectionSettings,
    ErpConfiguration,
    InvoicingRules,
    Offered,
    settings_to_json,
)
from habilita.messages import Message, Problem
from habilita.messages.catalog import in_english
from habilita.messages.stored import as_text
from habilita.models import AuditEvent, database_proxy, utcnow
from habilita.models.channels import ChannelConnection

CREDENTIALS_REFUSED = "CredentialsRefused"
CONNECTION_REFUSED = "ConnectionRefused"
# The longest an ERP's "come back in n seconds" is waited inside one attempt's retry schedule.
LONGEST_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class OpenConnection:
    company_id: int
    actor: str


@dataclass(frozen=True)
class CredentialsCheck:
    """What the credentials step sends to the check: never the access key, only the row that holds it sealed."""

    connection_id: int
    actor: str
    name: str
    tax_id: str
    check_digit: str
    api_user: str
    marketplace_user_id: str


@dataclass(frozen=True)
class CredentialsAccepted:
    connection_id: int
    name: str
    api_user: str
    display_tax_id: str
    marketplace_user_id: str


@dataclass(frozen=True)
class ErpCatalogs:
    """The ERP's catalogs a configuration picks from: active entries only, ids as text."""

    price_lists: list[Offered] = field(default_factory=list)
    warehouses: list[Offered] = field(default_factory=list)
    sellers: list[Offered] = field(default_factory=list)
    document_types: list[Offered] = field(default_factory=list)
    cost_centers: list[Offered] = field(default_factory=list)
    payment_types: list[Offered] = field(default_factory=list)
    # Document types that need a cost centre on every invoice (the ERP refuses one without it).
    cost_center_required: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogsRequest:
    connection_id: int


@dataclass(frozen=True)
class SettingsToSave:
    """The settings in force from now on, the connection's state, and who changed them (``action``: the audit's)."""

    connection_id: int
    state: str
    actor: str
    action: str
    configuration: ErpConfiguration
    rules: InvoicingRules
    version: int
    paused: bool = False


@dataclass(frozen=True)
class StoppedReason:
    """Why invoicing is stopped (``reason`` a message), or None when it invoices again."""

    connection_id: int
    reason: Message | None = None


def refuse(problem: Problem, kind: str = CONNECTION_REFUSED) -> ApplicationError:
    return ApplicationError(f"{problem.field}: {in_english(problem)}", problem.as_detail(), type=kind,
                            non_retryable=True)


class ChannelConnectionActivities:
    """The connection's side effects: its row, and the ERP as the connection's API user."""

    def __init__(self, box: SecretBox, *, erp_url: str, partner_id: str, timeouts: Timeouts) -> None:
        self._box = box
        self._erp_url = erp_url
        self._partner_id = partner_id
        self._timeouts = timeouts

    @activity.defn
    def open_connection(self, opening: OpenConnection) -> int:
        """The connection's row for this workflow (created at the process's start, reused by a new process
        of the same company after a disconnection); its id."""
        workflow_id = activity.info().workflow_id
        with database_proxy.atomic():
            ChannelConnection.insert(company=opening.company_id, workflow_id=workflow_id, name="",
                                     marketplace_user_id="", created_by=opening.actor, state="connecting",
                                     created_at=utcnow(), updated_at=utcnow()).on_conflict_ignore().execute()
            row = ChannelConnection.get(ChannelConnection.workflow_id == workflow_id)
            if row.state == "disconnected":
                row.state, row.invoicing_stopped_reason, row.updated_at = "connecting", "", utcnow()
                row.save()
        return row.id

    @activity.defn
    def check_credentials(self, check: CredentialsCheck) -> CredentialsAccepted:
        """Authenticate at the ERP with the API user and the sealed access key; keep them on the row if accepted."""
        row = self._row(check.connection_id)
        if not row.access_key_sealed:
            raise refuse(Problem("access_key", "required"))
        taken = (ChannelConnection.select().where(
            (ChannelConnection.marketplace_user_id == check.marketplace_user_id)
            & (ChannelConnection.id != row.id) & (ChannelConnection.state != "disconnected")).first())
        if taken is not None:
            raise refuse(Problem("marketplace_user_id", "marketplace_user_taken",
                                 {"user": check.marketplace_user_id, "name": taken.name}))
        try:
            key = row.access_key(self._box)
        except DecryptionError:
            raise refuse(Problem("access_key", "access_key_unreadable")) from None
        with self._client(check.api_user, key) as erp:
            self._calling(erp.check_credentials, check.api_user)
        with database_proxy.atomic():
            row.name, row.erp_tax_id, row.erp_check_digit = check.name, check.tax_id, check.check_digit
            row.api_user, row.marketplace_user_id, row.updated_at = check.api_user, check.marketplace_user_id, utcnow()
            row.save()
            AuditEvent.record(actor=check.actor, action="channel_credentials", target_type="process",
                              target_id=row.workflow_id,
                              detail=as_text(Message("audit.channel_credentials", {
                                  "name": check.name, "user": check.api_user,
                                  "nit": f"{check.tax_id}-{check.check_digit}"})))
        return CredentialsAccepted(row.id, check.name, check.api_user, f"{check.tax_id}-{check.check_digit}",
                                   check.marketplace_user_id)

    @activity.defn
    def load_catalogs(self, request: CatalogsRequest) -> ErpCatalogs:
        """The ERP's price lists, warehouses, sellers, sales document types, cost centres and payment forms."""
        row = self._row(request.connection_id)
        try:
            key = row.access_key(self._box)
        except DecryptionError:
            raise refuse(Problem("access_key", "access_key_unreadable")) from None
        with self._client(row.api_user, key) as erp:
            def read():
                documents = [d for d in erp.document_types() if d.active]
                return ErpCatalogs(
                    price_lists=[Offered(str(p.id), f"{p.name} ({p.id})") for p in erp.price_lists() if p.active],
                    warehouses=[Offered(str(w.id), f"{w.name} ({w.id})") for w in erp.warehouses() if w.active],
                    sellers=[Offered(str(s.id), f"{s.name} ({s.id})") for s in erp.sellers() if s.active],
                    document_types=[Offered(str(d.id), f"{d.name} ({d.id})") for d in documents],
                    cost_centers=[Offered(str(c.id), f"{c.name} ({c.id})") for c in erp.cost_centers() if c.active],
                    payment_types=[Offered(str(p.id), f"{p.name} ({p.id})") for p in erp.payment_types()
                                   if p.active],
                    cost_center_required=[str(d.id) for d in documents if d.cost_center_mandatory])
            return self._calling(read, row.api_user)

    @activity.defn
    def save_settings(self, saving: SettingsToSave) -> int:
        """Write the settings in force and the connection's state, unless a newer version is stored; the
        version stored after the write."""
        row = self._row(saving.connection_id)
        settings = ConnectionSettings(connection_id=row.id, version=saving.version,
                                      configuration=saving.configuration, rules=saving.rules, paused=saving.paused)
        with database_proxy.atomic():
            updated = (ChannelConnection.update(settings_json=settings_to_json(settings),
                                                settings_version=saving.version, state=saving.state,
                                                updated_at=utcnow())
                       .where((ChannelConnection.id == row.id)
                              & (ChannelConnection.settings_version < saving.version)).execute())
            if updated:
                AuditEvent.record(actor=saving.actor, action=saving.action, target_type="process",
                                  target_id=row.workflow_id,
                                  detail=as_text(Message("audit.channel_settings", {
                                      "version": saving.version, "status": saving.state})),
                                  source_key=f"{row.workflow_id}:settings:{saving.version}")
        return max(saving.version, row.settings_version)

    @activity.defn
    def set_invoicing_stopped(self, stopped: StoppedReason) -> None:
        """Keep on the row why the order side stopped invoicing (empty: it invoices again)."""
        ChannelConnection.update(
            invoicing_stopped_reason=as_text(stopped.reason) if stopped.reason else "", updated_at=utcnow(),
        ).where(ChannelConnection.id == stopped.connection_id).execute()

    def _row(self, connection_id: int) -> ChannelConnection:
        """The connection, only when it is this workflow's own (an id cannot reach another company's key)."""
        row = ChannelConnection.get_or_none(ChannelConnection.id == connection_id)
        if row is None or row.workflow_id != activity.info().workflow_id:
            raise refuse(Problem("access_key", "connection_not_open"))
        return row

    def _client(self, api_user: str, access_key: str) -> ErpClient:
        return ErpClient(self._erp_url, username=api_user, access_key=access_key, partner_id=self._partner_id,
                         timeouts=self._timeouts)

    def _calling(self, call, api_user: str):
        """``call()``, its ERP failures sorted: a person's to fix (non-retryable, at its field) or worth a retry."""
        try:
            return call()
        except ErpCredentialsRefused:
            raise refuse(Problem("access_key", "erp_credentials_refused", {"user": api_user}),
                         CREDENTIALS_REFUSED) from None
        except ErpUserBlocked:
            raise refuse(Problem("api_user", "erp_user_blocked", {"user": api_user}), CREDENTIALS_REFUSED) from None
        except ErpRateLimited as exc:
            raise ApplicationError(str(exc), type="ErpRateLimited", next_retry_delay=timedelta(
                seconds=min(exc.retry_after, LONGEST_BACKOFF_SECONDS))) from None
        except ErpRefused as exc:
            raise refuse(Problem("", "erp_refused", {"error": str(exc)})) from None
        except (ErpUnavailable, ErpError) as exc:
            raise ApplicationError(str(exc), type=type(exc).__name__) from None


def channel_connection_activities(settings) -> list:
    """P4's connection activities, bound to their object, for the worker to register."""
    connection = ChannelConnectionActivities(
        SecretBox(settings.encryption_key), erp_url=settings.erp_url, partner_id=settings.erp_partner_id,
        timeouts=Timeouts(connect=settings.outside_connect_seconds, read=settings.outside_read_seconds))
    return [connection.open_connection, connection.check_credentials, connection.load_catalogs,
            connection.save_settings, connection.set_invoicing_stopped]
