"""Input parsing shared by the services: turn what a user or caller gives into the stored form.

Each function accepts the loose forms people type ('2014-04-08 09:30', a date object, ' 十 ')
and returns the canonical stored text or number, or raises ValidationError naming the field
when the input cannot be read at all. What a stored value must satisfy (required, lengths,
ranges, choices, relations) is decided by the record rules (supervisor_app/rules) on write.
"""

from __future__ import annotations

from datetime import date, datetime

from .errors import ValidationError
from .rules import fields as stored


def clean_text(value) -> str:
    """Text as stored: stripped, '' for nothing."""
    return "" if value is None else str(value).strip()


def text(value, field: str, label: str, *, required: bool = True, max_length: int = stored.MAX_TEXT) -> str:
    """Stripped text, checked now (for input that is not a record field, e.g. an amendment's)."""
    value = clean_text(value)
    stored.text({field: value}, field, label, required=required, max_length=max_length)
    return value


def iso_date(value, field: str, label: str, *, required: bool = True) -> str | None:
    """Accept a date or 'YYYY-MM-DD'; return 'YYYY-MM-DD'."""
    if value in (None, ""):
        if required:
            raise ValidationError(f"请填写{label}。", field=field)
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as exc:
        raise ValidationError(f"{label}不是有效日期：{value}（格式如 2014-04-08）。", field=field) from exc


def local_datetime(value, field: str, label: str) -> str:
    """Accept a datetime or 'YYYY-MM-DD[THH:MM]'; return 'YYYY-MM-DDTHH:MM'."""
    if value in (None, ""):
        raise ValidationError(f"请填写{label}。", field=field)
    if isinstance(value, datetime):
        parsed = value
    else:
        raw = str(value).strip().replace(" ", "T")
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationError(
                f"{label}不是有效时间：{value}（格式如 2014-04-08 09:30）。", field=field
            ) from exc
    return parsed.replace(tzinfo=None, second=0, microsecond=0).isoformat(timespec="minutes")


def one_of(value, choices, field: str, label: str, *, required: bool = True):
    if value in (None, "") and not required:
        return None
    if value not in choices:
        shown = "、".join(str(c) for c in choices)
        raise ValidationError(f"{label}必须是以下之一：{shown}（收到：{value or '空'}）。", field=field)
    return value


def integer(value, field: str, label: str) -> int:
    """Accept an int or its text ('10'); refuse what is not a whole number."""
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value)
        if isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError(f"{label}必须是整数。", field=field) from exc
    return number
