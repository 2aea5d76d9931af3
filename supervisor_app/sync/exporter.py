"""Writing bundles: what to send, the atomic write, the read-back check, the history row.

A field installation sends its own entries that the office has not acknowledged; the office
sends each field device the assignments (groups, members, units, teams, leaders, campaigns,
templates — from any origin but the receiver) it has not acknowledged, and its cursors, which
are the receipt. ``all_entries`` ignores acknowledgements and sends everything.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from peewee import fn

from .. import attachments, fsutil, installation
from ..clock import new_id, now_utc
from ..errors import ValidationError
from ..fsutil import fsync_dir
from ..models import ChangeLog, Device, Group, database
from . import container, identity
from .admission import FIELD_TYPES
from .entries import ASSIGNMENT_TYPES, Entry, local_deps
from .errors import BundleRefused, CancelledError, ExportError
from .models import SyncBundle, SyncCursor, SyncEntryDeps, SyncPeerAck

ENTRIES_PER_PART = 5000


@dataclass
class ExportResult:
    path: Path
    bundle_id: str
    bundle_no: int
    receiver_id: str
    receiver_label: str
    entry_count: int
    attachment_count: int
    size: int
    ranges: list[dict]
    missing_attachments: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"已生成同步包 {self.path.name}：变更 {self.entry_count} 条，附件 {self.attachment_count} 个，发往{self.receiver_label}。"
        if self.missing_attachments:
            text += f"另有 {len(self.missing_attachments)} 个附件的文件不在本机，未能放入。"
        return text


def own_max_seq(device_id: str) -> int:
    return ChangeLog.select(fn.MAX(ChangeLog.seq)).where(ChangeLog.device_id == device_id).scalar() or 0


def cursors() -> dict[str, int]:
    return {c.device_id: c.upto for c in SyncCursor.select()}


def _acks_for(receiver: Device) -> dict[str, int]:
    """The receipt: how far this installation has applied the receiver's own entries."""
    upto = cursors().get(receiver.id, 0)
    return {receiver.id: upto} if upto else {}


def peer_acks(peer_id: str) -> dict[str, int]:
    return {a.origin_device_id: a.upto for a in SyncPeerAck.select().where(SyncPeerAck.peer_device_id == peer_id)}


def plan_ranges(me: identity.LocalIdentity, receiver: Device, all_entries: bool) -> list[dict]:
    """Per origin device, the sequence range (after, upto] this bundle covers."""
    # Every bundle carries its sender's own entries only: a receiver can judge an entry only
    # by its sender's rights, and never relays another device's claims (admission.py).
    origins = {me.device_id: own_max_seq(me.device_id)}
    acks = {} if all_entries else peer_acks(receiver.id)
    ranges = []
    for origin, upto in sorted(origins.items()):
        after = min(acks.get(origin, 0), upto)
        if upto > after:
            ranges.append({"device_id": origin, "after": after, "upto": upto, "count": 0})
    return ranges


_json_str = json.encoder.encode_basestring  # the C encoder; keeps Chinese as it is


def _wire_line(device_id, seq, record_type, record_id, op, fields_text, member_id, at, deps) -> bytes:
    """One entry as a JSON line, reusing the stored (canonical) fields text instead of
    parsing and re-encoding it: export stays linear and cheap at 100 000s of entries."""
    parts = ['{"at":', _json_str(at)]
    if deps:
        parts += [',"deps":', json.dumps(deps, sort_keys=True, separators=(",", ":"))]
    parts += [
        ',"device_id":', _json_str(device_id), ',"fields":', fields_text,
        ',"member_id":', "null" if member_id is None else _json_str(member_id), ',"op":', _json_str(op),
        ',"record_id":', _json_str(record_id), ',"record_type":', _json_str(record_type), ',"seq":', str(int(seq)), "}",
    ]
    return "".join(parts).encode("utf-8")


@dataclass
class _Part:
    lines: list[bytes]
    first_seq: int
    last_seq: int
    attachment_shas: list[str]


def sendable_types(role: str) -> tuple[str, ...]:
    """What this installation sends: the office its assignments; a field installation the
    records it has the right to write (admission.FIELD_TYPES). A field installation's own
    campaign, template or groups made before the office's arrived stay local."""
    return ASSIGNMENT_TYPES if role == "office" else tuple(sorted(FIELD_TYPES))


def _entries(me_id: str, rng: dict, types: tuple[str, ...]):
    """The entries of one range, in seq order, in parts of ENTRIES_PER_PART, with deps."""
    origin = rng["device_id"]
    sql = (
        "SELECT id, seq, record_type, record_id, op, fields, member_id, at FROM change_log"
        " WHERE device_id = ? AND seq > ? AND seq <= ?"
    )
    sql += " AND record_type IN ({})".format(", ".join(f"'{t}'" for t in types))
    sql += " ORDER BY seq LIMIT ?"
    last = rng["after"]
    while True:
        rows = database.execute_sql(sql, (origin, last, rng["upto"], ENTRIES_PER_PART)).fetchall()
        if not rows:
            return
        if origin == me_id:
            light = [Entry(origin, r[1], r[2], r[3], r[4], {}, None, "", log_id=r[0]) for r in rows]
            local_deps(light, me_id)
            deps = {e.seq: e.deps for e in light}
        else:
            seqs = [r[1] for r in rows]
            deps = {
                d.seq: d.deps
                for d in SyncEntryDeps.select().where((SyncEntryDeps.device_id == origin) & SyncEntryDeps.seq.in_(seqs))
            }
        lines = []
        shas = []
        for _log_id, seq, record_type, record_id, op, fields_text, member_id, at in rows:
            lines.append(_wire_line(origin, seq, record_type, record_id, op, fields_text, member_id, at, deps.get(seq)))
            if record_type == "attachment":
                sha = json.loads(fields_text).get("sha256")
                if isinstance(sha, str):
                    shas.append(sha)
        last = rows[-1][1]
        yield _Part(lines, rows[0][1], last, shas)


def _file_name(me: identity.LocalIdentity, receiver: Device, bundle_no: int) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{me.role}-{me.device_id[:8]}-to-{receiver.id[:8]}-{bundle_no:05d}-{stamp}{container.SUFFIX}"


def receiver_label(device: Device) -> str:
    return identity.device_info(device).label if device.role == "field" else "活动办"


def export_bundle(folder: str | os.PathLike, receiver: Device, *, all_entries: bool = False,
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Write one bundle for ``receiver`` into ``folder``; return what was written."""
    me = identity.local_identity()
    if receiver.revoked_at:
        raise ExportError(f"设备 {receiver.id[:8]} 已注销，不能再向它发送同步包。")
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"目标文件夹不存在：{folder}。", field="folder")
    ctx = installation.context()
    receiver_box_raw = identity.unb64(receiver.box_public_key or "", 32, "加密公钥")
    bundle_no = (SyncBundle.select(fn.MAX(SyncBundle.bundle_no)).where(SyncBundle.direction == "out").scalar() or 0) + 1
    bundle_id = new_id()
    ranges = plan_ranges(me, receiver, all_entries)
    total = sum(r["upto"] - r["after"] for r in ranges) or 1
    final = folder / _file_name(me, receiver, bundle_no)
    temp = folder / f".{final.name}.partial"
    group = Group.get_or_none(Group.id == ctx.group_id) if ctx.group_id else None
    try:
        writer = container.BundleWriter(temp, me.sign_key, receiver_box_raw, bundle_id)
    except OSError as exc:
        raise ExportError(f"无法在 {folder} 写入同步包：{exc.strerror or exc}。") from exc
    shas: dict[str, None] = {}
    missing: list[str] = []
    done = 0
    try:
        for rng in ranges:
            for part in _entries(me.device_id, rng, sendable_types(me.role)):
                if cancelled and cancelled():
                    raise CancelledError("已取消，未生成同步包。")
                writer.add_entry_lines(part.lines)
                rng["count"] += len(part.lines)
                shas.update(dict.fromkeys(part.attachment_shas))
                done = min(total, done + (part.last_seq - (part.first_seq - 1)))
                if progress:
                    progress(done, total)
        attached = 0
        for sha in shas:
            if cancelled and cancelled():
                raise CancelledError("已取消，未生成同步包。")
            try:
                blob = attachments.blob_path(sha)
            except ValidationError:
                missing.append(sha)
                continue
            if not blob.exists():
                missing.append(sha)
                continue
            if not writer.add_file(f"attachments/{sha}", blob, sha):
                raise ExportError(f"本机附件文件已损坏（内容与哈希 {sha[:12]}… 不符），未生成同步包。")
            attached += 1
        entry_count = sum(r["count"] for r in ranges)
        manifest = {
            "format": container.FORMAT, "format_version": container.FORMAT_VERSION, "bundle_id": bundle_id,
            "bundle_no": bundle_no, "kind": "records" if me.role == "field" else "assignments",
            "created_at": now_utc(),
            "sender": {"device_id": me.device_id, "role": me.role, "group_id": ctx.group_id,
                       "name": group.name if group else installation.ROLE_LABELS[me.role]},
            "receiver": {"device_id": receiver.id, "role": receiver.role},
            "ranges": ranges, "entry_count": entry_count, "attachment_count": attached, "acks": _acks_for(receiver),
        }
        manifest = writer.finish(manifest)
        fsutil.replace(temp, final)
        fsync_dir(folder)
    except BaseException as exc:
        writer.abort()
        if isinstance(exc, OSError):
            raise ExportError(f"写入同步包失败：{exc.strerror or exc}（磁盘已满或 U 盘已拔出？）。") from exc
        raise
    try:
        verify_written(final, writer.payload_key, me)
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    size = final.stat().st_size
    with database.atomic():
        SyncBundle.create(
            id=bundle_id, direction="out", peer_device_id=receiver.id, bundle_no=bundle_no, kind=manifest["kind"],
            created_at=manifest["created_at"], processed_at=now_utc(), file_name=final.name, size=size,
            entry_count=entry_count, attachment_count=attached, ranges=ranges, status="exported",
            message=f"变更 {entry_count} 条，附件 {attached} 个" + (f"，缺少附件文件 {len(missing)} 个" if missing else ""),
        )
    if progress:
        progress(total, total)
    return ExportResult(final, bundle_id, bundle_no, receiver.id, receiver_label(receiver), entry_count, attached,
                        size, ranges, missing)


def verify_written(path: Path, payload_key: bytes, me: identity.LocalIdentity) -> None:
    """Read a bundle just written back from the disk and check it completely."""
    try:
        frame = container.read_frame(path)
        container.verify_signature(frame, me.sign_key.public_key())
        container.check_manifest(frame)
        decoded = container.decode_payload(frame, payload_key, None, None)
        if decoded.entries != frame.manifest["entry_count"]:
            raise ExportError("写入后校验失败：条目数不符。")
    except BundleRefused as exc:
        raise ExportError(f"同步包写入后读回校验失败（{exc.message}）。请换一个 U 盘或文件夹再试。") from exc


def receivers_for(receiver_ids: list[str] | None = None) -> list[Device]:
    """Whom to write for: a field installation its office; the office every enrolled field
    device (or the ones named)."""
    me = identity.local_identity()
    if me.role == "field":
        office = identity.office_device()
        if office is None:
            raise ExportError("尚未登记活动办的设备卡，无法生成同步包。请在“同步”页点“② 登记对方的设备卡…”，登记活动办的设备卡。")
        return [office]
    if receiver_ids:
        devices = [identity.find_device(r) for r in receiver_ids]
        for d in devices:
            if d.is_local or d.role != "field":
                raise ExportError(f"设备 {d.id[:8]} 不是已登记的督导组设备。")
        return devices
    devices = identity.field_devices()
    if not devices:
        raise ExportError("还没有登记任何督导组设备，无法生成同步包。请先登记督导组的设备卡。")
    return devices


