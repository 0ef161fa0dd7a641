"""What a process is, declared once: its workflow, how its id is formed, how it
starts for a company, its steps in order and the human actions of each.

The CLI's step commands, the console's step forms and pages, support's reset
points, the demo seeder and the benches read these declarations; none of them
spells a workflow id, a child suffix or an update name of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Sealer:
    """A secret the shell seals before it sends the update, so the update (and Temporal's history) never holds it.

    The person types ``secret`` (the console shows a password input, the CLI an option that prompts);
    ``seal(workflow_id, secret, box=...)`` stores it sealed with the application key where the process's
    activities will open it, and returns the values of the update's ``references`` fields that point to it
    (an empty secret is sealed nowhere: the references then point to nothing, and the validator says so at
    ``secret``). It may raise a ``Refusal`` whose problems name ``secret``.
    """

    secret: str
    references: tuple[str, ...]
    seal: Callable


@dataclass(frozen=True)
class Action:
    """One update a person sends at a step, with the dataclass it takes.

    ``update`` is the workflow's update method, sent by typed reference; its
    registered name is the method's name (no ``name=`` is given to any of
    them, so moving a module never renames one). ``command`` is the CLI
    subcommand that sends it; ``arguments`` are the input fields the command
    takes as positional arguments and ``options`` the extra spellings of a
    field's option (kept from earlier releases). The console's form and the
    CLI's options are both made from ``input_type``'s fields.
    """

    update: Callable
    input_type: type
    command: str
    arguments: tuple[str, ...] = ()
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Fields whose value is one of a fixed set (machine names; their words are in the catalog).
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # CLI only: a field's value when its option is not given, and one option that fills a
    # (number, check digit) pair of fields from "NUMBER-DIGIT" (e.g. --holder 900123456-8).
    defaults: dict[str, object] = field(default_factory=dict)
    tax_id_options: dict[str, tuple[str, str]] = field(default_factory=dict)
    # An update that carries a file by reference (stored_file_id, sha256): who checks and stores it first,
    # called as ``receiver(content, file_name, box=...)`` (files are stored sealed with the application key).
    receiver: Callable | None = None
    # An update that refers to a secret instead of carrying it: who seals it first (see ``Sealer``).
    sealer: Sealer | None = None
    # Fields a person picks instead of typing: "date" (a calendar, sent as an ISO date) or "account" (the
    # company's chart of accounts, browsed and searched; sent as the account's code).
    pickers: dict[str, str] = field(default_factory=dict)
    # What the form starts filled with, for a company: ``prefill(company_id, box=...)`` -> {field: value}
    # (the legal representative a company already gave in another process); the person may change it.
    prefill: Callable | None = None
    # A field whose choices are done in order, each its own button (DIAN's portal sub-steps), and the
    # field of the workflow's status listing the ones done already.
    buttons: str = ""
    done_field: str = ""
    # A field of the workflow's status that must be true before the console offers the action
    # (its validator refuses it anyway): no "continue" before there is something to continue with.
    offered_when: str = ""
    help: str = ""
    # The outside system the workflow asks before it answers ("dian", "billing"): the person gets an
    # answer within seconds whether it answers or not, and the workflow goes on asking in the background.
    asks: str = ""
    # The company may do it itself, through an invitation link (its legal representative, its letter,
    # what it did at DIAN's portal); staff do every action.
    by_company: bool = False

    @property
    def name(self) -> str:
        return self.update.__name__


@dataclass(frozen=True)
class Step:
    """One step: its machine name, its words, who it waits on, what a person can do there.

    ``child`` is the process that carries the step out in a child workflow
    (whose actions the step's page then shows).
    """

    name: str
    label: str
    waits_on: str = ""
    actions: tuple[Action, ...] = ()
    child: "ProcessDeclaration | None" = None


@dataclass(frozen=True)
class ProcessDeclaration:
    """A process type: everything the shell needs to start it, show it and act on it."""

    process_type: str
    label: str
    workflow: type
    steps: tuple[Step, ...]
    # Where the process ends (projected step names beyond the last step), with their words.
    ends: dict[str, str] = field(default_factory=dict)
    # Top-level processes: the start dataclass for (company, actor, settings), and the CLI's name for it.
    build_start: Callable | None = None
    cli_name: str = ""
    # Child processes: the suffix that makes their id from the parent's, or the field of the
    # parent's status that names the child running now (a sync, one per date range).
    child_suffix: str = ""
    child_id_field: str = ""

    @property
    def run(self) -> Callable:
        return self.workflow.run

    @property
    def status_query(self) -> Callable | None:
        return getattr(self.workflow, "status", None)

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps)

    def workflow_id(self, company) -> str:
        """One live workflow per company and process: a second start finds the first."""
        return process_workflow_id(self.process_type, company.country, company.tax_id)

    def child_workflow_id(self, parent_id: str) -> str:
        """A child's id from its parent's (or the id itself when it is already the child's)."""
        return parent_id if parent_id.endswith(self.child_suffix) else parent_id + self.child_suffix

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def actions_for(self, step: str) -> tuple[Action, ...]:
        found = self.step(step)
        return found.actions if found else ()

    def action(self, step: str, name: str) -> Action | None:
        return next((a for a in self.actions_for(step) if a.name == name), None)

    def child_at(self, step: str) -> "ProcessDeclaration | None":
        found = self.step(step)
        return found.child if found else None

    def children(self) -> tuple["ProcessDeclaration", ...]:
        found: list[ProcessDeclaration] = []
        for step in self.steps:
            if step.child is not None and all(step.child is not seen for seen in found):
                found.append(step.child)
        return tuple(found)

    def all_actions(self) -> tuple[Action, ...]:
        return tuple(a for s in self.steps for a in s.actions)


def process_workflow_id(process_type: str, country: str, tax_id: str) -> str:
    """The id rule of every top-level process: type, country and tax id."""
    return f"{process_type}-{country}-{tax_id}"
