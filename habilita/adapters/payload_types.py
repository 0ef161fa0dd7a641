"""Temporal's JSON payloads read into our dataclasses without compiling their annotations each time.

To turn a JSON payload into a dataclass, temporalio asks ``typing.get_type_hints``
for the class's field types, for every payload. Our modules postpone their
annotations (``from __future__ import annotations``), so each of those calls
compiles and evaluates every field's annotation string again: 0.2 ms of a
0.3 ms read of a ``ProcessSnapshot``, paid by every activity's input and every
result a workflow reads back (``bench/enablement.py``).

:class:`PayloadConverter` is Temporal's default converter with one change: the
first time a payload is read as a dataclass, the class's annotations (and those
of the dataclasses its fields hold) are replaced by the types they name, as
``typing.get_type_hints`` evaluates them. Whoever reads them later, temporalio
included, gets the same types without compiling anything. The JSON written and
the values read are the same as with the default converter.
"""
from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    CompositePayloadConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

_resolved: set = set()


def resolve_annotations(hint: Any) -> None:
    """Replace the postponed annotations of the dataclasses in ``hint`` (a dataclass, or a type such as
    ``list[Entry] | None`` that holds some) by the types they name. Once per class; a class whose
    annotations cannot be evaluated is left as it is (temporalio then says why it cannot read it)."""
    try:
        if hint in _resolved:
            return
        _resolved.add(hint)
    except TypeError:  # an unhashable hint (e.g. a Literal of a list): nothing to remember it by
        pass
    for argument in typing.get_args(hint):
        resolve_annotations(argument)
    if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
        return
    for klass in reversed(hint.__mro__):
        own = inspect.get_annotations(klass)
        if not own or not any(isinstance(value, str) for value in own.values()):
            continue
        hints = _evaluated(klass)
        if hints is not None:
            klass.__annotations__ = {name: hints.get(name, value) for name, value in own.items()}
    for field_type in (_evaluated(hint) or {}).values():
        resolve_annotations(field_type)


def _evaluated(klass: type) -> dict | None:
    """``klass``'s annotations evaluated, or None if one names what its module cannot resolve."""
    try:
        return typing.get_type_hints(klass, include_extras=True)
    except (NameError, AttributeError, TypeError, SyntaxError):  # temporalio evaluates them again, and says why
        return None


class _JSONPlainWithResolvedTypes(JSONPlainPayloadConverter):
    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        if type_hint is not None:
            resolve_annotations(type_hint)
        return super().from_payload(payload, type_hint)


class PayloadConverter(CompositePayloadConverter):
    """Temporal's default payload converter, its JSON one reading dataclasses with annotations resolved once."""

    def __init__(self) -> None:
        super().__init__(*(
            _JSONPlainWithResolvedTypes() if type(converter) is JSONPlainPayloadConverter else converter
            for converter in DefaultPayloadConverter.default_encoding_payload_converters
        ))
