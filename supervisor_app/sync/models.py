"""Local bookkeeping tables of sync (created by migration 2; never synced themselves)."""

from __future__ import annotations

from peewee import AutoField, CharField, CompositeKey, IntegerField, TextField

from ..models import BaseModel, JSONField


class SyncBundle(BaseModel):
    """One bundle written (``out``) or imported (``in``) here: the history with its status."""

    id = CharField(primary_key=True, max_length=36)  # the bundle id from its manifest
    direction = CharField()  # in | out
    peer_device_id = CharField(index=True)  # the receiver (out) or the sender (in)
    bundle_no = IntegerField()  # the sender's running number
    kind = CharField()  # records (field → office) | assignments (office → field)
    created_at = CharField()  # when the sender wrote it (UTC)
    processed_at = CharField()  # when it was exported or imported here (UTC)
    file_name = CharField(default="")
    size = IntegerField(default=0)
    entry_count = IntegerField(default=0)
    attachment_count = IntegerField(default=0)
    applied = IntegerField(default=0)
    skipped = IntegerField(default=0)
    held = IntegerField(default=0)
    conflicts = IntegerField(default=0)
    ranges = JSONField(default=list)  # [{"device_id", "after", "upto", "count"}]
    status = CharField()  # exported | acknowledged | imported | held
    message = TextField(default="")


class SyncCursor(BaseModel):
    """Per origin device: every entry meant for this installation up to ``upto`` is applied."""

    device_id = CharField(primary_key=True, max_length=36)
    upto = IntegerField()


class SyncPeerAck(BaseModel):
    """What a peer reported (in its last bundle) as applied, per origin device."""

    peer_device_id = CharField(max_length=36)
    origin_device_id = CharField(max_length=36)
    upto = IntegerField()

    class Meta:
        primary_key = CompositeKey("peer_device_id", "origin_device_id")


class SyncHeldEntry(BaseModel):
    """An entry that arrived after a gap in its device's sequence: stored, not yet applied."""

    id = AutoField()
    device_id = CharField()
    seq = IntegerField()
    record_type = CharField()
    record_id = CharField()
    op = CharField()
    fields = JSONField()
    member_id = CharField(null=True)
    at = CharField()
    deps = JSONField(null=True)
    bundle_id = CharField()

    class Meta:
        indexes = ((("device_id", "seq"), True),)


class SyncHeldRange(BaseModel):
    """A sequence range (after, upto] of a device waiting for the entries before it."""

    id = AutoField()
    device_id = CharField(index=True)
    after = IntegerField()
    upto = IntegerField()
    bundle_id = CharField()


class SyncEntryDeps(BaseModel):
    """For an imported entry: what its writer knew of the record's other devices (seq per device).

    Stored only when not empty; it tells concurrent edits (a conflict) from later ones.
    """

    device_id = CharField(max_length=36)
    seq = IntegerField()
    deps = JSONField()

    class Meta:
        primary_key = CompositeKey("device_id", "seq")


class SyncConflict(BaseModel):
    """A record changed on two devices without either knowing the other's change."""

    id = CharField(primary_key=True, max_length=36)
    record_type = CharField()
    record_id = CharField(index=True)
    reason = CharField()  # concurrent | signed | duplicate
    fields = JSONField(default=list)  # the fields the versions disagree on
    versions = JSONField(default=list)  # [{"key", "device_id", "seq", "version", "at", "op", "values"}]
    status = CharField(default="open", index=True)  # open | resolved
    detected_at = CharField()
    resolved_at = CharField(null=True)
    resolved_by = CharField(null=True)  # member id
    resolution = JSONField(null=True)  # {field: version key}


SYNC_MODELS = (SyncBundle, SyncCursor, SyncPeerAck, SyncHeldEntry, SyncHeldRange, SyncEntryDeps, SyncConflict)
