"""Where a process stands, in the names every layer shares: its status, whom it waits on, and what
its status offers a person to pick from.

Pure: workflows project these, models store them, the console and support
read them. Each workflow names its own steps (``Step`` in its module).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProcessStatus(StrEnum):
    RUNNING = "running"
    WAITING = "waiting"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"


class WaitingOn(StrEnum):
    NOBODY = ""
    STAFF = "staff"
    COMPANY = "company"
    DIAN = "dian"
    SYSTEM = "system"


# A process in one of these has ended: nothing more happens to it unless support restarts it.
ENDED = frozenset({ProcessStatus.COMPLETED, ProcessStatus.FAILED, ProcessStatus.CANCELLED, ProcessStatus.TERMINATED})


@dataclass(frozen=True)
class Offered:
    """One choice a workflow's status offers a field of a step's form (``offers``: field -> choices):
    the value sent (an id, as text) and the words shown (its name)."""

    value: str
    label: str
