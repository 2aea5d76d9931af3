"""Checks of one stored value: each raises ValidationError naming the field, whatever arrives.

A stored record's values come from the services (already parsed into the canonical form) or
from a bundle (any JSON value: a list where a date belongs, NaN, a 400-digit number, text
with a lone surrogate). These checks accept exactly the canonical form and refuse anything
else with a Chinese message — never a TypeError.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

from ..errors import ValidationError

# Record ids: UUIDs, or the like (the same shape bundle entries are held to).
ID_SHAPE = re.compile(r"[0-9a-zA-Z][0-9a-zA-Z-]{0,35}\Z")
_ID_LIST_SHAPE = re.compile(r"[0-9a-zA-Z][0-9a-zA-Z-]{0,35}(?:,[0-9a-zA-Z][0-9a-zA-Z-]{0,35})*\Z")
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
MINUTE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\Z")
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_TEXT = 20_000  # the services' default limit for a free text
MAX_INT = 2**62  # SQLite integers are 64-bit
MAX_LIST = 1_000  # ids in a list field (people present)


def fail(message: str, field: str | None) -> ValidationError:
    return ValidationError(message, field=field)


def shown(value) -> str:
    """A short, safe rendering of any value for a message (no 5 000-digit numbers)."""
    if value is None or value == "":
        return "空"
    if isinstance(value, str):
        return value if len(value) <= 40 else value[:40] + "…"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if -10**18 < value < 10**18 else "（过大的整数）"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "（列表）"
    if isinstance(value, dict):
        return "（对象）"
    return f"（{type(value).__name__}）"


def encodable(value: str) -> bool:
    """False for text that cannot be stored as UTF-8 (a lone surrogate from JSON)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text(state: dict, name: str, label: str, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
    """A text field: a string, non-blank when required, at most ``max_length`` characters."""
    value = state.get(name)
    if value is None:
        if required:
            raise fail(f"请填写{label}。", name)
        raise fail(f"{label}应为文字（收到：空值）。", name)
    if type(value) is not str:
        raise fail(f"{label}应为文字（收到：{shown(value)}）。", name)
    if required and not value.strip():
        raise fail(f"请填写{label}。", name)
    if len(value) > max_length:
        raise fail(f"{label}过长（最多 {max_length} 字）。", name)
    if not encodable(value):
        raise fail(f"{label}含有无法保存的字符。", name)
    return value


def optional_text(state: dict, name: str, label: str, *, max_length: int = MAX_TEXT) -> str | None:
    """A text field that may be null (a null means "not given")."""
    if state.get(name) is None:
        return None
    return text(state, name, label, required=False, max_length=max_length)


def _year(value: str, name: str, label: str, year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise fail(f"{label}的年份不合理：{year}。", name)


def day(state: dict, name: str, label: str, *, required: bool = True) -> str | None:
    """A date stored as 'YYYY-MM-DD', a real day between 2000 and 2100."""
    value = state.get(name)
    if value is None or value == "":
        if required:
            raise fail(f"请填写{label}。", name)
        return None
    if type(value) is not str or not DATE_SHAPE.match(value):
        raise fail(f"{label}不是有效日期：{shown(value)}（格式如 2014-04-08）。", name)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise fail(f"{label}不是有效日期：{value}（格式如 2014-04-08）。", name) from None
    _year(value, name, label, parsed.year)
    return value


def minute(state: dict, name: str, label: str, *, required: bool = True) -> str | None:
    """A local wall-clock time stored as 'YYYY-MM-DDTHH:MM', between 2000 and 2100."""
    value = state.get(name)
    if value is None or value == "":
        if required:
            raise fail(f"请填写{label}。", name)
        return None
    if type(value) is not str or not MINUTE_SHAPE.match(value):
        raise fail(f"{label}不是有效时间：{shown(value)}（格式如 2014-04-08 09:30）。", name)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"{label}不是有效时间：{value}（格式如 2014-04-08 09:30）。", name) from None
    _year(value, name, label, parsed.year)
    return value


def timestamp(state: dict, name: str, label: str, *, required: bool = True) -> str | None:
    """A UTC time stamp (ISO-8601 with seconds, as clock.now_utc writes it)."""
    value = state.get(name)
    if value is None or value == "":
        if required:
            raise fail(f"{label}缺失。", name)
        return None
    if type(value) is not str or len(value) > 40:
        raise fail(f"{label}不是有效时间：{shown(value)}。", name)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"{label}不是有效时间：{shown(value)}。", name) from None
    _year(value, name, label, parsed.year)
    return value


def timestamp_ok(value) -> bool:
    """The quick yes of ``timestamp`` (no message)."""
    if type(value) is not str or len(value) > 40:
        return False
    try:
        return FIRST_YEAR <= datetime.fromisoformat(value).year <= LAST_YEAR
    except ValueError:
        return False


def ident(state: dict, name: str, label: str, *, required: bool = True, missing: str | None = None) -> str | None:
    """A record id (a foreign key): a string of the id shape, or null when not required."""
    value = state.get(name)
    if value is None or value == "":
        if required:
            raise fail(missing or f"请选择{label}。", name)
        if value == "":
            raise fail(f"{label}的编号不能是空文字。", name)
        return None
    if type(value) is not str or not ID_SHAPE.match(value):
        raise fail(f"{label}的编号格式不对：{shown(value)}。", name)
    return value


def id_list(state: dict, name: str, label: str) -> list[str]:
    """A list of distinct record ids (people present)."""
    value = state.get(name)
    if type(value) is not list:
        raise fail(f"{label}应为编号列表（收到：{shown(value)}）。", name)
    if len(value) > MAX_LIST:
        raise fail(f"{label}过多（最多 {MAX_LIST} 个）。", name)
    if not value:
        return value
    # one match over the joined list (an id holds no comma) instead of one per id
    joined = ",".join(value) if all(type(item) is str for item in value) else None
    if joined is None or joined.count(",") != len(value) - 1 or not _ID_LIST_SHAPE.match(joined):
        bad = next(item for item in value if type(item) is not str or not ID_SHAPE.match(item))
        raise fail(f"{label}的编号格式不对：{shown(bad)}。", name)
    if len(set(value)) != len(value):
        raise fail(f"{label}有重复。", name)
    return value


def integer(state: dict, name: str, label: str, *, minimum: int = -MAX_INT, maximum: int = MAX_INT) -> int:
    """A whole number (not a bool, not a float) within bounds."""
    value = state.get(name)
    if type(value) is not int:
        raise fail(f"{label}必须是整数。", name)
    if value < minimum:
        raise fail(f"{label}不能小于 {minimum}。", name)
    if value > maximum:
        raise fail(f"{label}不能大于 {maximum}。", name)
    return value


def flag(state: dict, name: str, label: str) -> bool:
    value = state.get(name)
    if type(value) is not bool:
        raise fail(f"{label}应为是或否（收到：{shown(value)}）。", name)
    return value


def choice(state: dict, name: str, label: str, choices, *, required: bool = True) -> str | None:
    """One of ``choices`` (strings); the message lists them, as validate.one_of does."""
    value = state.get(name)
    if value is None and not required:
        return None
    if type(value) is not str or value not in choices:
        listed = "、".join(str(c) for c in choices)
        raise fail(f"{label}必须是以下之一：{listed}（收到：{shown(value)}）。", name)
    return value


def _encoder():
    """JSON text with NaN refused and non-ASCII kept, from the C encoder made once when this
    Python has it (JSONEncoder.encode makes one per call)."""
    try:
        from json import encoder as c

        def default(value):
            raise TypeError(type(value).__name__)

        make = c.c_make_encoder(None, default, c.encode_basestring, None, ":", ",", False, False, False)
        make([1], 0)
        return lambda value: "".join(make(value, 0))
    except (ImportError, AttributeError, TypeError):  # pure-Python json: the plain encoder
        return json.JSONEncoder(ensure_ascii=False, allow_nan=False, check_circular=False).encode


_dumps = _encoder()


def json_value(value, name: str, label: str) -> None:
    """Any JSON value that can be stored: finite numbers, text that UTF-8 can hold, string keys.

    Encoded once in C (the common case: fine); only a value that fails is walked, to say why.
    """
    try:
        _dumps(value).encode("utf-8")
        return
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError):
        pass
    _json_walk(value, name, label, 0)
    raise fail(f"{label}含有不能保存的内容。", name)


def _json_walk(value, name: str, label: str, depth: int) -> None:
    if depth > 50:
        raise fail(f"{label}嵌套过深。", name)
    kind = type(value)
    if kind is str:
        if not encodable(value):
            raise fail(f"{label}含有无法保存的字符。", name)
    elif kind is float:
        if not math.isfinite(value):
            raise fail(f"{label}含有无效数值。", name)
    elif kind is int:
        if not -MAX_INT <= value <= MAX_INT:
            raise fail(f"{label}含有过大的数值。", name)
    elif kind is list:
        for item in value:
            _json_walk(item, name, label, depth + 1)
    elif kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise fail(f"{label}的键应为文字。", name)
            _json_walk(key, name, label, depth + 1)
            _json_walk(item, name, label, depth + 1)
    elif value is not None and kind is not bool:
        raise fail(f"{label}含有不能保存的内容（{kind.__name__}）。", name)


def changed(state: dict, old: dict | None, *names: str) -> bool:
    """True for a new record, or when any of ``names`` differs from the stored state."""
    return old is None or any(state.get(n) != old.get(n) for n in names)
