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
    problems = Problems()
    problems.require("actor", setup.actor, "the acting user")
    chosen = next((r for r in resolutions if r.resolution_id == setup.resolution_id), None)
    if chosen is None:
        offered = ", ".join(f"{r.resolution_id} ({r.prefix} {r.resolution_number})" for r in resolutions)
        problems.add("resolution_id", f"pick one of the synced resolutions: {offered or 'none synced'}")
    if problems.require("prefix", setup.prefix, "the prefix") and chosen and setup.prefix.strip() != chosen.prefix:
        problems.add("prefix", f"resolution {chosen.resolution_number} authorizes prefix {chosen.prefix!r}, "
                               f"not {setup.prefix.strip()!r}")
    if chosen and not chosen.range_from <= setup.next_number <= chosen.range_to:
        problems.add("next_number", f"the next number must lie in the authorized range "
                                    f"{chosen.range_from}-{chosen.range_to}")
    problems.raise_if_any()
    return chosen
