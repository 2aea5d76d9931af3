"""The append-only, hash-chained change log and the helpers every service writes through.

Each create/update/tombstone of a synced record appends one entry in the same transaction:
device, per-device sequence, record type and id, operation, the changed fields with their new
values, member, time, and the hash of the previous entry. Editing or removing an entry breaks
the chain, and :func:`verify_chain` names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import fn

from . import installation, rules
from .canonical import canonical_bytes
from .clock import new_id, now_utc
from .models import ChangeLog, SyncedModel, database

GENESIS = "0" * 64
META_FIELDS = ("created_at", "updated_at", "device_id", "version", "deleted")


_canonical = canonical_bytes


def entry_hash(device_id, seq, record_type, record_id, op, fields, member_id, at, prev_hash) -> str:
    payload = {
        "device_id": device_id,
        "seq": seq,
        "record_type": record_type,
        "record_id": record_id,
        "op": op,
        "fields": fields,
        "member_id": member_id,
        "at": at,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_canonical(payload)).hexdigest()


_json_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def chain_hash(e, fields_text: str, prev_hash: str) -> str:
    """``entry_hash`` of an entry (anything with its attributes: sync.entries.Entry), from the
    canonical text of its fields (JSONField's encoding is the same canonical form) instead of
    encoding them again."""
    text = "".join((
        '{"at":', _json_str(e.at), ',"device_id":', _json_str(e.device_id), ',"fields":', fields_text,
        ',"member_id":', "null" if e.member_id is None else _json_str(e.member_id), ',"op":', _json_str(e.op),
        ',"prev_hash":', _json_str(prev_hash), ',"record_id":', _json_str(e.record_id),
        ',"record_type":', _json_str(e.record_type), ',"seq":', str(int(e.seq)), "}",
    ))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def field_values(instance: SyncedModel, names: Iterable[str] | None = None) -> dict:
    """The stored values of ``names`` (all logged fields by default), FKs as ids."""
    model = type(instance)
    result = {}
    for name in model._meta.fields:
        if name == "id" or name in model.LOCAL_FIELDS:
            continue
        if names is not None and name not in names:
            continue
        result[name] = instance.__data__.get(name)
    return result


def head() -> str:
    """The hash of the chain's last entry (``GENESIS`` for an empty log). Read it inside the
    transaction that appends after it: read before, another connection's write in between would
    leave two entries after the same one."""
    last = ChangeLog.select(ChangeLog.hash).order_by(ChangeLog.id.desc()).limit(1).first()
    return last.hash if last else GENESIS


class _Chain:
    """Tracks the head of the chain and the next sequence for a run of appends."""

    def __init__(self, device_id: str):
        self.device_id = device_id
        self.prev_hash = head()
        max_seq = (
            ChangeLog.select(fn.MAX(ChangeLog.seq)).where(ChangeLog.device_id == device_id).scalar()
        )
        self.next_seq = (max_seq or 0) + 1

    def entry(self, record_type: str, record_id: str, op: str, fields: dict, member_id, at: str) -> dict:
        seq = self.next_seq
        digest = entry_hash(self.device_id, seq, record_type, record_id, op, fields, member_id, at, self.prev_hash)
        row = {
            "device_id": self.device_id,
            "seq": seq,
            "record_type": record_type,
            "record_id": record_id,
            "op": op,
            "fields": fields,
            "member_id": member_id,
            "at": at,
            "prev_hash": self.prev_hash,
            "hash": digest,
        }
        self.prev_hash = digest
        self.next_seq += 1
        return row


def append(record_type: str, record_id: str, op: str, fields: dict) -> ChangeLog:
    """Append one entry for a change made on this device (inside the writing transaction)."""
    ctx = installation.context()
    chain = _Chain(ctx.device_id)
    row = chain.entry(record_type, record_id, op, fields, ctx.member_id, now_utc())
    return ChangeLog.create(**row)


# --- writing synced records ---------------------------------------------------------------------
#
# Every write is checked against the record rules (supervisor_app/rules) with the record's full
# new state before anything is written: a refused write leaves the record, its in-memory
# instance and the change log as they were.


def state_of(instance: SyncedModel) -> dict:
    """The record's state as stored and as the rules see it: every field, foreign keys as ids."""
    data = instance.__data__
    return {name: data.get(name) for name in type(instance)._meta.fields}


def check(record_type: str, state: dict, old: dict | None = None, lookup: rules.Lookup | None = None) -> None:
    """The rules a local write passes: the record's own (rules.check_record) and those over sets
    of records (rules.check_unique)."""
    lookup = lookup if lookup is not None else rules.DbLookup()
    rules.check_record(record_type, state, old=old, lookup=lookup)
    rules.check_unique(record_type, state, old=old, lookup=lookup)


def create(model: type[SyncedModel], **values) -> SyncedModel:
    """Insert a new synced record, checked against the rules, and log it."""
    ctx = installation.context()
    now = now_utc()
    values.setdefault("id", new_id())
    instance = model(created_at=now, updated_at=now, device_id=ctx.device_id, version=1, deleted=False, **values)
    with database.atomic():
        check(model.RECORD_TYPE, state_of(instance))
        instance.save(force_insert=True)
        append(model.RECORD_TYPE, instance.id, "insert", field_values(instance))
    return instance


def update(instance: SyncedModel, **changes) -> SyncedModel:
    """Apply ``changes`` to a record, log only what really changed; returns the record."""
    return update_together([(instance, changes)])[0]


def update_together(writes: list[tuple[SyncedModel, dict]]) -> list[SyncedModel]:
    """Change several records as one write: each new state is checked with the others' new
    states in view (a visit moved to another unit together with its findings), then all are
    saved and logged; a refusal writes none of them. Returns the records."""
    planned = []
    for instance, changes in writes:
        model = type(instance)
        old = state_of(instance)
        new = dict(old)
        changed = []
        for name, value in changes.items():
            if name not in model._meta.fields:
                raise KeyError(f"{model.__name__} has no field {name!r}")
            value_id = value.id if isinstance(value, SyncedModel) else value
            if _normalize(old.get(name)) != _normalize(value_id):
                changed.append(name)
            new[name] = value_id
        planned.append((instance, changes, old, new, changed))
    if any(changed for *_, changed in planned):
        ctx = installation.context()
        now = now_utc()
        with database.atomic():
            lookup = rules.DbLookup()
            for instance, _changes, old, new, changed in planned:
                if changed:
                    new.update(updated_at=now, device_id=ctx.device_id, version=(old.get("version") or 0) + 1)
                    lookup.assume(type(instance).RECORD_TYPE, new)
            for instance, _changes, old, new, changed in planned:
                if changed:
                    check(type(instance).RECORD_TYPE, new, old, lookup)
            for instance, changes, _old, new, changed in planned:
                _apply(instance, changes, new, changed)
    else:
        for instance, changes, *_ in planned:
            for name, value in changes.items():
                setattr(instance, name, value)
    return [instance for instance, *_ in planned]


def _apply(instance: SyncedModel, changes: dict, new: dict, changed: list[str]) -> None:
    model = type(instance)
    for name, value in changes.items():
        setattr(instance, name, value)
    if not changed:
        return
    names = [*changed, "updated_at", "device_id", "version"]
    instance.updated_at, instance.device_id, instance.version = new["updated_at"], new["device_id"], new["version"]
    instance.save(only=[model._meta.fields[n] for n in names])
    append(model.RECORD_TYPE, instance.id, "update", field_values(instance, names))


def tombstone(instance: SyncedModel) -> SyncedModel:
    """Mark a record deleted (never a hard delete) and log it."""
    if instance.deleted:
        return instance
    ctx = installation.context()
    state = state_of(instance)
    state.update(deleted=True, updated_at=now_utc(), device_id=ctx.device_id, version=(instance.version or 0) + 1)
    rules.check_record(type(instance).RECORD_TYPE, state)  # a tombstone: the column types only
    instance.deleted = True
    instance.updated_at = state["updated_at"]
    instance.device_id = ctx.device_id
    instance.version = state["version"]
    with database.atomic():
        instance.save(only=[type(instance)._meta.fields[n] for n in ("deleted", "updated_at", "device_id", "version")])
        append(
            type(instance).RECORD_TYPE,
            instance.id,
            "delete",
            field_values(instance, ["deleted", "updated_at", "device_id", "version"]),
        )
    return instance


def _normalize(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def bulk_create(instances: list[SyncedModel], batch_size: int = 500) -> None:
    """Insert many new records of mixed types and log each, in the caller's transaction.

    Used by the demo generator and imports of large sets; each record gets its own entry.
    Every record is checked against the rules first, with the whole batch in view (a finding
    and its visit may arrive together); one refusal writes nothing.
    """
    ctx = installation.context()
    chain = _Chain(ctx.device_id)
    now = now_utc()
    by_model: dict[type[SyncedModel], list[dict]] = {}
    log_rows = []
    lookup = rules.DbLookup()
    states = []
    for inst in instances:
        inst.created_at = inst.created_at or now
        inst.updated_at = inst.updated_at or now
        inst.device_id = ctx.device_id
        inst.version = inst.version or 1
        inst.deleted = bool(inst.deleted)
        if not inst.id:
            inst.id = new_id()
        state = state_of(inst)
        lookup.assume(type(inst).RECORD_TYPE, state)
        states.append((type(inst).RECORD_TYPE, state))
    for record_type, state in states:
        check(record_type, state, None, lookup)
    for inst in instances:
        model = type(inst)
        row = {}
        for name, field in model._meta.fields.items():
            raw = inst.__data__.get(name)
            row[name] = field.db_value(raw) if raw is not None else None
        by_model.setdefault(model, []).append(row)
        log_rows.append(chain.entry(model.RECORD_TYPE, inst.id, "insert", field_values(inst), ctx.member_id, now))
    # Insert in model order so that foreign keys point at rows already present.
    from .models import SYNCED_MODELS

    for model in SYNCED_MODELS:
        rows = by_model.get(model)
        if not rows:
            continue
        columns = list(rows[0].keys())
        sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
            model._meta.table_name, ", ".join(f'"{model._meta.fields[c].column_name}"' for c in columns),
            ", ".join("?" for _ in columns),
        )
        conn = database.connection()
        conn.executemany(sql, ([r[c] for c in columns] for r in rows))
    conn = database.connection()
    conn.executemany(
        "INSERT INTO change_log (device_id, seq, record_type, record_id, op, fields, member_id, at, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                r["device_id"], r["seq"], r["record_type"], r["record_id"], r["op"],
                ChangeLog.fields.db_value(r["fields"]), r["member_id"], r["at"], r["prev_hash"], r["hash"],
            )
            for r in log_rows
        ),
    )


# --- verification ------------------------------------------------------------------------------


@dataclass
class ChainProblem:
    entry_id: int
    reason: str

    def __str__(self) -> str:
        return f"变更记录第 {self.entry_id} 条：{self.reason}"


def verify_chain() -> ChainProblem | None:
    """Walk the whole log; return the first broken entry, or None when the chain holds."""
    prev = GENESIS
    cursor = database.execute_sql(
        "SELECT id, device_id, seq, record_type, record_id, op, fields, member_id, at, prev_hash, hash"
        " FROM change_log ORDER BY id"
    )
    for row in cursor:
        entry_id, device_id, seq, record_type, record_id, op, fields, member_id, at, prev_hash, digest = row
        if prev_hash != prev:
            return ChainProblem(entry_id, "与上一条的链接不符（有记录被删除或插入）")
        try:
            values = json.loads(fields)
        except (TypeError, ValueError):
            return ChainProblem(entry_id, "内容无法解析")
        expected = entry_hash(device_id, seq, record_type, record_id, op, values, member_id, at, prev_hash)
        if expected != digest:
            return ChainProblem(entry_id, "内容与其哈希不符（已被改动）")
        prev = digest
    return None


def history(record_id: str) -> list[ChangeLog]:
    """Every logged change of one record, oldest first (who, when, what)."""
    return list(ChangeLog.select().where(ChangeLog.record_id == record_id).order_by(ChangeLog.id))
