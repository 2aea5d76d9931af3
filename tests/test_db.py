import hashlib
import sqlite3

import pytest

from supervisor_app import db, store
from supervisor_app.errors import DatabaseError
from supervisor_app.models import database
from supervisor_app.paths import db_path


def test_connection_pragmas(data_dir):
    conn = database
    assert conn.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
    assert conn.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_new_database_has_current_schema_version(data_dir):
    assert db.schema_version(database) == db.SCHEMA_VERSION
    assert database.execute_sql("PRAGMA application_id").fetchone()[0] == db.APPLICATION_ID


def test_reopening_is_idempotent(data_dir):
    store.close()
    store.open_data_dir(data_dir)
    assert db.schema_version(database) == db.SCHEMA_VERSION


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_newer_database_is_refused_and_left_untouched(data_dir):
    store.close()
    path = db_path(data_dir)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = _digest(path)
    siblings_before = sorted(p.name for p in data_dir.iterdir())
    with pytest.raises(DatabaseError) as info:
        store.open_data_dir(data_dir)
    assert "更新版本" in info.value.message
    assert _digest(path) == before
    assert sorted(p.name for p in data_dir.iterdir()) == siblings_before


def test_foreign_database_is_refused(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    conn = sqlite3.connect(db_path(folder))
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="不是督导纪实的数据库"):
        store.open_data_dir(folder)


def test_garbage_file_is_refused(tmp_path):
    folder = tmp_path / "junk"
    folder.mkdir()
    db_path(folder).write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(DatabaseError, match="损坏"):
        store.open_data_dir(folder)


def test_migrations_run_in_one_transaction(tmp_path, monkeypatch):
    def broken(database_):
        database_.execute_sql("CREATE TABLE half_done (a)")
        raise RuntimeError("boom")

    monkeypatch.setattr(db, "MIGRATIONS", {1: db.MIGRATIONS[1], 2: broken})
    monkeypatch.setattr(db, "SCHEMA_VERSION", 2)
    folder = tmp_path / "m"
    with pytest.raises(RuntimeError):
        store.open_data_dir(folder)
    store.close()
    conn = sqlite3.connect(db_path(folder))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name='half_done'").fetchone()[0] == 0
    conn.close()


def test_a_version_2_database_gets_signed_amendments(data_dir):
    """Migration 3 adds the leader's signature to amendments of a database made before it
    (made here by removing the column and stepping the version back); nothing else changes."""
    from supervisor_app.models import Amendment

    store.close()
    path = db_path(data_dir)
    conn = sqlite3.connect(path)
    conn.execute('ALTER TABLE "amendment" DROP COLUMN "signature"')
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    store.open_data_dir(data_dir)
    assert db.schema_version(database) == db.SCHEMA_VERSION
    columns = {row[1] for row in database.execute_sql('PRAGMA table_info("amendment")')}
    assert "signature" in columns and Amendment.select().count() == 0
