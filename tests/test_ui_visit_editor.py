"""The visit editor driven as a user would: keyboard and clicks, pytest-qt offscreen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate, QDateTime, QModelIndex, QPoint, Qt, QTime
from PySide6.QtWidgets import QMessageBox

from supervisor_app import attachments, findings, quiz, units, visit_form, visits
from supervisor_app.clock import today
from supervisor_app.models import ChangeLog, Visit
from tests.qt_helpers import edit_findings_cell, type_text
from ui import tasks
from ui.editors.visit import VisitEditor
from ui.main_window import MainWindow
from ui.models.visit_findings import COLUMN_OF, FindingsModel


@pytest.fixture
def window(qtbot, data_dir, monkeypatch):
    # an editor left open with changes is discarded at teardown (tests that ask patch it again)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    tasks.wait_for_all(600_000)  # the report fonts, made once per session on the one worker
    yield win
    tasks.wait_for_all()


@pytest.fixture
def unit(data_dir):
    unit = units.create_unit("临江县", "县市区")
    units.create_leader("王建国", "县委书记", unit)
    return unit


def _editor(window, qtbot, unit_id=None, visit_id=None) -> VisitEditor:
    page = window.pages["visits"]
    editor = page.open_visit(visit_id) if visit_id else page.new_visit(unit_id)
    qtbot.addWidget(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    return editor


def _save(editor: VisitEditor, qtbot) -> None:
    """Click 保存 and wait for the write (it runs off the GUI thread)."""
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def _click_box(qtbot, box) -> None:
    """Click a check box on its box (a wide check box is not clickable in its empty right part)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _set_time(editor: VisitEditor, day: str) -> None:
    editor.basic.started_at.setDateTime(QDateTime(QDate.fromString(day, "yyyy-MM-dd"), QTime(9, 30)))


_edit_cell = edit_findings_cell


def test_every_error_at_once_then_cleared_as_fixed(window, qtbot, unit):
    editor = _editor(window, qtbot)
    type_text(editor.basic.notes, "忘了选单位和方式")
    editor.tabs.setCurrentWidget(editor.findings)
    qtbot.mouseClick(editor.findings.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    labels = editor.errors.labels
    assert "被督导单位" in labels["unit"].text() and not labels["unit"].isHidden()
    assert "督导方式" in labels["methods"].text() and not labels["methods"].isHidden()
    assert "第 1 个问题" in labels["finding"].text()
    model = editor.findings.model
    assert model.data(model.index(0, COLUMN_OF["description"]), Qt.ItemDataRole.BackgroundRole) is not None
    assert "请填写问题描述" in model.data(model.index(0, COLUMN_OF["description"]), Qt.ItemDataRole.ToolTipRole)
    assert editor.tabs.currentWidget() is editor.basic  # the first refusal's tab
    assert "⚠" in editor.tabs.tabText(editor.tabs.indexOf(editor.findings))
    assert Visit.select().count() == 0
    # fixing a field clears its message at once; the others stay
    editor.basic.unit.setCurrentIndex(editor.basic.unit.findData(unit.id))
    qtbot.waitUntil(lambda: labels["unit"].isHidden())
    assert not labels["methods"].isHidden()
    _click_box(qtbot, editor.basic.method_boxes["查阅资料"])
    qtbot.waitUntil(lambda: labels["methods"].isHidden())
    assert editor.basic.method_boxes["查阅资料"].isChecked()


def test_required_fields_are_marked(window, qtbot):
    editor = _editor(window, qtbot)
    from PySide6.QtWidgets import QLabel

    texts = [label.text() for label in editor.basic.findChildren(QLabel)]
    for name in ("被督导单位", "督导时间", "督导方式"):
        assert any(t.startswith(name) and "*" in t for t in texts), name
    assert not any(t.startswith("接触人员") and "*" in t for t in texts)
    model = editor.findings.model
    assert model.headerData(COLUMN_OF["description"], Qt.Orientation.Horizontal).endswith("*")


def test_a_date_in_the_future_is_refused_live_and_on_save(window, qtbot, unit):
    editor = _editor(window, qtbot, unit.id)
    editor.basic.method_boxes["随机抽查"].setChecked(True)
    _set_time(editor, (today() + timedelta(days=3)).isoformat())
    label = editor.errors.labels["started_at"]
    qtbot.waitUntil(lambda: not label.isHidden())  # before 保存 is pressed
    assert "不能晚于今天" in label.text()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert Visit.select().count() == 0
    _set_time(editor, today().isoformat())
    qtbot.waitUntil(lambda: label.isHidden())
    _save(editor, qtbot)
    assert visits.list_visits()[0].started_at.startswith(today().isoformat())


def test_quiz_fields_follow_their_checkbox_and_are_checked_live(window, qtbot, unit):
    editor = _editor(window, qtbot, unit.id)
    tab = editor.quiz
    assert not tab.quiz_people.isEnabled() and not tab.quiz_correct.isEnabled()
    editor.tabs.setCurrentWidget(tab)
    _click_box(qtbot, tab.quiz_enabled)
    assert tab.quiz_people.isEnabled()
    tab.quiz_people.setFocus()
    tab.quiz_people.selectAll()
    qtbot.keyClicks(tab.quiz_people, "1")
    tab.quiz_correct.setFocus()
    tab.quiz_correct.selectAll()
    qtbot.keyClicks(tab.quiz_correct, "31")
    assert tab.quiz_correct.value() == 31  # what is typed is kept, not clipped to a maximum
    label = editor.errors.labels["correct_answers"]
    qtbot.waitUntil(lambda: not label.isHidden())
    assert "不能超过" in label.text() and tab.quiz_accuracy.text() == "—"  # never 103.3 %
    tab.quiz_correct.selectAll()
    qtbot.keyClicks(tab.quiz_correct, "24")
    qtbot.waitUntil(lambda: label.isHidden())
    assert tab.quiz_accuracy.text() == "80.0%"
    # unticked, the numbers stay (greyed) and the tab says they will not be saved
    _click_box(qtbot, tab.quiz_enabled)
    assert not tab.quiz_correct.isEnabled() and tab.quiz_correct.value() == 24
    assert not tab.unticked_note.isHidden()
    _click_box(qtbot, tab.quiz_enabled)
    editor.basic.method_boxes["提问答题"].setChecked(True)
    _save(editor, qtbot)
    record = quiz.quiz_of(visits.list_visits()[0])
    assert (record.people_tested, record.questions, record.correct_answers) == (1, 30, 24)


def test_findings_table_with_multi_line_text_and_inline_rectification(window, qtbot, unit):
    editor = _editor(window, qtbot, unit.id)
    editor.basic.method_boxes["查阅资料"].setChecked(True)
    _set_time(editor, "2014-04-08")
    editor.tabs.setCurrentWidget(editor.findings)
    qtbot.mouseClick(editor.findings.add_button, Qt.MouseButton.LeftButton)
    _edit_cell(qtbot, editor, 0, "category", "学习教育还不深不透")
    _edit_cell(qtbot, editor, 0, "description", "学习内容不集中，\n部分支部只读文件")
    leader = units.list_leaders(unit)[0]
    _edit_cell(qtbot, editor, 0, "leader_id", leader.id)
    _edit_cell(qtbot, editor, 0, "measure", "制定集中学习计划")
    _edit_cell(qtbot, editor, 0, "responsible", "王建国")
    _edit_cell(qtbot, editor, 0, "deadline", "2014-04-30")
    model = editor.findings.model
    shown = model.data(model.index(0, COLUMN_OF["description"]))
    assert shown == "学习内容不集中，\n部分支部只读文件"  # whole, several lines (the view wraps)
    assert editor.findings.view.wordWrap()
    assert editor.findings.view.rowHeight(0) > editor.findings.view.fontMetrics().lineSpacing() * 2
    _save(editor, qtbot)
    (finding,) = findings.list_findings(unit)
    assert finding.description == "学习内容不集中，\n部分支部只读文件" and finding.leader_id == leader.id
    rect = visit_form.rectification_of(finding.id)
    assert (rect.measure, rect.responsible, rect.deadline) == ("制定集中学习计划", "王建国", "2014-04-30")
    # a rectification half filled in is refused on its row, naming what is missing
    qtbot.mouseClick(editor.findings.add_button, Qt.MouseButton.LeftButton)
    _edit_cell(qtbot, editor, 1, "category", "有形式主义趋向")
    _edit_cell(qtbot, editor, 1, "description", "台账雷同")
    _edit_cell(qtbot, editor, 1, "responsible", "李四")
    before = ChangeLog.select().count()
    with qtbot.waitSignal(editor.refused):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "第 2 个问题的整改" in editor.errors.labels["finding"].text()
    assert model.data(model.index(1, COLUMN_OF["measure"]), Qt.ItemDataRole.ToolTipRole).startswith("第 2 个问题")
    assert ChangeLog.select().count() == before


def test_tab_leaves_the_notes(window, qtbot, unit):
    editor = _editor(window, qtbot, unit.id)
    editor.activateWindow()
    editor.basic.notes.setFocus()
    qtbot.keyClick(editor.basic.notes, Qt.Key.Key_Tab)
    assert editor.basic.notes.toPlainText() == ""  # no tab character typed
    assert not editor.basic.notes.hasFocus()
    editor.basic.notes.setFocus()
    qtbot.keyClick(editor.basic.notes, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert editor.basic.people_met.hasFocus()


def test_escape_asks_before_discarding(window, qtbot, unit, monkeypatch):
    editor = _editor(window, qtbot, unit.id)
    type_text(editor.basic.notes, "写了一半")
    qtbot.waitUntil(lambda: window.drafts.pending() != [])
    asked = []

    def answer(button):
        def question(*args, **kwargs):
            asked.append(args[2])
            return button
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert asked and editor.isVisible() and editor.basic.notes.toPlainText() == "写了一半"
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not editor.isVisible()
    assert window.drafts.pending() == [] and Visit.select().count() == 0


def test_escape_then_save_writes_and_closes(window, qtbot, unit, monkeypatch):
    editor = _editor(window, qtbot, unit.id)
    editor.basic.method_boxes["暗访督查"].setChecked(True)
    type_text(editor.basic.notes, "暗访发现值班缺岗")
    _set_time(editor, "2014-04-08")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert [v.notes for v in visits.list_visits()] == ["暗访发现值班缺岗"]


def test_editing_a_stored_visit_keeps_everything(window, qtbot, unit, tmp_path):
    photo = tmp_path / "现场.png"
    from PySide6.QtGui import QColor, QImage

    image = QImage(300, 200, QImage.Format.Format_RGB32)
    image.fill(QColor(10, 120, 200))
    image.save(str(photo))
    visit = visit_form.save(visit_form.VisitForm(
        unit_id=unit.id, started_at="2014-04-08T09:30", methods=["查阅资料"], notes="第一次",
        quiz_done=True, quiz_people=2, quiz_questions=30, quiz_correct=40, add_files=[str(photo)],
        findings=[visit_form.FindingForm(description="笔记雷同", category="有形式主义趋向")]))
    editor = _editor(window, qtbot, visit_id=visit.id)
    assert editor.quiz.quiz_enabled.isChecked() and editor.quiz.quiz_correct.value() == 40
    assert editor.findings.model.rowCount() == 1
    item = editor.attachments.list.item(0)
    assert item.text().startswith("现场.png")
    tasks.wait_for_all()
    qtbot.waitUntil(lambda: item.icon().availableSizes() and item.icon().availableSizes()[0].width() == 120)
    editor.basic.notes.setFocus()
    qtbot.keyClick(editor.basic.notes, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(editor.basic.notes, "，补充")
    _save(editor, qtbot)
    stored = visits.get_visit(visit.id)
    assert stored.notes == "第一次，补充"
    assert quiz.quiz_of(stored).correct_answers == 40
    assert [f.description for f in findings.list_findings(visit=stored)] == ["笔记雷同"]
    assert len(attachments.list_attachments(stored)) == 1


def test_findings_model_passes_the_model_tester(qtmodeltester, data_dir):
    from supervisor_app import campaigns

    model = FindingsModel(campaigns.active_template())
    model.set_findings([visit_form.FindingForm(description="一\n二", category="有形式主义趋向"),
                        visit_form.FindingForm(description="x", category="", id="old", remove=True)])
    model.add()
    model.set_errors({(0, "description"): "请填写问题描述。"})
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and len(model.findings()) == 3
    assert model.setData(model.index(1, COLUMN_OF["description"]), "新问题")
    assert model.rowCount(model.index(0, 0)) == 0 and not model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsEditable
