"""Backup files: making them, reading them, checking them, pruning the rolling set.

Backups are made with SQLite's online backup API from a read-only connection (never by copying
the open file), checked, and renamed into place, so a kill or a full disk leaves either a whole
backup or none. They live in ``<data_dir>/backups/`` as
``supervisor-<UTC time>Z-<reason>.sqlite3`` with a small JSON manifest beside each (time,
reason, schema version, record counts, and the SHA-256 of every attachment it refers to).
Attachments are content-addressed and never removed from the store, so a backup refers to them
by hash instead of copying them; :func:`referenced_attachments` tells a future clean-up what
must stay. Which backups stay is ``backup_retention``'s rule.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import db, fsutil
from .backup_retention import retained
from .errors import DatabaseError, NotFoundError
from .fsutil import create_private_file, fsync_dir, fsync_file, make_private_dir
from .models import Attachment, EvaluationRecord, Finding, Leader, Rectification, Unit, Visit
from .paths import db_path, resolve_data_dir

BACKUP_DIRNAME = "backups"

# Why a backup was made; part of its file name.
DAILY = "daily"
MANUAL = "manual"
PRE_MIGRATION = "pre-migration"
PRE_RESTORE = "pre-restore"
PRE_IMPORT = "pre-import"
REASON_LABELS = {
    DAILY: "每日自动备份",
    MANUAL: "手动备份",
    PRE_MIGRATION: "升级数据前的备份",
    PRE_RESTORE: "恢复前的备份",
    PRE_IMPORT: "导入同步包前的备份",
}

AUTO_BACKUP_AFTER = timedelta(days=1)
MANIFEST_FORMAT = 1
STALE_AFTER_SECONDS = 3600  # half-written files older than this belong to no running process

# (key, model, label): the records counted in each backup (tombstoned ones are not counted).
COUNTED = (
    ("units", Unit, "单位"),
    ("leaders", Leader, "领导干部"),
    ("visits", Visit, "督导记录"),
    ("findings", Finding, "问题"),
    ("rectifications", Rectification, "整改"),
    ("evaluations", EvaluationRecord, "纪实评价"),
    ("attachments", Attachment, "附件"),
)
COUNT_LABELS = {key: label for key, _model, label in COUNTED}

_NAME = re.compile(r"^supervisor-(\d{8}T\d{6})Z-([a-z]+(?:-[a-z]+)*?)(?:-(\d+))?\.sqlite3$")
_REASON = re.compile(r"^[a-z]+(?:-[a-z]+)*$")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: when, why, and what it holds."""

    path: Path
    created_at: datetime  # aware, UTC
    reason: str
    size: int
    schema_version: int | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def time_text(self) -> str:
        """Local time for people: 2014年4月8日 09:30."""
        local = self.created_at.astimezone()
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"

    def summary(self) -> str:
        """The record counts in words: 单位 12，督导记录 120，…"""
        return describe_counts(self.counts)


def describe_counts(counts: dict[str, int]) -> str:
    return "，".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in counts.items() if k in COUNT_LABELS)


# --- files and connections -------------------------------------------------------------------------


def backups_dir(data_dir: str | os.PathLike | None = None) -> Path:
    return resolve_data_dir(data_dir) / BACKUP_DIRNAME


def utc(now: datetime | None) -> datetime:
    """``now`` (aware) in UTC to the second; the current time when None."""
    if now is None:
        return datetime.now(UTC).replace(microsecond=0)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC).replace(microsecond=0)


def connect_ro(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to ``path`` (it still reads a -wal beside it)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)


def remove_with_sidecars(path: Path) -> None:
    """Remove a database file and its journal files (each waits a little for a reader to let go)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        fsutil.remove(Path(f"{path}{suffix}"))


def remove_stale(folder: Path, pattern: str) -> None:
    """Remove half-written files left by a killed process (old enough to belong to none)."""
    if not folder.is_dir():
        return
    limit = time.time() - STALE_AFTER_SECONDS
    for path in folder.glob(pattern):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                fsutil.remove(path, retry_for=0)
        except OSError:
            pass


def quick_check(conn: sqlite3.Connection, pragma: str = "quick_check") -> list[str]:
    """The problems SQLite reports ([] when the file is sound)."""
    try:
        rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


@dataclass
class Stats:
    application_id: int
    schema_version: int
    counts: dict[str, int]
    attachments: list[str]


def read_stats(conn: sqlite3.Connection) -> Stats:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    counts: dict[str, int] = {}
    for key, model, _label in COUNTED:
        try:
            counts[key] = conn.execute(
                f'SELECT count(*) FROM "{model._meta.table_name}" WHERE deleted = 0'
            ).fetchone()[0]
        except sqlite3.Error:
            pass  # an older schema without this table
    try:
        # Tombstoned attachments count too: a restore or a bundle may bring them back.
        hashes = sorted(r[0] for r in conn.execute(f'SELECT DISTINCT sha256 FROM "{Attachment._meta.table_name}"'))
    except sqlite3.Error:
        hashes = []
    return Stats(app_id, version, counts, hashes)


def copy_database(source: Path, dest: Path) -> Stats:
    """Copy ``source`` into a new plain (non-WAL) file ``dest`` with the online backup API.

    Raises DatabaseError when the copy is damaged, so a bad database never becomes a backup.
    Every connection is closed on return, so ``dest`` can be flushed and renamed on Windows.
    """
    remove_with_sidecars(dest)
    create_private_file(dest)  # owner-only from the start; SQLite keeps the mode (and its journal's)
    src = connect_ro(source)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            problems = quick_check(dst)
            if problems:
                raise DatabaseError(
                    "当前数据库已损坏，没有生成备份（以免用损坏的副本替换完好的备份）。",
                    detail="; ".join(problems[:20]),
                )
            return read_stats(dst)
        finally:
            dst.close()
    finally:
        src.close()


def storage_error(exc: BaseException, what: str) -> DatabaseError | db.StorageFullError:
    """The user's message for a failed file operation during ``what`` (备份, 恢复)."""
    if db.is_storage_full(exc):
        return db.StorageFullError(f"磁盘空间不足，{what}没有完成；现有的数据和备份都未受影响。请清理磁盘空间后重试。",
                                   detail=repr(exc))
    if isinstance(exc, fsutil.FileInUseError):
        return DatabaseError(f"{what}没有完成：{exc.message}", detail=exc.detail)
    return DatabaseError(f"{what}失败：{exc}", detail=repr(exc))


# --- making backups ----------------------------------------------------------------------------------


def _free_name(folder: Path, now: datetime, reason: str) -> Path:
    base = f"supervisor-{now:%Y%m%dT%H%M%S}Z-{reason}"
    candidate = folder / f"{base}.sqlite3"
    n = 2
    while candidate.exists():
        candidate = folder / f"{base}-{n}.sqlite3"
        n += 1
    return candidate


def manifest_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _write_manifest(info: BackupInfo, stats: Stats) -> None:
    manifest = {
        "format": MANIFEST_FORMAT,
        "file": info.path.name,
        "created_at": info.created_at.isoformat(),
        "reason": info.reason,
        "size": info.size,
        "schema_version": stats.schema_version,
        "counts": stats.counts,
        "attachments": stats.attachments,
    }
    try:
        fsutil.write_file_atomically(manifest_path(info.path),
                                     json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    except OSError:
        pass  # the manifest only caches what the backup itself holds; list_backups reads the file


def create_backup(
    data_dir: str | os.PathLike | None = None,
    *,
    reason: str = MANUAL,
    to: str | os.PathLike | None = None,
    now: datetime | None = None,
    prune_old: bool = True,
) -> BackupInfo:
    """Back up the database into the rolling set (or to the file ``to``, which must not exist).

    Reads through a read-only connection, so it can run while the program writes; the backup
    is the last committed state. A damaged database is refused rather than backed up.
    """
    if not _REASON.match(reason):
        raise ValueError(f"bad backup reason {reason!r}")
    data_dir = resolve_data_dir(data_dir)
    source = db_path(data_dir)
    if not source.exists() or source.stat().st_size == 0:
        raise NotFoundError(f"数据文件夹 {data_dir} 中还没有数据库，无需备份。")
    now = utc(now)
    if to is None:
        folder = make_private_dir(backups_dir(data_dir))
        remove_stale(folder, ".partial-*")
        target = _free_name(folder, now, reason)
    else:
        target = Path(to).expanduser().resolve()
        if target.exists():
            raise DatabaseError(f"目标文件 {target} 已存在；为免覆盖，请换一个文件名。", field="--to")
        target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".partial-{os.getpid()}-{target.name}")
    try:
        stats = copy_database(source, partial)
        if stats.application_id != db.APPLICATION_ID:
            raise DatabaseError(f"{source} 不是督导纪实的数据库，没有备份。")
        fsync_file(partial)
        fsutil.replace(partial, target)
        fsync_dir(target.parent)
    except DatabaseError:
        remove_with_sidecars(partial)
        raise
    except (OSError, sqlite3.Error) as exc:
        remove_with_sidecars(partial)
        raise storage_error(exc, "备份") from exc
    except BaseException:
        remove_with_sidecars(partial)
        raise
    info = BackupInfo(target, now, reason, target.stat().st_size, stats.schema_version, stats.counts)
    if to is None:
        _write_manifest(info, stats)
        if prune_old:
            prune(data_dir)
    return info


def ensure_daily_backup(data_dir: str | os.PathLike | None = None, *, now: datetime | None = None) -> BackupInfo | None:
    """Back up when the newest backup is a day old or more (or none exists); else do nothing."""
    data_dir = resolve_data_dir(data_dir)
    source = db_path(data_dir)
    if not source.exists() or source.stat().st_size == 0:
        return None
    now = utc(now)
    newest = next(iter(scan(backups_dir(data_dir))), None)
    # abs(): a backup "from the future" (the clock was wrong) must not stop daily backups.
    if newest is not None and abs(now - newest.created_at) < AUTO_BACKUP_AFTER:
        return None
    return create_backup(data_dir, reason=DAILY, now=now)


# --- listing and pruning ---------------------------------------------------------------------------------


def scan(folder: Path) -> list[BackupInfo]:
    """The backups in ``folder`` by file name alone, newest first."""
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = _NAME.match(path.name)
            if not match:
                continue
            try:
                size = path.stat().st_size  # may vanish: another process pruned it
            except OSError:
                continue
            created = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            found.append(BackupInfo(path, created, match.group(2), size))
    found.sort(key=lambda b: (b.created_at, b.path.name), reverse=True)
    return found


def _read_manifest(info: BackupInfo) -> dict | None:
    try:
        manifest = json.loads(manifest_path(info.path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    if manifest.get("file") != info.path.name or manifest.get("size") != info.size:
        return None
    return manifest


def details(info: BackupInfo) -> tuple[BackupInfo, list[str]]:
    """``info`` with schema version and counts, and the attachment hashes it refers to."""
    manifest = _read_manifest(info)
    if manifest is not None:
        counts = {k: int(v) for k, v in manifest.get("counts", {}).items()}
        detailed = BackupInfo(info.path, info.created_at, info.reason, info.size, manifest.get("schema_version"), counts)
        return detailed, list(manifest.get("attachments", []))
    try:
        conn = connect_ro(info.path)
        try:
            stats = read_stats(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return info, []
    detailed = BackupInfo(info.path, info.created_at, info.reason, info.size, stats.schema_version, stats.counts)
    return detailed, stats.attachments


def list_backups(data_dir: str | os.PathLike | None = None) -> list[BackupInfo]:
    """The backups of the rolling set, newest first, with time, file and record counts."""
    return [details(info)[0] for info in scan(backups_dir(data_dir))]


def referenced_attachments(data_dir: str | os.PathLike | None = None) -> set[str]:
    """Every attachment hash some backup refers to: a clean-up of the store must keep these."""
    hashes: set[str] = set()
    for info in scan(backups_dir(data_dir)):
        hashes.update(details(info)[1])
    return hashes


def prune(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Remove the backups the rolling set no longer keeps; return what was removed.

    A backup another program holds open (Windows) stays until the next prune.
    """
    infos = scan(backups_dir(data_dir))
    keep = retained(infos)
    removed = []
    for info in infos:
        if info.path not in keep:
            try:
                fsutil.remove(info.path, retry_for=0)
                fsutil.remove(manifest_path(info.path), retry_for=0)
            except OSError:
                continue
            removed.append(info.path)
    return removed


# --- checking -----------------------------------------------------------------------------------------


def verify_backup(file: str | os.PathLike) -> BackupInfo:
    """Check a backup before it is used: full integrity_check, ours, not newer than this program."""
    path = Path(file).expanduser().resolve()
    if not path.is_file():
        raise NotFoundError(f"找不到备份文件：{path}。", field="file")
    damaged = f"备份文件 {path.name} 已损坏或不是数据库文件，不能用来恢复。"
    try:
        conn = connect_ro(path)
        try:
            problems = quick_check(conn, "integrity_check")
            if problems:
                raise DatabaseError(damaged, detail="; ".join(problems[:20]))
            stats = read_stats(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(damaged, detail=str(exc)) from exc
    if stats.application_id != db.APPLICATION_ID or stats.schema_version < 1:
        raise DatabaseError(f"{path.name} 不是督导纪实的数据库备份。", detail=f"application_id={stats.application_id:#x}")
    if stats.schema_version > db.SCHEMA_VERSION:
        raise DatabaseError(
            f"备份 {path.name} 来自更新版本的程序（数据版本 {stats.schema_version}，本程序支持到 "
            f"{db.SCHEMA_VERSION}），请升级程序后再恢复。",
        )
    match = _NAME.match(path.name)
    if match:
        created = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        reason = match.group(2)
    else:
        created = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        reason = MANUAL
    return BackupInfo(path, created, reason, path.stat().st_size, stats.schema_version, stats.counts)


def newest_good_backup(data_dir: str | os.PathLike | None = None) -> BackupInfo | None:
    """The newest backup that passes :func:`verify_backup`, or None."""
    for info in scan(backups_dir(data_dir)):
        try:
            return verify_backup(info.path)
        except (DatabaseError, NotFoundError):
            continue
    return None
