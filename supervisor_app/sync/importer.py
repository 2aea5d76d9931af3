"""Importing a bundle: verify everything, and apply it in one transaction that commits only
once everything is verified.

Order of checks, none of which writes anything: the frame and format version; the sender
(enrolled, not revoked, not this installation) and its signature over the manifest; the
receiver; the kind of bundle for the two roles; replay (this bundle or an older one that
brings nothing new); the manifest's caps (member names, counts, sizes, compression ratio);
then the payload is decrypted as a stream and every member, entry and attachment is checked
against the manifest (decoding.py): for a small bundle into a staging folder before anything
is applied, for a large one by a second process while this one applies the checked entries —
the commit waits for its verdict on the whole payload.

In the one transaction: per origin device, entries up to the device's cursor are skipped
(already here), entries that continue it are applied (see apply.py), and a range that starts
after a gap is held (stored, not applied) until the bundle that fills the gap arrives. The
sender's acknowledgements are recorded, the history row written, and the staged attachments
moved into the store; any failure undoes all of it. The backup before an import
(``backup_first``) is taken once the payload is verified, of the state before it.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import itertools
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import peewee
from peewee import fn

from .. import attachments, backup, db, fsutil, installation
from ..clock import now_utc
from ..models import Device, database
from ..rules.lookup import template_snapshot
from . import admission, container, crypto, decoding, identity
from .apply import Applier
from .entries import Entry
from .errors import (
    BundleCorrupt,
    BundleRefused,
    CancelledError,
    DuplicateBundleError,
    ReplayError,
    RevokedDeviceError,
    UnknownDeviceError,
    UnsafeContentError,
    WrongReceiverError,
)
from .models import SyncBundle, SyncCursor, SyncHeldEntry, SyncHeldRange, SyncPeerAck

BATCH = 5000
PROGRESS_TOTAL = 1000  # the first half is checking, the second applying


@dataclass
class HeldGap:
    """Entries of a device held because earlier ones are missing."""

    device_id: str
    device_label: str
    missing_from: int
    missing_to: int
    held_entries: int

    @property
    def text(self) -> str:
        return (f"{self.device_label}：缺少第 {self.missing_from}–{self.missing_to} 条变更，"
                f"其后的 {self.held_entries} 条已暂存，待缺少的同步包导入后自动应用。")


@dataclass
class ImportResult:
    path: Path
    status: str  # imported | held | duplicate | refused | cancelled | skipped
    message: str
    bundle_id: str | None = None
    sender_id: str | None = None
    sender_label: str = ""
    entry_count: int = 0
    applied: int = 0
    skipped: int = 0
    held: int = 0
    conflicts: int = 0
    attachments: int = 0
    gaps: list[HeldGap] = field(default_factory=list)
    error: BundleRefused | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "held")


def device_label(device_id: str) -> str:
    device = Device.get_or_none(Device.id == device_id)
    if device is None:
        return f"设备 {device_id[:8]}"
    if device.is_local:
        return "本机"
    return identity.device_info(device).label if device.role == "field" else f"活动办（设备 {device_id[:8]}）"


def cursor(device_id: str) -> int:
    row = SyncCursor.get_or_none(SyncCursor.device_id == device_id)
    return row.upto if row else 0


def _set_cursor(device_id: str, upto: int) -> None:
    SyncCursor.insert(device_id=device_id, upto=upto).on_conflict_replace().execute()


def held_gaps() -> list[HeldGap]:
    """Every device whose later entries wait for missing ones."""
    gaps = []
    for (device_id,) in SyncHeldRange.select(SyncHeldRange.device_id).distinct().tuples():
        first = SyncHeldRange.select(fn.MIN(SyncHeldRange.after)).where(SyncHeldRange.device_id == device_id).scalar()
        count = SyncHeldEntry.select().where(SyncHeldEntry.device_id == device_id).count()
        gaps.append(HeldGap(device_id, device_label(device_id), cursor(device_id) + 1, first, count))
    return sorted(gaps, key=lambda g: g.device_label)


# --- checks before anything is written ----------------------------------------------------------------


def check_frame(frame: container.BundleFile, me: installation.Context) -> Device:
    """Sender, signature, receiver, kind and replay; returns the sender's device.

    Needs no private key, so a refusal never creates this installation's keys.
    """
    name = frame.path.name
    sender_id = frame.manifest.get("sender", {}).get("device_id") if isinstance(frame.manifest.get("sender"), dict) else None
    if not isinstance(sender_id, str):
        raise BundleCorrupt(f"{name} 已损坏（清单中没有发送设备）。")
    if sender_id == me.device_id:
        raise WrongReceiverError(f"{name} 是本机生成的同步包，不能导入本机。")
    sender = Device.get_or_none(Device.id == sender_id)
    if sender is None or sender.is_local:
        raise UnknownDeviceError(
            f"{name} 来自未登记的设备 {sender_id[:8]}，已拒绝。如确属本活动的设备，请先核对指纹并登记其设备卡。"
        )
    if sender.revoked_at:
        raise RevokedDeviceError(
            f"{name} 来自已注销的设备 {identity.device_info(sender).label}（{sender.revoked_at[:10]} 注销），已拒绝。"
        )
    sign_public, _ = identity.peer_public_keys(sender)
    container.verify_signature(frame, sign_public)
    container.check_manifest(frame)
    manifest = frame.manifest
    if frame.receiver_id != me.device_id:
        raise WrongReceiverError(
            f"{name} 是发给另一台设备（{frame.receiver_id[:8]}）的，不是发给本机的，已拒绝。"
        )
    expected_kind = "records" if sender.role == "field" else "assignments"
    if manifest["sender"]["role"] != sender.role or manifest["kind"] != expected_kind or sender.role == me.role:
        raise UnsafeContentError(f"{name} 的类型与发送设备的角色不符，已拒绝。")
    admission.check_manifest(manifest, sender, me.device_id, cursor)
    if SyncBundle.get_or_none((SyncBundle.id == frame.bundle_id) & (SyncBundle.direction == "in")) is not None:
        raise DuplicateBundleError(f"{name} 已经导入过（同步包编号 {frame.bundle_id[:8]}），本次未作任何改动。")
    last_no = SyncBundle.select(fn.MAX(SyncBundle.bundle_no)).where(
        (SyncBundle.direction == "in") & (SyncBundle.peer_device_id == sender.id)
    ).scalar() or 0
    if manifest["bundle_no"] <= last_no and not _brings_anything(manifest, me.device_id, sender.id):
        raise ReplayError(
            f"{name} 是该设备较早的同步包（第 {manifest['bundle_no']} 号，已导入到第 {last_no} 号），"
            "其内容均已导入，已拒绝（重放）。"
        )
    return sender


def _brings_anything(manifest: dict, me_id: str, sender_id: str) -> bool:
    for rng in manifest["ranges"]:
        if rng["device_id"] != me_id and rng["upto"] > cursor(rng["device_id"]):
            return True
    acks = {a.origin_device_id: a.upto for a in SyncPeerAck.select().where(SyncPeerAck.peer_device_id == sender_id)}
    return any(upto > acks.get(origin, 0) for origin, upto in manifest["acks"].items())


# --- applying -------------------------------------------------------------------------------------------


class _Run:
    def __init__(self, me_id: str, bundle_id: str, total: int, progress, cancelled, sender: Device,
                 start: int = PROGRESS_TOTAL // 2):
        self.me = me_id
        self.bundle_id = bundle_id
        self.applier = Applier(me_id, office_first=sender.role == "office")  # only a field imports the office's
        self.admission = admission.Admission(sender, me_id)
        self.skipped = 0
        self.held = 0
        self.total = max(total, 1)
        self.done = 0
        self.progress = progress
        self.cancelled = cancelled
        self.start = start  # where applying starts on the progress scale (after a separate check, half)

    def _tick(self, n: int) -> None:
        self.done += n
        if self.cancelled and self.cancelled():
            raise CancelledError()
        if self.progress:
            span = PROGRESS_TOTAL - self.start
            self.progress(self.start + min(span, span * self.done // self.total), PROGRESS_TOTAL)

    def apply(self, batch: list[Entry]) -> None:
        self.admission.check(batch)
        self.applier.apply(batch, absent=self.admission.absent)
        self._tick(len(batch))

    def range(self, rng: dict, entries: Iterator[Entry]) -> None:
        device = rng["device_id"]
        if device == self.me:
            for _ in entries:
                self.skipped += 1
            return
        current = cursor(device)
        if rng["after"] > current:
            self._hold(rng, entries)
            return
        batch: list[Entry] = []
        for entry in entries:
            if entry.seq <= current:
                self.skipped += 1
                continue
            batch.append(entry)
            if len(batch) >= BATCH:
                self.apply(batch)
                batch = []
        self.apply(batch)
        _set_cursor(device, max(current, rng["upto"]))
        self._release(device)

    def _hold(self, rng: dict, entries: Iterator[Entry]) -> None:
        held = list(entries)
        self.admission.check(held, deferred_ok=True)  # what cannot be judged yet is judged on release
        rows = [
            {"device_id": e.device_id, "seq": e.seq, "record_type": e.record_type, "record_id": e.record_id,
             "op": e.op, "fields": e.fields, "member_id": e.member_id, "at": e.at, "deps": e.deps or None,
             "bundle_id": self.bundle_id}
            for e in held
        ]
        before = SyncHeldEntry.select().count()
        for i in range(0, len(rows), 80):
            SyncHeldEntry.insert_many(rows[i : i + 80]).on_conflict_ignore().execute()
        self.held += SyncHeldEntry.select().count() - before
        self.skipped += len(rows) - (SyncHeldEntry.select().count() - before)
        exists = SyncHeldRange.get_or_none(
            (SyncHeldRange.device_id == rng["device_id"]) & (SyncHeldRange.after == rng["after"])
            & (SyncHeldRange.upto == rng["upto"])
        )
        if exists is None:
            SyncHeldRange.create(device_id=rng["device_id"], after=rng["after"], upto=rng["upto"],
                                 bundle_id=self.bundle_id)

    def _release(self, device: str) -> None:
        """Apply held entries of ``device`` that now continue its sequence."""
        while True:
            current = cursor(device)
            rng = (
                SyncHeldRange.select()
                .where((SyncHeldRange.device_id == device) & (SyncHeldRange.after <= current))
                .order_by(SyncHeldRange.upto.desc()).first()
            )
            if rng is None:
                break
            if rng.upto > current:
                last = current
                while True:
                    rows = list(
                        SyncHeldEntry.select()
                        .where((SyncHeldEntry.device_id == device) & (SyncHeldEntry.seq > last)
                               & (SyncHeldEntry.seq <= rng.upto))
                        .order_by(SyncHeldEntry.seq).limit(BATCH)
                    )
                    if not rows:
                        break
                    self.apply([
                        Entry(r.device_id, r.seq, r.record_type, r.record_id, r.op, r.fields, r.member_id, r.at,
                              r.deps or {})
                        for r in rows
                    ])
                    last = rows[-1].seq
                _set_cursor(device, rng.upto)
            upto = max(current, rng.upto)
            SyncHeldRange.delete().where((SyncHeldRange.device_id == device) & (SyncHeldRange.upto <= upto)).execute()
            SyncHeldEntry.delete().where((SyncHeldEntry.device_id == device) & (SyncHeldEntry.seq <= upto)).execute()


def _check_signed(evaluation_ids: set[str]) -> None:
    """Every signed evaluation an import touched still has the content its signature covers."""
    from .. import evaluations
    from ..models import EvaluationRecord

    for chunk in _chunks(sorted(evaluation_ids), 500):
        for record in EvaluationRecord.select().where(EvaluationRecord.id.in_(chunk) & EvaluationRecord.signed_at.is_null(False)):
            if record.deleted or evaluations.content_hash(record) != record.content_hash:
                raise UnsafeContentError(
                    f"同步包使已签署的纪实评价 {record.id[:8]} 的内容与签名不符（签署内容被改动），已拒绝，未作任何改动。",
                    field=record.id,
                )


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _take(iterator: Iterator[Entry], count: int) -> Iterator[Entry]:
    """The next ``count`` entries (the stager checked that each range has as many)."""
    return itertools.islice(iterator, count)


def _record_acks(sender_id: str, acks: dict[str, int]) -> None:
    for origin, upto in acks.items():
        row = SyncPeerAck.get_or_none((SyncPeerAck.peer_device_id == sender_id) & (SyncPeerAck.origin_device_id == origin))
        if row is None:
            SyncPeerAck.create(peer_device_id=sender_id, origin_device_id=origin, upto=upto)
        elif upto > row.upto:
            SyncPeerAck.update(upto=upto).where(
                (SyncPeerAck.peer_device_id == sender_id) & (SyncPeerAck.origin_device_id == origin)
            ).execute()
    merged = {a.origin_device_id: a.upto for a in SyncPeerAck.select().where(SyncPeerAck.peer_device_id == sender_id)}
    for sent in SyncBundle.select().where(
        (SyncBundle.direction == "out") & (SyncBundle.peer_device_id == sender_id) & (SyncBundle.status == "exported")
    ):
        if all(merged.get(r["device_id"], 0) >= r["upto"] for r in sent.ranges):
            SyncBundle.update(status="acknowledged").where(SyncBundle.id == sent.id).execute()


def _move_attachments(staged: dict[str, Path], created: list[Path]) -> int:
    moved = 0
    for sha, source in staged.items():
        target = attachments.blob_path(sha)
        if target.exists():
            continue
        if not target.parent.exists():
            target.parent.mkdir(parents=True)
            created.append(target.parent)
        fsutil.replace(source, target)
        created.append(target)
        moved += 1
    return moved


def _undo_files(created: list[Path]) -> None:
    for path in reversed(created):
        try:
            path.rmdir() if path.is_dir() else path.unlink()
        except OSError:
            pass


STALE_STAGE_SECONDS = 3600  # a staging folder this old belongs to an import that was killed


def _stage_dir() -> Path:
    base = identity.data_dir() / ".sync-staging"
    base.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in base.glob("in-*"):  # decrypted leftovers of a killed import
        try:
            if now - old.stat().st_mtime > STALE_STAGE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix="in-", dir=base))


def _remove_stage_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    try:
        path.parent.rmdir()  # only when no other import is using it
    except OSError:
        pass


def import_bundle(path: str | os.PathLike, *, progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None, backup_first: bool = True) -> ImportResult:
    """Verify and apply one bundle; raises a BundleRefused subclass (nothing changed) on refusal.

    Once the bundle is verified and before it is applied, the database is backed up
    (``backup_first``; a batch backs up once, before its first bundle).

    The cyclic garbage collector is paused meanwhile: an import allocates hundreds of thousands
    of short, acyclic dicts, and collecting them was a sixth of a large import's time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _import_bundle(path, progress=progress, cancelled=cancelled, backup_first=backup_first)
    finally:
        if enabled:
            gc.enable()


def _import_bundle(path: str | os.PathLike, *, progress, cancelled, backup_first: bool) -> ImportResult:
    path = Path(path)
    frame = container.read_frame(path)
    sender = check_frame(frame, installation.context())
    me = identity.local_identity()  # exists: the sender encrypted for its public key
    manifest = frame.manifest
    try:
        ephemeral = base64.b64decode(manifest["encryption"]["ephemeral_public_key"], validate=True)
    except ValueError as exc:
        raise BundleCorrupt(f"{path.name} 已损坏（密钥交换数据不对）。") from exc
    key = crypto.receiver_key(me.box_key, ephemeral, frame.bundle_id)
    stage = _stage_dir()
    created: list[Path] = []
    worker = None
    try:
        if frame.payload_size >= decoding.WORKER_MIN_BYTES:
            # A large bundle: a second process decodes and checks it while this one applies
            # it; the verdict on the whole payload comes before the commit (decoding.py).
            (stage / "blobs").mkdir()
            run = _Run(me.device_id, frame.bundle_id, manifest["entry_count"], progress, cancelled, sender, start=0)
            run.applier.alone_templates = template_snapshot()  # the half of the rules the worker checks
            worker = decoding.Decoder(frame, key, sender.role, sender.id, stage / "blobs", cancelled,
                                      templates=run.applier.alone_templates)
            entries = worker.entries()
            run.applier.tokenizer = worker  # the worker, idle once it has decoded, tokenizes for the search index
        else:
            def on_bytes(done: int) -> None:
                if progress:
                    progress(PROGRESS_TOTAL // 2 * done // max(frame.payload_size, 1), PROGRESS_TOTAL)

            staged, attached, referenced = decoding.stage(frame, key, sender.role, sender.id, stage, on_bytes,
                                                          cancelled)
            _check_attachments(attached, referenced)
            if backup_first:
                backup.create_backup(identity.data_dir(), reason=backup.PRE_IMPORT)
            entries = decoding.staged_entries(staged)
            run = _Run(me.device_id, frame.bundle_id, manifest["entry_count"], progress, cancelled, sender)
        try:
            with db.large_writes() if worker is not None else contextlib.nullcontext(), database.atomic():
                database.execute_sql("PRAGMA defer_foreign_keys = ON")
                # closed here, also when cancelled: Windows cannot remove the staging folder
                # while the file is open
                with contextlib.closing(entries):
                    for rng in manifest["ranges"]:
                        run.range(rng, _take(entries, rng["count"]))
                if worker is not None:
                    worker.finish()  # the whole payload verified, or refused: before anything counts
                    attached = worker.attachments
                    _check_attachments(attached, worker.referenced)
                    if backup_first:  # the state before this import: the last one committed
                        backup.create_backup(identity.data_dir(), reason=backup.PRE_IMPORT)
                run.applier.finish()
                _check_signed(run.applier.touched_evaluations)
                _record_acks(sender.id, manifest["acks"])
                result = ImportResult(
                    path, "held" if run.held else "imported", "", frame.bundle_id, sender.id, device_label(sender.id),
                    manifest["entry_count"], run.applier.applied, run.skipped, run.held, run.applier.conflicts,
                    len(attached),
                )
                if run.held:
                    origins = {r["device_id"] for r in manifest["ranges"]}
                    result.gaps = [g for g in held_gaps() if g.device_id in origins]
                result.message = _summary(result)
                SyncBundle.create(
                    id=frame.bundle_id, direction="in", peer_device_id=sender.id, bundle_no=manifest["bundle_no"],
                    kind=manifest["kind"], created_at=manifest["created_at"], processed_at=now_utc(),
                    file_name=path.name, size=frame.file_size, entry_count=manifest["entry_count"],
                    attachment_count=len(attached), applied=result.applied, skipped=result.skipped,
                    held=result.held, conflicts=result.conflicts, ranges=manifest["ranges"], status=result.status,
                    message=result.message,
                )
                _move_attachments(attached, created)
        except (sqlite3.IntegrityError, peewee.IntegrityError) as exc:
            # Defence in depth: entries are validated before this, but a rule of the schema
            # that the checks missed must still end in a refusal, not an internal error.
            _undo_files(created)
            raise UnsafeContentError(
                f"{path.name} 中的记录不符合本机数据的规则（{exc}），已拒绝，未作任何改动。", detail=repr(exc)
            ) from exc
        except BaseException:
            _undo_files(created)
            raise
    finally:
        if worker is not None:
            worker.close()
        _remove_stage_dir(stage)
    if progress:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return result


def _check_attachments(attached: dict[str, Path], referenced: set[str]) -> None:
    extra = set(attached) - referenced
    if extra:
        raise UnsafeContentError(f"同步包中有没有记录引用的附件（{len(extra)} 个），已拒绝。")


def _summary(r: ImportResult) -> str:
    parts = [f"已导入{r.sender_label}的同步包：应用 {r.applied} 条变更"]
    if r.skipped:
        parts.append(f"跳过已有的 {r.skipped} 条")
    if r.attachments:
        parts.append(f"附件 {r.attachments} 个")
    if r.conflicts:
        parts.append(f"发现冲突 {r.conflicts} 处，请在冲突列表中处理")
    text = "，".join(parts) + "。"
    for gap in r.gaps:
        text += gap.text
    return text


def peek(path: str | os.PathLike) -> dict | None:
    """The unverified manifest of a bundle file (for listing a folder), or None if unreadable."""
    try:
        return container.read_frame(path).manifest
    except BundleRefused:
        return None
