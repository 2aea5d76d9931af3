"""The 纪实评价 page driven as a user would: a new record over the campaign's current stage,
facts with a date from the calendar, ratings, the near-copy warning, signing with the
passphrase, an amendment with a rating from the scale — and the amended value marked 已更正
in the editor and the list, with its history in Chinese."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFrame, QMessageBox

from supervisor_app import (
    campaigns,
    changelog,
    display,
    evaluations,
    findings,
    signatures,
    signing,
    units,
    visits,
)
from supervisor_app.models import Amendment, ChangeLog
from tests.qt_helpers import type_text
from ui import main_window, tasks
from ui.editors.evaluation import AmendDialog, EvaluationEditor, FactDialog, NewEvaluationDialog, SignDialog
from ui.main_window import MainWindow
from ui.pages.evaluations import EvaluationTableModel, load_rows

PASS = "leader passphrase"
OK = QDialogButtonBox.StandardButton.Ok


@pytest.fixture(autouse=True)
def no_font_preparation(monkeypatch):
    """These tests print nothing: the window's one worker is not kept busy for minutes cutting
    the report font (tests/test_ui_reports.py covers it)."""
    monkeypatch.setattr(main_window, "_prepare_report_fonts", lambda: None)


@pytest.fixture
def setup(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    changelog.update(campaigns.current_campaign(), start_date="2014-04-01")  # the campaign began in April 2014
    unit = units.create_unit("临江县", "县市区")
    leader = units.create_leader("王建国", "县委书记", unit, is_top_leader=True)
    visits.create_visit(unit, "2014-04-10T09:00", ["列席会议"], notes="书记讲专题党课，开展一把手领学解读。",
                        leaders_present=[leader.id])
    findings.create_finding(unit, "征求意见范围偏窄", "征求意见不太理想", leader=leader, found_on="2014-04-12")
    signing.create_leader_key(data_dir, campaigns.current_member(), PASS)
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    yield window, leader
    tasks.wait_for_all()


def settle(qtbot, condition, timeout=10_000):
    """Let the worker finish the write and Qt deliver its result, then check ``condition``."""
    tasks.wait_for_all()
    qtbot.waitUntil(condition, timeout=timeout)


def click_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(OK), Qt.MouseButton.LeftButton)


def answering(monkeypatch, qtbot, dialog_class, fill):
    """``dialog_class.exec()`` fills the form as a user would (``fill(dialog)``), clicks OK and
    waits for the write; ``fill`` may return False to cancel instead."""

    def fake_exec(dialog):
        if fill(dialog) is False:
            dialog.reject()
            return dialog.result()
        click_ok(qtbot, dialog)
        settle(qtbot, lambda: not dialog.busy)
        return dialog.result()

    monkeypatch.setattr(dialog_class, "exec", fake_exec)


def history(editor) -> list[str]:
    return [editor.history.item(i).text() for i in range(editor.history.count())]


def test_write_sign_amend_and_see_the_amended_value(setup, qtbot, monkeypatch, qtmodeltester):
    window, leader = setup
    page = window.show_page("evaluations")
    stage = campaigns.current_stage()
    assert stage.start == "2014-04-01"

    def fill_new(dialog):
        # the period defaults to the campaign's current stage
        assert (dialog.start.date().toString("yyyy-MM-dd"), dialog.end.date().toString("yyyy-MM-dd")) == \
            (stage.start, stage.end)
        dialog.subject.setCurrentIndex(dialog.subject.findData(leader.id))

    answering(monkeypatch, qtbot, NewEvaluationDialog, fill_new)
    editor = page.new_evaluation()
    qtbot.addWidget(editor)
    assert isinstance(editor, EvaluationEditor)
    record = evaluations.get_evaluation(editor.evaluation_id)
    assert (record.period_start, record.period_end) == (stage.start, stage.end)
    settle(qtbot, lambda: page.model.rowCount() == 1)
    assert page.model.index(0, 5).data() == "草稿"

    # facts proposed from the records, then accepted or rejected one by one
    qtbot.mouseClick(editor.fact_buttons[0], Qt.MouseButton.LeftButton)
    facts = editor.fact_model
    settle(qtbot, lambda: facts.rowCount() == 2)
    assert [facts.index(r, 3).data() for r in range(2)] == ["待确认", "待确认"]
    assert "带头讲党课" in facts.index(0, 1).data()
    editor.facts.selectRow(0)
    qtbot.mouseClick(editor.fact_buttons[1], Qt.MouseButton.LeftButton)
    settle(qtbot, lambda: facts.index(0, 3).data() == "已采纳")
    editor.facts.selectRow(1)
    qtbot.mouseClick(editor.fact_buttons[2], Qt.MouseButton.LeftButton)
    settle(qtbot, lambda: facts.index(1, 3).data() == "已舍弃")
    qtmodeltester.check(facts)

    # a dated fact: the day from the calendar (limited to the period), the text on its own
    def empty_fact(dialog):
        assert dialog.on_date.minimumDate() == QDate(2014, 4, 1)
        click_ok(qtbot, dialog)
        assert not dialog.errors.labels["text"].isHidden() and "纪实内容" in dialog.errors.labels["text"].text()
        return False

    before = ChangeLog.select().count()
    monkeypatch.setattr(FactDialog, "exec", lambda d: (empty_fact(d), d.result())[1])
    assert not editor.add_fact()
    assert ChangeLog.select().count() == before

    def fill_fact(dialog):
        dialog.on_date.setDate(QDate(2014, 4, 15))
        type_text(dialog.text, "到联系点社区报到，听取群众意见")

    answering(monkeypatch, qtbot, FactDialog, fill_fact)
    assert editor.add_fact()
    added = [f for f in evaluations.facts(record) if f.source_kind == "manual"]
    assert [(f.on_date, f.text, f.state) for f in added] == [("2014-04-15", "到联系点社区报到，听取群众意见", "accepted")]

    for combo, comment in editor.rating_widgets.values():
        combo.setCurrentIndex(combo.findData("较好"))
        type_text(comment, "有纪实支撑")
    editor.overall.setCurrentIndex(editor.overall.findData("较好"))
    type_text(editor.narrative, "该同志带头讲党课，领学解读认真，示范作用较好。")

    # a wrong passphrase is refused in the dialog and nothing is signed
    def wrong(dialog):
        type_text(dialog.passphrase, "wrong passphrase")
        click_ok(qtbot, dialog)
        settle(qtbot, lambda: not dialog.busy)
        assert "口令不正确" in dialog.errors.general.text()
        return False

    answering(monkeypatch, qtbot, SignDialog, wrong)
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    settle(qtbot, lambda: evaluations.get_evaluation(record.id).overall_rating == "较好")  # the draft was saved
    assert evaluations.status(evaluations.get_evaluation(record.id)) == "draft"

    answering(monkeypatch, qtbot, SignDialog, lambda d: type_text(d.passphrase, PASS))
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    settle(qtbot, lambda: evaluations.status(evaluations.get_evaluation(record.id)) == "signed")
    settle(qtbot, lambda: editor.amend_button.isVisible())
    record = evaluations.get_evaluation(record.id)

    # signed: the fields read as text, not as inputs; the fingerprint as on paper
    assert not editor.save_button.isVisible() and not editor.sign_button.isVisible()
    assert not editor.overall.isVisible() and editor.overall_value.text() == "较好"
    assert editor.narrative.isReadOnly() and editor.narrative.frameShape() == QFrame.Shape.NoFrame
    assert editor.rating_widgets == {} and editor.rating_labels
    fingerprint = signatures.fingerprint_text(record.signature)
    # (the PDF prints signatures.fingerprint_text too: tests/test_reports.py)
    assert fingerprint in editor.banner.text()
    assert any(f"签名指纹 {fingerprint}" in line for line in history(editor))

    # an amendment: the rating chosen from the template's scale
    scale = display.template_of(record).scale("evaluation")
    item_id = next(iter(editor.rating_labels))

    def no_reason(dialog):
        assert dialog.rating.isVisibleTo(dialog) and not dialog.text.isVisibleTo(dialog)
        assert [dialog.rating.itemData(i) for i in range(dialog.rating.count())] == scale
        dialog.rating.setCurrentIndex(dialog.rating.findData("一般"))
        type_text(dialog.passphrase, PASS)
        click_ok(qtbot, dialog)
        assert "更正原因" in dialog.errors.labels["reason"].text()
        return False

    answering(monkeypatch, qtbot, AmendDialog, no_reason)
    assert not editor.amend()
    assert Amendment.select().count() == 0

    def fill_amend(dialog):
        dialog.field.setCurrentIndex(dialog.field.findData("overall_rating"))
        assert dialog.current.text() == "较好"
        dialog.rating.setCurrentIndex(dialog.rating.findData("一般"))
        type_text(dialog.reason, "复核联系点工作")
        type_text(dialog.passphrase, PASS)

    answering(monkeypatch, qtbot, AmendDialog, fill_amend)
    assert editor.amend()

    def fill_item(dialog):
        dialog.field.setCurrentIndex(dialog.field.findData(item_id))
        dialog.rating.setCurrentIndex(dialog.rating.findData("好"))
        type_text(dialog.reason, "补充核实学习笔记")
        type_text(dialog.passphrase, PASS)

    answering(monkeypatch, qtbot, AmendDialog, fill_item)
    assert editor.amend()

    # the editor shows the amended values, marked, with reason and history
    assert evaluations.status(evaluations.get_evaluation(record.id)) == "amended"
    assert editor.overall_value.text() == "一般"
    assert editor.overall_mark.isVisible() and editor.overall_mark.text() == "已更正（原为较好）"
    assert "原为较好" in editor.overall_mark.toolTip() and "复核联系点工作" in editor.overall_mark.toolTip()
    value, mark = editor.rating_labels[item_id]
    assert value.text() == "好" and not mark.isHidden() and "补充核实学习笔记" in mark.toolTip()
    lines = history(editor)
    assert any("更正总体评价：较好 → 一般。原因：复核联系点工作" in line for line in lines)
    assert not any(word in "\n".join(lines) for word in ("content_hash", "item_ratings", "overall_rating", "group"))
    assert all(not line.endswith("…") for line in lines)
    assert evaluations.get_evaluation(record.id).overall_rating == "较好"  # the signed original stays

    # … and so does the list
    settle(qtbot, lambda: page.model.rowCount() == 1 and page.model.index(0, 5).data() == "已更正")
    qtmodeltester.check(page.model)
    assert page.model.index(0, EvaluationTableModel.OVERALL).data() == "一般（已更正）"
    assert "原为较好" in page.model.index(0, EvaluationTableModel.OVERALL).data(Qt.ItemDataRole.ToolTipRole)


def test_non_leader_is_told_whom_to_switch_to(setup, qtbot):
    window, leader = setup
    record = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=leader)
    evaluations.add_fact(record, "2014-04-10", "带头讲党课")
    evaluations.update_evaluation(record, overall_rating="好")
    campaigns.set_current_member(campaigns.add_member(campaigns.current_group(), "李四"))
    editor = window.show_page("evaluations").open_evaluation(record.id)
    qtbot.addWidget(editor)
    dialog = SignDialog(editor, evaluations.get_evaluation(record.id))
    assert not dialog.buttons.button(OK).isEnabled() and not dialog.passphrase.isEnabled()
    assert "当前成员是李四" in dialog.errors.general.text() and "切换为张三" in dialog.errors.general.text()
    assert evaluations.status(evaluations.get_evaluation(record.id)) == "draft"


def test_leader_without_a_key_is_told_to_set_the_passphrase(qtbot, data_dir):
    unit = units.create_unit("临江县", "县市区")
    leader = units.create_leader("王建国", "县委书记", unit, is_top_leader=True)
    record = evaluations.create_evaluation("leader", campaigns.current_stage().start, campaigns.current_stage().end,
                                           leader=leader)
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    editor = window.show_page("evaluations").open_evaluation(record.id)
    qtbot.addWidget(editor)
    dialog = SignDialog(editor, record)
    text = dialog.errors.general.text()
    assert "还没有在本机设置签名口令" in text and "evaluation key" not in text
    assert not dialog.buttons.button(OK).isEnabled()
    tasks.wait_for_all()


def test_evaluation_table_model_passes_the_model_tester(qtmodeltester, demo_data):
    model = EvaluationTableModel()
    rows = load_rows(None, None)
    assert {row.status for row in rows} == {"draft", "signed", "amended"}
    model.set_rows(rows)
    qtmodeltester.check(model)
    amended = [r for r, row in enumerate(rows) if row.status == "amended"]
    assert amended and all(model.index(r, EvaluationTableModel.STATUS).data(Qt.ItemDataRole.ToolTipRole)
                           == "已更正：评价意见" for r in amended)  # the demo corrects narratives
