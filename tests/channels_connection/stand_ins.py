"""A stand-in for the per-connection reconciliation (``ChannelReconciliation``, built elsewhere): a test double
at a port we own, registered under the same workflow type, that remembers what it was started with."""
from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from habilita.channels.configuration import ReconcileStart


@workflow.defn(name="ChannelReconciliation")
class StandInReconciliation:
    @workflow.init
    def __init__(self, start: ReconcileStart) -> None:
        self._start = start

    @workflow.run
    async def run(self, start: ReconcileStart) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.query
    def started_with(self) -> ReconcileStart:
        return self._start
