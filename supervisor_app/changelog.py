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

from . import installation
from .clock import new_id, now_utc
from .models import ChangeLog, SyncedModel, database

GENESIS = "0" * 64
META_FIELDS = ("created_at", "updated_at", "device_id", "version", "deleted")


def _canonical(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


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


class _Chain:
    """Tracks the head of the chain and the next sequence for a run of appends."""

    def __init__(self, device_id: str):
        self.device_id = device_id
        last = ChangeLog.select(ChangeLog.hash).order_by(ChangeLog.id.desc()).limit(1).first()
        self.prev_hash = last.hash if last else GENESIS
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


def create(model: type[SyncedModel], **values) -> SyncedModel:
    """Insert a new synced record and log it."""
    ctx = installation.context()
    now = now_utc()
    values.setdefault("id", new_id())
    instance = model(created_at=now, updated_at=now, device_id=ctx.device_id, version=1, deleted=False, **values)
    with database.atomic():
        instance.save(force_insert=True)
        append(model.RECORD_TYPE, instance.id, "insert", field_values(instance))
    return instance


def update(instance: SyncedModel, **changes) -> SyncedModel:
    """Apply ``changes`` to a record, log only what really changed; returns the record."""
    model = type(instance)
    changed = []
    for name, value in changes.items():
        if name not in model._meta.fields:
            raise KeyError(f"{model.__name__} has no field {name!r}")
        old = instance.__data__.get(name)
        new = value.id if isinstance(value, SyncedModel) else value
        if _normalize(old) != _normalize(new):
            changed.append(name)
        setattr(instance, name, value)
    if not changed:
        return instance
    ctx = installation.context()
    instance.updated_at = now_utc()
    instance.device_id = ctx.device_id
    instance.version = (instance.version or 0) + 1
    with database.atomic():
        instance.save(only=[model._meta.fields[n] for n in [*changed, "updated_at", "device_id", "version"]])
        append(
            model.RECORD_TYPE,
            instance.id,
            "update",
            field_values(instance, [*changed, "updated_at", "device_id", "version"]),
        )
    return instance


def tombstone(instance: SyncedModel) -> SyncedModel:
    """Mark a record deleted (never a hard delete) and log it."""
    if instance.deleted:
        return instance
    ctx = installation.context()
    instance.deleted = True
    instance.updated_at = now_utc()
    instance.device_id = ctx.device_id
    instance.version = (instance.version or 0) + 1
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
    """
    ctx = installation.context()
    chain = _Chain(ctx.device_id)
    now = now_utc()
    by_model: dict[type[SyncedModel], list[dict]] = {}
    log_rows = []
    for inst in instances:
        inst.created_at = inst.created_at or now
        inst.updated_at = inst.updated_at or now
        inst.device_id = ctx.device_id
        inst.version = inst.version or 1
        inst.deleted = bool(inst.deleted)
        if not inst.id:
            inst.id = new_id()
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
