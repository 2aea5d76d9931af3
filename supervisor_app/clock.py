"""Time and identifiers: UTC ISO-8601 for storage, 2014年4月8日 for people."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime


def now_utc() -> str:
    """The current time as UTC ISO-8601 with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def today() -> date:
    return date.today()


def local_day(timestamp: str) -> str:
    """The day ('YYYY-MM-DD', this computer's time zone) of a stored UTC time stamp."""
    return datetime.fromisoformat(timestamp).astimezone().date().isoformat()


def new_id() -> str:
    return str(uuid.uuid4())


def chinese_date(value: date | str | None) -> str:
    """Format a date (or an ISO date/time string) as 2014年4月8日."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"
