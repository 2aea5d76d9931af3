"""备份与恢复 in the window, and the start-up offer when the database is damaged."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from supervisor_app import backup, store, units
from tests.test_backup import corrupt
from ui import tasks
from ui.app import open_window
from ui.backup_dialog import BackupDialog
from ui.main_window import MainWindow


@pytest.fixture
def yes(monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


def test_backup_now_and_restore(qtbot, data_dir, yes):
    units.create_unit("临江县", "县市区")
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    dialog = window.open_backups()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, BackupDialog)
    before = dialog.table.rowCount()
    with qtbot.waitSignal(dialog.backed_up, timeout=30_000):
        dialog.backup_now()
    assert dialog.table.rowCount() == before + 1
    assert "单位 1" in dialog.table.item(0, 2).text()
    units.create_unit("青山县", "县市区")  # made after the backup
    dialog.table.selectRow(0)
    assert dialog.restore_selected()
    assert [u.name for u in units.list_units()] == ["临江县"]
    assert "已恢复" in dialog.status.text()
    tasks.wait_for_all()


def test_restore_needs_a_selection(qtbot, data_dir):
    dialog = BackupDialog(None, data_dir)
    qtbot.addWidget(dialog)
    assert not dialog.restore_selected()
    assert "选择" in dialog.status.text()


def test_damaged_database_at_start_offers_the_newest_good_backup(qtbot, data_dir, yes):
    units.create_unit("临江县", "县市区")
    backup.create_backup(data_dir)
    corrupt(data_dir, "unit")
    with pytest.raises(backup.DamagedDatabaseError):
        store.open_data_dir(data_dir)
    window = open_window(data_dir)
    assert window is not None
    qtbot.addWidget(window)
    assert [u.name for u in units.list_units()] == ["临江县"]
    assert backup.startup_check(data_dir).ok


def test_damaged_database_declined_opens_nothing(qtbot, data_dir, monkeypatch):
    backup.create_backup(data_dir)
    corrupt(data_dir, "unit")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert open_window(data_dir) is None
    assert backup.startup_check(data_dir).state == backup.DAMAGED
