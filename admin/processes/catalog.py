"""The processes the console can start, and the human actions of each step.

A step's actions are the workflow's updates that belong to it: listed in
``STEP_UPDATES`` where the name does not say it, otherwise every update whose
name contains the step's name (``submit_dian_registration`` belongs to
``dian_registration``). A new update therefore appears on its step's page as
soon as its workflow defines it.
"""
from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l

from models import Company
from workflows import einvoicing


@dataclass(frozen=True)
class UpdateAction:
    """One update a person can send at a step."""

    name: str
    method: Callable
    input_type: type
    module: object

    @property
    def fields(self) -> tuple[dataclasses.Field, ...]:
        return dataclasses.fields(self.input_type)


@dataclass(frozen=True)
class ProcessKind:
    process_type: str
    label: object
    workflow: type
    steps: tuple[str, ...]
    build_start: Callable[[Company, str], object]

    def workflow_id(self, company: Company) -> str:
        """One live workflow per company and process: a second start is refused by Temporal."""
        return f"{self.process_type}-{company.country}-{company.tax_id}"

    def actions_for(self, step: str) -> list[UpdateAction]:
        explicit = STEP_UPDATES.get((self.process_type, step))
        return [a for a in update_actions(self.workflow)
                if (a.name in explicit if explicit is not None else step and step in a.name)]


# Updates whose names do not contain their step's name.
STEP_UPDATES: dict[tuple[str, str], tuple[str, ...]] = {}


def update_actions(workflow_class: type) -> list[UpdateAction]:
    """Every update of ``workflow_class`` that takes one dataclass, in definition order."""
    found = []
    for attribute, member in vars(workflow_class).items():
        # The SDK has no public listing of a class's updates; the decorator
        # leaves its definition (name, argument types) on the method.
        definition = getattr(member, "_defn", None)
        arg_types = getattr(definition, "arg_types", None) or []
        if definition is None or not hasattr(definition, "validator") or len(arg_types) != 1:
            continue
        if not dataclasses.is_dataclass(arg_types[0]):
            continue
        found.append(UpdateAction(name=definition.name or attribute, method=member, input_type=arg_types[0],
                                  module=inspect.getmodule(workflow_class)))
    return found


def _einvoicing_start(company: Company, actor: str):
    return einvoicing.StartEnablement(company_id=company.id, company_tax_id=company.display_tax_id, started_by=actor)


KINDS: dict[str, ProcessKind] = {
    einvoicing.PROCESS_TYPE: ProcessKind(
        process_type=einvoicing.PROCESS_TYPE, label=_l("Electronic invoicing"),
        workflow=einvoicing.EInvoicingEnablement, steps=einvoicing.STEPS, build_start=_einvoicing_start,
    ),
}


def kind(process_type: str) -> ProcessKind | None:
    return KINDS.get(process_type)
