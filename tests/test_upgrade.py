"""Upgrades keep every record: databases and backups written by earlier versions, kept in
tests/fixtures/schema-v*/ (see tests/fixtures/make_fixtures.py), opened by today's program."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from supervisor_app import audit, backup, db, evaluations, migrations, search, store
from supervisor_app.models import ALL_MODELS, EvaluationRecord, database
from supervisor_app.paths import db_path
from tests.fixtures.make_fixtures import table_digests

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KEPT = sorted(FIXTURES.glob("schema-v*"), key=lambda p: int(p.name.removeprefix("schema-v")))


def _schema(conn: sqlite3.Connection) -> set[tuple]:
    return set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


def test_a_fixture_is_kept_for_todays_schema():
    assert KEPT and KEPT[-1].name == f"schema-v{db.SCHEMA_VERSION}", "run python -m tests.fixtures.make_fixtures"
    assert sorted(db.MIGRATIONS) == list(range(1, db.SCHEMA_VERSION + 1))


def test_the_frozen_migrations_build_exactly_the_schema_the_models_describe(tmp_path):
    """A model changed without a new migration fails here (old databases would lack the change)."""
    from supervisor_app.sync.models import SYNC_MODELS

    migrated = db.AppDatabase(str(tmp_path / "migrated.sqlite3"))
    migrated.connect()
    db.migrate(migrated, 0)
    migrated.close()
    modelled = db.AppDatabase(str(tmp_path / "modelled.sqlite3"))
    database.initialize(modelled)
    modelled.connect()
    modelled.create_tables([*ALL_MODELS, *SYNC_MODELS])
    for sql in search.SCHEMA_SQL:
        modelled.execute_sql(sql)
    modelled.close()
    database.initialize(None)
    a, b = sqlite3.connect(tmp_path / "migrated.sqlite3"), sqlite3.connect(tmp_path / "modelled.sqlite3")
    try:
        assert _schema(a) == _schema(b)
    finally:
        a.close()
        b.close()


def test_migrations_are_text_not_model_calls():
    """Frozen: each step runs SQL written into migrations.py, never the live model classes."""
    source = Path(migrations.__file__).read_text(encoding="utf-8")
    assert "create_tables" not in source and "import" not in source.split('"""', 2)[2].replace(
        "from __future__ import annotations", "").replace("from collections.abc import Callable", "")


def _later_migration(conn) -> None:
    """A plausible next migration: a new column with a default and an index."""
    conn.execute_sql('ALTER TABLE "visit" ADD COLUMN "weather" VARCHAR(255) NOT NULL DEFAULT \'\'')
    conn.execute_sql('CREATE INDEX "visit_weather" ON "visit" ("weather")')


@pytest.fixture(params=["today", "with-a-later-migration"])
def program(request, monkeypatch):
    """Today's program, or one a version later (a migration appended), opening the kept files."""
    if request.param == "with-a-later-migration":
        monkeypatch.setattr(db, "SCHEMA_VERSION", db.SCHEMA_VERSION + 1)
        monkeypatch.setattr(db, "MIGRATIONS", {**db.MIGRATIONS, db.SCHEMA_VERSION: _later_migration})
    return request.param


def _assert_every_record_kept(path: Path, expected: dict) -> None:
    assert db.schema_version(database) == db.SCHEMA_VERSION
    assert audit.check_all() == []  # integrity, foreign keys, the change-log chain, every signature
    assert evaluations.verify_signatures() == []
    signed = EvaluationRecord.select().where(EvaluationRecord.signed_at.is_null(False)).count()
    assert signed == expected["signed_evaluations"] > 0
    store.close()
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        columns = {table: info["columns"] for table, info in expected["tables"].items()}
        assert table_digests(conn, columns) == expected["tables"]  # every row of every table, unchanged
        head = conn.execute("SELECT id, hash FROM change_log ORDER BY id DESC LIMIT 1").fetchone()
        assert list(head) == expected["chain_head"]
    finally:
        conn.close()


@pytest.mark.parametrize("kept", KEPT, ids=lambda p: p.name)
def test_a_kept_database_upgrades_with_every_record_and_signature(kept, program, tmp_path):
    expected = json.loads((kept / "expected.json").read_text(encoding="utf-8"))
    data = tmp_path / "升级 测试"
    data.mkdir()
    shutil.copyfile(kept / "supervisor.sqlite3", db_path(data))
    original = (kept / "supervisor.sqlite3").read_bytes()
    store.open_data_dir(data)
    migrated = expected["schema_version"] < db.SCHEMA_VERSION
    pre = [b for b in backup.list_backups(data) if b.reason == backup.PRE_MIGRATION]
    if migrated:  # the file as it was, kept before the upgrade touched it
        assert len(pre) == 1 and pre[0].schema_version == expected["schema_version"]
    else:
        assert pre == []
    _assert_every_record_kept(db_path(data), expected)
    assert (kept / "supervisor.sqlite3").read_bytes() == original  # the kept file itself is never touched


@pytest.mark.parametrize("kept", KEPT, ids=lambda p: p.name)
def test_a_kept_backup_restores_and_upgrades_with_every_record_and_signature(kept, program, tmp_path):
    expected = json.loads((kept / "expected.json").read_text(encoding="utf-8"))
    source = tmp_path / "旧版 备份.sqlite3"
    shutil.copyfile(kept / "backup.sqlite3", source)
    data = tmp_path / "data"
    info = backup.verify_backup(source)
    assert info.schema_version == expected["schema_version"] and info.counts["evaluations"] > 0
    result = backup.restore(source, data)
    assert result.restored_from.path == source.resolve()
    _assert_every_record_kept(db_path(data), expected)
