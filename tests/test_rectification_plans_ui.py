"""A unit's 整改方案 in the window, as a user works it: from 问题整改, choose the unit, open 整改方案…,
make the plan, put a problem in it (refused once, the message next to the field), adopt and
publish it; the ledger then shows the problem under the plan."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from supervisor_app import findings
from supervisor_app.models import RectificationPlan
from tests import factories
from tests.qt_helpers import type_text
from ui import tasks
from ui.editors.rectification_plan_dialog import RectificationPlanDialog
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    win = MainWindow(data_dir)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()


def _settle(qtbot, condition) -> None:
    tasks.wait_for_all()
    qtbot.waitUntil(condition, timeout=10_000)


def test_a_user_makes_a_units_plan_from_the_ledger(qtbot, window, monkeypatch):
    county = factories.county()
    factories.leader(county, "王建国", "县委书记", is_top_leader=True)
    factories.leader(county, "李明", "县长")
    finding = findings.create_finding(county, "学习笔记照抄照搬", "有形式主义趋向", found_on="2014-04-08")
    findings.create_finding(county, "征求意见不聚焦四风", "征求意见不太理想", found_on="2014-04-09")
    opened = []
    monkeypatch.setattr(RectificationPlanDialog, "open", lambda self: (opened.append(self), self.show()))
    ledger = window.show_page("rectification")
    with qtbot.waitSignal(ledger.refreshed, timeout=10_000):
        ledger.unit.setCurrentIndex(ledger.unit.findData(county.id))
    qtbot.mouseClick(ledger.plan_button, Qt.MouseButton.LeftButton)
    (dialog,) = opened
    qtbot.addWidget(dialog)
    assert dialog.plan_combo.count() == 0 and dialog.save_button.text() == "建立方案"

    # the plan: adopted on 5月6日, not yet published
    dialog.title.clear()
    type_text(dialog.title, "临江县委常委班子整改方案")
    dialog.state.setCurrentIndex(dialog.state.findData("已通过"))
    dialog.adopted.setDate(QDate(2014, 5, 6))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, lambda: dialog.plan_combo.count() == 1)
    plan = RectificationPlan.get()
    assert (plan.title, plan.state, plan.adopted_on, plan.publicity) == ("临江县委常委班子整改方案", "已通过", "2014-05-06",
                                                                         "未公示")

    # a problem of the unit, a 个人 problem of 李明, with a deadline before it was found: refused
    dialog.finding.setCurrentIndex(dialog.finding.findData(finding.id))
    dialog.kind.setCurrentIndex(dialog.kind.findData("个人"))
    dialog.leader.setCurrentIndex(dialog.leader.findText("李明（县长）"))
    type_text(dialog.measure, "重新撰写学习笔记，支部讨论时交流")
    dialog.responsible_leader.setCurrentIndex(dialog.responsible_leader.findText("王建国（县委书记）"))
    type_text(dialog.responsible_unit, "县委办公室")
    dialog.deadline.setDate(QDate(2014, 4, 1))
    qtbot.mouseClick(dialog.item_button, Qt.MouseButton.LeftButton)
    label = dialog.item_errors.labels["deadline"]
    _settle(qtbot, lambda: label.isVisible())
    assert "整改时限不能早于问题发现日期" in label.text()
    assert RectificationPlan.get().items == []
    dialog.deadline.setDate(QDate(2014, 5, 30))
    qtbot.mouseClick(dialog.item_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, lambda: dialog.items.rowCount() == 1)
    assert not label.isVisible()
    assert [dialog.items.item(0, c).text() for c in range(dialog.items.columnCount())] == [
        "学习笔记照抄照搬", "个人（李明）", "重新撰写学习笔记，支部讨论时交流", "王建国", "县委办公室", "2014年5月30日"]
    # the problem now in the plan is no longer offered for a new item
    assert dialog.finding.findData(finding.id) == -1

    # published two days later
    dialog.publicity.setCurrentIndex(dialog.publicity.findData("已公示"))
    dialog.publicized.setDate(QDate(2014, 5, 8))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, lambda: RectificationPlan.get().publicity == "已公示")
    assert RectificationPlan.get().publicized_on == "2014-05-08"
    dialog.close()

    # the ledger: the problem under its plan first, the other one after, outside any plan
    with qtbot.waitSignal(ledger.refreshed, timeout=10_000):
        ledger.scope.setCurrentIndex(ledger.scope.findData("all"))
    column = ledger.model.PLAN_COLUMN
    rows = [(ledger.model.index(r, 3).data(), ledger.model.index(r, column).data(),
             ledger.model.index(r, column).data(Qt.ItemDataRole.ToolTipRole)) for r in range(ledger.model.rowCount())]
    assert rows == [("学习笔记照抄照搬", "个人问题（李明）", "临江县委常委班子整改方案\n个人问题（李明）"),
                    ("征求意见不聚焦四风", "未列入方案", "未列入整改方案的问题")]
    QApplication.processEvents()


def test_a_user_reports_progress_on_a_units_special_task(qtbot, window, monkeypatch):
    from supervisor_app import changelog
    from supervisor_app.models import SpecialTaskAssignment, SpecialTaskStatus
    from supervisor_app.special_tasks import current_list
    from ui.editors.special_tasks_dialog import SpecialTasksDialog

    county = factories.county()
    task_list = current_list()
    # as it arrives from the office: T03 and T07 assigned to 临江县
    changelog.create(SpecialTaskAssignment, unit=county.id, list_id=task_list.id, list_version=task_list.version,
                     task_ids=["T03", "T07"])
    opened = []
    monkeypatch.setattr(SpecialTasksDialog, "open", lambda self: (opened.append(self), self.show()))
    ledger = window.show_page("rectification")
    with qtbot.waitSignal(ledger.refreshed, timeout=10_000):
        ledger.unit.setCurrentIndex(ledger.unit.findData(county.id))
    qtbot.mouseClick(ledger.tasks_button, Qt.MouseButton.LeftButton)
    (dialog,) = opened
    qtbot.addWidget(dialog)
    assert [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())] == ["未启动", "未启动"]
    dialog.table.selectRow(1)
    dialog.status.setCurrentIndex(dialog.status.findData("推进中"))
    dialog.on_date.setDate(QDate(2099, 1, 1))  # a day not yet come: refused, nothing written
    type_text(dialog.note, "已制定子方案")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, lambda: dialog.errors.general.isVisible())
    assert "日期不能晚于今天" in dialog.errors.general.text() and SpecialTaskStatus.select().count() == 0
    dialog.on_date.setDate(QDate(2014, 5, 10))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, lambda: dialog.table.item(1, 2).text() == "推进中")
    assert [dialog.table.item(1, c).text() for c in (0, 2, 3, 4)] == ["T07", "推进中", "2014年5月10日", "已制定子方案"]
    status = SpecialTaskStatus.get()
    assert (status.task_id, status.status, status.on_date, status.note) == ("T07", "推进中", "2014-05-10", "已制定子方案")
