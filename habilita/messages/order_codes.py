"""What the invoicing of a marketplace order says (P4): why an order is invoiced, waits, is skipped or is in
error, and why a person's "Facturar" is refused. Code -> English template (the catalog's message id).

The reasons are kept on ``ChannelOrder.reason`` as stored messages
(:mod:`habilita.messages.stored`) and shown in the reader's language. A hub
state or a list of them is passed as nested messages (``hub_state.*``), so
the reader sees "pendiente", not "pending".
"""
from __future__ import annotations

from . import N_

# The hub's five order states (habilita.channels.configuration.HUB_STATES), as words.
HUB_STATE_WORDS: dict[str, str] = {
    "hub_state.pending": N_("pending"),
    "hub_state.shipped": N_("shipped"),
    "hub_state.completed": N_("completed"),
    "hub_state.cancelled": N_("cancelled"),
    "hub_state.other": N_("other"),
}

# Where an order stands and why (habilita.channels.invoicing, habilita.workflows.channel_order).
ORDER_REASONS: dict[str, str] = {
    "order.to_invoice": N_("the order is %(state)s and the connection's rules invoice it"),
    "order.invoiced": N_("invoiced as %(number)s"),
    "order.invoicing_disabled": N_("automatic invoicing is off for this connection: the order is not invoiced"),
    "order.cancelled": N_("the order is %(marketplace_status)s at the marketplace: a cancelled order is never "
                          "invoiced"),
    "order.channel_excluded": N_("the order comes from the channel %(channel)s; this connection invoices only "
                                 "orders from %(selected)s"),
    "order.fulfillment_excluded": N_("a fulfillment order: this connection does not invoice fulfillment orders"),
    "order.state_not_selected": N_("the order is %(state)s; this connection invoices orders that are "
                                   "%(selected)s: it waits for its next change"),
    "order.connection_paused": N_("the connection is paused: the order waits until it is resumed"),
    "order.invoicing_stopped": N_("invoicing is stopped for this connection (%(reason)s): the order waits "
                                  "until it resumes"),
    "order.not_configured": N_("the connection has no invoicing settings yet: the order waits"),
    "order.line_without_price": N_("line %(line)s (%(sku)s, %(title)s) has no price: lines priced 0 are "
                                   "refused by DIAN, so the invoice was not sent to the ERP"),
    "order.sku_unknown": N_("the ERP has no product for %(skus)s: create it in the ERP or set the ERP code of "
                            "each, then invoice"),
    "order.sku_candidates": N_("%(sku)s (tried %(tried)s)"),
    "order.erp_refused": N_("the ERP refused the invoice: %(code)s: %(detail)s"),
    "order.erp_credentials_refused": N_("the ERP refused the API user and access key: update the credentials "
                                        "of the connection, then invoice"),
    "order.erp_user_blocked": N_("the ERP blocked the API user after too many failed requests: ask the ERP to "
                                 "unblock it, then invoice"),
    "order.erp_rate_limited": N_("the ERP kept answering that the company's request limit was exceeded; "
                                 "invoicing is stopped until it resumes"),
    "order.erp_busy": N_("the company's ERP requests a minute are all in use right now; try again in a minute"),
    "order.erp_unavailable": N_("the ERP did not answer after many attempts: %(detail)s"),
    "order.marketplace_refused": N_("the marketplace refused to show the order: %(detail)s"),
    "order.wait_expired": N_("no change in %(days)s days: the order is no longer followed (a new notification "
                             "brings it back)"),
    "order.invoiced_by": N_("invoiced as %(number)s by %(actor)s"),
}

# Why a person's "Facturar" (the order workflow's update ``invoice_now``) is refused.
ORDER_PROBLEMS: dict[str, str] = {
    "order_sku_override_pair": N_("each correction pairs a marketplace SKU with an ERP product code"),
    "order_sku_not_in_order": N_("the order has no item with SKU %(sku)s"),
    "order_sku_still_unknown": N_("the ERP still has no product %(code)s for %(sku)s: create it in the ERP "
                                  "or write another code"),
    "order_not_in_error": N_("the order is %(state)s: only an order in error is invoiced by hand"),
    "order_not_invoiceable": N_("the order cannot be invoiced now: %(reason)s"),
}

# The states of ChannelOrder, as words.
ORDER_STATE_WORDS: dict[str, str] = {
    "order_state.waiting": N_("waiting"),
    "order_state.invoicing": N_("being invoiced"),
    "order_state.invoiced": N_("invoiced"),
    "order_state.error": N_("in error"),
    "order_state.skipped": N_("skipped"),
}

# The order side's activities, as support's queue and the timeline name them.
ORDER_ACTIVITIES: dict[str, str] = {
    "activity.fetch_order": N_("reading of the order at the marketplace"),
    "activity.read_settings": N_("reading of the connection's settings in force"),
    "activity.match_products": N_("search of the order's products in the ERP"),
    "activity.create_invoice": N_("creation of the invoice in the ERP"),
    "activity.record_order": N_("recording of where the order stands"),
    "activity.count_notifications": N_("count of the order's notifications"),
    "activity.set_sku_overrides": N_("recording of the ERP codes a person set"),
    "activity.stop_invoicing": N_("stopping of the connection's automatic invoicing"),
    "activity.reconcile_round": N_("reading of the marketplace's recent orders and missed notifications"),
}

ORDER_EVENTS: dict[str, str] = {**HUB_STATE_WORDS, **ORDER_REASONS, **ORDER_STATE_WORDS}
