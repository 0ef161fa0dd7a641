"""Sales channels (P4): a company's connection to its ERP and marketplace, and every order it saw.

``ChannelConnection`` holds what the shell and the order workflows need
outside the connection workflow: the sealed access key (never shown again,
never in workflow history), the marketplace seller it listens to, and the
settings in force as JSON with their version (the connection workflow writes
them through an activity at each change). ``ChannelOrder`` is one row per
order and connection (a unique key backs the one-workflow-per-order rule):
where the order stands, why, and the invoice it became.
"""
from __future__ import annotations

import peewee

from .base import BaseModel, utcnow
from .company import Company

# Where an order stands. ``waiting``: not (yet) to be invoiced under the rules, e.g. unpaid;
# ``error``: cannot be invoiced until a person fixes something (reason says what); ``skipped``: never
# to be invoiced (the rule that excludes it is the reason).
ORDER_STATES = ("waiting", "invoicing", "invoiced", "error", "skipped")
CONNECTION_STATES = ("connecting", "connected", "paused", "disconnected")


def access_key_context(connection_id: int) -> bytes:
    """What a connection's sealed access key is bound to: the connection itself."""
    return b"channel-access-key:" + str(connection_id).encode()


class ChannelConnection(BaseModel):
    company = peewee.ForeignKeyField(Company, backref="channel_connections", on_delete="CASCADE")
    workflow_id = peewee.CharField(max_length=200, unique=True)
    name = peewee.CharField(max_length=60)
    erp_tax_id = peewee.CharField(max_length=15, default="")
    erp_check_digit = peewee.CharField(max_length=1, default="")
    api_user = peewee.CharField(max_length=100, default="")
    access_key_sealed = peewee.BlobField(null=True)
    # The marketplace account whose notifications (``user_id``) belong to this connection.
    marketplace_user_id = peewee.CharField(max_length=20, index=True)
    state = peewee.CharField(max_length=20, default="connecting")
    settings_json = peewee.TextField(default="")
    settings_version = peewee.IntegerField(default=0)
    invoicing_stopped_reason = peewee.TextField(default="")
    created_by = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "channel_connection"

    def seal_access_key(self, access_key: str, *, box) -> None:
        self.access_key_sealed = box.encrypt(access_key.encode(), context=access_key_context(self.id))

    def access_key(self, box) -> str:
        """The access key, opened with ``box``; only activities that call the ERP read it."""
        return box.decrypt(bytes(self.access_key_sealed), context=access_key_context(self.id)).decode()


class ChannelOrder(BaseModel):
    connection = peewee.ForeignKeyField(ChannelConnection, backref="orders", on_delete="CASCADE")
    order_id = peewee.CharField(max_length=20)
    workflow_id = peewee.CharField(max_length=200, unique=True)
    state = peewee.CharField(max_length=20, default="waiting")
    # The reason in the catalog's words: a stored message (``habilita.messages.stored``), shown in Spanish.
    reason = peewee.TextField(default="")
    marketplace_status = peewee.CharField(max_length=30, default="")
    source_channel = peewee.CharField(max_length=60, default="")
    logistic_type = peewee.CharField(max_length=30, default="")
    buyer_name = peewee.CharField(max_length=200, default="")
    total = peewee.CharField(max_length=24, default="")
    currency = peewee.CharField(max_length=3, default="")
    # SKUs a person set for items the ERP did not know: JSON {marketplace sku: ERP product code}.
    sku_overrides = peewee.TextField(default="")
    settings_version = peewee.IntegerField(default=0)
    invoice_id = peewee.CharField(max_length=64, default="")
    invoice_number = peewee.CharField(max_length=40, default="")
    dian_status = peewee.CharField(max_length=20, default="")
    cufe = peewee.CharField(max_length=96, default="")
    notifications = peewee.IntegerField(default=0)
    attempts = peewee.IntegerField(default=0)
    first_seen_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow, index=True)
    invoiced_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "channel_order"
        indexes = ((("connection", "order_id"), True), (("connection", "state"), False))


CHANNEL_MODELS = [ChannelConnection, ChannelOrder]
