"""A workflow that tries the calls a workflow must not make, for tests/habilita/test_sandbox.py.

It imports ``time``, ``random`` and ``datetime`` at the top, as a workflow
module of ours does: imported inside the sandbox, those names are its
restricted stand-ins; passed through (or with the sandbox off) they are the
real modules and every call below would be allowed.
"""
from __future__ import annotations

import random
import sys
import time
from datetime import datetime

from temporalio import workflow
from temporalio.worker.workflow_sandbox import RestrictedWorkflowAccessError

CALLS = {
    "time": lambda: time.time(),
    "random": lambda: random.random(),
    "now": lambda: datetime.now(),
    "file": lambda: open(__file__).read(),
    "workflow_time": lambda: workflow.now(),
    "workflow_random": lambda: workflow.random().random(),
}


@workflow.defn
class SandboxProbe:
    @workflow.run
    async def run(self, call: str) -> str:
        """``refused`` or ``allowed``."""
        try:
            CALLS[call]()
        except RestrictedWorkflowAccessError:
            return "refused"
        return "allowed"

    @workflow.query
    def module_identity(self) -> int:
        """Which copy of this module the run executes in (the same for every run of a worker when imported once)."""
        return id(sys.modules[__name__])
