"""Colombian civil time: UTC-5 all year (Colombia has no daylight saving time)."""

from __future__ import annotations

import datetime

COLOMBIA = datetime.timezone(datetime.timedelta(hours=-5), "COT")


def colombia_now() -> datetime.datetime:
    """The current moment in Colombian time, to the second."""
    return datetime.datetime.now(COLOMBIA).replace(microsecond=0)


def to_colombia(moment: datetime.datetime) -> datetime.datetime:
    """Convert an aware datetime to Colombian time; naive ones are refused (their zone is a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; give an aware datetime (e.g. dian.clock.COLOMBIA)")
    return moment.astimezone(COLOMBIA)


def issue_time_text(moment: datetime.datetime) -> str:
    """IssueTime as DIAN writes it: "10:53:10-05:00"."""
    local = to_colombia(moment)
    return local.strftime("%H:%M:%S") + "-05:00"
