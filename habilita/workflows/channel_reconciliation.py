"""P4: ``ChannelReconciliation``, the child of a connection workflow that catches what notifications missed.

Started by the connection workflow with id ``{connection workflow id}-reconcile``
and input ``ReconcileStart(connection_id, workflow_id)``. Every
``settings.reconcile_seconds`` (read by the round's activity, so a change of the
setting applies at the next round) one activity lists the marketplace's
orders changed since the watermark (less a safety margin) and the
notifications the marketplace could not deliver, and signal-with-starts the
order workflow of each order whose change its row has not seen (see
:mod:`habilita.activities.channel_orders`). A notification lost on the way, a
receiver that answered 503 while Temporal was down, an order never notified:
the next round invoices them through the same one-workflow-per-order path.
Orders that waited on the connection itself (paused, invoicing stopped, not
configured yet) are woken by the first round after it invoices again.

The watermark is the start of the last round that succeeded; it crosses
continue-as-new in the memo (the input keeps the connection's shape). The run
continues as new every ``ROUNDS_PER_RUN`` rounds or sooner if its history grows.
It ends when the connection is gone or disconnected.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from habilita.activities.channel_orders import (
        ChannelOrderActivities,
        ReconcileOutcome,
        ReconcileRound,
    )
    from habilita.channels.configuration import ReconcileStart

WATERMARK = "watermark"
ROUNDS_PER_RUN = 100
CONTINUE_AS_NEW_AFTER = 1000
ROUND_TIMEOUT = timedelta(minutes=10)
ROUND_HEARTBEAT = timedelta(seconds=60)
# A round that fails (the marketplace down) is retried until the next one would be due anyway.
ROUND_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(seconds=60),
                          maximum_attempts=5)


@dataclass(frozen=True)
class ReconcileProgress:
    """What this run did: its rounds, the orders it signalled in all, and its last round."""

    rounds: int
    signalled: int
    last: ReconcileOutcome


@workflow.defn(name="ChannelReconciliation")
class ChannelReconciliation:
    def __init__(self) -> None:
        self._last = ReconcileOutcome(active=True)
        self._rounds = 0
        self._signalled = 0

    @workflow.query
    def progress(self) -> ReconcileProgress:
        return ReconcileProgress(rounds=self._rounds, signalled=self._signalled, last=self._last)

    @workflow.run
    async def run(self, start: ReconcileStart) -> None:
        watermark = workflow.memo_value(WATERMARK, "", type_hint=str)
        while True:
            try:
                outcome = await workflow.execute_activity_method(
                    ChannelOrderActivities.reconcile_round,
                    ReconcileRound(connection_id=start.connection_id, since=watermark),
                    start_to_close_timeout=ROUND_TIMEOUT, heartbeat_timeout=ROUND_HEARTBEAT,
                    retry_policy=ROUND_RETRY, summary=f"reconcile since {watermark or 'the connection'}")
            except ActivityError:
                # The marketplace or the database was down for the whole round: the next round covers it
                # (the watermark stays where the last good round left it).
                workflow.logger.warning("reconciliation round of connection %s failed", start.connection_id)
                outcome = ReconcileOutcome(active=True, watermark=watermark, period_seconds=self._last.period_seconds)
            self._last, self._rounds, self._signalled = outcome, self._rounds + 1, self._signalled + outcome.signalled
            if not outcome.active:
                return
            watermark = outcome.watermark or watermark
            info = workflow.info()
            if (self._rounds >= ROUNDS_PER_RUN or info.is_continue_as_new_suggested()
                    or info.get_current_history_length() >= CONTINUE_AS_NEW_AFTER):
                workflow.continue_as_new(start, memo={WATERMARK: watermark})
            await workflow.sleep(timedelta(seconds=max(1, outcome.period_seconds)))
