"""The window driven as a user would, with pytest-qt on the offscreen platform."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from supervisor_app import campaigns, findings, units, visits
from supervisor_app.models import Visit
from tests.qt_helpers import edit_findings_cell, exec_filling, type_text
from ui import tasks
from ui.editors.rectification_dialog import RectificationDialog
from ui.editors.unit_dialogs import LeaderDialog, UnitDialog
from ui.editors.visit_editor import VisitEditor
from ui.main_window import MainWindow
from ui.models.ledger_table import LedgerTableModel
from ui.models.visit_table import VisitTableModel


@pytest.fixture
def window(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()


def test_title_shows_group_role_and_member(window):
    title = window.windowTitle()
    assert "市委第一督导组" in title and "督导组" in title and "张三" in title


def test_create_unit_and_leader(window, qtbot, monkeypatch):
    page = window.show_page("units")

    def fill_unit(dialog):
        type_text(dialog.name, "临江县")

    exec_filling(monkeypatch, UnitDialog, fill_unit)
    unit = page.new_unit()
    assert unit is not None and unit.name == "临江县"
    assert page.selected_unit_id() == unit.id

    def fill_leader(dialog):
        type_text(dialog.name, "王建国")
        type_text(dialog.position, "县委书记")
        dialog.top.setChecked(True)

    exec_filling(monkeypatch, LeaderDialog, fill_leader)
    page.new_leader()
    assert [leader.name for leader in units.list_leaders(unit)] == ["王建国"]
    assert page.leaders.item(0, 0).text() == "王建国"


def test_invalid_leader_shows_message_next_to_field_and_writes_nothing(window, qtbot):
    unit = units.create_unit("临江县", "县市区")
    dialog = LeaderDialog(window.pages["units"], unit.id)
    qtbot.addWidget(dialog)
    type_text(dialog.name, "王建国")
    dialog.accept()  # no position
    label = dialog.errors.labels["position"]
    assert not label.isHidden() and "职务" in label.text()
    assert units.list_leaders(unit) == []


def _fill_visit(editor: VisitEditor, qtbot, unit_id: str, notes: str) -> None:
    editor.unit.setCurrentIndex(editor.unit.findData(unit_id))
    editor.started_at.setDateTime(editor.started_at.dateTime().fromString("2014-04-08T09:30", "yyyy-MM-ddTHH:mm"))
    editor.method_boxes["查阅资料"].setChecked(True)
    editor.method_boxes["提问答题"].setChecked(True)
    type_text(editor.people_met, "王建国（县委书记）")
    editor.notes.setFocus()
    type_text(editor.notes, notes)


def test_log_a_visit_with_everything(window, qtbot, tmp_path):
    unit = units.create_unit("临江县", "县市区")
    leader = units.create_leader("王建国", "县委书记", unit)
    window.new_visit_action.trigger()  # Ctrl+N
    editor = window.findChildren(VisitEditor)[-1]
    qtbot.addWidget(editor)
    editor.activateWindow()  # cell editors take the focus only in the active window
    qtbot.waitUntil(editor.isActiveWindow)
    _fill_visit(editor, qtbot, unit.id, "查阅学习笔记，部分干部照抄照搬。")
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8 photo bytes")
    editor.add_files([str(photo)])
    tpl = campaigns.active_template()
    for combo, evidence in editor.focus_widgets.values():
        combo.setCurrentIndex(combo.findData("较好"))
        type_text(evidence, "学习记录齐全")
    combo, evidence = editor.tendency_widgets["T2"]
    combo.setCurrentIndex(combo.findData("较明显"))
    type_text(evidence, "学习讨论时间被压缩")
    editor.quiz_enabled.setChecked(True)
    editor.quiz_people.setValue(10)
    editor.quiz_questions.setValue(30)
    editor.quiz_correct.setValue(180)
    assert editor.quiz_accuracy.text() == "60.0%"  # shown at once
    editor.tabs.setCurrentWidget(editor.findings)
    qtbot.mouseClick(editor.findings.add_button, Qt.MouseButton.LeftButton)
    edit_findings_cell(qtbot, editor, 0, "category", "有形式主义趋向")
    edit_findings_cell(qtbot, editor, 0, "sub_kind", "表面热、实际冷")
    edit_findings_cell(qtbot, editor, 0, "description", "学习笔记雷同")
    edit_findings_cell(qtbot, editor, 0, "leader_id", leader.id)
    with qtbot.waitSignal(editor.saved, timeout=10_000):  # the write runs off the GUI thread
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    assert editor.errors.general.isHidden(), editor.errors.general.text()
    visit = visits.list_visits()[0]
    assert visit.notes == "查阅学习笔记，部分干部照抄照搬。" and visit.methods == ["查阅资料", "提问答题"]
    assessment = visits.assessment_of(visit)
    assert assessment.tendency_levels == {"T2": {"level": "较明显", "evidence": "学习讨论时间被压缩"}}
    assert len(assessment.focus_ratings) == len(tpl.focus_items)
    from supervisor_app import attachments, quiz

    assert quiz.quiz_of(visit).correct_answers == 180
    assert [a.filename for a in attachments.list_attachments(visit)] == ["现场.jpg"]
    found = findings.list_findings(visit=visit)
    assert [(f.description, f.leader_id) for f in found] == [("学习笔记雷同", leader.id)]
    assert window.drafts.pending() == []  # the draft is gone once saved

    # find it again by a Chinese substring of its notes, from the visits page
    page = window.show_page("visits")
    window.find_action.trigger()  # Ctrl+F
    assert window.focusWidget() is page.search
    type_text(page.search, "照抄")
    qtbot.waitUntil(lambda: page.model.total == 1 and page.model.rowCount() == 1)
    assert page.model.row(0).id == visit.id
    page.search.clear()
    type_text(page.search, "雷同")  # words from its findings are found too
    qtbot.waitUntil(lambda: page.model.total == 1)
    page.search.clear()
    type_text(page.search, "不存在的词")
    qtbot.waitUntil(lambda: page.model.total == 0)

    # a new visit to the same unit shows its open finding (carry-forward)
    second = window.pages["visits"].new_visit(unit.id)
    qtbot.addWidget(second)
    texts = [second.carry_forward.item(i).text() for i in range(second.carry_forward.count())]
    assert any("学习笔记雷同" in t for t in texts)
    second.dirty = False
    second.close()


def test_invalid_visit_shows_message_and_writes_nothing(window, qtbot):
    unit = units.create_unit("临江县", "县市区")
    editor = window.pages["visits"].new_visit(unit.id)
    qtbot.addWidget(editor)
    type_text(editor.notes, "忘了选方式")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    label = editor.errors.labels["methods"]
    assert not label.isHidden() and "督导方式" in label.text()
    assert editor.tabs.currentIndex() == 0
    editor.method_boxes["随机抽查"].setChecked(True)
    editor.quiz_enabled.setChecked(True)
    editor.quiz_people.setValue(2)
    editor.quiz_correct.setValue(500)  # more than 2 × 30
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.errors.labels["correct_answers"].isHidden()
    assert editor.tabs.currentIndex() == 3
    assert Visit.select().count() == 0  # nothing half-saved
    editor.dirty = False


def test_rectification_overdue_on_overview_and_ledger(window, qtbot):
    unit = units.create_unit("临江县", "县市区")
    visit = visits.create_visit(unit, "2014-04-08T09:30", ["查阅资料"], notes="x")
    finding = findings.create_finding(description="征求意见范围偏窄", category="征求意见不太理想", visit=visit)
    page = window.show_page("rectification")
    dialog = page.open_finding(finding.id)
    qtbot.addWidget(dialog)
    dialog.measure.setPlainText("扩大征求意见范围")
    type_text(dialog.responsible, "王建国")
    dialog.deadline.setDate(dialog.deadline.date().fromString("2014-05-01", "yyyy-MM-dd"))
    assert dialog.save_plan()
    type_text(dialog.follow_note, "已召开专题会议")
    assert dialog.add_follow_up()
    assert dialog.follow_list.count() == 1
    dialog.close()
    # the deadline (2014) lies in the past: overdue in the ledger and on the overview
    with qtbot.waitSignal(page.refreshed):
        page.scope.setCurrentIndex(page.scope.findData("overdue"))
    assert page.model.rowCount() == 1 and page.model.row(0).overdue
    index = page.model.index(0, 7)
    assert "逾期" in page.model.data(index)
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    overview = window.pages["overview"]
    with qtbot.waitSignal(overview.refreshed):
        window.show_page("overview")
    assert overview.due_table.rowCount() == 1
    assert overview.due_table.item(0, 1).text() == "逾期"
    assert "1" in overview.count_labels["逾期整改"].text()
    # verifying it clears it
    dialog = page.open_finding(finding.id)
    qtbot.addWidget(dialog)
    assert dialog.verify()
    with qtbot.waitSignal(overview.refreshed):
        dialog.close()
        window.show_page("overview")
    assert overview.due_table.rowCount() == 0


def test_refused_rectification_shows_message(window, qtbot):
    unit = units.create_unit("临江县", "县市区")
    finding = findings.create_finding(unit, "问题", "“两张皮”", found_on="2014-04-08")
    dialog = RectificationDialog(window, finding.id)
    qtbot.addWidget(dialog)
    dialog.deadline.setDate(dialog.deadline.date().fromString("2014-04-01", "yyyy-MM-dd"))
    assert not dialog.save_plan()
    assert not dialog.errors.labels["measure"].isHidden()
    assert findings.ledger()[0].rectification is None


def test_window_remembers_page_and_size(qtbot, data_dir):
    first = MainWindow(data_dir)
    qtbot.addWidget(first)
    first.resize(640, 480)
    first.show_page("rectification")
    first.close()
    second = MainWindow(data_dir)
    qtbot.addWidget(second)
    assert second.current_page_key() == "rectification"
    assert (second.size().width(), second.size().height()) == (640, 480)


def test_table_models_pass_the_model_tester(qtmodeltester, demo_data):
    visit_model = VisitTableModel()
    qtmodeltester.check(visit_model)
    ledger_model = LedgerTableModel()
    qtmodeltester.check(ledger_model)


def test_visit_model_fetches_in_pages_and_sorts(qtbot, data_dir):
    from ui.models import visit_table

    unit = units.create_unit("临江县", "县市区")
    for day in range(1, 29):
        visits.create_visit(unit, f"2014-04-{day:02d}T09:00", ["随机抽查"], notes=f"第{day}次")
    old = visit_table.PAGE_SIZE
    visit_table.PAGE_SIZE = 10
    try:
        model = VisitTableModel()
        assert model.rowCount() == 10 and model.total == 28 and model.canFetchMore()
        model.fetchMore()
        model.fetchMore()
        assert model.rowCount() == 28 and not model.canFetchMore()
        model.sort(0, Qt.SortOrder.AscendingOrder)
        assert model.row(0).started_at.startswith("2014-04-01")
    finally:
        visit_table.PAGE_SIZE = old



@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_overdue_rows_are_readable_under_the_palette(qtbot, demo_data, scheme):
    """Tints come from the palette: dark tints with the palette's light text on a dark palette."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    before = app.palette()
    palette = QPalette(before)
    if scheme == "dark":
        for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.Base, "#181818"),
                             (QPalette.ColorRole.Text, "#e8eaed"), (QPalette.ColorRole.WindowText, "#e8eaed")):
            palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    try:
        model = LedgerTableModel()
        overdue = [r for r in range(model.rowCount()) if model.row(r).overdue]
        assert overdue  # the demo has overdue rectifications
        for r in overdue:
            for column in range(model.columnCount()):
                index = model.index(r, column)
                background = model.data(index, Qt.ItemDataRole.BackgroundRole).color()
                text = model.data(index, Qt.ItemDataRole.ForegroundRole).color()
                assert abs(background.lightness() - text.lightness()) > 100, (scheme, column)
                assert (background.lightness() < 128) == (scheme == "dark")
    finally:
        app.setPalette(before)
