"""At the office, the 同步 page binds an enrolled field device to a group (as ``device assign``
does on the command line), written on the worker; a refusal changes nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from supervisor_app import store
from supervisor_app.sync import service
from tests.test_sync_helpers import build_trio, device_id
from ui import tasks
from ui.main_window import MainWindow


def _office_page(qtbot, tmp_path):
    trio = build_trio(tmp_path / "t")
    f1 = device_id(trio.f1)
    store.open_data_dir(trio.office)
    window = MainWindow(trio.office)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("sync")
    page.refresh()
    return page, f1


def _select(qtbot, page, wanted_id: str) -> None:
    page.tabs.setCurrentWidget(page.devices.parentWidget())
    row = next(r for r in range(page.devices.rowCount())
               if page.devices.item(r, 0).data(Qt.ItemDataRole.UserRole) == wanted_id)
    page.devices.selectRow(row)
    assert page.devices.currentRow() == row


def _group_of(page, wanted_id: str) -> str:
    row = next(r for r in range(page.devices.rowCount())
               if page.devices.item(r, 0).data(Qt.ItemDataRole.UserRole) == wanted_id)
    return page.devices.item(row, 2).text()


def test_the_office_moves_a_field_device_to_another_group(qtbot, tmp_path, monkeypatch):
    page, f1 = _office_page(qtbot, tmp_path)
    assert not page.assign_button.isHidden()  # on the 设备 tab, at the office
    assert _group_of(page, f1) == "市委第一督导组"
    asked = []
    monkeypatch.setattr(QInputDialog, "getItem",
                        lambda _p, _t, _label, names, current, _editable: (asked.append((names, current))
                                                                          or ("市委第二督导组", True)))
    _select(qtbot, page, f1)
    with qtbot.waitSignal(page.operation_finished, timeout=60_000) as blocker:
        qtbot.mouseClick(page.assign_button, Qt.MouseButton.LeftButton)
    assert asked == [(["市委第一督导组", "市委第二督导组"], 0)]  # the device's own group offered first
    assert blocker.args[0].group_name == "市委第二督导组"
    assert next(d for d in service.list_devices() if d.id == f1).group_name == "市委第二督导组"
    assert _group_of(page, f1) == "市委第二督导组"
    assert "已把设备" in page.result.text() and "市委第二督导组" in page.result.text()
    tasks.wait_for_all()


def test_the_office_itself_cannot_be_assigned_and_nothing_changes(qtbot, tmp_path, monkeypatch):
    page, _f1 = _office_page(qtbot, tmp_path)
    refusals = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: refusals.append(text))
    me = next(d for d in service.list_devices() if d.is_local)
    before = service.list_devices()
    _select(qtbot, page, me.id)
    with qtbot.waitSignal(page.operation_finished, timeout=60_000) as blocker:
        assert page.assign_selected("市委第二督导组") is not None
    error = blocker.args[0]
    assert "不是已登记、未注销的督导组设备" in error.message and error.field == "device"
    assert refusals and "不是已登记" in refusals[0]
    assert service.list_devices() == before
    tasks.wait_for_all()


def test_nothing_selected_says_what_to_do(qtbot, data_dir):
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("sync")
    page.devices.clearSelection()
    page.devices.setCurrentCell(-1, -1)
    assert page.assign_selected() is None
    assert "请先在设备列表中选择" in page.result.text()
    assert page.assign_button.isHidden()  # a field installation has no such button
