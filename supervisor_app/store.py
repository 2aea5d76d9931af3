"""The data folder's life: opening it (health check, database, attachment store, daily backup),
closing it, and swapping its database for a backup (restore) — close, swap, reopen in one place.

Layering: this module sits above ``db``, ``backup_files``, ``db_health`` and ``attachments``
and none of them imports it back; ``backup`` (the public face of backups) sits above it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import attachments, backup_files, db, db_health, fsutil, installation
from .backup_files import BackupInfo
from .errors import DatabaseError, SupervisorError
from .fsutil import fsync_dir, fsync_file, make_private_dir, restrict_contents
from .paths import DataLocationError, attachments_dir, db_path, keys_dir, location_problem, resolve_data_dir

_open_dir: Path | None = None  # the data folder whose database is bound


@dataclass(frozen=True)
class StartBackup:
    """The outcome of the automatic backup at start; a failure never stops the program."""

    created: BackupInfo | None
    problem: str | None = None


# The outcome of the last automatic backup at start (for the window's status line).
last_start_backup: StartBackup | None = None


@dataclass(frozen=True)
class RestoreResult:
    restored_from: BackupInfo
    safety_copy: Path | None  # the backup of what was replaced (or the damaged file, set aside)
    missing_attachments: tuple[str, ...] = ()  # referenced hashes whose content is not in the store


def open_data_dir(data_dir: str | Path | None = None, *, create: bool = True) -> Path:
    """Open the data folder (resolved as --data-dir / SUPERVISOR_DATA_DIR / user folder).

    A folder on a network share or in a synced folder is refused (paths.DataLocationError)
    before anything is created or opened.

    A damaged database is refused (db_health.DamagedDatabaseError) before anything writes to
    it; an existing database is backed up before a migration, and gets its daily backup after
    opening.
    """
    global _open_dir
    path = resolve_data_dir(data_dir)
    problem = location_problem(path)
    if problem is not None:
        raise DataLocationError(problem, field="--data-dir")
    existed = db_health.refuse_if_damaged(path).state != db_health.NEW
    db.open_database(
        path, create=create,
        before_migration=lambda: backup_files.create_backup(path, reason=backup_files.PRE_MIGRATION),
    )
    _protect(path)
    _open_dir = path
    db_health.forget_clean_close(path)
    attachments.set_store(attachments_dir(path))
    installation.forget_cache()
    if existed:
        backup_at_start(path)
    return path


def _protect(path: Path) -> None:
    """Owner-only modes (POSIX) for the data folder, what lies in it, the backups and the keys.

    Files made by older versions (0644 in a 0755 folder) are fixed here; new ones are created
    owner-only where they are written. Deeper folders (attachments/ab/…) need no pass: nobody
    else can enter the 0700 data folder.
    """
    restrict_contents(path)
    restrict_contents(backup_files.backups_dir(path))
    restrict_contents(keys_dir(path))


def backup_at_start(data_dir: str | os.PathLike | None = None) -> StartBackup:
    """The automatic backup after opening; a failure is remembered, never raised."""
    global last_start_backup
    try:
        outcome = StartBackup(backup_files.ensure_daily_backup(data_dir))
    except (SupervisorError, OSError, sqlite3.Error) as exc:
        outcome = StartBackup(None, getattr(exc, "message", None) or f"自动备份失败：{exc}")
    last_start_backup = outcome
    return outcome


def close() -> None:
    """Close the database; when it closed whole, the next start can skip the full check."""
    global _open_dir
    db.close_database()
    installation.forget_cache()
    if _open_dir is not None:
        db_health.mark_clean_close(_open_dir)
        _open_dir = None


def release_thread_connection() -> None:
    """Close this thread's database connection (worker threads call it when they finish)."""
    from .models import database

    if database.obj is not None and not database.is_closed():
        database.close()


@contextmanager
def opened(data_dir: str | Path) -> Iterator[Path]:
    """Bind ``data_dir``'s database for the block, then close it (one database is bound at a time)."""
    path = open_data_dir(data_dir)
    try:
        yield path
    finally:
        close()


# --- restore: close, swap, reopen ------------------------------------------------------------------


def _resolve_backup_file(file: str | os.PathLike, data_dir: Path) -> Path:
    """A path, or the bare name of a file in the backups folder."""
    path = Path(file).expanduser()
    if not path.exists() and path.name == str(file):
        candidate = backup_files.backups_dir(data_dir) / path.name
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


def _set_aside(path: Path, data_dir: Path, state: str, now) -> Path:
    """Move a damaged (or foreign) database with its journal files into the backups folder."""
    folder = make_private_dir(backup_files.backups_dir(data_dir))
    target = folder / f"set-aside-{now:%Y%m%dT%H%M%S}Z-{state}.sqlite3"
    fsutil.replace(path, target)
    for suffix in ("-wal", "-journal", "-shm"):
        sidecar = Path(f"{path}{suffix}")
        if sidecar.exists():
            fsutil.replace(sidecar, Path(f"{target}{suffix}"))
    fsync_dir(folder)
    return target


def _reopen_quietly(data_dir: Path) -> None:
    """After a refused restore, give the caller its (unchanged) database back if it can open."""
    try:
        open_data_dir(data_dir, create=False)
    except Exception:  # damaged or gone: the caller sees the original error, not this one
        close()


def restore(file: str | os.PathLike, data_dir: str | os.PathLike | None = None) -> RestoreResult:
    """Replace the database with a backup, safely, and reopen it.

    The backup is verified first; the current database is backed up (or, when damaged, set
    aside in the backups folder); every connection is closed (Windows cannot replace an open
    file); the verified copy replaces the file in one rename, with no -wal/-shm of the old file
    left beside it; then it is reopened.
    """
    data_dir = resolve_data_dir(data_dir)
    source = _resolve_backup_file(file, data_dir)
    target = db_path(data_dir)
    if source == target.resolve():
        raise DatabaseError("不能用正在使用的数据库本身来恢复。", field="file")
    info = backup_files.verify_backup(source)
    hashes = backup_files.details(info)[1]
    make_private_dir(data_dir)
    backup_files.remove_stale(data_dir, ".restore-*")
    staged = data_dir / f".restore-{os.getpid()}.sqlite3"
    now = backup_files.utc(None)
    safety: Path | None = None
    closed = False
    try:
        backup_files.copy_database(source, staged)
        fsync_file(staged)
        current = db_health.startup_check(data_dir)
        close()
        closed = True
        if current.state == db_health.OK:
            _ensure_not_in_use(target)
            safety = backup_files.create_backup(data_dir, reason=backup_files.PRE_RESTORE, now=now,
                                                prune_old=False).path
        elif current.state != db_health.NEW:
            safety = _set_aside(target, data_dir, current.state, now)
        # The old file is checkpointed or moved away: nothing in a -wal/-shm belongs to the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            fsutil.remove(Path(f"{target}{suffix}"))
        fsutil.replace(staged, target)
        fsync_dir(data_dir)
    except BaseException as exc:
        try:
            backup_files.remove_with_sidecars(staged)
        except OSError:
            pass  # a leftover .restore-* file is removed by the next restore
        if closed:
            _reopen_quietly(data_dir)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise backup_files.storage_error(exc, "恢复") from exc
        raise
    open_data_dir(data_dir)
    store_dir = attachments_dir(data_dir)
    missing = tuple(h for h in hashes if not (store_dir / h[:2] / h).exists())
    return RestoreResult(info, safety, missing)
