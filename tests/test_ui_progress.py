"""The window's 规定动作 progress: a unit's timeline, marking an action done with its evidence
(visits proposed from their notes, ticked for the user) and the overview's list of this week's
due and overdue actions — driven as a user would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from supervisor_app import units
from supervisor_app.models import ActionProgress, ChangeLog
from tests import factories, speech_day
from ui import tasks
from ui.main_window import MainWindow
from ui.pages.progress import MarkDoneDialog


@pytest.fixture
def data_dir(isolated_data, monkeypatch):
    """conftest's field installation, set up on the speech's day (tests/speech_day.py)."""
    return speech_day.initialize(isolated_data, monkeypatch, "field", "市委第一督导组", "张三")


@pytest.fixture
def window(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()


@pytest.fixture
def county(data_dir):
    unit = factories.county()
    team = units.create_team(unit, "临江县委领导班子")
    factories.leader(unit, team=team, is_top_leader=True)
    study = factories.visit(unit, notes="县委中心组集中学习第五天，书记领学解读。", started_at="2014-03-20T09:00")
    other = factories.visit(unit, notes="查阅征求意见台账。", started_at="2014-03-22T09:00")
    return unit, study, other


def _row_of(table, action_name: str) -> int:
    for row in range(table.rowCount()):
        if table.item(row, 2).text() == action_name:
            return row
    raise AssertionError(action_name)


def test_mark_an_action_done_with_its_evidence(window, qtbot, monkeypatch, county):
    unit, study, other = county
    page = window.show_page("units")
    page.select_unit(unit.id)
    panel = page.progress_panel
    row = _row_of(panel.table, "领导班子集中学习5天左右")
    assert panel.table.item(row, 1).text() == "已逾期"  # due 2014年3月31日, long past
    dialogs = []
    monkeypatch.setattr(MarkDoneDialog, "exec", lambda d: dialogs.append(d) or 0)
    panel.table.selectRow(row)
    qtbot.mouseClick(panel.done_button, Qt.MouseButton.LeftButton)
    (dialog,) = dialogs
    ticked = {dialog.visits.item(i).data(Qt.ItemDataRole.UserRole): dialog.visits.item(i).checkState()
              for i in range(dialog.visits.count())}
    assert ticked == {study.id: Qt.CheckState.Checked, other.id: Qt.CheckState.Unchecked}  # proposed from notes
    assert dialog.done_on.date().toString("yyyy-MM-dd") == "2014-03-20"
    # three days are not "about five": refused next to the amount, nothing written
    before = ChangeLog.select().count()
    dialog.amount.setValue(3)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.errors.labels["amount"].isHidden())
    assert "至少须达到 4" in dialog.errors.labels["amount"].text()
    assert ChangeLog.select().count() == before and not ActionProgress.select().exists()
    dialog.amount.setValue(5)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    record = ActionProgress.get()
    assert (record.status, record.done_on, record.amount) == ("done", "2014-03-20", 5)
    assert record.evidence == [{"kind": "visit", "id": study.id}]
    qtbot.waitUntil(lambda: panel.table.item(_row_of(panel.table, "领导班子集中学习5天左右"), 1).text() == "已完成")
    row = _row_of(panel.table, "领导班子集中学习5天左右")
    assert "2014年3月20日" in panel.table.item(row, 4).text()
    # withdrawn, it is owed again
    panel.table.selectRow(row)
    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.item(_row_of(panel.table, "领导班子集中学习5天左右"), 1).text() == "已逾期")


def test_not_applicable_is_offered_only_where_the_plan_allows_it(window, qtbot, county):
    unit, _study, _other = county
    town = units.create_unit("新港镇", "乡镇", parent=unit)
    page = window.show_page("units")
    page.refresh()
    page.select_unit(town.id)
    panel = page.progress_panel
    panel.table.selectRow(_row_of(panel.table, "至少上1次党课"))
    assert not panel.na_button.isEnabled()
    panel.table.selectRow(_row_of(panel.table, "软弱涣散基层党组织完成整顿"))
    assert panel.na_button.isEnabled()


def test_the_overview_lists_this_weeks_due_and_overdue_actions(window, qtbot, county, monkeypatch):
    from datetime import date

    unit, _study, _other = county
    monkeypatch.setattr("supervisor_app.clock.today", lambda: date(2014, 4, 14))
    page = window.show_page("overview")
    box = page.actions_box
    page.refresh()  # the page's first load (before "today" was set) may have come in already

    def rows():
        return {(box.table.item(r, 3).text(), box.table.item(r, 1).text()) for r in range(box.table.rowCount())}

    qtbot.waitUntil(lambda: any(state == "待完成" for _, state in rows()))
    rows = rows()
    assert ("领导班子集中学习5天左右", "已逾期") in rows
    assert ("征求意见“回头看”（重新发放征求意见表、开展补充谈话、召开党委（党组）会集体议）", "待完成") in rows
    assert not any(name == "召开专题民主生活会" for name, _ in rows)  # due in June
    box.table.cellDoubleClicked.emit(0, 0)
    assert window.pages["units"].selected_unit_id() == unit.id


def test_a_unit_below_the_survey_line_shows_its_extension(qtbot, isolated_data, monkeypatch):
    from supervisor_app import surveys

    path = speech_day.initialize(isolated_data, monkeypatch, "office")
    good, poor = units.create_unit("临江县", "县市区"), units.create_unit("青山县", "县市区")
    surveys.record_result(good, "survey-1", 100, 80, 18, 2)
    surveys.record_result(poor, "survey-1", 100, 40, 30, 30)
    win = MainWindow(path)
    qtbot.addWidget(win)
    win.show()
    page = win.show_page("units")
    page.select_unit(poor.id)
    text = page.progress_panel.standing.text()
    assert "满意率 70.0%" in text and "第 2/2 名" in text and "延长活动时间至 2014年11月29日" in text
    page.select_unit(good.id)
    assert "延长" not in page.progress_panel.standing.text()
    tasks.wait_for_all()


def test_the_progress_pdf_is_made_from_the_units_timeline(window, qtbot, county):
    """本单位活动进度… and 全部单位活动进度…: made off the GUI thread, then previewed."""
    from pypdf import PdfReader

    from supervisor_app.reports import fonts
    from ui.pdf_preview import PdfPreviewDialog

    unit, _study, _other = county
    units.create_unit("青山县", "县市区")
    fonts.configure(use_system=False)
    try:
        page = window.show_page("units")
        page.refresh()
        page.select_unit(unit.id)
        panel = page.progress_panel
        assert panel.print_unit_button.isEnabled()
        for button, wanted, unwanted in ((panel.print_unit_button, "临江县", "青山县"),
                                         (panel.print_all_button, "青山县", None)):
            before = len(panel.findChildren(PdfPreviewDialog))
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda before=before: len(panel.findChildren(PdfPreviewDialog)) > before, timeout=60_000)
            dialog = panel.findChildren(PdfPreviewDialog)[-1]
            qtbot.addWidget(dialog)
            text = "".join(p.extract_text() for p in PdfReader(dialog.path).pages).replace(" ", "").replace("\n", "")
            assert "活动进度" in text and wanted in text and "规定动作完成情况" in text
            assert unwanted is None or unwanted not in text
            dialog.close()
    finally:
        tasks.wait_for_all()
        fonts.configure(use_system=True)
