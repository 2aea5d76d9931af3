"""Small input checks shared by the services; each raises ValidationError naming the field."""

from __future__ import annotations

from datetime import date, datetime

from .errors import ValidationError


def text(value, field: str, label: str, *, required: bool = True, max_length: int = 20_000) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ValidationError(f"请填写{label}。", field=field)
    if len(value) > max_length:
        raise ValidationError(f"{label}过长（最多 {max_length} 字）。", field=field)
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
    if parsed.year < 2000 or parsed.year > 2100:
        raise ValidationError(f"{label}的年份不合理：{parsed.year}。", field=field)
    return parsed.strftime("%Y-%m-%dT%H:%M")


def one_of(value, choices, field: str, label: str, *, required: bool = True):
    if value in (None, "") and not required:
        return None
    if value not in choices:
        shown = "、".join(str(c) for c in choices)
        raise ValidationError(f"{label}必须是以下之一：{shown}（收到：{value or '空'}）。", field=field)
    return value


def non_negative_int(value, field: str, label: str, *, minimum: int = 0) -> int:
    try:
        number = int(value)
        if isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{label}必须是整数。", field=field) from exc
    if number < minimum:
        raise ValidationError(f"{label}不能小于 {minimum}。", field=field)
    return number
