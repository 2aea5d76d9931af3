"""The window's 专题民主生活会: recorded from the unit page in a dialog, refused next to the
part that is wrong (nothing written), saved, listed, reopened, and sent to the 纪实 as facts to
be confirmed — driven as a user would."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from supervisor_app import evaluations, members, units
from supervisor_app.models import ChangeLog, DemocraticMeeting, EvaluationFact
from tests import speech_day
from tests.qt_helpers import type_text
from ui import tasks
from ui.main_window import MainWindow
from ui.pages.meetings import MeetingDialog


@pytest.fixture
def data_dir(isolated_data, monkeypatch):
    """conftest's field installation, set up on the speech's day: its campaign keeps the
    speech's calendar, which the meeting's 2014 date must fall in (tests/speech_day.py)."""
    return speech_day.initialize(isolated_data, monkeypatch, "field", "市委第一督导组", "张三")


@pytest.fixture
def window(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr("supervisor_app.clock.today", lambda: date(2014, 6, 10))
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()


@pytest.fixture
def county(data_dir):
    unit = units.create_unit("临江县", "县市区", group=members.current_group().id)
    team = units.create_team(unit, "临江县委领导班子")
    secretary = units.create_leader("王建国", "县委书记", unit, team=team, is_top_leader=True)
    mayor = units.create_leader("李明", "县长", unit, team=team)
    draft = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=secretary.id)
    return unit, secretary, mayor, draft


def _tick(box, names) -> None:
    for i in range(box.count()):
        if box.item(i).text().split("（")[0] in names:
            box.item(i).setCheckState(Qt.CheckState.Checked)


def test_record_a_meeting_from_the_unit_page_and_send_it_to_the_jishi(window, qtbot, monkeypatch, county):
    unit, secretary, mayor, draft = county
    page = window.show_page("units")
    page.select_unit(unit.id)
    page.unit_tabs.setCurrentIndex(1)  # the 专题民主生活会 tab beside the 规定动作
    panel = page.meetings_panel
    assert panel.table.rowCount() == 0 and panel.isVisible()
    dialogs = []
    monkeypatch.setattr(MeetingDialog, "exec", lambda d: dialogs.append(d) or 0)
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    (dialog,) = dialogs
    dialog.held_on.setDate(QDate(2014, 6, 5))
    _tick(dialog.members, {"张三"})
    _tick(dialog.present, {"王建国", "李明"})
    row = dialog.add_problem()
    dialog.problems.cellWidget(row, 0).setCurrentText("官僚主义")
    dialog.problems.cellWidget(row, 1).setCurrentText("王建国")
    dialog.problems.item(row, 2).setText("听取汇报多、深入实际少")  # what typing into the cell leaves
    row = dialog.add_talk()
    dialog.talks.cellWidget(row, 1).setCurrentText("李明")
    dialog.talks.cellWidget(row, 3).setValue(2)
    dialog.tabs.setCurrentIndex(4)
    dialog.rating.setCurrentText("较好")
    # rated without its evidence: refused next to the evidence, nothing written
    before = ChangeLog.select().count()
    dialog.tabs.setCurrentIndex(0)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    label = dialog.errors.labels["criticism_evidence"]
    qtbot.waitUntil(lambda: not label.isHidden())
    assert "请填写评价依据" in label.text() and dialog.tabs.currentIndex() == 4
    assert ChangeLog.select().count() == before and not DemocraticMeeting.select().exists()
    type_text(dialog.evidence, "书记带头自我批评，相互批评点名道姓。")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    meeting = DemocraticMeeting.get()
    assert (meeting.held_on, meeting.criticism_rating) == ("2014-06-05", "较好")
    assert meeting.leaders_present == [secretary.id, mayor.id]
    assert meeting.problems == [{"wind": "官僚主义", "leader": secretary.id, "text": "听取汇报多、深入实际少"}]
    assert meeting.talks == [{"leader": secretary.id, "with": mayor.id, "done": True, "count": 2}]
    # listed on the unit page
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1)
    assert panel.table.item(0, 0).text() == "2014年6月5日"
    assert (panel.table.item(0, 3).text(), panel.table.item(0, 4).text()) == ("官僚主义1", "较好")
    # reopened, it shows what was saved
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    reopened = dialogs[-1]
    assert reopened.problems.rowCount() == 1 and reopened.problems.cellWidget(0, 1).currentText() == "王建国"
    assert reopened.evidence.toPlainText() == "书记带头自我批评，相互批评点名道姓。"
    # sent to the 纪实: a fact proposed to the secretary's draft, for a person to confirm
    qtbot.mouseClick(panel.facts_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: EvaluationFact.select().where(EvaluationFact.source_kind == "meeting").exists())
    fact = EvaluationFact.get(EvaluationFact.source_kind == "meeting")
    assert (fact.evaluation_id, fact.state, fact.on_date) == (draft.id, "proposed", "2014-06-05")
    assert "王建国同志参加" in fact.text and "官僚主义1个" in fact.text
    # deleted after a confirmation; the fact already proposed stays with the evaluation
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0)
    assert not DemocraticMeeting.select().where(DemocraticMeeting.deleted == False).exists()
    assert EvaluationFact.get_by_id(fact.id).deleted is False
