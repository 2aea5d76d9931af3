"""A full disk: the save fails with a clear message and the database and store stay as they were."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from supervisor_app import attachments, audit, backup, backup_files, changelog, cli, findings, visits
from supervisor_app.db import StorageFullError
from supervisor_app.errors import SupervisorError
from supervisor_app.models import Visit, database
from tests import factories


def _dump() -> list[str]:
    return list(database.connection().iterdump())


def _store_files(data_dir: Path) -> list[str]:
    root = data_dir / "attachments"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _fill_up() -> None:
    """Let the database grow no further (the way a full disk looks to SQLite)."""
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count = {pages}")


def _make_room() -> None:
    database.execute_sql("PRAGMA max_page_count = 1073741823")


@pytest.fixture
def unit(data_dir):
    unit = factories.county()
    factories.visit(unit, notes="已保存的督导记录")
    return unit


def test_a_save_that_does_not_fit_is_refused_in_plain_words(unit, data_dir):
    before = _dump()
    _fill_up()
    with pytest.raises(StorageFullError) as info:
        visits.create_visit(unit, "2014-04-09T09:00", ["查阅资料"], notes="学习笔记照抄照搬。" * 4000)
    assert isinstance(info.value, SupervisorError) and "磁盘空间不足" in info.value.message
    assert "没有完成" in info.value.message
    assert not database.in_transaction()
    assert _dump() == before
    _make_room()
    assert audit.check_all() == []
    visits.create_visit(unit, "2014-04-09T09:00", ["查阅资料"], notes="学习笔记照抄照搬。" * 4000)
    assert audit.check_all() == []


def test_a_nested_save_that_does_not_fit_leaves_everything_as_it_was(unit, data_dir):
    visit = visits.list_visits(visits.VisitFilter())[0]
    before = _dump()
    _fill_up()
    with pytest.raises(StorageFullError):
        # a finding reindexes its visit: several statements in savepoints inside one transaction
        findings.create_finding(unit, "学习笔记照抄照搬，" * 2000, "有形式主义趋向", visit=visit)
    with pytest.raises(StorageFullError):
        visits.update_visit(visit, notes="补充记录。" * 5000)
    assert _dump() == before
    _make_room()
    assert audit.check_all() == []


def test_a_bulk_insert_on_the_raw_connection_that_does_not_fit(unit, data_dir):
    before = _dump()
    _fill_up()
    batch = [Visit(unit=unit, started_at="2014-04-09T09:00", methods=["查阅资料"], notes="批量导入。" * 500)
             for _ in range(50)]
    with pytest.raises(StorageFullError):
        with database.atomic():  # as an import applies its bundle: executemany inside one transaction
            changelog.bulk_create(batch)
    assert not database.in_transaction() and _dump() == before
    _make_room()
    assert audit.check_all() == []


def test_the_cli_prints_the_message_not_a_traceback(unit, data_dir, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise StorageFullError()

    monkeypatch.setattr(cli.campaigns, "initialize", full)
    code = cli.main(["init"])
    err = capsys.readouterr().err
    assert code == 2 and "磁盘空间不足" in err and "Traceback" not in err


class _FullDisk:
    """A file object whose writes fail with ENOSPC after ``room`` bytes."""

    def __init__(self, real, room: int):
        self._real = real
        self._room = room

    def write(self, data):
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._real.write(data)

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._real.__exit__(*exc)


def test_enospc_in_the_attachment_store_changes_nothing(unit, data_dir, tmp_path, monkeypatch):
    visit = visits.list_visits(visits.VisitFilter())[0]
    first = tmp_path / "first.jpg"
    first.write_bytes(b"\xff\xd8 first photo")
    attachments.add_attachment(visit, first)
    big = tmp_path / "scan.pdf"
    big.write_bytes(os.urandom(3 << 20))
    db_before, store_before = _dump(), _store_files(data_dir)
    real_fdopen = os.fdopen
    monkeypatch.setattr(attachments.os, "fdopen", lambda *a, **k: _FullDisk(real_fdopen(*a, **k), 1 << 20))
    with pytest.raises(StorageFullError) as info:
        attachments.add_attachment(visit, big)
    assert "磁盘空间不足" in info.value.message and info.value.field == "attachment"
    monkeypatch.undo()
    assert _dump() == db_before and _store_files(data_dir) == store_before
    attachments.add_attachment(visit, big)  # with room again it works


def test_a_new_attachment_whose_record_does_not_fit_is_removed_from_the_store(unit, data_dir, tmp_path):
    visit = visits.list_visits(visits.VisitFilter())[0]
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 another photo")
    db_before, store_before = _dump(), _store_files(data_dir)
    _fill_up()
    # fill the last free pages first, so that the attachment's record cannot fit
    with pytest.raises(StorageFullError):
        for i in range(1000):
            visits.create_visit(unit, "2014-04-09T09:00", ["查阅资料"], notes=f"填充 {i} " * 50)
    with pytest.raises(StorageFullError):  # then the crumbs: even a short record no longer fits
        for i in range(1000):
            visits.create_visit(unit, "2014-04-09T09:00", ["查阅资料"], notes=f"{i}")
    db_before = _dump()
    with pytest.raises(StorageFullError):
        attachments.add_attachment(visit, photo)
    assert _dump() == db_before and _store_files(data_dir) == store_before
    _make_room()
    assert audit.check_all() == []


def test_enospc_while_backing_up_leaves_no_half_backup(unit, data_dir, monkeypatch):
    backup.create_backup(data_dir)
    files_before = sorted(p.name for p in backup.backups_dir(data_dir).iterdir())

    def no_space(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(backup_files, "fsync_file", no_space)
    with pytest.raises(StorageFullError, match="磁盘空间不足，备份没有完成"):
        backup.create_backup(data_dir)
    assert sorted(p.name for p in backup.backups_dir(data_dir).iterdir()) == files_before


def test_enospc_in_the_bundle_writer_leaves_no_file_and_no_trace(tmp_path, monkeypatch):
    from supervisor_app.sync import container, service
    from supervisor_app.sync.errors import ExportError
    from tests.test_sync_helpers import build_trio, on, snapshot

    trio = build_trio(tmp_path / "trio")
    with on(trio.f1):
        unit = factories.county("新港县")
        visit = factories.visit(unit, notes="要带回活动办的督导记录。" * 200)
        scan = tmp_path / "scan.pdf"
        scan.write_bytes(os.urandom(200_000))
        attachments.add_attachment(visit, scan)
    usb = trio.usb("stick")
    before = snapshot(trio.f1)
    real_open = open

    def small_stick(path, mode="r", *args, **kwargs):
        fh = real_open(path, mode, *args, **kwargs)
        return _FullDisk(fh, 50_000) if "w" in mode and str(path).endswith(".partial") else fh

    monkeypatch.setattr(container, "open", small_stick, raising=False)
    with on(trio.f1):
        with pytest.raises(ExportError) as info:
            service.export_to_folder(usb)
    assert isinstance(info.value, SupervisorError) and "磁盘已满" in info.value.message
    assert sorted(p.name for p in usb.iterdir()) == []  # no bundle, no half-written file
    assert snapshot(trio.f1) == before
    monkeypatch.undo()
    with on(trio.f1):
        (result,) = service.export_to_folder(usb)
    assert result.path.exists() and result.attachment_count == 1
