"""Stored values read for people: whatever the database holds, shown without failing.

The services refuse bad values on the way in, but a database may come from an older version,
be edited by another program or merge a damaged bundle: a date may read ``yesterday``, a
count ``-5`` or ``NaN``, a JSON column may hold a number where a list belongs, a reference
may point at nothing. Everything that *shows* stored data — the window, the CLI lists, the
PDFs — reads it through these helpers, which never raise: a value that cannot be read is
shown as it is, followed by a marker such as （无效日期）.

The helpers only read; whether a value is acceptable is decided by the rules on the way in.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

from peewee import DoesNotExist

INVALID_DATE = "（无效日期）"
INVALID_NUMBER = "（无效数值）"
NOT_IN_TEMPLATE = "（不在模板中）"
DELETED = "（已删除）"
NO_VALUE = "—"

_SURROGATES = re.compile("[\ud800-\udfff]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MINUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


# --- text ------------------------------------------------------------------------------------------


def text(value) -> str:
    """Any stored value as text: None → "", a JSON value as JSON, lone surrogates (which no
    file or screen can carry) as U+FFFD."""
    if value is None:
        return ""
    if isinstance(value, str):
        result = value
    elif isinstance(value, bool):
        result = "是" if value else "否"
    elif isinstance(value, list | tuple | dict):
        result = json.dumps(json_safe(value), ensure_ascii=False, allow_nan=False)
    else:
        result = str(value)
    return _SURROGATES.sub("\ufffd", result)


def short(value, limit: int = 300) -> str:
    """``text(value)`` cut to ``limit`` characters (…), for table cells and tooltips."""
    result = text(value)
    return result if len(result) <= limit else result[: limit - 1] + "…"


def odd(value, marker: str, limit: int = 40) -> str:
    """An unreadable value shown as it is, with its marker: ``yesterday（无效日期）``."""
    shown = short(value, limit).replace("\x00", "\\0")
    return f"{shown}{marker}"


# --- dates -----------------------------------------------------------------------------------------


def parse_date(value) -> date | None:
    """The date a stored 'YYYY-MM-DD…' value starts with, or None when it is not one."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_minute(value) -> datetime | None:
    """A stored local 'YYYY-MM-DDTHH:MM…' time, or None when it is not one."""
    if not isinstance(value, str) or not _ISO_MINUTE.match(value):
        return None
    try:
        return datetime.fromisoformat(value[:16])
    except ValueError:
        return None


def parse_moment(value) -> datetime | None:
    """A stored UTC ISO-8601 moment (created, signed …) as an aware datetime, or None."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo is not None else None
    except ValueError:
        return None


def chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_text(value) -> str:
    """A stored date (or time) as 2014年4月8日; "" when empty; the raw value marked when odd."""
    if value is None or value == "":
        return ""
    day = parse_date(value)
    return chinese(day) if day is not None else odd(value, INVALID_DATE)


def minute_text(value) -> str:
    """A stored local time as '2014-04-08 09:30'; "" when empty; the raw value marked when odd."""
    if value is None or value == "":
        return ""
    moment = parse_minute(value)
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else odd(value, INVALID_DATE)


def moment_text(value) -> str:
    """A stored UTC moment in local time, '2014-04-08 15:20'; the raw value marked when odd."""
    if value is None or value == "":
        return ""
    moment = parse_moment(value)
    return f"{moment.astimezone():%Y-%m-%d %H:%M}" if moment is not None else odd(value, INVALID_DATE)


def moment_date_text(value) -> str:
    """A stored UTC moment as its local date, 2014年4月8日 (the raw value marked when odd)."""
    if value is None or value == "":
        return ""
    moment = parse_moment(value)
    return chinese(moment.astimezone().date()) if moment is not None else odd(value, INVALID_DATE)


# --- numbers ---------------------------------------------------------------------------------------


def count(value) -> int | None:
    """A stored whole number, or None when it is not one (text, NaN, infinity, a fraction)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def count_text(value) -> str:
    """A stored whole number as it is, or the raw value marked （无效数值）."""
    number = count(value)
    return str(number) if number is not None else odd(value, INVALID_NUMBER)


def accuracy(people, questions, correct) -> float | None:
    """Correct answers among all given (0.0 when nothing was asked); None unless all three are
    whole numbers not below zero."""
    values = [count(v) for v in (people, questions, correct)]
    if any(v is None or v < 0 for v in values):
        return None
    total = values[0] * values[1]
    return values[2] / total if total else 0.0


def percent_text(value) -> str:
    """12.5%; — for a share that could not be computed (None, NaN, infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return NO_VALUE
    return f"{value * 100:.1f}%"


# --- JSON columns ----------------------------------------------------------------------------------


def loads(value):
    """A JSON column read by plain SQL: the value, or the text itself when it is not JSON."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def names(value) -> list[str]:
    """A stored list of names or ids (methods, members, leaders) as texts; anything else that
    is not empty becomes one entry showing the value as it is."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [text(v) for v in value if v is not None and v != ""]
    return [text(value)]


def entries(value, key: str, *others: str) -> dict[str, dict[str, str]]:
    """A stored {item id: {key: …, …}} mapping (ratings, levels) with every part as text.

    An entry that is not an object is taken as its ``key`` value; a mapping that is not an
    object at all holds no entries.
    """
    if not isinstance(value, dict):
        return {}
    result = {}
    for item_id, entry in value.items():
        if isinstance(entry, dict):
            result[text(item_id)] = {k: text(entry.get(k)) for k in (key, *others)}
        else:
            result[text(item_id)] = {key: text(entry), **{k: "" for k in others}}
    return result


def pairs(value) -> list[tuple[str, str]]:
    """A stored {name: value} object as (name, text) pairs; anything else as one pair ("", text)."""
    if isinstance(value, dict):
        return [(text(k), text(v)) for k, v in value.items()]
    if value is None or value == "" or value == [] or value == {}:
        return []
    return [("", text(value))]


def json_safe(value):
    """A value strict JSON can carry (json.dumps(..., allow_nan=False)): NaN and infinities as
    the strings "NaN", "Infinity", "-Infinity", lone surrogates as U+FFFD, tuples as lists,
    anything else as text."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, dict):
        return {json_safe(k) if isinstance(k, str) else text(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return text(value)


# --- references and the template -------------------------------------------------------------------


def related(record, field: str):
    """The record a foreign key of ``record`` points at, or None when it points at nothing."""
    try:
        return getattr(record, field)
    except DoesNotExist:
        return None


def related_name(record, field: str, attribute: str = "name") -> str:
    """The name of what a foreign key points at: "" when unset, （缺失：id）when the record is
    missing, the name marked （已删除）when it is tombstoned."""
    target = related(record, field)
    if target is None:
        target_id = getattr(record, f"{field}_id", None)
        return "" if target_id in (None, "") else missing(target_id)
    name = text(getattr(target, attribute, ""))
    return name + DELETED if getattr(target, "deleted", False) else name


def missing(record_id) -> str:
    """What stands in for a record that a reference names but the database does not hold."""
    return f"（缺失：{short(record_id, 12)}）"


def on_scale(value, scale) -> int | None:
    """The position of ``value`` on a template scale, or None when it is not on it."""
    return scale.index(value) if isinstance(value, str) and value in scale else None


def scale_text(value, scale) -> str:
    """A stored rating or level as it is, marked （不在模板中）when it is not on the scale."""
    if value is None or value == "":
        return ""
    return text(value) if on_scale(value, scale) is not None else odd(value, NOT_IN_TEMPLATE)


def template_of(record):
    """The template a stored assessment or evaluation was scored against, or — when that
    version is not in the database — the active one."""
    from . import campaigns
    from .errors import SupervisorError

    version = count(record.template_version)
    if isinstance(record.template_id, str) and version is not None and 0 < version < 2**63:
        try:
            return campaigns.get_template(record.template_id, version)
        except SupervisorError:
            pass
    return campaigns.active_template()


def evaluation_items(template, subject_kind) -> list[dict]:
    """The template's evaluation items for a subject kind; none for a kind it does not know."""
    items = template.content.get("evaluation_items", {})
    return items.get(subject_kind, []) if isinstance(subject_kind, str) else []
