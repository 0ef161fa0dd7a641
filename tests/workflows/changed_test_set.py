"""The test set with a step inserted before its first activity, and no ``workflow.patched``:
what an unversioned change looks like to a running process. Its own module, because the
workflow sandbox re-imports the module that defines a workflow."""
from __future__ import annotations

from temporalio import workflow

from habilita.workflows.test_set import StartTestSet, TestSetOutcome, TestSetSubmission


@workflow.defn(name="TestSetSubmission")
class TestSetSubmissionThatWaitsFirst(TestSetSubmission):
    __test__ = False

    @workflow.run
    async def run(self, start: StartTestSet) -> TestSetOutcome:
        await workflow.sleep(1)
        return await super().run(start)
