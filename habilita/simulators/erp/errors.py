"""The ERP's error answer: ``{"Status": 400, "Errors": [{"Code", "Message", "Params", "Detail"}]}``.

Every refusal is an :class:`ApiError` carrying one or more :class:`Problem`
entries, so one answer can name every bad line of an invoice at once (a hub
fixing a multi-item order wants them all). ``Params`` holds the offending
values (a product code, a tax id, the two totals that differ); ``Detail``
names the field, e.g. ``items[1].code``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One error entry of an answer."""

    code: str
    message: str
    params: tuple[str, ...] = ()
    detail: str = ""

    def to_json(self) -> dict:
        return {"Code": self.code, "Message": self.message, "Params": list(self.params), "Detail": self.detail}


class ApiError(Exception):
    """A request the ERP refuses; ``status`` is the HTTP status, ``headers`` extra headers (Retry-After)."""

    def __init__(self, status: int, *problems: Problem, headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(f"{p.code}: {p.message}" for p in problems))
        self.status = status
        self.problems = problems
        self.headers = headers or {}

    @classmethod
    def one(cls, status: int, code: str, message: str, *params: object, detail: str = "",
            headers: dict[str, str] | None = None) -> "ApiError":
        """An error with a single entry."""
        return cls(status, Problem(code, message, tuple(str(p) for p in params), detail), headers=headers)

    def to_json(self) -> dict:
        return {"Status": self.status, "Errors": [p.to_json() for p in self.problems]}


def required(value: object, field: str) -> object:
    """``value`` unless it is missing or blank: then a 400 ``parameter_required`` naming ``field``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApiError.one(400, "parameter_required", f"El campo {field} es obligatorio", field, detail=field)
    return value
