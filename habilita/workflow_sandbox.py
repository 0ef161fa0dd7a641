"""The workflow sandbox, imported once per worker instead of once per workflow run.

Temporal's sandbox imports a workflow's module again for every run it starts
or brings back into the cache, with every module that one imports and that
is not passed through: for P1's parent that is ~50 ms of building the same
dataclasses, enums and workflow definitions, on the worker's event loop, and
a private copy of those modules kept in memory for every cached run. Two
changes remove that cost and keep what the sandbox is for:

1. ``PASSED_THROUGH``: our modules that are deterministic and free of side
   effects at import (the state names, messages, the DIAN and accounting
   domain, the activities' dataclasses, and with them the libraries they use)
   come from the host, as the standard library and temporalio already do.
2. :class:`OnceImportedSandbox`: the workflow modules themselves are still
   imported *inside* the sandbox, so the ``time``, ``random``, ``datetime``,
   ``os`` and ``open`` they see are the sandbox's restricted stand-ins, but
   once per worker: every run shares that one import. Two smaller costs go
   with it: the few snippets through which the sandbox enters a run are
   compiled once rather than at every call, and temporalio's per-payload
   bookkeeping (which serialization context a payload belongs to), which
   runs no workflow code, no longer enters the sandbox.

Passing the workflow modules through (``with_passthrough_all_modules()``)
would be as fast, and would stop the sandbox from refusing ``time.time()``,
``random.random()`` or ``datetime.now()`` in workflow code: a module passed
through keeps the real ``time`` it imported outside.

What is given up is the isolation of a workflow module's globals between the
runs of one worker, as for any module passed through: habilita's workflow
modules hold constants, classes and functions, and each run keeps its state
on its own workflow instance. ``tests/habilita/test_sandbox.py`` shows that
the restricted calls are still refused and that the import happens once; it
fails if a temporalio release moves the sandbox internals used here.
"""
from __future__ import annotations

import threading
import types
from dataclasses import dataclass, field
from typing import Any

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
# The sandbox's own importer, restriction context and per-run instance (temporalio 1.35): the pieces
# that decide when modules are imported, reused here so that they are imported once.
from temporalio.worker.workflow_sandbox._importer import Importer
from temporalio.worker.workflow_sandbox._restrictions import RestrictionContext
from temporalio.worker.workflow_sandbox._runner import _Instance

PASSED_THROUGH = (
    "habilita.states",       # the process status and who a step waits on: enums
    "habilita.messages",     # Message, Problem and their code tables
    "habilita.dian",         # the pure DIAN domain: check digits, validators, limits
    "habilita.accounting",   # the pure accounting domain: charts and posting rules
    "habilita.inputs",       # the rules every input obeys: pure checks returning problems
    "habilita.activities",   # the activities' input and output dataclasses (their classes never run in a workflow)
)

RESTRICTIONS = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)


class _PerThreadRestrictionContext(RestrictionContext):
    """Whether a run is executing, kept per thread.

    The sandbox's restricted stand-ins ask this context whether workflow code
    is running now. With one import for every run, the stand-ins are shared,
    and runs execute on the worker's threads at once: each thread answers for
    the run it is executing.
    """

    def __init__(self) -> None:
        self._per_thread = threading.local()
        super().__init__()

    @property
    def is_runtime(self) -> bool:
        return getattr(self._per_thread, "is_runtime", False)

    @is_runtime.setter
    def is_runtime(self, value: bool) -> None:
        self._per_thread.is_runtime = value

    @property
    def in_activation(self) -> bool:
        return getattr(self._per_thread, "in_activation", False)

    @in_activation.setter
    def in_activation(self, value: bool) -> None:
        self._per_thread.in_activation = value


_COMPILED: dict[str, types.CodeType] = {}


def _compiled(code: str) -> types.CodeType:
    """The sandbox enters a run through a few fixed snippets; compile each once, not at every call."""
    found = _COMPILED.get(code)
    if found is None:
        found = _COMPILED[code] = compile(code, "<workflow sandbox>", "exec")
    return found


class _RunSharingImports(_Instance):
    """One workflow run in the sandbox, importing through the worker's one importer."""

    def __init__(self, details, runner_class: type, restrictions: SandboxRestrictions, importer: Importer) -> None:
        self._worker_importer = importer
        super().__init__(details, runner_class, restrictions)

    def _create_instance(self) -> None:
        self.importer = self._worker_importer
        super()._create_instance()

    def _run_code(self, code: Any, **extra_globals: Any) -> None:
        super()._run_code(_compiled(code) if isinstance(code, str) else code, **extra_globals)

    def get_serialization_context(self, command_info):
        # Called for every payload; temporalio's own bookkeeping, no workflow code: no need to enter the sandbox.
        return self.globals_and_locals["__temporal_in_sandbox"].get_serialization_context(command_info)

    def get_external_store_context(self, command_info):
        return self.globals_and_locals["__temporal_in_sandbox"].get_external_store_context(command_info)


@dataclass(frozen=True)
class OnceImportedSandbox(SandboxedWorkflowRunner):
    """Temporal's sandbox with its restrictions, importing each workflow module once per worker."""

    restrictions: SandboxRestrictions = RESTRICTIONS
    _importer: Importer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_importer", Importer(self.restrictions, _PerThreadRestrictionContext()))

    def create_instance(self, det):
        return _RunSharingImports(det, self.runner_class, self.restrictions, self._importer)

    @property
    def imported_modules(self) -> dict[str, types.ModuleType]:
        """The modules as the sandbox sees them: imported once inside it, or passed through."""
        return self._importer.new_modules
