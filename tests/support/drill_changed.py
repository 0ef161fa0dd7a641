"""The drill as a careless change would leave it: a new first step, no version marker.

In its own module: the workflow sandbox re-imports a workflow's module, so it
must import only what a workflow may (the test module imports the database).
"""
from __future__ import annotations

from temporalio import workflow

from habilita.workflows.process import ProcessTracker

from .drill import DrillStart


@workflow.defn(name="DrillProcess")
class DrillProcessWithAStepInserted:
    @workflow.run
    async def run(self, start: DrillStart) -> str:
        tracker = ProcessTracker(process_type="drill", company_id=start.company_id,
                                 company_tax_id=start.company_tax_id)
        await tracker.enter("welcome_call", waiting_on="staff")
        return "done"
