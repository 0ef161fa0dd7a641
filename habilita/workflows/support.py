"""What support may do inside a process workflow: skip a step, with a reason.

A process opts in by mixing :class:`SkippableSteps` into its workflow class,
naming its ``SKIPPABLE_STEPS`` and waiting on ``self.skip_requested(step)``
beside its normal condition at each of those steps. The ``skip_step`` update
is refused by its validator unless the step is the current one and declared
skippable, so a refused skip never reaches the history.
"""
from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow

from .inputs import Problems, wrong_step

SKIP_STEP_UPDATE = "skip_step"


@dataclass(frozen=True)
class SkipStep:
    """Support's request to leave ``step`` without doing it."""

    actor: str
    step: str
    reason: str


@dataclass(frozen=True)
class SkippedStep:
    step: str
    actor: str
    reason: str


def check_skip(request: SkipStep, *, current_step: str, skippable: frozenset[str], already_skipped: bool) -> None:
    """Reject ``request`` with every problem at once (pure, for validators)."""
    problems = Problems.acting(request.actor)
    problems.require("reason", request.reason, multiline=True)
    if request.step not in skippable and skippable:
        problems.add("step", "step_not_skippable", step=request.step, steps=sorted(skippable))
    elif request.step not in skippable:
        problems.add("step", "no_step_skippable", step=request.step)
    problems.raise_if_any()
    if request.step != current_step or already_skipped:
        wrong_step(SKIP_STEP_UPDATE, current_step, already_done=request.step == current_step)


class SkippableSteps:
    """Mixin: a ``skip_step`` update for the steps the workflow declares skippable.

    The workflow must expose its current step as ``self._tracker.step``
    (a :class:`~habilita.workflows.process.ProcessTracker`).
    """

    SKIPPABLE_STEPS: frozenset[str] = frozenset()

    def skip_requested(self, step: str) -> bool:
        """True once support has asked to skip ``step``; use it in ``wait_condition``."""
        return step in self._skips()

    def skip_of(self, step: str) -> SkippedStep | None:
        """Who skipped ``step`` and why, for the workflow's audit entry."""
        return self._skips().get(step)

    def _skips(self) -> dict[str, SkippedStep]:
        # Created lazily: the mixin adds no __init__ the workflow must call.
        if not hasattr(self, "_skipped_steps"):
            self._skipped_steps = {}
        return self._skipped_steps

    @workflow.update(name=SKIP_STEP_UPDATE)
    async def skip_step(self, request: SkipStep) -> SkippedStep:
        skipped = SkippedStep(step=request.step, actor=request.actor, reason=request.reason)
        self._skips()[request.step] = skipped
        return skipped

    @skip_step.validator
    def _validate_skip_step(self, request: SkipStep) -> None:
        tracker = getattr(self, "_tracker", None)
        check_skip(request, current_step=tracker.step if tracker else "starting",
                   skippable=self.SKIPPABLE_STEPS, already_skipped=request.step in self._skips())
