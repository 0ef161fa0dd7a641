"""Files only their owner reads: every file under ``var/`` that holds a secret is created mode 0600.

Each file is written whole under a temporary name that is itself created 0600 (``O_EXCL``: never an
existing file, never readable by others for a moment), then moved into place: a reader sees the old
file or the new one, never half of one, and two processes racing to create the same secret agree on
the first one written.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

OWNER_ONLY = 0o600
OWNER_ONLY_DIRECTORY = 0o700


def _written_aside(path: Path, data: bytes) -> Path:
    """``data`` in a new owner-only file beside ``path``; its name."""
    path.parent.mkdir(mode=OWNER_ONLY_DIRECTORY, parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    return aside


def create_private(path: Path, data: bytes) -> bool:
    """Create ``path`` holding ``data``, readable by its owner alone, unless it exists already.

    True when this call created it; False when another did first (its content is then kept).
    """
    aside = _written_aside(path, data)
    try:
        os.link(aside, path)
    except FileExistsError:
        return False
    finally:
        aside.unlink()
    return True


def replace_private(path: Path, data: bytes) -> None:
    """Write ``path`` whole with ``data``, readable by its owner alone, replacing what it held."""
    os.replace(_written_aside(path, data), path)


def keep_private(path: Path) -> None:
    """Make ``path`` (created empty when missing) readable by its owner alone: for a file another
    library writes, such as a SQLite database, whose side files then take the same mode."""
    path.parent.mkdir(mode=OWNER_ONLY_DIRECTORY, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, OWNER_ONLY))
    os.chmod(path, OWNER_ONLY)
