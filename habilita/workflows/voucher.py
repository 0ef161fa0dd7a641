"""The voucher-type step shared by P1 (invoice, credit and debit notes) and P2 (support documents)."""
from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow

from .inputs import Problems

with workflow.unsafe.imports_passed_through():
    from habilita.activities.numbering import ResolutionFacts


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
    if problems.require("prefix", setup.prefix) and chosen and setup.prefix.strip() != chosen.prefix:
        problems.add("prefix", "prefix_mismatch", number=chosen.resolution_number, expected=chosen.prefix,
                     given=setup.prefix.strip())
    if chosen and not chosen.range_from <= setup.next_number <= chosen.range_to:
        problems.add("next_number", "next_number_out_of_range", first=chosen.range_from, last=chosen.range_to)
    problems.raise_if_any()
    return chosen
