"""Change-log entries as they travel: validation, causality (who knew what) and log reads.

An entry keeps its origin ``device_id`` and ``seq`` everywhere. ``deps`` says what the writer
knew of the same record's changes from *other* devices when it wrote the entry: the highest
seq per device (earlier seqs of its own device are always known). Two changes of one record
where neither knew the other are concurrent: a possible conflict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from peewee import BooleanField, IntegerField

from ..changelog import META_FIELDS
from ..models import MODEL_BY_RECORD_TYPE, JSONField, database
from ..rules.fields import ID_SHAPE
from .errors import BundleCorrupt, UnsafeContentError

OPS = ("insert", "update", "delete")
CLOCK_FIELDS = ("created_at", "updated_at", "device_id", "version")
# What the office sends to field installations: the assignments.
ASSIGNMENT_TYPES = ("template", "campaign", "group", "member", "unit", "team", "leader", "plan", "survey",
                    "stasks", "stask_assign")
_ID = ID_SHAPE  # the one id shape (rules.fields)


@dataclass(slots=True)
class Entry:
    device_id: str
    seq: int
    record_type: str
    record_id: str
    op: str
    fields: dict
    member_id: str | None
    at: str
    deps: dict[str, int] = field(default_factory=dict)
    text: str | None = None  # the canonical text of ``fields``, when already worked out (decoding.py)
    json_texts: dict[str, str] | None = None  # likewise, of its JSON-column values, by field
    # an insert whose record, as the entry makes it (``new_record_state``), passed
    # rules.check_alone in the decoding worker against the templates stored when the import began
    alone_ok: bool = False
    log_id: int | None = None  # position in the local log (None until applied here)
    new: bool = False  # arrived in the import being applied

    @property
    def key(self) -> str:
        return f"{self.device_id}:{self.seq}"

    @property
    def version(self) -> int:
        value = self.fields.get("version")
        return value if isinstance(value, int) else 0

    def sort_key(self) -> tuple:
        """A total order that extends causality: a change always has a higher version than
        what it was based on; concurrent ones are ordered by time, then device."""
        return (self.version, self.at, self.device_id, self.seq)

    def knows(self, other: Entry) -> bool:
        if other.device_id == self.device_id:
            return other.seq <= self.seq
        return self.deps.get(other.device_id, 0) >= other.seq

    @property
    def content(self) -> dict:
        """The changed fields that are not clock/bookkeeping fields (``deleted`` counts)."""
        return {k: v for k, v in self.fields.items() if k not in CLOCK_FIELDS}

    @property
    def meta_only(self) -> bool:
        return not self.content

    @property
    def is_signing(self) -> bool:
        return self.record_type == "evaluation" and bool(self.fields.get("signature"))

    def to_wire(self) -> dict:
        data = {
            "device_id": self.device_id, "seq": self.seq, "record_type": self.record_type,
            "record_id": self.record_id, "op": self.op, "fields": self.fields, "member_id": self.member_id,
            "at": self.at,
        }
        if self.deps:
            data["deps"] = self.deps
        return data


_RULES: dict = {}
MAX_INT = 2**62  # SQLite integers are 64-bit
# Counters a device may claim: far beyond any real use, and far enough below MAX_INT that the
# receiver's own next version or seq never overflows (a record edited 2**31 times does not exist).
MAX_VERSION = 2**31
MAX_SEQ = 2**40


def _fits(f, value) -> bool:
    """Whether a (non-null) value can be stored in field ``f`` as it is."""
    if isinstance(f, JSONField):
        return True
    if isinstance(f, BooleanField):
        return isinstance(value, bool)
    if isinstance(f, IntegerField):
        return isinstance(value, int) and not isinstance(value, bool) and -MAX_INT <= value <= MAX_INT
    return isinstance(value, str) and len(value) <= 10_000_000


def _rules(model) -> tuple[set[str], set[str]]:
    """(fields an insert must carry, fields that may never be null) of a synced model."""
    if model not in _RULES:
        not_null = {f.name for f in model._meta.sorted_fields if not f.null and f.name != "id"}
        required = {name for name in not_null if model._meta.fields[name].default is None}
        _RULES[model] = (required, not_null)
    return _RULES[model]


_ENTRY_KEYS = frozenset(("device_id", "seq", "record_type", "record_id", "op", "fields", "member_id", "at", "deps"))
_META = frozenset(META_FIELDS)
_KINDS: dict[str, tuple] = {}  # record type → its checking table, built once


def _kind(f) -> str:
    if isinstance(f, JSONField):
        return "json"
    if isinstance(f, BooleanField):
        return "bool"
    if isinstance(f, IntegerField):
        return "int"
    return "str"


def _table(record_type: str, model) -> tuple:
    """(field name → kind, fields an insert must carry, fields that may never be null) of a
    synced record type; a field not in the first is not allowed in an entry."""
    table = _KINDS.get(record_type)
    if table is None:
        allowed = set(model._meta.fields) - {"id"} - set(model.LOCAL_FIELDS)
        kinds = {name: _kind(model._meta.fields[name]) for name in allowed}
        required, not_null = _rules(model)
        table = _KINDS[record_type] = (kinds, frozenset(required), frozenset(not_null))
    return table


def record_defaults(model) -> dict:
    """Each field's default (a new record's value of a field its insert does not carry)."""
    values = {}
    for name, f in model._meta.fields.items():
        values[name] = f.default() if callable(f.default) else f.default
    return values


def new_record_state(defaults: dict, record_id: str, fields: dict) -> dict:
    """The full state of a record new here made by one insert entry: what is written, and what
    the rules see (``defaults``: ``record_defaults`` of its model)."""
    return {**defaults, "id": record_id, **fields}


def json_fields(record_type: str) -> frozenset[str]:
    """The fields of a synced record type stored as JSON (their canonical text is the column)."""
    kinds = _table(record_type, MODEL_BY_RECORD_TYPE[record_type])[0]
    return frozenset(name for name, kind in kinds.items() if kind == "json")


def from_wire(data) -> Entry:
    """Check one entry read from a bundle (types, record type, fields) and return it."""
    if not isinstance(data, dict):
        raise BundleCorrupt("同步包中的变更条目格式不对。")
    try:
        device_id, seq, record_type = data["device_id"], data["seq"], data["record_type"]
        record_id, op, fields, member_id, at = data["record_id"], data["op"], data["fields"], data["member_id"], data["at"]
    except KeyError as exc:
        raise BundleCorrupt(f"同步包中的变更条目缺少 {exc.args[0]}。") from exc
    deps = data.get("deps") or {}
    if len(data) > 8 and not _ENTRY_KEYS.issuperset(data):
        extra = set(data) - _ENTRY_KEYS
        raise BundleCorrupt(f"同步包中的变更条目有不认识的内容：{', '.join(sorted(extra))}。")
    if not (isinstance(device_id, str) and _ID.fullmatch(device_id)) or not (isinstance(record_id, str) and _ID.fullmatch(record_id)):
        raise BundleCorrupt("同步包中的变更条目编号格式不对。")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= MAX_SEQ:
        raise BundleCorrupt("同步包中的变更条目序号不对。")
    model = MODEL_BY_RECORD_TYPE.get(record_type) if isinstance(record_type, str) else None
    if model is None:
        raise UnsafeContentError(f"同步包中有不认识的记录类型：{record_type!r}。")
    if op not in OPS:
        raise BundleCorrupt(f"同步包中有不认识的操作：{op!r}。")
    if not isinstance(fields, dict):
        raise BundleCorrupt("同步包中的变更条目内容格式不对。")
    kinds, required, not_null = _table(record_type, model)
    if not kinds.keys() >= fields.keys():
        unknown = set(fields) - set(kinds)
        raise UnsafeContentError(f"同步包中的{record_type}记录有不认识的字段：{', '.join(sorted(unknown))}。")
    if not isinstance(fields.get("version"), int) or not 1 <= fields["version"] <= MAX_VERSION:
        raise BundleCorrupt("同步包中的变更条目缺少版本号或版本号超出合理范围。")
    if fields.get("device_id") != device_id:
        raise UnsafeContentError("同步包中的变更条目的设备与记录内容不一致（疑似伪造）。")
    if op == "insert" and not _META <= fields.keys():
        raise BundleCorrupt("同步包中的新建条目不完整。")
    for name, value in fields.items():  # the common exact types settled inline (every field of every entry)
        if value is None:
            continue
        kind = kinds[name]
        if kind == "str":
            if type(value) is str and len(value) <= 10_000_000:
                continue
        elif kind == "json":
            continue
        elif kind == "int":
            if type(value) is int and -MAX_INT <= value <= MAX_INT:
                continue
        elif type(value) is bool:
            continue
        if not _fits(model._meta.fields[name], value):
            raise UnsafeContentError(f"同步包中的{record_type}记录的“{name}”内容类型不对，已拒绝。")
    missing = required - fields.keys() if op == "insert" else set()
    empty = {name for name in not_null & fields.keys() if fields[name] is None}
    if missing or empty:
        raise UnsafeContentError(
            f"同步包中的{record_type}记录缺少必填内容：{'、'.join(sorted(missing | empty))}，已拒绝。"
        )
    if member_id is not None and not isinstance(member_id, str):
        raise BundleCorrupt("同步包中的变更条目成员编号不对。")
    if not isinstance(at, str) or len(at) > 40:
        raise BundleCorrupt("同步包中的变更条目时间不对。")
    if deps and (not isinstance(deps, dict) or not all(
        isinstance(k, str) and _ID.fullmatch(k) and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_INT
        for k, v in deps.items()
    )):
        raise BundleCorrupt("同步包中的变更条目依赖信息不对。")
    return Entry(device_id, seq, record_type, record_id, op, fields, member_id, at, dict(deps))


# --- reading the local log -------------------------------------------------------------------------


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def log_entries_for(record_ids: Iterable[str], local_device_id: str) -> dict[str, list[Entry]]:
    """Every logged entry of these records, with its deps (stored for imported entries,
    worked out from the log order for this installation's own)."""
    by_record: dict[str, list[Entry]] = {}
    ids = list(dict.fromkeys(record_ids))
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        rows = database.execute_sql(
            "SELECT c.id, c.device_id, c.seq, c.record_type, c.record_id, c.op, c.fields, c.member_id, c.at, d.deps"
            f" FROM change_log c LEFT JOIN sync_entry_deps d ON d.device_id = c.device_id AND d.seq = c.seq"
            f" WHERE c.record_id IN ({marks}) ORDER BY c.id",
            chunk,
        ).fetchall()
        for log_id, device_id, seq, rtype, rid, op, fields, member_id, at, deps in rows:
            entry = Entry(device_id, seq, rtype, rid, op, json.loads(fields), member_id, at,
                          json.loads(deps) if deps else {}, log_id=log_id)
            by_record.setdefault(rid, []).append(entry)
    for entries in by_record.values():
        _fill_local_deps(entries, local_device_id)
    return by_record


def _fill_local_deps(entries: list[Entry], local_device_id: str) -> None:
    """Entries written here knew every entry of the record logged before them."""
    seen: dict[str, int] = {}
    for entry in entries:  # in log order
        if entry.device_id == local_device_id:
            entry.deps = {d: s for d, s in seen.items() if d != local_device_id}
        seen[entry.device_id] = max(seen.get(entry.device_id, 0), entry.seq)


def local_deps(entries: list[Entry], local_device_id: str) -> None:
    """Fill ``deps`` of this installation's entries about to be exported."""
    own = [e for e in entries if e.device_id == local_device_id]
    if not own:
        return
    record_ids = list(dict.fromkeys(e.record_id for e in own))
    others: dict[str, list[tuple[int, str, int]]] = {}
    for chunk in _chunks(record_ids):
        marks = ", ".join("?" for _ in chunk)
        for log_id, device_id, seq, rid in database.execute_sql(
            f"SELECT id, device_id, seq, record_id FROM change_log WHERE record_id IN ({marks}) AND device_id != ?",
            [*chunk, local_device_id],
        ):
            others.setdefault(rid, []).append((log_id, device_id, seq))
    for entry in own:
        deps: dict[str, int] = {}
        for log_id, device_id, seq in others.get(entry.record_id, ()):
            if log_id < (entry.log_id or 0):
                deps[device_id] = max(deps.get(device_id, 0), seq)
        entry.deps = deps
