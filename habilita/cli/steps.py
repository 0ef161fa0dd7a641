"""The human steps of every declared process as CLI commands, made from the declarations.

Each command takes the process (a workflow id, or a company for P3), ``--actor``,
and one option per field of the update's dataclass (or an argument, where the
declaration says so); it sends the same update the console sends and prints
the answer, or each refused field's problem.
"""
from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Awaitable, Callable

import click

from habilita.activities.uploads import UploadRefused
from habilita.adapters.secrets_box import SecretBox
from habilita.messages import words
from habilita.processes import Action, ProcessDeclaration
from habilita.processes.refusals import INVALID_INPUT, Refusal
from habilita.processes.client import StillWorking

from .common import load, refuse, run_with_processes, show

# Fields the command fills itself: the acting person, and a file checked and stored before it is sent.
ACTOR = "actor"
STAGED_FILE_FIELDS = ("stored_file_id", "sha256")

# (processes, settings, the command's target value, the declaration that owns the action) -> the
# workflow id to send to; raises a Refusal when there is none (e.g. no sync running).
Locate = Callable[..., Awaitable[str]]


def step_commands(declarations: typing.Iterable[ProcessDeclaration], *, target: click.Parameter,
                  locate: Locate) -> list[click.Command]:
    """One command per declared action command name, across ``declarations``.

    Two processes may declare the same command (P1 and P2 configure a voucher
    type alike): it is one command, which must send the same update name with
    the same input.
    """
    owners: dict[str, list[tuple[ProcessDeclaration, Action]]] = {}
    for declaration in declarations:
        for action in declaration.all_actions():
            found = owners.setdefault(action.command, [])
            if all(action is not seen for _, seen in found):
                found.append((declaration, action))
    commands = []
    for name, pairs in owners.items():
        shapes = {(a.name, a.input_type) for _, a in pairs}
        if len(shapes) != 1:  # a mistake in the declarations, found whether or not Python runs with -O
            raise ValueError(f"command {name!r} is declared for different updates: {shapes}")
        commands.append(_command(name, pairs, target, locate))
    return commands


def _command(name: str, pairs: list[tuple[ProcessDeclaration, Action]], target: click.Parameter,
             locate: Locate) -> click.Command:
    # Processes that share a command send the same update name: the first owner's reference serves all.
    owner, action = pairs[0]

    def callback(**values):
        settings = load()
        secret = values.pop(action.sealer.secret, "") if action.sealer else ""
        data = _input(action, values, settings)

        async def send(processes):
            workflow_id = await locate(processes, settings, values[target.name], owner)
            sent = data
            if action.sealer:
                # Sealed into the process's own row first: the update carries only what refers to it.
                sent = dataclasses.replace(data, **action.sealer.seal(
                    workflow_id, secret or "", box=SecretBox(settings.encryption_key)))
            return await processes.send(workflow_id, action, sent)

        answer = run_with_processes(settings, send)
        show(settings, answer.message if isinstance(answer, StillWorking) else answer)

    return click.Command(name, params=[target, *_parameters(action)], callback=callback, help=action.help)


def _parameters(action: Action) -> list[click.Parameter]:
    types = typing.get_type_hints(action.input_type)
    sealed = action.sealer.references if action.sealer else ()
    fields = [f for f in dataclasses.fields(action.input_type)
              if f.name != ACTOR and f.name not in STAGED_FILE_FIELDS and f.name not in sealed]
    params: list[click.Parameter] = []
    if _is_staged(action):
        params.append(click.Argument(["file"], type=click.Path(exists=True, dir_okay=False, path_type=Path)))
    for name in action.arguments:
        params.append(click.Argument([name], type=click.Choice(action.choices[name]) if name in action.choices
                                     else str))
    params.append(click.Option(["--actor"], required=True, help="Who acts (e-mail), recorded in the audit log."))
    combined = {name for pair in action.tax_id_options.values() for name in pair}
    for option, (number, digit) in action.tax_id_options.items():
        params.append(click.Option([option, f"{option.lstrip('-')}_combined"], default="",
                                   help=f"{words.FIELDS.get(number, number)} with its check digit, e.g. 900123456-8."))
    for field in fields:
        if field.name in action.arguments:
            continue
        kind = types.get(field.name, str)
        default = action.defaults.get(field.name, _default(field, kind))
        spellings = [f"--{field.name.replace('_', '-')}", *action.options.get(field.name, ()), field.name]
        choice = action.choices.get(field.name)
        params.append(click.Option(
            spellings, type=click.Choice(["", *choice]) if choice else _option_type(kind),
            default=default, show_default=bool(default) or None,
            help=words.FIELDS.get(field.name, field.name.replace("_", " ")) + (
                " (or use the combined option)" if field.name in combined else "")))
    if action.sealer:
        # A secret is typed at a prompt that does not echo it (or given as an option, in scripts).
        name = action.sealer.secret
        params.append(click.Option([f"--{name.replace('_', '-')}", name], prompt=words.FIELDS.get(name, name),
                                   hide_input=True, help=words.FIELDS.get(name, name) + " (asked without echo)"))
    return params


def _option_type(kind):
    return {int: int, bool: click.BOOL}.get(kind, str)


def _default(field: dataclasses.Field, kind):
    if field.default is not dataclasses.MISSING:
        return field.default
    return 0 if kind is int else False if kind is bool else ""


def _is_staged(action: Action) -> bool:
    return set(STAGED_FILE_FIELDS) <= {f.name for f in dataclasses.fields(action.input_type)}


def _input(action: Action, values: dict, settings):
    """The update's dataclass from the command's values (a staged file is checked and stored first)."""
    data = {}
    for option, (number, digit) in action.tax_id_options.items():
        given = (values.pop(f"{option.lstrip('-')}_combined", "") or "").strip()
        if given:
            data[number], _, data[digit] = given.rpartition("-") if "-" in given else (given, "", "")
    if _is_staged(action):
        data.update(_stage(action, values.pop("file"), settings))
    sealed = action.sealer.references if action.sealer else ()
    for field in dataclasses.fields(action.input_type):
        if field.name in sealed:
            continue  # filled when the secret is sealed, once the process is known (and else by its default)
        if field.name not in data:
            value = values.get(field.name)
            data[field.name] = value.strip() if isinstance(value, str) else value
    return action.input_type(**data)


def _stage(action: Action, file: Path, settings) -> dict:
    """Check and store ``file`` with the action's receiver; a refused file ends the command at its field."""
    try:
        staged = action.receiver(file.read_bytes(), file.name, box=SecretBox(settings.encryption_key))
    except UploadRefused as refusal:
        refuse(settings, Refusal(INVALID_INPUT, problems=[dataclasses.replace(refusal.problem, field="file")]))
    return {"stored_file_id": staged.stored_file_id, "sha256": staged.sha256}
