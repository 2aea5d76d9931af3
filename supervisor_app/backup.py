"""Backups, restore and the start-up health check of the database.

Backups are made with SQLite's online backup API from a read-only connection (never by copying
the open file), checked, and renamed into place, so a kill or a full disk leaves either a whole
backup or none. They live in ``<data_dir>/backups/`` as
``supervisor-<UTC time>Z-<reason>.sqlite3`` with a small JSON manifest beside each (time,
reason, schema version, record counts, and the SHA-256 of every attachment it refers to).
Attachments are content-addressed and never removed from the store, so a backup refers to them
by hash instead of copying them; :func:`referenced_attachments` tells a future clean-up what
must stay.

A rolling set is kept: the newest backup of each of the last 7 days that have one, the newest
of each of 4 older weeks, and always the 2 newest (so the safety copy taken just before a
restore or an import is never the one pruned).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import db
from .errors import DatabaseError, NotFoundError, SupervisorError
from .fsutil import create_private_file, fsync_dir, fsync_file, make_private_dir
from .models import Attachment, EvaluationRecord, Finding, Leader, Rectification, Unit, Visit
from .paths import attachments_dir, db_path, resolve_data_dir

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

KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_NEWEST = 2
AUTO_BACKUP_AFTER = timedelta(days=1)
MANIFEST_FORMAT = 1
_STALE_AFTER_SECONDS = 3600  # half-written files older than this belong to no running process

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

# Start-up states.
OK = "ok"
NEW = "new"
DAMAGED = "damaged"
NOT_OURS = "not_ours"
TOO_NEW = "too_new"


# --- results -------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class StartupCheck:
    """What the start-up check found; ``message`` is for the user."""

    state: str  # OK | NEW | DAMAGED | NOT_OURS | TOO_NEW
    message: str
    path: Path
    problems: tuple[str, ...] = ()
    newest_good_backup: BackupInfo | None = None

    @property
    def ok(self) -> bool:
        return self.state in (OK, NEW)

    @property
    def can_restore(self) -> bool:
        return self.state == DAMAGED and self.newest_good_backup is not None


@dataclass(frozen=True)
class RestoreResult:
    restored_from: BackupInfo
    safety_copy: Path | None  # the backup of what was replaced (or the damaged file, set aside)
    missing_attachments: tuple[str, ...] = ()  # referenced hashes whose content is not in the store


@dataclass(frozen=True)
class StartBackup:
    """The outcome of the automatic backup at start; a failure never stops the program."""

    created: BackupInfo | None
    problem: str | None = None


# The outcome of the last automatic backup at start (for the window's status line).
last_start_backup: StartBackup | None = None


class DamagedDatabaseError(DatabaseError):
    """The database is damaged; nothing was opened for writing. ``check`` offers the backup."""

    def __init__(self, check: StartupCheck):
        hint = ""
        if check.newest_good_backup is not None:
            hint = (
                "恢复方法：在窗口的“备份与恢复”中选择这份备份，或运行 "
                f"python main.py restore \"{check.newest_good_backup.path}\"。"
            )
        super().__init__(check.message + hint, detail="; ".join(check.problems))
        self.check = check


def describe_counts(counts: dict[str, int]) -> str:
    return "，".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in counts.items() if k in COUNT_LABELS)


# --- files and connections -------------------------------------------------------------------------


def backups_dir(data_dir: str | os.PathLike | None = None) -> Path:
    return resolve_data_dir(data_dir) / BACKUP_DIRNAME


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(microsecond=0)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC).replace(microsecond=0)


def _connect_ro(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to ``path`` (it still reads a -wal beside it)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _remove_stale(folder: Path, pattern: str) -> None:
    """Remove half-written files left by a killed process (old enough to belong to none)."""
    if not folder.is_dir():
        return
    limit = time.time() - _STALE_AFTER_SECONDS
    for path in folder.glob(pattern):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _quick_check(conn: sqlite3.Connection, pragma: str = "quick_check") -> list[str]:
    """The problems SQLite reports ([] when the file is sound)."""
    try:
        rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


@dataclass
class _Stats:
    application_id: int
    schema_version: int
    counts: dict[str, int]
    attachments: list[str]


def _read_stats(conn: sqlite3.Connection) -> _Stats:
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
    return _Stats(app_id, version, counts, hashes)


def _copy_database(source: Path, dest: Path) -> _Stats:
    """Copy ``source`` into a new plain (non-WAL) file ``dest`` with the online backup API.

    Raises DatabaseError when the copy is damaged, so a bad database never becomes a backup.
    """
    _remove_with_sidecars(dest)
    create_private_file(dest)  # owner-only from the start; SQLite keeps the mode (and its journal's)
    src = _connect_ro(source)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            problems = _quick_check(dst)
            if problems:
                raise DatabaseError(
                    "当前数据库已损坏，没有生成备份（以免用损坏的副本替换完好的备份）。",
                    detail="; ".join(problems[:20]),
                )
            return _read_stats(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _storage_error(exc: BaseException, what: str) -> DatabaseError | db.StorageFullError:
    if db.is_storage_full(exc):
        return db.StorageFullError(f"磁盘空间不足，{what}没有完成；现有的数据和备份都未受影响。请清理磁盘空间后重试。",
                                   detail=repr(exc))
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


def _manifest_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _write_manifest(info: BackupInfo, stats: _Stats) -> None:
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
    target = _manifest_path(info.path)
    partial = target.with_name(f".partial-{os.getpid()}-{target.name}")
    try:
        create_private_file(partial)
        partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, target)
    except OSError:
        # The manifest only caches what the backup itself holds; list_backups reads the file.
        partial.unlink(missing_ok=True)


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
    now = _utc(now)
    if to is None:
        folder = make_private_dir(backups_dir(data_dir))
        _remove_stale(folder, ".partial-*")
        target = _free_name(folder, now, reason)
    else:
        target = Path(to).expanduser().resolve()
        if target.exists():
            raise DatabaseError(f"目标文件 {target} 已存在；为免覆盖，请换一个文件名。", field="--to")
        target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".partial-{os.getpid()}-{target.name}")
    try:
        stats = _copy_database(source, partial)
        if stats.application_id != db.APPLICATION_ID:
            raise DatabaseError(f"{source} 不是督导纪实的数据库，没有备份。")
        fsync_file(partial)
        os.replace(partial, target)
        fsync_dir(target.parent)
    except DatabaseError:
        _remove_with_sidecars(partial)
        raise
    except (OSError, sqlite3.Error) as exc:
        _remove_with_sidecars(partial)
        raise _storage_error(exc, "备份") from exc
    except BaseException:
        _remove_with_sidecars(partial)
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
    now = _utc(now)
    newest = next(iter(_scan(backups_dir(data_dir))), None)
    # abs(): a backup "from the future" (the clock was wrong) must not stop daily backups.
    if newest is not None and abs(now - newest.created_at) < AUTO_BACKUP_AFTER:
        return None
    return create_backup(data_dir, reason=DAILY, now=now)


def backup_at_start(data_dir: str | os.PathLike | None = None) -> StartBackup:
    """The automatic backup after opening; a failure is remembered, never raised."""
    global last_start_backup
    try:
        outcome = StartBackup(ensure_daily_backup(data_dir))
    except (SupervisorError, OSError, sqlite3.Error) as exc:
        outcome = StartBackup(None, getattr(exc, "message", None) or f"自动备份失败：{exc}")
    last_start_backup = outcome
    return outcome


# --- listing and pruning ---------------------------------------------------------------------------------


def _scan(folder: Path) -> list[BackupInfo]:
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
        manifest = json.loads(_manifest_path(info.path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    if manifest.get("file") != info.path.name or manifest.get("size") != info.size:
        return None
    return manifest


def _details(info: BackupInfo) -> tuple[BackupInfo, list[str]]:
    """``info`` with schema version and counts, and the attachment hashes it refers to."""
    manifest = _read_manifest(info)
    if manifest is not None:
        counts = {k: int(v) for k, v in manifest.get("counts", {}).items()}
        detailed = BackupInfo(info.path, info.created_at, info.reason, info.size, manifest.get("schema_version"), counts)
        return detailed, list(manifest.get("attachments", []))
    try:
        conn = _connect_ro(info.path)
        try:
            stats = _read_stats(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return info, []
    detailed = BackupInfo(info.path, info.created_at, info.reason, info.size, stats.schema_version, stats.counts)
    return detailed, stats.attachments


def list_backups(data_dir: str | os.PathLike | None = None) -> list[BackupInfo]:
    """The backups of the rolling set, newest first, with time, file and record counts."""
    return [_details(info)[0] for info in _scan(backups_dir(data_dir))]


def referenced_attachments(data_dir: str | os.PathLike | None = None) -> set[str]:
    """Every attachment hash some backup refers to: a clean-up of the store must keep these."""
    hashes: set[str] = set()
    for info in _scan(backups_dir(data_dir)):
        hashes.update(_details(info)[1])
    return hashes


def _newest_per_period(infos: list[BackupInfo], period, count: int, already: set[Path]) -> set[Path]:
    """The newest backup of each of the ``count`` most recent periods not already covered."""
    kept: set[Path] = set()
    seen = set()
    for info in infos:  # newest first
        if len(kept) >= count:
            break
        key = period(info.created_at.astimezone())
        if key in seen:
            continue
        seen.add(key)
        if info.path not in already:
            kept.add(info.path)
    return kept


def retained(infos: Iterable[BackupInfo]) -> set[Path]:
    """The backups the rolling set keeps: 7 daily + 4 weekly (older weeks) + the 2 newest."""
    infos = sorted(infos, key=lambda b: (b.created_at, b.path.name), reverse=True)
    daily = _newest_per_period(infos, lambda t: t.date(), KEEP_DAILY, set())
    weekly = _newest_per_period(infos, lambda t: t.isocalendar()[:2], KEEP_WEEKLY, daily)
    return daily | weekly | {info.path for info in infos[:KEEP_NEWEST]}


def prune(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Remove the backups the rolling set no longer keeps; return what was removed."""
    infos = _scan(backups_dir(data_dir))
    keep = retained(infos)
    removed = []
    for info in infos:
        if info.path not in keep:
            _manifest_path(info.path).unlink(missing_ok=True)
            info.path.unlink(missing_ok=True)
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
        conn = _connect_ro(path)
        try:
            problems = _quick_check(conn, "integrity_check")
            if problems:
                raise DatabaseError(damaged, detail="; ".join(problems[:20]))
            stats = _read_stats(conn)
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
    for info in _scan(backups_dir(data_dir)):
        try:
            return verify_backup(info.path)
        except (DatabaseError, NotFoundError):
            continue
    return None


def _damaged(path: Path, data_dir: Path, problems: list[str]) -> StartupCheck:
    good = newest_good_backup(data_dir)
    message = f"数据库文件 {path.name} 已损坏，为保护数据，程序没有打开它，也没有作任何改动。"
    if good is not None:
        message += (
            f"最近一份完好的备份是 {good.time_text} 的{good.reason_label}（{good.summary()}），"
            "可以用它恢复；备份之后录入的内容需要重新录入。"
        )
    else:
        message += "备份文件夹中没有完好的备份。请不要删除或覆盖这个文件，并联系技术人员。"
    return StartupCheck(DAMAGED, message, path, tuple(problems[:20]), good)


CLEAN_CLOSE_MARKER = ".clean-close.json"


def _stamp(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _wal_is_empty(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return not wal.exists() or wal.stat().st_size == 0


def mark_clean_close(data_dir: str | os.PathLike | None = None) -> None:
    """Remember that the program closed the database whole (call after its last connection closed).

    The next start may then skip the quick_check as long as the file is exactly as it was left;
    after a crash or a power cut there is no mark and the check runs.
    """
    data_dir = resolve_data_dir(data_dir)
    path = db_path(data_dir)
    try:
        if not path.exists() or not _wal_is_empty(path):
            return
        marker = data_dir / CLEAN_CLOSE_MARKER
        tmp = create_private_file(marker.with_suffix(".tmp"))
        tmp.write_text(json.dumps(_stamp(path)), encoding="utf-8")
        os.replace(tmp, marker)
    except OSError:
        pass  # no mark only means a full check next time


def forget_clean_close(data_dir: str | os.PathLike | None = None) -> None:
    """The database is open for writing now: the next start must check it unless closed cleanly."""
    try:
        (resolve_data_dir(data_dir) / CLEAN_CLOSE_MARKER).unlink(missing_ok=True)
    except OSError:
        pass


def _closed_cleanly(path: Path, data_dir: Path) -> bool:
    try:
        mark = json.loads((data_dir / CLEAN_CLOSE_MARKER).read_text(encoding="utf-8"))
        return mark == _stamp(path) and _wal_is_empty(path)
    except (OSError, ValueError):
        return False


def startup_check(data_dir: str | os.PathLike | None = None, *, full: bool = False) -> StartupCheck:
    """Check the database read-only before anything opens it for writing (quick_check).

    The quick_check reads the whole file (seconds for a large database on a cold disk), so it
    is skipped when the program closed the file cleanly and nothing has touched it since;
    ``full`` forces it.
    """
    data_dir = resolve_data_dir(data_dir)
    path = db_path(data_dir)
    if not path.exists() or path.stat().st_size == 0:
        return StartupCheck(NEW, "数据文件夹中还没有数据库，将新建一个。", path)
    try:
        _app_id, version = db.read_header(path)
    except DatabaseError as exc:
        return _damaged(path, data_dir, [exc.detail or exc.message])
    try:
        db.check_openable(path)
    except DatabaseError as exc:
        return StartupCheck(TOO_NEW if version > db.SCHEMA_VERSION else NOT_OURS, exc.message, path)
    if not full and _closed_cleanly(path, data_dir):
        return StartupCheck(OK, "数据库完好（上次正常关闭后未被改动）。", path)
    try:
        conn = _connect_ro(path)
        try:
            problems = _quick_check(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        problems = [str(exc)]
    if problems:
        return _damaged(path, data_dir, problems)
    return StartupCheck(OK, "数据库完好。", path)


def refuse_if_damaged(data_dir: str | os.PathLike | None = None) -> StartupCheck:
    """Run :func:`startup_check`; raise DamagedDatabaseError when the database is damaged."""
    check = startup_check(data_dir)
    if check.state == DAMAGED:
        raise DamagedDatabaseError(check)
    return check


# --- restoring -----------------------------------------------------------------------------------------


def _resolve_backup_file(file: str | os.PathLike, data_dir: Path) -> Path:
    """A path, or the bare name of a file in the backups folder."""
    path = Path(file).expanduser()
    if not path.exists() and path.name == str(file):
        candidate = backups_dir(data_dir) / path.name
        if candidate.exists():
            return candidate.resolve()
    return path.resolve()


def _ensure_not_in_use(path: Path) -> None:
    """Checkpoint the WAL into the file and leave it in rollback mode, or refuse when others use it.

    Leaving WAL mode needs the only connection: this is how another open window, or another
    thread of this program still holding its connection, is noticed.
    """
    conn = sqlite3.connect(path, timeout=1)
    try:
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseError("数据库正被其他程序或本程序的其他任务使用（例如另一个打开的督导纪实窗口），请先关闭它们再恢复。",
                                detail=str(exc)) from exc
        raise
    finally:
        conn.close()


def _set_aside(path: Path, data_dir: Path, state: str, now: datetime) -> Path:
    """Move a damaged (or foreign) database with its journal files into the backups folder."""
    folder = make_private_dir(backups_dir(data_dir))
    target = folder / f"set-aside-{now:%Y%m%dT%H%M%S}Z-{state}.sqlite3"
    os.replace(path, target)
    for suffix in ("-wal", "-journal", "-shm"):
        sidecar = Path(f"{path}{suffix}")
        if sidecar.exists():
            os.replace(sidecar, Path(f"{target}{suffix}"))
    fsync_dir(folder)
    return target


def _reopen_quietly(store, data_dir: Path) -> None:
    """After a refused restore, give the caller its (unchanged) database back if it can open."""
    try:
        store.open_data_dir(data_dir, create=False)
    except Exception:  # damaged or gone: the caller sees the original error, not this one
        store.close()


def restore(file: str | os.PathLike, data_dir: str | os.PathLike | None = None) -> RestoreResult:
    """Replace the database with a backup, safely, and reopen it.

    The backup is verified first; the current database is backed up (or, when damaged, set
    aside in the backups folder); the bound database is closed; the verified copy replaces the
    file in one rename, with no -wal/-shm of the old file left beside it; then it is reopened.
    """
    from . import store  # late: store opens through this module

    data_dir = resolve_data_dir(data_dir)
    source = _resolve_backup_file(file, data_dir)
    target = db_path(data_dir)
    if source == target.resolve():
        raise DatabaseError("不能用正在使用的数据库本身来恢复。", field="file")
    info = verify_backup(source)
    hashes = _details(info)[1]
    make_private_dir(data_dir)
    _remove_stale(data_dir, ".restore-*")
    staged = data_dir / f".restore-{os.getpid()}.sqlite3"
    now = _utc(None)
    safety: Path | None = None
    closed = False
    try:
        _copy_database(source, staged)
        fsync_file(staged)
        current = startup_check(data_dir)
        store.close()
        closed = True
        if current.state == OK:
            _ensure_not_in_use(target)
            safety = create_backup(data_dir, reason=PRE_RESTORE, now=now, prune_old=False).path
        elif current.state != NEW:
            safety = _set_aside(target, data_dir, current.state, now)
        # The old file is checkpointed or moved away: nothing in a -wal/-shm belongs to the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(staged, target)
        fsync_dir(data_dir)
    except BaseException as exc:
        _remove_with_sidecars(staged)
        if closed:
            _reopen_quietly(store, data_dir)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise _storage_error(exc, "恢复") from exc
        raise
    store.open_data_dir(data_dir)
    store_dir = attachments_dir(data_dir)
    missing = tuple(h for h in hashes if not (store_dir / h[:2] / h).exists())
    return RestoreResult(info, safety, missing)
