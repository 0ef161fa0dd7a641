"""Misbehaviour on demand, so the product's error handling meets real failures.

Kept in memory on purpose: a restarted simulator behaves again. Only the SOAP
endpoint misbehaves; the portal and the inspection endpoints always answer.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class Faults:
    """The misbehaviours switched on; all off by default."""

    delay_seconds: float = 0.0  # answer every SOAP call this much later
    fail_next: int = 0  # answer the next N SOAP calls with ``fail_status``
    fail_always: bool = False  # answer every SOAP call with ``fail_status``
    fail_status: int = 503
    hang: bool = False  # never answer SOAP calls (until switched off): clients time out
    in_process_forever: bool = False  # GetStatusZip keeps saying "Batch en proceso de validación."

    @classmethod
    def from_json(cls, data: dict) -> "Faults":
        """Faults from a JSON object; unknown keys and wrong types are refused."""
        if not isinstance(data, dict):
            raise ValueError("faults must be a JSON object")
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown fault switches: {', '.join(unknown)}; known: {', '.join(known)}")
        values = {}
        for name, value in data.items():
            kind = known[name]
            if kind == "bool" and not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
            if kind in ("int", "float") and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"{name} must be a non-negative number")
            values[name] = int(value) if kind == "int" else value
        if "fail_status" in values and not 500 <= values["fail_status"] <= 599:
            raise ValueError("fail_status must be a 5xx status")
        return cls(**values)

    def to_json(self) -> dict:
        """The switches as a JSON object."""
        return asdict(self)


class FaultSwitch:
    """The current :class:`Faults`, shared by the request threads."""

    def __init__(self) -> None:
        self._faults = Faults()
        self._changed = threading.Condition()
        self._closing = False

    @property
    def current(self) -> Faults:
        """The faults in force."""
        return self._faults

    def set(self, faults: Faults) -> None:
        """Replace the faults in force (waking any hanging call so it re-reads them)."""
        with self._changed:
            self._faults = faults
            self._changed.notify_all()

    def update(self, **changes) -> Faults:
        """Change some switches, keep the others."""
        with self._changed:
            self._faults = replace(self._faults, **changes)
            self._changed.notify_all()
            return self._faults

    def take_failure(self) -> int | None:
        """The status to fail this call with, if a failure is due (consumes one of ``fail_next``)."""
        with self._changed:
            if self._faults.fail_always:
                return self._faults.fail_status
            if self._faults.fail_next > 0:
                self._faults = replace(self._faults, fail_next=self._faults.fail_next - 1)
                return self._faults.fail_status
            return None

    def hang_while_asked(self, *, limit_seconds: float) -> None:
        """Block while ``hang`` is on, up to ``limit_seconds`` or until the server closes."""
        with self._changed:
            self._changed.wait_for(lambda: not self._faults.hang or self._closing, timeout=limit_seconds)

    def pause(self, seconds: float) -> None:
        """Sleep ``seconds``, cut short if the server closes."""
        with self._changed:
            self._changed.wait_for(lambda: self._closing, timeout=seconds)

    def close(self) -> None:
        """Release every hanging call: the server is stopping."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
