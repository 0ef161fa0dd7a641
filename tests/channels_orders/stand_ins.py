"""A stand-in for the connection workflow (``SalesChannelConnection``, tested in tests/channels_connection):
a test double that keeps the ``invoicing_stopped`` / ``invoicing_resumed`` signals the order side sends."""
from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from habilita.channels.configuration import InvoicingResumed, InvoicingStopped


@workflow.defn(name="ConnectionStandIn")
class ConnectionStandIn:
    def __init__(self) -> None:
        self._stopped: list[InvoicingStopped] = []
        self._resumed = 0

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.signal
    def invoicing_stopped(self, stop: InvoicingStopped | None = None) -> None:
        self._stopped.append(stop or InvoicingStopped())

    @workflow.signal
    def invoicing_resumed(self, resumed: InvoicingResumed | None = None) -> None:
        self._resumed += 1

    @workflow.query
    def stopped(self) -> list[InvoicingStopped]:
        return list(self._stopped)
