"""P4: one workflow per marketplace order, ``ChannelOrderInvoicing``: every eligible order, exactly one invoice.

Id ``order-{company tax id}-{connection id}-{order id}``
(:func:`habilita.channels.invoicing.order_workflow_id`). The receiver and the
reconciliation start it with **signal-with-start** (signal ``notified``), so
the five "paid" notifications of one sale and the reconciliation's signals
all find the one running workflow; each wakes it to **re-read the order**
(its current state, never the notification's), and signals that arrive
while it reads are answered by one more read, not one each.

It decides under the settings the order first saw (kept in its state and
carried across continue-as-new; the row keeps their version), then:

- **skipped** (cancelled, excluded channel, fulfillment not invoiced,
  automatic invoicing off): ends;
- **waiting** (not yet in a state the rules invoice, the connection paused
  or its invoicing stopped): waits for its next notification, at most
  ``WAIT_LIMIT`` since the last one, then ends as skipped (``wait_expired``);
- **invoice**: lines priced 0 are refused before the ERP; products are
  matched (GETs only); the invoice is created once; ends **invoiced**;
- **error** (a SKU the ERP does not know, a refusal of the ERP, credentials
  refused, the user blocked, an hour of 429s): waits for a
  person. Nothing is retried automatically against the ERP from here (a
  refusal repeated makes the ERP block the API user); a notification
  re-reads the order only to skip it if it was cancelled meanwhile, or
  retries a read that had failed at the marketplace. The update
  ``invoice_now(actor, sku_overrides)`` — the console's "Facturar" — records
  the person's SKU corrections, checks at the ERP that every item now has
  its product (refusing and naming the SKU if not), and invoices; on an
  invoiced order it answers with the existing invoice, so a second click
  gives the same invoice.

**A closed workflow id gets a new notification.** The receiver and the
reconciliation start with ``id_reuse_policy=ALLOW_DUPLICATE``: an order that
ended without an invoice (its wait expired; support terminated it) is decided
again by its next change. Two things make sure a new run never invoices an
invoiced order twice: (1) the ``ChannelOrder`` row is one per (connection,
order id) — a unique key, shared by every run of the id — and the first thing
a run does is read it: invoiced means the run ends at once with that invoice
and no ERP call; (2) the invoice's Idempotency-Key is derived from (company,
connection, order id), not from the run, so even a run that started before
the row was written gets the ERP's replay of the same invoice. (With
``REJECT_DUPLICATE`` a closed id would refuse the start, and an order whose
wait expired could never be invoiced after it was finally paid.)

The history stays small: the order workflow holds the order as last read,
its settings and counters; a notification costs a signal and, at most, a
read; past ``CONTINUE_AS_NEW_AFTER`` events it continues as new.
"""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from .inputs import WRONG_STEP, Problems, reject, told_by, wrong_step

with workflow.unsafe.imports_passed_through():
    from habilita.activities.channel_orders import (
        STOP_CODES,
        STOPPING,
        ChannelOrderActivities,
        CountNotifications,
        CreateInvoice,
        FetchOrder,
        InvoiceNow,
        MatchProducts,
        OrderCarry,
        OrderNotified,
        OrderOutcome,
        OrderStart,
        ReadSettings,
        RecordOrder,
        SetOverrides,
        SettingsInForce,
        StopInvoicing,
    )
    from habilita.channels import invoicing
    from habilita.channels.configuration import InvoicingStopped
    from habilita.channels.orders import Order
    from habilita.messages import Message, Problem

WAIT_LIMIT = timedelta(days=30)
CONTINUE_AS_NEW_AFTER = 2000
QUICK = timedelta(seconds=30)
MARKETPLACE_TIMEOUT = timedelta(seconds=60)
ERP_TIMEOUT = timedelta(minutes=5)
# The activities beat every 3 s while a call runs: a worker that dies mid-call is noticed within this.
HEARTBEAT = timedelta(seconds=10)
LOCAL_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=10))
# A read at the marketplace: retried a while, then the order is in error until its next notification.
READ_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60),
                         maximum_attempts=30)
# The ERP: a 429 (its Retry-After sets the delay) or an outage is retried until the activity's patience from
# ``since`` runs out (habilita.activities.channel_orders: an hour of 429s, six of outage); a refusal never.
# No attempt limit: waits in our own limiter give the slot back and retry, and must not use anything up.
ERP_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=5))
# A person waits on an update: a few tries, then say why.
HANDLER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=5),
                            maximum_attempts=5)
STOP_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30), maximum_attempts=10)

FINAL = frozenset({"invoiced", "skipped"})


def state_word(state: str) -> dict:
    return {"code": f"order_state.{state}", "params": {}}


@workflow.defn(name="ChannelOrderInvoicing")
class ChannelOrderInvoicing:
    @workflow.init
    def __init__(self, start: OrderStart) -> None:
        carried = start.carried or OrderCarry(state="new")
        self._start = start
        self._state = carried.state
        self._reason = carried.reason
        self._settings = carried.settings
        self._invoice = carried.invoice
        self._since = carried.since
        self._must_read = start.carried is None or carried.pending_read
        self._signals = 0   # notifications received by this run
        self._read = 0      # ... of which a read has started since
        self._counted = 0   # ... counted on the row
        self._order: Order | None = None
        self._overrides: tuple[tuple[str, str], ...] = ()
        self._erp_error = carried.state == "error" and carried.erp_error
        self._connection_workflow_id = ""
        self._lock = asyncio.Lock()

    @workflow.signal
    def notified(self, notice: OrderNotified) -> None:
        """The order may have changed: re-read it (once, however many arrive meanwhile)."""
        self._signals += 1

    @workflow.query
    def status(self) -> OrderOutcome:
        return self._outcome()

    @workflow.run
    async def run(self, start: OrderStart) -> OrderOutcome:
        while self._state not in FINAL:
            if self._must_read or self._signals > self._read:
                async with self._lock:
                    await self._read_and_decide()
                continue
            if self._history_is_large():
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._signals == self._read and self._state not in FINAL:
                    workflow.continue_as_new(replace(start, carried=OrderCarry(
                        state=self._state, reason=self._reason, settings=self._settings, invoice=self._invoice,
                        since=self._since, pending_read=False, erp_error=self._erp_error)))
                continue
            try:
                await workflow.wait_condition(lambda: self._signals > self._read or self._state in FINAL,
                                              timeout=self._wait_left())
            except TimeoutError:
                async with self._lock:
                    if self._state == "waiting" and self._signals == self._read:
                        await self._record("skipped", Message("order.wait_expired", {"days": WAIT_LIMIT.days}))
        await workflow.wait_condition(workflow.all_handlers_finished)
        while self._signals > self._counted:  # duplicates that arrived after the last read still count
            count, self._counted = self._signals - self._counted, self._signals
            await workflow.execute_local_activity_method(
                ChannelOrderActivities.count_notifications,
                CountNotifications(connection_id=self._start.connection_id, order_id=self._start.order_id,
                                   workflow_id=workflow.info().workflow_id, count=count),
                start_to_close_timeout=QUICK, retry_policy=LOCAL_RETRY)
        return self._outcome()

    # -- reading and deciding -----------------------------------------------------------------------------

    async def _read_and_decide(self) -> None:
        self._must_read = False
        seen = await self._fetch()
        if seen is None:
            return
        if self._state == "invoiced":
            return
        in_force = await self._read_settings()
        if self._settings is None:
            self._settings = in_force.settings
        decision = invoicing.decide(seen.order, self._settings, paused=in_force.paused,
                                    stopped_reason=in_force.stopped_reason)
        if self._state == "error" and self._erp_error:
            # Invoiced again only by a person; a cancellation meanwhile still ends it.
            if decision.final:
                await self._record("skipped", decision.reason)
            return
        if decision.outcome == invoicing.SKIP:
            await self._record("skipped", decision.reason)
        elif decision.outcome == invoicing.WAIT:
            self._since = workflow.now().isoformat()
            await self._record("waiting", decision.reason)
        else:
            await self._invoice_order(actor="", fresh=False)

    async def _fetch(self):
        """The order re-read (its notifications counted); None when the marketplace failed (the order is in
        error until its next notification). An invoiced row ends the run with its invoice."""
        self._read = self._signals
        new, self._counted = self._signals - self._counted, self._signals
        try:
            seen = await workflow.execute_activity_method(
                ChannelOrderActivities.fetch_order,
                FetchOrder(connection_id=self._start.connection_id, order_id=self._start.order_id,
                           workflow_id=workflow.info().workflow_id, notifications=new),
                start_to_close_timeout=MARKETPLACE_TIMEOUT, heartbeat_timeout=HEARTBEAT, retry_policy=READ_RETRY,
                summary=f"read order {self._start.order_id}")
        except ActivityError as error:
            await self._fail(error, erp=False)
            return None
        self._order = seen.order
        self._overrides = seen.sku_overrides
        if seen.row_state == "invoiced" and seen.invoice is not None:
            self._state, self._invoice = "invoiced", seen.invoice
            self._reason = Message("order.invoiced", {"number": seen.invoice.number})
        return seen

    async def _read_settings(self) -> SettingsInForce:
        in_force = await workflow.execute_local_activity_method(
            ChannelOrderActivities.read_settings,
            ReadSettings(connection_id=self._start.connection_id, order_id=self._start.order_id),
            start_to_close_timeout=QUICK, retry_policy=LOCAL_RETRY)
        self._connection_workflow_id = in_force.connection_workflow_id
        return in_force

    async def _invoice_order(self, *, actor: str, fresh: bool) -> Message | None:
        """Check the lines, match the products, create the invoice; the reason when the order is left in error."""
        order, settings = self._order, self._settings
        unpriced = invoicing.unpriced_line(order)
        if unpriced is not None:
            self._erp_error = True
            await self._record("error", unpriced)
            return unpriced
        retry = HANDLER_RETRY if actor else ERP_RETRY
        try:
            matched = await workflow.execute_activity_method(
                ChannelOrderActivities.match_products,
                MatchProducts(connection_id=self._start.connection_id, company_tax_id=self._start.company_tax_id,
                              order=order, rules=settings.rules, sku_overrides=self._overrides, fresh=fresh,
                              since=workflow.now().isoformat()),
                start_to_close_timeout=ERP_TIMEOUT, heartbeat_timeout=HEARTBEAT, retry_policy=retry,
                summary="match the products at the ERP")
        except ActivityError as error:
            return await self._fail(error, erp=True)
        if matched.missing:
            reason = invoicing.unknown_skus({m.marketplace_sku: m.tried for m in matched.missing})
            self._erp_error = True
            await self._record("error", reason)
            return reason
        self._state = "invoicing"
        try:
            facts = await workflow.execute_activity_method(
                ChannelOrderActivities.create_invoice,
                CreateInvoice(connection_id=self._start.connection_id, company_tax_id=self._start.company_tax_id,
                              order=order, settings=settings, lines=matched.lines, actor=actor,
                              since=workflow.now().isoformat()),
                start_to_close_timeout=ERP_TIMEOUT, heartbeat_timeout=HEARTBEAT, retry_policy=retry,
                summary="create the invoice at the ERP")
        except ActivityError as error:
            return await self._fail(error, erp=True)
        self._invoice, self._state = facts, "invoiced"
        self._reason = (Message("order.invoiced_by", {"number": facts.number, "actor": actor}) if actor
                        else Message("order.invoiced", {"number": facts.number}))
        workflow.set_current_details(f"invoiced as {facts.number}")
        return None

    async def _fail(self, error: ActivityError, *, erp: bool) -> Message:
        """Put the order in error with the failure's reason; stop the connection's invoicing when the ERP
        refused in a way every order would meet."""
        told = told_by(error)
        reason = (Message(told["code"], dict(told.get("params") or {})) if isinstance(told, dict)
                  else Message("health.step_failed", {"error": str(told)[:500]}))
        self._erp_error = erp
        await self._record("error", reason)
        cause = error.cause
        kind = cause.type if isinstance(cause, ApplicationError) else ""
        # Only a final answer stops the connection (credentials, a blocked user, an hour of 429s), never a
        # 429 that merely outlasted a person's few tries.
        if kind in STOPPING and cause.non_retryable:
            await self._stop_invoicing(kind, reason)
        return reason

    async def _stop_invoicing(self, kind: str, reason: Message) -> None:
        if not self._connection_workflow_id:
            await self._read_settings()
        stopped = InvoicingStopped(code=STOP_CODES[kind], params={})
        try:
            await workflow.execute_activity_method(
                ChannelOrderActivities.stop_invoicing,
                StopInvoicing(connection_workflow_id=self._connection_workflow_id, stopped=stopped),
                start_to_close_timeout=QUICK, retry_policy=STOP_RETRY, summary="stop the connection's invoicing")
        except ActivityError:
            workflow.logger.warning("could not tell connection %s to stop invoicing", self._connection_workflow_id)

    async def _record(self, state: str, reason: Message | None) -> None:
        if state != self._state or reason != self._reason:
            await workflow.execute_local_activity_method(
                ChannelOrderActivities.record_order,
                RecordOrder(connection_id=self._start.connection_id, order_id=self._start.order_id,
                            workflow_id=workflow.info().workflow_id, state=state, reason=reason),
                start_to_close_timeout=QUICK, retry_policy=LOCAL_RETRY)
            workflow.set_current_details(f"{state}: {reason.code if reason else ''}")
        if state != self._state:
            self._since = workflow.now().isoformat()
        self._state, self._reason = state, reason

    def _wait_left(self) -> timedelta | None:
        if self._state != "waiting":
            return None
        since = datetime.fromisoformat(self._since) if self._since else workflow.now()
        return max(timedelta(seconds=1), WAIT_LIMIT - (workflow.now() - since))

    def _history_is_large(self) -> bool:
        info = workflow.info()
        limit = self._start.continue_as_new_after or CONTINUE_AS_NEW_AFTER
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= limit

    def _outcome(self) -> OrderOutcome:
        return OrderOutcome(order_id=self._start.order_id, state=self._state, reason=self._reason,
                            invoice=self._invoice)

    # -- a person's "Facturar" ----------------------------------------------------------------------------

    @workflow.update
    async def invoice_now(self, request: InvoiceNow) -> OrderOutcome:
        """Invoice an order in error once the person fixed what was wrong; an invoiced order answers its invoice."""
        await workflow.wait_condition(lambda: self._state not in ("new", "invoicing"))
        async with self._lock:
            if self._state == "invoiced":
                return self._outcome()
            if self._state != "error":
                problem = Problem("", "order_not_in_error", {"state": state_word(self._state)})
                raise ApplicationError(f"invoice_now: the order is {self._state}", problem.as_detail(),
                                       type=WRONG_STEP, non_retryable=True)
            given = tuple((sku.strip(), code.strip()) for sku, code in request.sku_overrides)
            if given:
                self._overrides = await workflow.execute_local_activity_method(
                    ChannelOrderActivities.set_sku_overrides,
                    SetOverrides(connection_id=self._start.connection_id, order_id=self._start.order_id,
                                 workflow_id=workflow.info().workflow_id, sku_overrides=given),
                    start_to_close_timeout=QUICK, retry_policy=LOCAL_RETRY)
            seen = await self._fetch()
            if seen is None:
                self._refuse(self._reason)
            if self._state == "invoiced":
                return self._outcome()
            self._overrides = seen.sku_overrides
            in_force = await self._read_settings()
            # A person's click invoices under the settings in force now (they may have fixed them).
            self._settings = in_force.settings or self._settings
            decision = invoicing.decide(seen.order, self._settings, paused=in_force.paused,
                                        stopped_reason=in_force.stopped_reason)
            if decision.final:
                await self._record("skipped", decision.reason)
            if decision.outcome != invoicing.INVOICE:
                self._refuse(decision.reason)
            problem = await self._invoice_order(actor=request.actor, fresh=True)
            if problem is None:
                return self._outcome()
            still = {m["params"]["sku"] for m in problem.params.get("skus", ())} if problem.code == \
                "order.sku_unknown" else set()
            fixed = dict(given)
            if still & set(fixed):
                reject([Problem("sku_overrides", "order_sku_still_unknown", {"sku": sku, "code": fixed[sku]})
                        for sku in sorted(still & set(fixed))])
            self._refuse(problem)

    @staticmethod
    def _refuse(reason: Message | None) -> None:
        problem = Problem("", "order_not_invoiceable", {"reason": {"code": reason.code, "params": reason.params}
                                                        if reason else ""})
        raise ApplicationError(f"invoice_now: {reason.code if reason else 'refused'}", problem.as_detail(),
                               type="OrderNotInvoiceable", non_retryable=True)

    @invoice_now.validator
    def _validate_invoice_now(self, request: InvoiceNow) -> None:
        if self._state == "skipped":
            wrong_step("invoice_now", self._state)
        problems = Problems.acting(request.actor)
        skus = ({invoicing.marketplace_sku(item, line) for line, item in invoicing.order_lines(self._order)}
                | {invoicing.SHIPPING_SKU}) if self._order is not None else None
        for pair in request.sku_overrides or ():
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2
                    and all(isinstance(v, str) and v.strip() for v in pair)):
                problems.add("sku_overrides", "order_sku_override_pair")
                continue
            sku, code = pair[0].strip(), pair[1].strip()
            if problems.require("sku_overrides", code, maximum=60) and skus is not None and sku not in skus:
                problems.add("sku_overrides", "order_sku_not_in_order", sku=sku)
        problems.raise_if_any()
