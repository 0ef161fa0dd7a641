"""P4, a company's sales-channel connection to its ERP (seed 003), and the sealing of its access key."""
from __future__ import annotations

from habilita.channels.configuration import CURRENCIES, CUSTOMER_ID_TYPES
from habilita.messages import N_, Problem
from habilita.models import utcnow
from habilita.models.channels import ChannelConnection
from habilita.workflows import channel_connection
from habilita.workflows.channel_connection import (
    DISCONNECTED,
    ConfigureConnection,
    ConnectWithoutInvoicing,
    Disconnect,
    EnterCredentials,
    PauseConnection,
    ReloadCatalogs,
    ResumeConnection,
    SalesChannelConnection,
    SetInvoicingRules,
    StartChannelConnection,
)
from habilita.workflows.channel_connection import Step as P4

from .declaration import Action, ProcessDeclaration, Sealer, Step
from .refusals import INVALID_INPUT, Refusal

ACCESS_KEY = "access_key"
ACCESS_KEY_MAX = 200


def start_input(company, actor: str, settings) -> StartChannelConnection:
    return StartChannelConnection(company_id=company.id, company_tax_id=company.display_tax_id,
                                  tax_id=company.tax_id, country=company.country, started_by=actor)


def seal_access_key(workflow_id: str, access_key: str, *, box) -> dict:
    """Seal the ERP access key into the process's connection row; the update then carries only the row's id.

    The row is the one the process opened when it started; a process still starting has none yet.
    """
    key = (access_key or "").strip()
    if not key:
        return {"connection_id": 0}
    if len(key) > ACCESS_KEY_MAX or any(not ch.isprintable() for ch in key):
        raise Refusal(INVALID_INPUT, problems=[Problem(ACCESS_KEY, "access_key_format", {"maximum": ACCESS_KEY_MAX})])
    row = ChannelConnection.get_or_none(ChannelConnection.workflow_id == workflow_id)
    if row is None or row.state == "disconnected":
        raise Refusal(INVALID_INPUT, problems=[Problem(ACCESS_KEY, "connection_not_open")])
    row.seal_access_key(key, box=box)
    row.updated_at = utcnow()
    row.save(only=[ChannelConnection.access_key_sealed, ChannelConnection.updated_at])
    return {"connection_id": row.id}


ACCESS_KEY_SEALER = Sealer(secret=ACCESS_KEY, references=("connection_id",), seal=seal_access_key)

CONFIGURE = Action(SalesChannelConnection.configure, ConfigureConnection, "configure",
                   choices={"currency": CURRENCIES},
                   help="Step 2, or later to edit it: the price list, currency, warehouse and seller (ERP ids) and "
                        "the buyers' default e-mail and phone.")
RULES = Action(SalesChannelConnection.set_invoicing_rules, SetInvoicingRules, "invoicing",
               choices={"customer_id_type": CUSTOMER_ID_TYPES, "invoice_currency": CURRENCIES},
               help="Step 3, or later to edit them: the automatic invoicing rules (lists comma-separated).")
RELOAD = Action(SalesChannelConnection.reload_catalogs, ReloadCatalogs, "reload-catalogs",
                help="Read the ERP's price lists, warehouses, sellers... again.")
DISCONNECT = Action(SalesChannelConnection.disconnect, Disconnect, "disconnect",
                    help="End the connection: no order is invoiced under it any more.")

CHANNELS = ProcessDeclaration(
    process_type=channel_connection.PROCESS_TYPE, label=N_("Sales channels"), workflow=SalesChannelConnection,
    build_start=start_input, cli_name="channels", ends={DISCONNECTED: N_("Disconnected")},
    steps=(
        Step(P4.CREDENTIALS, N_("Credentials"), "staff", (
            Action(SalesChannelConnection.enter_credentials, EnterCredentials, "credentials",
                   tax_id_options={"--nit": ("tax_id", "check_digit")}, sealer=ACCESS_KEY_SEALER,
                   help="Step 1: the channel's name, the company's NIT, the ERP's API user and access key (asked "
                        "without echo, stored sealed), and the marketplace seller id."),)),
        Step(P4.CONFIGURATION, N_("Configuration"), "staff", (CONFIGURE, RELOAD)),
        Step(P4.AUTOMATIC_INVOICING, N_("Automatic invoicing"), "staff", (
            RULES,
            Action(SalesChannelConnection.connect_without_invoicing, ConnectWithoutInvoicing, "connect",
                   help="Step 3 without automatic invoicing (\"Actualizar\"): the channel is connected."),
            CONFIGURE, RELOAD)),
        Step(P4.CONNECTED, N_("Connected"), "system", (
            Action(SalesChannelConnection.pause_connection, PauseConnection, "pause",
                   help="Pause the connection: orders wait until it is resumed."),
            CONFIGURE, RULES, RELOAD, DISCONNECT)),
        Step(P4.PAUSED, N_("Paused"), "", (
            Action(SalesChannelConnection.resume_connection, ResumeConnection, "resume",
                   help="Resume the paused connection."),
            CONFIGURE, RULES, RELOAD, DISCONNECT)),
    ),
)
