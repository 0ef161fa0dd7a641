"""Why a field's value is refused: code -> English template (the catalog's message id)."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; translated when rendered."""
    return message


PROBLEMS: dict[str, str] = {
    "required": N_("this field is required"),
}
