"""What a sales channel's connection to the ERP says (P4, habilita.workflows.channel_connection): why a field
of its three steps is refused, why automatic invoicing stopped, and its words. Code -> English template
(the catalog's message id); the tables are joined into :mod:`.problem_codes`, :mod:`.event_codes` and
:mod:`.words`."""
from __future__ import annotations

from . import N_

CONNECTION_PROBLEMS: dict[str, str] = {
    # The access key is sealed by the console or the CLI before the update is sent.
    "secret_not_here": N_("this form cannot keep a secret here; use the process's page"),
    "access_key_format": N_("an access key has at most %(maximum)s characters, with no control characters"),
    "access_key_unreadable": N_("the stored access key cannot be read; type it again"),
    "connection_not_open": N_("the connection is not open yet or has ended: reload the page and type the access "
                              "key again"),
    "channel_nit_not_company": N_("the connection is for the company's own NIT, %(nit)s"),
    "marketplace_user_digits": N_("a marketplace seller id is digits only (at most %(maximum)s)"),
    "marketplace_user_taken": N_("marketplace seller %(user)s is already connected by %(name)s"),
    "erp_credentials_refused": N_("the ERP refused API user %(user)s with this access key: check both in the ERP"),
    "erp_user_blocked": N_("the ERP has blocked API user %(user)s: unblock it in the ERP before connecting"),
    "erp_refused": N_("the ERP refused: %(error)s"),
    "not_in_erp_catalog": N_("%(value)s is not one the ERP offers; choose one of: %(offered)s"),
    "cost_center_required_by_document": N_("this transaction type needs a cost centre"),
    "dane_city_unknown": N_("%(value)s is not a DANE municipality code: 5 digits, such as 11001 for Bogotá"),
    "not_a_decimal": N_("'%(value)s' is not a decimal number like %(example)s"),
    "exchange_rate_positive": N_("the exchange rate must be greater than zero, not %(value)s"),
}

CONNECTION_EVENTS: dict[str, str] = {
    # The order side stopped invoicing a connection (habilita.channels.configuration.STOP_REASONS): the
    # process then needs a person (habilita.support.health) until it is told invoicing resumed.
    "blocked.invoicing_stopped": N_("automatic invoicing is stopped: %(reason)s"),
    "channels.stop_credentials_refused": N_(
        "the ERP refuses the connection's API user and access key; check them in the ERP"),
    "channels.stop_user_blocked": N_(
        "the ERP blocked the connection's API user after too many failed requests; unblock it in the ERP"),
    "channels.stop_rate_limited": N_("the ERP keeps answering that the company's requests a minute are used up"),
    "audit.channel_credentials": N_("%(name)s: API user %(user)s, NIT %(nit)s"),
    "audit.channel_settings": N_("settings version %(version)s saved"),
}

# The connection's activities, as support's queue and the timeline name them.
CONNECTION_ACTIVITIES: dict[str, str] = {
    "activity.open_connection": N_("opening of the channel connection"),
    "activity.check_credentials": N_("check of the ERP credentials"),
    "activity.load_catalogs": N_("reading of the ERP's catalogs"),
    "activity.save_settings": N_("saving of the channel connection's settings"),
    "activity.set_invoicing_stopped": N_("recording of why automatic invoicing stopped"),
}

# The fields of the three steps (seed 003's tabs), as the forms and the CLI name them.
CONNECTION_FIELDS: dict[str, str] = {
    "api_user": N_("API user"),
    "access_key": N_("Access key"),
    "marketplace_user_id": N_("Marketplace seller id"),
    "connection_id": N_("Connection"),
    "price_list_id": N_("Price list"),
    "warehouse_id": N_("Warehouse"),
    "seller_id": N_("Seller"),
    "default_email": N_("Default e-mail"),
    "default_phone": N_("Default phone"),
    "enabled": N_("Automatic invoicing on"),
    "source_channels": N_("Source channels (comma-separated; empty: all)"),
    "order_states": N_("Order states (comma-separated: pending, shipped, completed, cancelled, other; empty: all)"),
    "invoice_fulfillment": N_("Invoice fulfillment orders"),
    "document_type_id": N_("Transaction type"),
    "cost_center_id": N_("Cost centre"),
    "payment_type_id": N_("Payment form"),
    "customer_id_type": N_("Customer: document type"),
    "customer_city_code": N_("Customer: city (DANE code)"),
    "invoice_currency": N_("Invoice currency"),
    "exchange_rate": N_("Exchange rate"),
    "product_warehouse_id": N_("Products: warehouse"),
    "generic_sku": N_("Generic SKU (optional)"),
    "send_to_dian": N_("Send to DIAN"),
    "invoice_shipping": N_("Invoice the shipping cost"),
}

# The hub's order states, the customer document types and the currencies a field picks from.
CONNECTION_CHOICES: dict[str, str] = {
    "pending": N_("pending"),
    "shipped": N_("shipped"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
    "other": N_("other"),
    "13": N_("13 — citizenship card"),
    "31": N_("31 — NIT"),
    "22": N_("22 — foreigner ID card"),
    "41": N_("41 — passport"),
    "42": N_("42 — foreign identification document"),
    "50": N_("50 — foreign NIT"),
    "COP": N_("COP — Colombian peso"),
    "USD": N_("USD — US dollar"),
    "EUR": N_("EUR — euro"),
}

CONNECTION_BUTTONS: dict[str, str] = {
    "enter_credentials": N_("Check and save the credentials"),
    "configure": N_("Save the configuration"),
    "set_invoicing_rules": N_("Save the automatic invoicing"),
    "connect_without_invoicing": N_("Connect without automatic invoicing"),
    "reload_catalogs": N_("Read the ERP's catalogs again"),
    "pause_connection": N_("Pause the connection"),
    "resume_connection": N_("Resume the connection"),
    "disconnect": N_("Disconnect the channel"),
}

# What a person did, for the history: the updates, and the audit rows the connection's activities write.
CONNECTION_ACTIONS: dict[str, str] = {
    "enter_credentials": N_("checked and saved the ERP credentials"),
    "channel_credentials": N_("checked and saved the ERP credentials"),
    "configure": N_("saved the channel's configuration"),
    "channel_configuration": N_("saved the channel's configuration"),
    "set_invoicing_rules": N_("saved the automatic invoicing rules"),
    "channel_invoicing_rules": N_("saved the automatic invoicing rules"),
    "connect_without_invoicing": N_("connected the channel without automatic invoicing"),
    "channel_connected": N_("connected the channel without automatic invoicing"),
    "reload_catalogs": N_("read the ERP's catalogs again"),
    "pause_connection": N_("paused the connection"),
    "channel_paused": N_("paused the connection"),
    "resume_connection": N_("resumed the connection"),
    "channel_resumed": N_("resumed the connection"),
    "disconnect": N_("disconnected the channel"),
    "channel_disconnected": N_("disconnected the channel"),
}
