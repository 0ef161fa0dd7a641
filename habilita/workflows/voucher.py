"""The voucher-type step shared by P1 (invoice, credit and debit notes) and P2 (support documents)."""
from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow

from habilita.inputs import limits

from .inputs import Problems, expect_step, wrong_step
from .process import step_now

with workflow.unsafe.imports_passed_through():
    from habilita.activities.numbering import ResolutionFacts
    from habilita.messages import Message

# The step's name in both processes (each workflow's Step has it).
VOUCHER_TYPE_STEP = "voucher_type"


@dataclass(frozen=True)
class VoucherTypeSetup:
    """Staff pick a synced resolution; every kind of the process gets these parameters."""

    actor: str
    resolution_id: int
    prefix: str
    next_number: int


def check_voucher_setup(setup: VoucherTypeSetup, resolutions: tuple[ResolutionFacts, ...]) -> ResolutionFacts:
    """The chosen resolution, or a rejection naming every wrong field."""
    problems = Problems.acting(setup.actor)
    chosen = next((r for r in resolutions if r.resolution_id == setup.resolution_id), None)
    if chosen is None and resolutions:
        offered = [{"code": "resolution_choice",
                    "params": {"id": r.resolution_id, "prefix": r.prefix, "number": r.resolution_number}}
                   for r in resolutions]
        problems.add("resolution_id", "resolution_not_synced", offered=offered)
    elif chosen is None:
        problems.add("resolution_id", "no_resolution_synced")
    if problems.require("prefix", setup.prefix, maximum=limits.PREFIX) and chosen and setup.prefix.strip() != chosen.prefix:
        problems.add("prefix", "prefix_mismatch", number=chosen.resolution_number, expected=chosen.prefix,
                     given=setup.prefix.strip())
    if chosen and not chosen.range_from <= setup.next_number <= chosen.range_to:
        problems.add("next_number", "next_number_out_of_range", first=chosen.range_from, last=chosen.range_to)
    problems.raise_if_any()
    return chosen


class VoucherTypeStep:
    """The voucher-type step's human action, mixed into P1 (step 6) and P2 (step 4).

    The workflow keeps ``_tracker``, ``_voucher`` (None until staff configure
    it) and ``_resolutions`` (the synced ones offered), and names in
    ``VOUCHER_ANSWER`` the code of what it answers.
    """

    VOUCHER_ANSWER = ""

    @workflow.update
    async def configure_voucher_type(self, setup: VoucherTypeSetup) -> Message:
        self._voucher = setup
        return Message(self.VOUCHER_ANSWER, {"prefix": setup.prefix})

    @configure_voucher_type.validator
    def _validate_voucher_type(self, setup: VoucherTypeSetup) -> None:
        expect_step("configure_voucher_type", step_now(self._tracker), VOUCHER_TYPE_STEP)
        if self._voucher is not None:
            wrong_step("configure_voucher_type", VOUCHER_TYPE_STEP, already_done=True)
        check_voucher_setup(setup, self._resolutions)
