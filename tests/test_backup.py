"""Backups with the online API, the rolling set, restore, and the start-up check."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supervisor_app import attachments, audit, backup, backup_files, cli, db, store, visits
from supervisor_app.errors import DatabaseError, NotFoundError
from supervisor_app.models import Visit, database
from supervisor_app.paths import db_path
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2014, 4, 8, 1, 30, tzinfo=UTC)


def _visits(count: int = 3, unit=None) -> list[str]:
    unit = unit or factories.county()
    return [factories.visit(unit, notes=f"第{i}次现场督导，查阅学习笔记。").id for i in range(count)]


def _visit_ids() -> set[str]:
    return {row[0] for row in database.execute_sql("SELECT id FROM visit WHERE deleted = 0")}


def _open_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _backup_files(data_dir: Path) -> list[str]:
    folder = backup.backups_dir(data_dir)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def corrupt(data_dir: Path, table: str = "visit") -> bytes:
    """Close the store and overwrite the root page of ``table`` with garbage (header stays valid)."""
    store.close()
    path = db_path(data_dir)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xde\xad\xbe\xef" * (page_size // 4))
    return path.read_bytes()


# --- making backups ----------------------------------------------------------------------------------


def test_backup_is_a_checked_plain_copy_with_counts_and_manifest(data_dir):
    ids = _visits(3)
    info = backup.create_backup(data_dir)
    assert info.path.parent == data_dir / "backups" and info.reason == backup.MANUAL
    assert info.counts["visits"] == 3 and info.counts["units"] == 1 and info.schema_version == db.SCHEMA_VERSION
    conn = _open_ro(info.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == db.APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal needed
    assert {r[0] for r in conn.execute("SELECT id FROM visit")} == set(ids)
    conn.close()
    manifest = json.loads(info.path.with_suffix(".json").read_text(encoding="utf-8"))
    assert manifest["counts"]["visits"] == 3 and manifest["file"] == info.path.name
    assert not list(backup.backups_dir(data_dir).glob(".partial-*"))


def test_backup_holds_only_committed_records(data_dir):
    committed = _visits(2)
    with database.atomic():
        pending = factories.visit(Visit.get_by_id(committed[0]).unit, notes="尚未提交").id
        info = backup.create_backup(data_dir)
    conn = _open_ro(info.path)
    in_backup = {r[0] for r in conn.execute("SELECT id FROM visit")}
    conn.close()
    assert in_backup == set(committed) and pending not in in_backup


def test_backup_refers_to_attachments_instead_of_copying_them(data_dir, tmp_path):
    visit_id = _visits(1)[0]
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the study notes")
    att = attachments.add_attachment(visit_id, photo)
    info = backup.create_backup(data_dir)
    assert backup.referenced_attachments(data_dir) == {att.sha256}
    assert not any(p.name == att.sha256 for p in backup.backups_dir(data_dir).rglob("*"))
    assert info.counts["attachments"] == 1


def test_backup_to_a_file_is_outside_the_rolling_set_and_never_overwrites(data_dir, tmp_path):
    _visits(1)
    target = tmp_path / "stick" / "copy.sqlite3"
    info = backup.create_backup(data_dir, to=target)
    assert info.path == target.resolve() and backup.list_backups(data_dir) == []
    with pytest.raises(DatabaseError, match="已存在"):
        backup.create_backup(data_dir, to=target)


def test_a_damaged_database_is_not_backed_up(data_dir):
    _visits(3)
    backup.create_backup(data_dir, now=T0)
    before = _backup_files(data_dir)
    corrupt(data_dir)
    with pytest.raises(DatabaseError, match="已损坏"):
        backup.create_backup(data_dir)
    assert _backup_files(data_dir) == before


def test_list_backups_newest_first_even_without_manifests(data_dir):
    unit = factories.county()
    _visits(2, unit)
    backup.create_backup(data_dir, reason=backup.DAILY, now=T0)
    _visits(1, unit)
    newest = backup.create_backup(data_dir, now=T0 + timedelta(hours=1))
    newest.path.with_suffix(".json").unlink()
    listed = backup.list_backups(data_dir)
    assert [b.reason for b in listed] == [backup.MANUAL, backup.DAILY]
    assert [b.counts["visits"] for b in listed] == [3, 2]
    assert listed[1].reason_label == "每日自动备份" and "督导记录 2" in listed[1].summary()
    assert listed[0].time_text.startswith("2014年4月8日")


# --- the rolling set ----------------------------------------------------------------------------------


def _fake(path: str, when: datetime) -> backup.BackupInfo:
    return backup.BackupInfo(Path(path), when, backup.DAILY, 1)


def test_retained_is_7_daily_plus_4_older_weekly_plus_the_2_newest():
    infos = [_fake(f"d{i}", T0 + timedelta(days=i)) for i in range(60)]
    # three more on the last day: only the newest of a day counts as its daily one
    infos += [_fake(f"x{i}", T0 + timedelta(days=59, hours=i + 1)) for i in range(3)]
    kept = backup.retained(infos)
    daily = {f"d{i}" for i in range(53, 59)} | {"x2"}  # newest of each of the last 7 days
    newest = {"x2", "x1"}
    assert {p.name for p in kept} - daily - newest and len(kept) == 7 + 4 + 1
    weekly = {p.name for p in kept} - daily - newest
    days = sorted(int(name[1:]) for name in weekly)
    assert len(days) == 4 and all(d < 53 for d in days)
    weeks = {(T0 + timedelta(days=d)).astimezone().isocalendar()[:2] for d in days}
    assert len(weeks) == 4


def test_prune_runs_after_each_backup(data_dir):
    _visits(1)
    for day in range(40):
        backup.create_backup(data_dir, reason=backup.DAILY, now=T0 + timedelta(days=day))
    listed = backup.list_backups(data_dir)
    assert len(listed) == 7 + 4
    assert listed[0].created_at == T0 + timedelta(days=39)
    assert len(_backup_files(data_dir)) == 2 * (7 + 4)  # each with its manifest


# --- automatic backups ----------------------------------------------------------------------------------


def test_daily_backup_only_when_the_newest_is_a_day_old(data_dir):
    _visits(1)
    assert backup.ensure_daily_backup(data_dir, now=T0) is not None
    assert backup.ensure_daily_backup(data_dir, now=T0 + timedelta(hours=23)) is None
    assert backup.ensure_daily_backup(data_dir, now=T0 + timedelta(hours=25)) is not None
    # a backup "from the future" (the clock was wrong) does not stop daily backups for ever
    assert backup.ensure_daily_backup(data_dir, now=T0 - timedelta(days=30)) is not None


def test_opening_an_existing_database_backs_it_up_once_a_day(data_dir):
    assert _backup_files(data_dir) == []  # a brand-new database is not backed up
    _visits(2)
    store.close()
    store.open_data_dir(data_dir)
    assert backup.last_start_backup is not None and backup.last_start_backup.created is not None
    assert [b.reason for b in backup.list_backups(data_dir)] == [backup.DAILY]
    store.close()
    store.open_data_dir(data_dir)
    assert backup.last_start_backup.created is None and len(backup.list_backups(data_dir)) == 1


def test_a_failing_start_backup_does_not_stop_the_program(data_dir, monkeypatch):
    _visits(1)
    store.close()

    def full(*args, **kwargs):
        raise db.StorageFullError("磁盘空间不足，备份没有完成。")

    monkeypatch.setattr(backup_files, "create_backup", full)
    store.open_data_dir(data_dir)
    assert backup.last_start_backup.problem == "磁盘空间不足，备份没有完成。"
    assert len(_visit_ids()) == 1


def test_migrating_an_existing_database_backs_it_up_first(data_dir, monkeypatch):
    ids = _visits(2)
    store.close()
    old = db.SCHEMA_VERSION

    def add_table(database_):
        database_.execute_sql("CREATE TABLE later_feature (a)")

    monkeypatch.setattr(db, "SCHEMA_VERSION", old + 1)
    monkeypatch.setattr(db, "MIGRATIONS", {**db.MIGRATIONS, old + 1: add_table})
    store.open_data_dir(data_dir)
    assert db.schema_version(database) == old + 1
    reasons = [b.reason for b in backup.list_backups(data_dir)]
    assert backup.PRE_MIGRATION in reasons
    pre = next(b for b in backup.list_backups(data_dir) if b.reason == backup.PRE_MIGRATION)
    conn = _open_ro(pre.path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == old
    assert {r[0] for r in conn.execute("SELECT id FROM visit")} == set(ids)
    conn.close()
    # restoring the older backup migrates it again (after backing it up)
    result = backup.restore(pre.path, data_dir)
    assert db.schema_version(database) == old + 1 and _visit_ids() == set(ids)
    assert result.safety_copy is not None


def test_no_migration_without_its_backup(data_dir, monkeypatch):
    _visits(1)
    store.close()
    old = db.SCHEMA_VERSION
    monkeypatch.setattr(db, "SCHEMA_VERSION", old + 1)
    monkeypatch.setattr(db, "MIGRATIONS", {**db.MIGRATIONS, old + 1: lambda d: d.execute_sql("CREATE TABLE t (a)")})

    def full(*args, **kwargs):
        raise db.StorageFullError("磁盘空间不足，备份没有完成。")

    monkeypatch.setattr(backup_files, "create_backup", full)
    with pytest.raises(db.StorageFullError):
        store.open_data_dir(data_dir)
    store.close()
    assert db.read_header(db_path(data_dir))[1] == old


# --- restore ----------------------------------------------------------------------------------------------


def test_restore_replaces_the_database_and_keeps_a_safety_copy(data_dir):
    kept = set(_visits(2))
    info = backup.create_backup(data_dir, now=T0)
    later = factories.visit(Visit.get_by_id(next(iter(kept))).unit, notes="备份之后录入").id
    result = backup.restore(info.path, data_dir)
    assert result.restored_from.path == info.path and result.missing_attachments == ()
    assert _visit_ids() == kept  # the database is reopened and bound
    conn = _open_ro(result.safety_copy)
    assert later in {r[0] for r in conn.execute("SELECT id FROM visit")}
    conn.close()
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert audit.check_all() == []
    again = factories.visit(Visit.get_by_id(next(iter(kept))).unit, notes="恢复后继续录入").id
    assert again in _visit_ids()
    assert not list(data_dir.glob(".restore-*"))


def test_restore_accepts_the_bare_name_of_a_backup(data_dir):
    _visits(1)
    info = backup.create_backup(data_dir)
    assert backup.restore(info.path.name, data_dir).restored_from.path == info.path


@pytest.mark.parametrize("kind", ["damaged", "foreign", "newer", "garbage", "missing"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(data_dir, tmp_path, kind):
    ids = set(_visits(2))
    good = backup.create_backup(data_dir)
    bad = tmp_path / f"{kind}.sqlite3"
    if kind == "damaged":
        bad.write_bytes(good.path.read_bytes())
        conn = sqlite3.connect(bad)
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'visit'").fetchone()[0]
        conn.close()
        with open(bad, "r+b") as fh:
            fh.seek((root - 1) * page_size)
            fh.write(b"\x00\xff" * (page_size // 2))
    elif kind == "foreign":
        conn = sqlite3.connect(bad)
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("CREATE TABLE x (a)")
        conn.commit()
        conn.close()
    elif kind == "newer":
        bad.write_bytes(good.path.read_bytes())
        conn = sqlite3.connect(bad)
        conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
        conn.commit()
        conn.close()
    elif kind == "garbage":
        bad.write_bytes(b"not a database at all" * 300)
    before = _backup_files(data_dir)
    expected = {"damaged": "已损坏", "foreign": "不是督导纪实", "newer": "更新版本", "garbage": "已损坏",
                "missing": "找不到"}[kind]
    with pytest.raises((DatabaseError, NotFoundError), match=expected):
        backup.restore(bad, data_dir)
    assert _visit_ids() == ids and _backup_files(data_dir) == before


def test_restore_over_a_damaged_database_sets_it_aside(data_dir):
    ids = set(_visits(3))
    good = backup.create_backup(data_dir)
    damaged_bytes = corrupt(data_dir)
    result = backup.restore(good.path, data_dir)
    assert result.safety_copy.name.startswith("set-aside-") and result.safety_copy.read_bytes() == damaged_bytes
    assert _visit_ids() == ids and audit.check_all() == []


def test_restore_into_an_empty_folder(tmp_path, data_dir):
    ids = set(_visits(2))
    exported = backup.create_backup(data_dir, to=tmp_path / "export.sqlite3")
    store.close()
    fresh = tmp_path / "new-laptop"
    result = backup.restore(exported.path, fresh)
    assert result.safety_copy is None and _visit_ids() == ids


def test_restore_refuses_while_another_connection_uses_the_database(data_dir):
    ids = set(_visits(2))
    info = backup.create_backup(data_dir)
    factories.visit(Visit.get_by_id(next(iter(ids))).unit)
    other = sqlite3.connect(db_path(data_dir))  # another window, say
    other.execute("SELECT count(*) FROM visit").fetchone()
    try:
        with pytest.raises(DatabaseError, match="正被其他程序"):
            backup.restore(info.path, data_dir)
        assert not database.is_closed()  # given back, open and unchanged
    finally:
        other.close()
    assert len(_visit_ids()) == 3


# --- the start-up check -----------------------------------------------------------------------------------


def test_startup_check_states(data_dir, tmp_path):
    assert backup.startup_check(tmp_path / "empty").state == backup.NEW
    assert backup.startup_check(data_dir).state == backup.OK
    store.close()
    newer = tmp_path / "newer"
    newer.mkdir()
    conn = sqlite3.connect(db_path(newer))
    conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    check = backup.startup_check(newer)
    assert check.state == backup.TOO_NEW and not check.ok and "更新版本" in check.message
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    db_path(garbage).write_bytes(b"junk" * 1000)
    assert backup.startup_check(garbage).state == backup.DAMAGED


def test_a_damaged_database_is_refused_untouched_and_the_newest_good_backup_offered(data_dir):
    _visits(3)
    good = backup.create_backup(data_dir, now=T0)
    newer_but_bad = backup.create_backup(data_dir, now=T0 + timedelta(hours=2))
    with open(newer_but_bad.path, "r+b") as fh:
        fh.seek(4096 * 3)
        fh.write(b"\xee" * 4096 * 4)
    damaged_bytes = corrupt(data_dir)
    check = backup.startup_check(data_dir)
    assert check.state == backup.DAMAGED and check.can_restore
    assert check.newest_good_backup.path == good.path
    assert "已损坏" in check.message and "没有打开" in check.message and "督导记录 3" in check.message
    with pytest.raises(backup.DamagedDatabaseError) as info:
        store.open_data_dir(data_dir)
    assert info.value.check.newest_good_backup.path == good.path
    assert db_path(data_dir).read_bytes() == damaged_bytes
    assert database.obj is None or database.is_closed()


@pytest.mark.parametrize("kind", ["truncated", "header", "schema"])
def test_other_kinds_of_damage_are_caught(data_dir, kind):
    _visits(3)
    store.close()
    path = db_path(data_dir)
    data = bytearray(path.read_bytes())
    if kind == "truncated":  # the power went while the file grew
        data = data[: len(data) // 2 // 4096 * 4096]
    elif kind == "header":
        data[:100] = b"\x00" * 100
    else:  # page 1 after the header holds the schema
        data[100:4096] = b"\xa5" * (4096 - 100)
    path.write_bytes(bytes(data))
    check = backup.startup_check(data_dir)
    assert check.state == backup.DAMAGED and check.problems
    with pytest.raises(backup.DamagedDatabaseError, match="已损坏"):
        store.open_data_dir(data_dir)
    assert path.read_bytes() == bytes(data)


def test_damage_with_no_backup_says_so(data_dir):
    _visits(2)
    corrupt(data_dir)
    check = backup.startup_check(data_dir)
    assert check.state == backup.DAMAGED and not check.can_restore and "没有完好的备份" in check.message


# --- the command line -------------------------------------------------------------------------------------


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_backup_list_and_restore(capsys, data_dir, tmp_path):
    ids = set(_visits(2))
    store.close()
    code, out, _ = run(capsys, "backup")
    assert code == 0 and "已备份到" in out and "督导记录 2" in out
    code, out, _ = run(capsys, "backup", "--to", str(tmp_path / "copy.sqlite3"))
    assert code == 0 and (tmp_path / "copy.sqlite3").exists() and "附件" in out
    code, out, _ = run(capsys, "backup", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and len(listed) == 1 and listed[0]["counts"]["visits"] == 2
    store.open_data_dir(data_dir)
    factories.visit(Visit.get_by_id(next(iter(ids))).unit)
    store.close()
    code, out, _ = run(capsys, "restore", listed[0]["file"])
    assert code == 0 and "已从备份恢复" in out and "恢复前的数据已保存为" in out
    store.open_data_dir(data_dir)
    assert _visit_ids() == ids
    store.close()
    code, _, err = run(capsys, "restore", str(tmp_path / "nothing.sqlite3"))
    assert code == 2 and "找不到备份文件" in err


def test_cli_check_on_a_damaged_file_is_a_clear_message(data_dir):
    _visits(3)
    backup.create_backup(data_dir)
    corrupt(data_dir)
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "check"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "已损坏" in result.stderr and "restore" in result.stderr
    code = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "restore", "--latest"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert code.returncode == 0, code.stderr
    check = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "check"],
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert check.returncode == 0 and "检查通过" in check.stdout
    store.open_data_dir(data_dir)
    assert visits.count_visits(visits.VisitFilter()) == 3
