"""The start-up health check of the database, and the clean-close mark that lets it be skipped.

Before anything opens the database for writing, a read-only ``quick_check`` looks at the whole
file; a damaged one is refused in plain words and the newest good backup is offered. The check
is skipped when the program closed the file cleanly last time and the file is exactly as it was
left (``.clean-close.json``: size and modification time); a crash, a kill or a power cut leaves
no mark, and a file touched behind the program's back no longer matches.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from . import db, fsutil
from .backup_files import BackupInfo, connect_ro, newest_good_backup, quick_check
from .errors import DatabaseError
from .paths import db_path, resolve_data_dir

# Start-up states.
OK = "ok"
NEW = "new"
DAMAGED = "damaged"
NOT_OURS = "not_ours"
TOO_NEW = "too_new"

CLEAN_CLOSE_MARKER = ".clean-close.json"


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
        fsutil.write_file_atomically(data_dir / CLEAN_CLOSE_MARKER, json.dumps(_stamp(path)).encode("utf-8"))
    except OSError:
        pass  # no mark only means a full check next time


def forget_clean_close(data_dir: str | os.PathLike | None = None) -> None:
    """The database is open for writing now: the next start must check it unless closed cleanly."""
    try:
        fsutil.remove(resolve_data_dir(data_dir) / CLEAN_CLOSE_MARKER)
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
        conn = connect_ro(path)
        try:
            problems = quick_check(conn)
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
