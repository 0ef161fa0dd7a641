"""How long something lasted, in units that read the same in Spanish and English (d, h, min, s)."""
from __future__ import annotations

from datetime import timedelta


def span(delta: timedelta | float) -> str:
    """``4 d 2 h``, ``3 d``, ``5 h``, ``12 min`` or ``30 s`` (whole units, rounded down)."""
    seconds = int(delta.total_seconds() if isinstance(delta, timedelta) else delta)
    days, rest = divmod(seconds, 86_400)
    hours = rest // 3600
    if days and hours:
        return f"{days} d {hours} h"
    if days:
        return f"{days} d"
    if hours:
        return f"{hours} h"
    return f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"
