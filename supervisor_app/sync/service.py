"""What the 同步 page and the CLI call: one function per operation, Qt-free.

Long operations take ``progress(done, total)`` and ``cancelled()`` callbacks and are meant to
run on a worker thread. They return results; refusals raise SupervisorError subclasses
(``import_paths`` and ``FolderWatcher.poll`` report them per file instead).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from peewee import fn

from .. import installation
from ..models import TYPE_LABELS, ChangeLog, Device, Group, SyncedModel
from . import apply, container, exporter, identity, importer
from . import conflicts as _conflicts
from .errors import BundleRefused, CancelledError, DuplicateBundleError
from .models import SyncBundle

Progress = Callable[[int, int], None] | None
Cancelled = Callable[[], bool] | None

# Re-exported for the window: one import gives the whole sync API.
DeviceCard = identity.DeviceCard
DeviceInfo = identity.DeviceInfo
ExportResult = exporter.ExportResult
ImportResult = importer.ImportResult
HeldGap = importer.HeldGap
ConflictView = _conflicts.ConflictView
list_conflicts = _conflicts.list_conflicts
get_conflict = _conflicts.get_conflict
resolve_conflict = _conflicts.resolve_conflict
held_gaps = importer.held_gaps
open_conflict_count = apply.open_conflict_count


# --- devices -------------------------------------------------------------------------------------


def local_card() -> DeviceCard:
    """This installation's card (creates the device keys at first use)."""
    return identity.local_card()


def write_card(path: str | os.PathLike) -> DeviceCard:
    """Write this installation's public card to ``path``."""
    return identity.write_card(path)


def read_card(path: str | os.PathLike) -> DeviceCard:
    """Read and check a card, to show its fingerprint before enrolling it."""
    return identity.read_card(path)


def enroll(card_path: str | os.PathLike, expected_fingerprint: str | None = None,
           group: str | None = None, *, adopt: bool = False) -> DeviceInfo:
    """Enrol a peer's card (the office: field devices, bound to ``group``, or with ``adopt``
    to the group the device set up itself, taken over as the office's; a field installation:
    its office)."""
    return identity.enroll(card_path, expected_fingerprint, group, adopt=adopt)


def assign_device(device_id: str, group: str) -> DeviceInfo:
    return identity.assign(device_id, group)


def applied_entries(device_id: str, limit: int | None = None):
    """Every applied change of a device, by origin (the office's audit of what it wrote)."""
    from .admission import applied_entries as entries

    return entries(identity.find_device(device_id).id, limit)


def list_devices() -> list[DeviceInfo]:
    return identity.list_devices()


def revoke_device(device_id: str) -> DeviceInfo:
    return identity.revoke(device_id)


# --- export and import ---------------------------------------------------------------------------


def export_to_folder(folder: str | os.PathLike, *, receivers: list[str] | None = None, all_entries: bool = False,
                     progress: Progress = None, cancelled: Cancelled = None) -> list[ExportResult]:
    """Write a new bundle into ``folder``: on a field installation one for the office; on the
    office one per enrolled field device (or per device id in ``receivers``)."""
    devices = exporter.receivers_for(receivers)
    results = []
    for i, device in enumerate(devices):
        def part(done: int, total: int, i=i) -> None:
            if progress:
                progress(i * 1000 + 1000 * done // max(total, 1), 1000 * len(devices))

        results.append(exporter.export_bundle(folder, device, all_entries=all_entries, progress=part,
                                              cancelled=cancelled))
    return results


def import_bundle(path: str | os.PathLike, *, progress: Progress = None, cancelled: Cancelled = None) -> ImportResult:
    """Verify and apply one bundle file; a refusal raises (nothing changed)."""
    return importer.import_bundle(path, progress=progress, cancelled=cancelled)


def bundle_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The .sgb files named, and those inside the folders named, in the order to import them
    (by sender, then the sender's bundle number, so that sequences arrive without gaps)."""
    files: list[Path] = []
    for item in paths:
        item = Path(item)
        if item.is_dir():
            files.extend(sorted(p for p in item.iterdir() if p.suffix == container.SUFFIX and p.is_file()))
        else:
            files.append(item)

    def order(path: Path):
        try:
            manifest = importer.peek(path)
        except OSError:  # unreadable: its import reports why
            manifest = None
        if not manifest:
            return ("~", 0, path.name)
        try:
            return (str(manifest["sender"]["device_id"]), int(manifest["bundle_no"]), path.name)
        except (KeyError, TypeError, ValueError, OverflowError):
            return ("~", 0, path.name)

    return sorted(dict.fromkeys(files), key=order)


def import_paths(paths: Iterable[str | os.PathLike], *, progress: Progress = None,
                 cancelled: Cancelled = None) -> list[ImportResult]:
    """Import files and folders of bundles one by one; each result says imported, held,
    duplicate (imported before), refused (with the reason) or cancelled.

    A bundle that is refused — or that fails in a way the checks did not foresee (its import
    is rolled back all the same) — is reported and the next one is imported: one bad file on a
    stick never keeps the good ones out.
    """
    files = bundle_files(paths)
    results: list[ImportResult] = []
    backed_up = False  # one backup before the first bundle that gets applied
    for i, path in enumerate(files):
        def part(done: int, total: int, i=i) -> None:
            if progress:
                progress(i * 1000 + 1000 * done // max(total, 1), 1000 * len(files))

        try:
            results.append(importer.import_bundle(path, progress=part, cancelled=cancelled,
                                                  backup_first=not backed_up))
            backed_up = True
        except CancelledError as exc:
            results.append(ImportResult(path, "cancelled", exc.message, error=exc))
            break
        except DuplicateBundleError as exc:
            results.append(ImportResult(path, "duplicate", exc.message, error=exc))
        except BundleRefused as exc:
            results.append(ImportResult(path, "refused", exc.message, error=exc))
        except OSError as exc:
            message = f"无法读取 {path.name}：{exc.strerror or exc}（U 盘已拔出？）"
            results.append(ImportResult(path, "refused", message, error=BundleRefused(message)))
        except Exception as exc:  # a check missed something: say so, and go on with the next file
            message = (f"导入 {path.name} 时程序出错（{type(exc).__name__}），已跳过，未作任何改动。"
                       "请把此同步包交给技术人员检查。")
            detail = "".join(traceback.format_exception(exc))
            results.append(ImportResult(path, "refused", message, error=BundleRefused(message, detail=detail)))
    if progress:
        progress(1000 * len(files), 1000 * max(len(files), 1))
    return results


def pending_in_folder(folder: str | os.PathLike) -> list[Path]:
    """Bundles in ``folder`` addressed to this installation that were not imported yet."""
    me = identity.local_identity()
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(p for p in folder.iterdir() if p.suffix == container.SUFFIX and p.is_file()):
        manifest = importer.peek(path)
        try:
            if manifest is not None and (
                manifest["receiver"]["device_id"] != me.device_id or manifest["sender"]["device_id"] == me.device_id
                or SyncBundle.get_or_none(SyncBundle.id == manifest["bundle_id"]) is not None
            ):
                continue
        except (KeyError, TypeError):
            pass
        found.append(path)
    return found


def import_new_from_folder(folder: str | os.PathLike, *, progress: Progress = None, cancelled: Cancelled = None,
                           ignore: Callable[[Path], bool] | None = None) -> list[ImportResult]:
    """Import the bundles in a watched folder that are for this installation and new."""
    paths = [p for p in pending_in_folder(folder) if not (ignore and ignore(p))]
    return import_paths(paths, progress=progress, cancelled=cancelled) if paths else []


class FolderWatcher:
    """Polled by the window's timer: imports new bundles from a sync folder.

    A refused file is not tried again until it changes (a copy still in progress will).
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._refused: dict[Path, tuple[int, int]] = {}

    def _stamp(self, path: Path) -> tuple[int, int]:
        st = path.stat()
        return (st.st_size, st.st_mtime_ns)

    def poll(self, *, progress: Progress = None, cancelled: Cancelled = None) -> list[ImportResult]:
        def known_bad(path: Path) -> bool:
            try:
                return self._refused.get(path) == self._stamp(path)
            except OSError:
                return True

        results = import_new_from_folder(self.folder, progress=progress, cancelled=cancelled, ignore=known_bad)
        for result in results:
            if result.status == "refused":
                try:
                    self._refused[result.path] = self._stamp(result.path)
                except OSError:
                    pass
        return results


# --- history and sources ---------------------------------------------------------------------------

STATUS_LABELS = {
    "exported": "已导出，待对方确认收到", "acknowledged": "对方已确认收到", "imported": "已导入",
    "held": "已导入，部分暂存（缺少更早的同步包）",
}


@dataclass
class HistoryRow:
    bundle_id: str
    direction: str  # in | out
    direction_label: str
    peer_label: str
    bundle_no: int
    file_name: str
    processed_at: str
    entry_count: int
    attachment_count: int
    applied: int
    held: int
    conflicts: int
    status: str
    status_label: str
    message: str


def bundle_history(limit: int | None = 200) -> list[HistoryRow]:
    """Bundles in and out, newest first, with their status."""
    query = SyncBundle.select().order_by(SyncBundle.processed_at.desc(), SyncBundle.bundle_no.desc())
    if limit:
        query = query.limit(limit)
    rows = []
    for b in query:
        rows.append(HistoryRow(
            b.id, b.direction, "导入" if b.direction == "in" else "导出", importer.device_label(b.peer_device_id),
            b.bundle_no, b.file_name, b.processed_at, b.entry_count, b.attachment_count, b.applied, b.held,
            b.conflicts, b.status, STATUS_LABELS.get(b.status, b.status), b.message,
        ))
    return rows


@dataclass
class RecordSource:
    """Where a record comes from: the device (and group) that wrote it last and first."""

    device_id: str
    device_label: str
    group_name: str
    role: str
    created_by_device_id: str | None
    created_by_label: str

    @property
    def text(self) -> str:
        who = self.group_name or ("活动办" if self.role == "office" else "")
        text = f"来源：{who}（设备 {self.device_id[:8]}）" if who else f"来源：设备 {self.device_id[:8]}"
        if self.created_by_device_id and self.created_by_device_id != self.device_id:
            text += f"；创建于{self.created_by_label}"
        return text


def _group_of(device: Device | None) -> str:
    if device is None:
        return ""
    if device.role == "office":
        return "活动办"
    if device.is_local:
        ctx = installation.context()
        group = Group.get_or_none(Group.id == ctx.group_id) if ctx.group_id else None
        return group.name if group else ""
    group = Group.get_or_none(Group.id == device.group_id) if device.group_id else None
    return group.name if group else device.name or ""


def record_source(record: SyncedModel) -> RecordSource:
    """The source group and device of a record (at the office: which group sent it)."""
    device = Device.get_or_none(Device.id == record.device_id)
    first = (
        ChangeLog.select(ChangeLog.device_id)
        .where((ChangeLog.record_id == record.id) & (ChangeLog.op == "insert"))
        .order_by(ChangeLog.id).first()
    )
    created = first.device_id if first else None
    return RecordSource(
        device_id=record.device_id, device_label=importer.device_label(record.device_id), group_name=_group_of(device),
        role=device.role if device else "", created_by_device_id=created,
        created_by_label=importer.device_label(created) if created else "",
    )


@dataclass
class SyncOverview:
    role: str
    device_id: str
    fingerprint: str
    devices: int
    open_conflicts: int
    held_entries: int
    last_in: str | None
    last_out: str | None


def overview() -> SyncOverview:
    """The numbers at the top of the 同步 page."""
    card = identity.local_card()
    last_in = SyncBundle.select().where(SyncBundle.direction == "in").order_by(SyncBundle.processed_at.desc()).first()
    last_out = SyncBundle.select().where(SyncBundle.direction == "out").order_by(SyncBundle.processed_at.desc()).first()
    return SyncOverview(
        role=card.role, device_id=card.device_id, fingerprint=card.fingerprint,
        devices=Device.select().where((Device.is_local == False) & Device.revoked_at.is_null()).count(),
        open_conflicts=open_conflict_count(), held_entries=sum(g.held_entries for g in held_gaps()),
        last_in=last_in.processed_at if last_in else None, last_out=last_out.processed_at if last_out else None,
    )


# --- what has reached the office, per record ------------------------------------------------------

MARKS = ("unsent", "sent", "confirmed")
MARK_LABELS = {"unsent": "未发送", "sent": "已发送", "confirmed": "活动办已确认"}


@dataclass
class _Progress:
    sent: int  # the highest own seq written into a bundle for the office
    confirmed: int  # the highest own seq the office reported as applied


def _office_progress() -> _Progress | None:
    me = installation.context()
    office = identity.office_device() if me.role == "field" else None
    if office is None:
        return None
    sent = 0
    for bundle in SyncBundle.select(SyncBundle.ranges).where(
            (SyncBundle.direction == "out") & (SyncBundle.peer_device_id == office.id)):
        for rng in bundle.ranges or []:
            if isinstance(rng, dict) and rng.get("device_id") == me.device_id:
                sent = max(sent, int(rng.get("upto") or 0))
    confirmed = exporter.peer_acks(office.id).get(me.device_id, 0)
    return _Progress(sent=max(sent, confirmed), confirmed=confirmed)


def _mark(seq: int, progress: _Progress) -> str:
    return "confirmed" if seq <= progress.confirmed else "sent" if seq <= progress.sent else "unsent"


def sync_marks(record_ids: Iterable[str]) -> dict[str, str]:
    """Per record written on this field installation: ``unsent``, ``sent`` (in a bundle for the
    office) or ``confirmed`` (the office's receipt covers its latest change here).

    A record with no change of this installation's own that goes to the office (made by the
    office, or not sent at all, such as a local group) has no mark; so has every record on the
    office's installation.
    """
    ids = list(dict.fromkeys(record_ids))
    progress = _office_progress()
    if progress is None or not ids:
        return {}
    me = installation.context().device_id
    types = exporter.sendable_types("field")
    latest: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        query = (ChangeLog.select(ChangeLog.record_id, fn.MAX(ChangeLog.seq).alias("seq"))
                 .where((ChangeLog.device_id == me) & ChangeLog.record_id.in_(chunk)
                        & ChangeLog.record_type.in_(types))
                 .group_by(ChangeLog.record_id))
        latest.update({row.record_id: row.seq for row in query})
    return {record_id: _mark(seq, progress) for record_id, seq in latest.items()}


def sync_mark_counts() -> dict[str, dict[str, int]]:
    """Per record type (its Chinese label), how many of this installation's records are
    unsent, sent and confirmed — the 同步 page's summary. Empty on the office."""
    progress = _office_progress()
    if progress is None:
        return {}
    me = installation.context().device_id
    query = (ChangeLog.select(ChangeLog.record_type, ChangeLog.record_id, fn.MAX(ChangeLog.seq).alias("seq"))
             .where((ChangeLog.device_id == me) & ChangeLog.record_type.in_(exporter.sendable_types("field")))
             .group_by(ChangeLog.record_type, ChangeLog.record_id))
    counts: dict[str, dict[str, int]] = {}
    for row in query.tuples():
        record_type, _record_id, seq = row
        label = TYPE_LABELS.get(record_type, record_type)
        counts.setdefault(label, dict.fromkeys(MARKS, 0))[_mark(seq, progress)] += 1
    return counts


def export_readiness() -> str | None:
    """Why nothing can be exported yet (``no_office`` / ``no_field_device``), None when ready."""
    me = installation.context()
    if me.role == "field":
        return None if identity.office_device() is not None else "no_office"
    return None if identity.field_devices() else "no_field_device"
