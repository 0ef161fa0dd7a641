"""What processes tell people (answers to actions, guidance, notifications, history): code -> English template."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; translated when rendered."""
    return message


EVENTS: dict[str, str] = {}
