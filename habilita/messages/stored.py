"""Messages kept in a text column: a notification's title and body, an audit row's detail, a process's last error.

The column keeps ``{"code": ..., "params": {...}}`` as JSON, so the reader
renders it in their language. Rows written before messages were codes (and
text a person typed) are not messages: :func:`from_text` says so and the
reader shows them as stored.
"""
from __future__ import annotations

import dataclasses
import json

from . import Message


def as_text(message: Message) -> str:
    """``message`` as the JSON a text column keeps (nested messages included)."""
    return json.dumps(dataclasses.asdict(message), ensure_ascii=False, sort_keys=True)


def from_text(text: str | None) -> Message | None:
    """The message a text column holds; None when it holds anything else."""
    if not text or not text.startswith('{"code": '):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not (isinstance(value, dict) and set(value) == {"code", "params"} and isinstance(value["code"], str)
            and isinstance(value["params"], dict)):
        return None
    return Message(code=value["code"], params=value["params"])
