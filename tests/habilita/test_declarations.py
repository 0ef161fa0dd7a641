"""The process declarations: every action names a real update of its workflow, with its input,
steps are the workflow's own, ids are formed once, and every shell derives from them."""
from __future__ import annotations

import dataclasses
import inspect
import typing

from click.testing import CliRunner

from habilita.cli import cli
from habilita.processes import DECLARATIONS, STARTABLE, parent_of
from habilita.workflows import accounting, channel_connection, einvoicing, support_document


def test_every_declared_action_is_an_update_of_its_workflow_taking_its_input():
    for declaration in DECLARATIONS.values():
        for action in declaration.all_actions():
            assert getattr(declaration.workflow, action.name) is action.update, (declaration.process_type, action.name)
            hints = typing.get_type_hints(action.update)
            (parameter,) = [p for p in inspect.signature(action.update).parameters if p != "self"]
            assert hints[parameter] is action.input_type, f"{action.name} takes {hints[parameter]}"
            assert dataclasses.is_dataclass(action.input_type)
            assert "actor" in {f.name for f in dataclasses.fields(action.input_type)}, action.name
            for name in [*action.choices, *action.arguments, *action.options, *action.defaults]:
                assert name in {f.name for f in dataclasses.fields(action.input_type)}, (action.name, name)
            if action.offered_when:
                status = typing.get_type_hints(declaration.status_query)["return"]
                assert action.offered_when in {f.name for f in dataclasses.fields(status)}, action.name


def test_the_declared_steps_are_the_workflows_own_in_order():
    assert STARTABLE["einvoicing"].step_names == einvoicing.STEPS
    assert STARTABLE["support_document"].step_names == support_document.STEPS
    assert STARTABLE["accounting"].step_names == accounting.STEPS
    assert STARTABLE["channels"].step_names == channel_connection.STEPS


def test_a_process_id_is_its_type_country_and_tax_id_and_a_child_adds_its_suffix():
    company = type("Company", (), {"country": "CO", "tax_id": "900123456"})()
    p1 = STARTABLE["einvoicing"]
    assert p1.workflow_id(company) == "einvoicing-CO-900123456"
    certificate = p1.child_at("certificate")
    child_id = certificate.child_workflow_id(p1.workflow_id(company))
    assert child_id == "einvoicing-CO-900123456-certificate"
    assert certificate.child_workflow_id(child_id) == child_id, "a child's own id is kept"
    assert parent_of(child_id, certificate.process_type) == (p1, "einvoicing-CO-900123456")
    assert parent_of("einvoicing-CO-900123456", "einvoicing") is None


def test_every_declared_action_has_its_cli_command_with_an_option_or_argument_per_field():
    # P3 and P4 have their own groups; the enablement processes share `habilita process`.
    group_of = {"accounting": "accounting", "accounting_sync": "accounting", "channels": "channels"}
    for declaration in DECLARATIONS.values():
        group = cli.commands[group_of.get(declaration.process_type, "process")]
        for action in declaration.all_actions():
            command = group.commands[action.command]
            names = {p.name for p in command.params}
            sealed = action.sealer.references if action.sealer else ()
            fields = {f.name for f in dataclasses.fields(action.input_type)} - {"actor", "stored_file_id", "sha256",
                                                                                 *sealed}
            assert fields <= names, (action.command, fields - names)
            assert "actor" in names
            if action.sealer:  # the secret is typed (never echoed), and what refers to it is not an option
                assert action.sealer.secret in names and not set(sealed) & names


def test_the_cli_help_lists_every_step_command():
    result = CliRunner().invoke(cli, ["process", "--help"])
    assert result.exit_code == 0
    for declaration in DECLARATIONS.values():
        for action in declaration.all_actions():
            if declaration.process_type not in ("accounting", "accounting_sync", "channels"):
                assert action.command in result.output
