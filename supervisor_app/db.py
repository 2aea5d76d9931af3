"""Opening the SQLite store: pragmas, the schema version, forward migrations.

A database written by a newer program is refused before anything touches it: the version is
read through a read-only connection, so the file stays byte-for-byte as it was.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from peewee import SqliteDatabase

from . import migrations
from .errors import DatabaseError, SupervisorError
from .fsutil import create_private_file, make_private_dir, restrict
from .models import database
from .paths import db_path

SCHEMA_VERSION = 8
APPLICATION_ID = 0x53555056  # "SUPV": marks the file as ours

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a saved note survives a power cut
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "cache_size": -32_000,
}
# The page cache (KiB) while one transaction writes a large part of the database (large_writes).
LARGE_WRITES_CACHE_KIB = 128 * 1024


SQLITE_FULL = 13
STORAGE_FULL_MESSAGE = "磁盘空间不足，本次保存没有完成，数据仍是保存前的样子。请清理磁盘空间后重试。"


class StorageFullError(SupervisorError):
    """The disk (or the database's size limit) is full; what was being saved was not saved."""

    def __init__(self, message: str = STORAGE_FULL_MESSAGE, field: str | None = None, detail: str | None = None):
        super().__init__(message, field=field, detail=detail)


def is_storage_full(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what it wraps) is SQLITE_FULL or an OSError for a full disk."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen or not isinstance(current, BaseException):
            continue
        seen.add(id(current))
        if isinstance(current, sqlite3.Error) and (getattr(current, "sqlite_errorcode", 0) or 0) & 0xFF == SQLITE_FULL:
            return True
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        stack.extend((current.__cause__, current.__context__, *current.args))
    return False


class AppDatabase(SqliteDatabase):
    """SqliteDatabase that reports a full disk in plain words, in one place for every service.

    On SQLITE_FULL SQLite may roll the whole transaction back by itself; peewee's own ROLLBACK
    would then fail ("no transaction is active") and hide the cause. So a rollback is skipped
    when SQLite has already done it, and a full disk becomes a StorageFullError — in a
    statement, at commit, or (see rollback) in a raw statement inside a transaction.
    """

    def _sqlite_in_transaction(self) -> bool:
        return self.is_closed() or self._state.conn.in_transaction

    def execute_sql(self, sql, params=None):
        if sql.startswith("ROLLBACK TO SAVEPOINT") and not self._sqlite_in_transaction():
            return self.cursor()
        try:
            return super().execute_sql(sql, params)
        except Exception as exc:
            if is_storage_full(exc):
                raise StorageFullError(detail=str(exc)) from exc
            raise

    def commit(self):
        try:
            return super().commit()
        except Exception as exc:
            if is_storage_full(exc):
                raise StorageFullError(detail=str(exc)) from exc
            raise

    def rollback(self):
        """Roll back, unless SQLite already has.

        A full-disk error from a statement run on the raw connection (``executemany`` in bulk
        inserts and imports), which execute_sql never saw, is raised as StorageFullError here,
        where every failed transaction passes.
        """
        if self._sqlite_in_transaction():
            super().rollback()
        pending = sys.exc_info()[1]
        if pending is not None and not isinstance(pending, StorageFullError) and is_storage_full(pending):
            self._clear_commit_callbacks()
            raise StorageFullError(detail=str(pending)) from pending


# MIGRATIONS[n] brings a database from version n-1 to n: frozen SQL, see ``migrations``.
MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = dict(migrations.STEPS)


def read_header(path: Path) -> tuple[int, int]:
    """Return (application_id, user_version) without writing to the file."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"无法读取数据库文件 {path}：文件已损坏或不是本程序的数据库。", detail=str(exc)
        ) from exc
    return app_id, version


def check_openable(path: Path) -> int:
    """Refuse a file that is not ours or is too new; return its schema version."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    app_id, version = read_header(path)
    if app_id not in (0, APPLICATION_ID):
        raise DatabaseError(f"{path} 不是督导纪实的数据库，未作任何改动。", detail=f"application_id={app_id:#x}")
    if app_id == 0 and version != 0:
        raise DatabaseError(f"{path} 不是督导纪实的数据库，未作任何改动。", detail=f"user_version={version}")
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"此数据库由更新版本的程序写入（数据版本 {version}，本程序支持到 {SCHEMA_VERSION}）。"
            "为保护数据，未作任何改动，请升级程序后再打开。",
            detail=f"user_version {version} > SCHEMA_VERSION {SCHEMA_VERSION}",
        )
    return version


def open_database(
    data_dir: Path, *, create: bool = True, before_migration: Callable[[], object] | None = None
) -> SqliteDatabase:
    """Open (and if needed create and migrate) the database in ``data_dir``; bind the models.

    An existing database is migrated only after ``before_migration`` (the caller's backup) has
    returned; without one it is refused. ``store.open_data_dir`` passes the pre-migration backup.
    """
    path = db_path(data_dir)
    if not path.exists() and not create:
        raise DatabaseError(f"数据文件夹 {data_dir} 中还没有数据库，请先运行 init。")
    version = check_openable(path)
    if 1 <= version < SCHEMA_VERSION and before_migration is None:
        raise DatabaseError("升级数据需要先备份，本次没有打开数据库，也没有作任何改动。",
                            detail="open_database called without before_migration")
    make_private_dir(data_dir)
    # Owner-only before SQLite opens it: SQLite gives the -wal/-shm files the database's mode.
    if not path.exists():
        create_private_file(path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        restrict(Path(f"{path}{suffix}"))
    close_database()
    db = AppDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    if version < SCHEMA_VERSION:
        if version >= 1:
            before_migration()
        migrate(db, version)
    return db


def migrate(db: SqliteDatabase, from_version: int) -> None:
    """Run every migration after ``from_version`` in one transaction.

    Foreign keys are not enforced while it runs (SQLite's way to rebuild a table others refer
    to: a migration may drop a table and rename its rebuilt copy to its name); they are
    checked in full before the transaction commits, and a violation undoes the whole upgrade.
    """
    db.execute_sql("PRAGMA foreign_keys = OFF")  # outside the transaction, where it takes effect
    try:
        with db.atomic():
            for target in range(from_version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](db)
                db.execute_sql(f"PRAGMA user_version = {int(target)}")
            db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise DatabaseError("升级后的数据有记录指向不存在的记录，升级已撤销，数据库未作任何改动。",
                                    detail=f"foreign_key_check: {broken[:5]}")
    finally:
        db.execute_sql("PRAGMA foreign_keys = ON")


@contextlib.contextmanager
def large_writes() -> Iterator[None]:
    """A larger page cache while a transaction writes a large part of the database (a large
    bundle's import): the indexes it inserts into at random places (ids, a visit's unit, an
    assessment's visit: some 50 MB for 100 000 visits) stay in memory, instead of being spilled
    to the WAL and read back again and again (a third of a 100 000-visit import's writes,
    measured). The memory is taken only as pages are used, and given back at the end."""
    database.execute_sql(f"PRAGMA cache_size = {-LARGE_WRITES_CACHE_KIB}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA cache_size = {PRAGMAS['cache_size']}")


def close_database() -> None:
    """Close the bound database, if any (checkpoints the WAL)."""
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def schema_version(db: SqliteDatabase) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]
