"""The 同步 page: enrol by card, export to a folder, import at the office (by hand and by
watching a folder), and the history."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from supervisor_app import campaigns, signing, store, units, visits
from supervisor_app.sync import service
from tests.qt_helpers import type_text
from ui import tasks
from ui.main_window import MainWindow


@pytest.fixture
def office_card(tmp_path):
    office = tmp_path / "office"
    store.open_data_dir(office)
    campaigns.initialize("office")
    group = campaigns.create_group("市委第一督导组", campaigns.current_campaign())
    campaigns.add_member(group, "张三", is_leader=True)
    units.create_unit("临江县", "县市区", group=group.id)
    card = tmp_path / "office-card.json"
    service.write_card(card)
    store.close()
    return office, card


def same_fingerprint(monkeypatch, seen: list | None = None):
    """The fingerprint check answered as a user does who heard the same fingerprint: the
    default button (一致，登记) is clicked; the question asked is kept in ``seen``."""

    def answer(box):
        if seen is not None:
            seen.append(box.text())
        box.defaultButton().click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)


def written(qtbot, page, start):
    """Start a write of the 同步 page (it runs on the worker) and return what it finished with:
    the result, or the refusal."""
    with qtbot.waitSignal(page.operation_finished, timeout=60_000) as blocker:
        assert start() is not None
    return blocker.args[0]


def _window(qtbot, folder):
    win = MainWindow(folder)
    qtbot.addWidget(win)
    win.show()
    return win


def test_field_to_office_through_the_window(qtbot, tmp_path, office_card, isolated_data, monkeypatch):
    office, office_card_path = office_card
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    same_fingerprint(monkeypatch)
    field = store.open_data_dir(isolated_data)
    campaigns.initialize("field")
    window = _window(qtbot, field)
    page = window.show_page("sync")
    assert written(qtbot, page, lambda: page.enroll(str(office_card_path))).role == "office"
    assert any(d.role == "office" for d in service.list_devices())
    field_card = tmp_path / "field-card.json"
    assert written(qtbot, page, lambda: page.write_card(str(field_card))).fingerprint
    window.close()
    tasks.wait_for_all()
    store.close()

    # the office enrols the laptop for its group and sends the assignments
    store.open_data_dir(office)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("市委第一督导组", True))
    office_window = _window(qtbot, office)
    office_page = office_window.show_page("sync")
    assert written(qtbot, office_page, lambda: office_page.enroll(str(field_card))).group_name == "市委第一督导组"
    first = tmp_path / "assignments"
    first.mkdir()
    (sent,) = service.export_to_folder(first)
    office_window.close()
    tasks.wait_for_all()
    store.close()

    store.open_data_dir(field)
    window = _window(qtbot, field)
    page = window.show_page("sync")
    with qtbot.waitSignal(page.operation_finished, timeout=60_000):
        page.import_files([str(sent.path)])
    # the group and member the office made: chosen on 设置
    settings = window.show_page("settings")
    assert settings.assigned_box.isVisibleTo(settings)
    assert settings.assigned_group.currentText() == "市委第一督导组"
    assert settings.assigned_member.currentText() == "张三（组长）"
    settings.use_assigned.click()
    qtbot.waitUntil(lambda: "市委第一督导组" in window.windowTitle() and "张三" in window.windowTitle(), timeout=30_000)
    assert campaigns.current_member().name == "张三"
    # the leader sets the passphrase and writes the key card for the office, on 设置
    panel = settings.members
    qtbot.waitUntil(lambda: panel.select("张三") and panel.passphrase_button.isEnabled(), timeout=30_000)
    dialog = panel.set_passphrase()
    for edit in (dialog.new, dialog.repeat):
        type_text(edit, "leader passphrase")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert signing.has_key(field, campaigns.current_member())
    assert panel.select("张三") and panel.key_card_button.isEnabled()
    key_card = tmp_path / "张三.keycard"
    panel.write_key_card(str(key_card), "wrong passphrase")
    qtbot.waitUntil(lambda: "口令不正确" in panel.message.text(), timeout=30_000)
    assert not key_card.exists()
    panel.write_key_card(str(key_card), "leader passphrase")
    qtbot.waitUntil(lambda: "已写出组长公钥卡" in panel.message.text(), timeout=30_000)
    key_fingerprint = panel.message.text().rsplit("：", 1)[1]
    page = window.show_page("sync")
    unit = units.list_units()[0]
    visit = visits.create_visit(unit, "2014-04-08T09:30", ["随机抽查"], notes="现场查看四风问题整改")
    assert service.sync_marks([visit.id, unit.id]) == {visit.id: "unsent"}  # the office's unit has no mark
    stick = tmp_path / "stick"
    stick.mkdir()
    with qtbot.waitSignal(page.operation_finished, timeout=60_000) as blocker:
        page.export(str(stick))
    bundles = list(stick.glob("*.sgb"))
    assert len(bundles) == 1 and blocker.args[0][0].path == bundles[0]
    assert service.sync_marks([visit.id]) == {visit.id: "sent"}
    page.tabs.setCurrentIndex(1)
    marks = {page.marks.item(r, 0).text(): [page.marks.item(r, c).text() for c in (1, 2, 3)]
             for r in range(page.marks.rowCount())}
    assert marks["督导记录"] == ["0", "1", "0"]
    assert page.history.rowCount() == 2  # the office's assignments in, this bundle out
    assert sorted(page.history.item(i, 1).text() for i in range(2)) == ["导入", "导出"]
    window.close()
    tasks.wait_for_all()
    store.close()

    store.open_data_dir(office)
    office_window = _window(qtbot, office)
    office_page = office_window.show_page("sync")
    # the office binds the leader's key after the leader read out its fingerprint
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: refusals.append(text))
    refusals: list[str] = []
    refused = written(qtbot, office_page, lambda: office_page.bind_leader_key(str(key_card), "0000 0000"))
    assert isinstance(refused, Exception) and "指纹不符" in refusals[0]
    assert campaigns.list_members()[0].sign_public_key is None  # nothing bound
    assert written(qtbot, office_page, lambda: office_page.bind_leader_key(str(key_card), key_fingerprint)).name == "张三"
    assert campaigns.list_members()[0].sign_public_key is not None
    with qtbot.waitSignal(office_page.operation_finished, timeout=60_000):
        office_page.import_folder(str(stick))
    assert "已导入" in office_page.result.text()
    assert [v.notes for v in visits.list_visits()] == ["现场查看四风问题整改"]
    assert visits.count_visits(visits.VisitFilter(search="四风")) == 1
    # the same bundle again: reported as imported before, nothing doubled
    with qtbot.waitSignal(office_page.operation_finished, timeout=60_000):
        office_page.import_files([str(bundles[0])])
    assert "以前已导入" in office_page.result.text()
    assert visits.count_visits() == 1
    receipt = tmp_path / "receipt"
    receipt.mkdir()
    with qtbot.waitSignal(office_page.operation_finished, timeout=60_000):
        office_page.export(str(receipt))
    assert service.sync_marks([visit.id]) == {}  # the office marks nothing
    office_window.close()
    tasks.wait_for_all()
    store.close()

    # the office's receipt back at the group: the visit is confirmed
    store.open_data_dir(field)
    window = _window(qtbot, field)
    page = window.show_page("sync")
    with qtbot.waitSignal(page.operation_finished, timeout=60_000):
        page.import_folder(str(receipt))
    assert service.sync_marks([visit.id]) == {visit.id: "confirmed"}
    marks = {page.marks.item(r, 0).text(): [page.marks.item(r, c).text() for c in (1, 2, 3)]
             for r in range(page.marks.rowCount())}
    assert marks["督导记录"] == ["0", "0", "1"]
    visits.update_visit(visit, notes="现场查看四风问题整改，已复查")
    assert service.sync_marks([visit.id]) == {visit.id: "unsent"}  # a later change is not confirmed
    window.close()
    tasks.wait_for_all()


def test_watch_folder_needs_an_existing_folder(qtbot, data_dir, tmp_path):
    window = _window(qtbot, data_dir)
    page = window.show_page("sync")
    page.watch_folder.setText(str(tmp_path / "missing"))
    page.watching.setChecked(True)
    assert not page.watching.isChecked() and "不存在" in page.result.text()
    page.watch_folder.setText(str(tmp_path))
    with qtbot.waitSignal(page.operation_finished, timeout=30_000):
        page.watching.setChecked(True)
    assert page.timer.isActive()
    page.watching.setChecked(False)
    assert not page.timer.isActive()
    tasks.wait_for_all()
