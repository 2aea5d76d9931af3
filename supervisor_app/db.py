"""Opening the SQLite store: pragmas, the schema version, forward migrations.

A database written by a newer program is refused before anything touches it: the version is
read through a read-only connection, so the file stays byte-for-byte as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from peewee import SqliteDatabase

from . import search
from .errors import DatabaseError
from .models import ALL_MODELS, database
from .paths import db_path

SCHEMA_VERSION = 2
APPLICATION_ID = 0x53555056  # "SUPV": marks the file as ours

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a saved note survives a power cut
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "cache_size": -32_000,
}


def _migration_1(db: SqliteDatabase) -> None:
    db.create_tables(ALL_MODELS)
    for sql in search.SCHEMA_SQL:
        db.execute_sql(sql)


def _migration_2(db: SqliteDatabase) -> None:
    """Sync bookkeeping: bundle history, cursors, acknowledgements, held entries, conflicts."""
    from .sync.models import SYNC_MODELS

    db.create_tables(SYNC_MODELS)


# MIGRATIONS[n] brings a database from version n-1 to n. Append only; never edit an old one.
MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = {1: _migration_1, 2: _migration_2}


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


def open_database(data_dir: Path, *, create: bool = True) -> SqliteDatabase:
    """Open (and if needed create and migrate) the database in ``data_dir``; bind the models."""
    path = db_path(data_dir)
    if not path.exists() and not create:
        raise DatabaseError(f"数据文件夹 {data_dir} 中还没有数据库，请先运行 init。")
    version = check_openable(path)
    data_dir.mkdir(parents=True, exist_ok=True)
    close_database()
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    if version < SCHEMA_VERSION:
        migrate(db, version)
    return db


def migrate(db: SqliteDatabase, from_version: int) -> None:
    """Run every migration after ``from_version`` in one transaction."""
    with db.atomic():
        for target in range(from_version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](db)
            db.execute_sql(f"PRAGMA user_version = {int(target)}")
        db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")


def close_database() -> None:
    """Close the bound database, if any (checkpoints the WAL)."""
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def schema_version(db: SqliteDatabase) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]
