"""The 纪实评价 page driven as a user would: facts, ratings, near-copy warning, signing, amendment."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from supervisor_app import campaigns, evaluations, findings, signing, units, visits
from tests.qt_helpers import exec_filling, type_text
from ui import tasks
from ui.editors.evaluation_editor import AmendDialog, EvaluationEditor, NewEvaluationDialog, SignDialog
from ui.main_window import MainWindow

PASS = "leader passphrase"


@pytest.fixture
def setup(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
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


def test_evaluation_flow(setup, qtbot, monkeypatch):
    window, leader = setup
    page = window.show_page("evaluations")

    def fill_new(dialog):
        dialog.subject.setCurrentIndex(dialog.subject.findData(leader.id))
        dialog.start.setDate(dialog.start.date().fromString("2014-04-01", "yyyy-MM-dd"))
        dialog.end.setDate(dialog.end.date().fromString("2014-06-30", "yyyy-MM-dd"))

    exec_filling(monkeypatch, NewEvaluationDialog, fill_new)
    editor = page.new_evaluation()
    qtbot.addWidget(editor)
    assert isinstance(editor, EvaluationEditor)
    assert page.table.rowCount() == 1 and page.table.item(0, 5).text() == "草稿"

    assert editor.suggest() == 2  # the visit where he was present, the finding concerning him
    states = [editor.facts.item(r, 3).text() for r in range(editor.facts.rowCount())]
    assert states == ["待确认", "待确认"]
    assert "带头讲党课" in editor.facts.item(0, 1).text()
    editor.facts.selectRow(0)
    editor.set_state("accepted")
    editor.facts.selectRow(1)
    editor.set_state("rejected")
    assert [editor.facts.item(r, 3).text() for r in range(2)] == ["已采纳", "已舍弃"]

    for combo, comment in editor.rating_widgets.values():
        combo.setCurrentIndex(combo.findData("较好"))
        type_text(comment, "有纪实支撑")
    editor.overall.setCurrentIndex(editor.overall.findData("较好"))
    type_text(editor.narrative, "该同志带头讲党课，领学解读认真，示范作用较好。")
    assert editor.save()

    # a near copy of another record's narrative is flagged while typing
    other = units.create_leader("李明", "县长", leader.unit)
    copy = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=other)
    copy_editor = page.open_evaluation(copy.id)
    qtbot.addWidget(copy_editor)
    type_text(copy_editor.narrative, "该同志带头讲党课，领学解读认真，示范作用很好。")
    qtbot.waitUntil(lambda: copy_editor.similarity.isVisible(), timeout=3000)
    assert "王建国" in copy_editor.similarity.text()
    copy_editor.close()

    # a wrong passphrase is refused and nothing is signed
    def wrong(dialog):
        type_text(dialog.passphrase, "wrong")
        SignDialog.accept(dialog)
        assert "口令不正确" in dialog.errors.general.text()
        dialog.reject()

    monkeypatch.setattr(SignDialog, "exec", lambda d: (wrong(d), d.result())[1])
    assert not editor.sign()
    assert evaluations.status(evaluations.get_evaluation(editor.evaluation_id)) == "draft"

    exec_filling(monkeypatch, SignDialog, lambda d: type_text(d.passphrase, PASS))
    assert editor.sign()
    record = evaluations.get_evaluation(editor.evaluation_id)
    assert evaluations.status(record) == "signed"
    assert not editor.save_button.isEnabled() and editor.narrative.isReadOnly()
    assert editor.amend_button.isEnabled()

    def fill_amend(dialog):
        dialog.field.setCurrentIndex(dialog.field.findData("overall_rating"))
        dialog.value.setPlainText("好")
        type_text(dialog.reason, "复核联系点工作")
        type_text(dialog.passphrase, PASS)

    exec_filling(monkeypatch, AmendDialog, fill_amend)
    assert editor.amend()
    assert evaluations.status(evaluations.get_evaluation(record.id)) == "amended"
    assert any("更正" in editor.history.item(i).text() for i in range(editor.history.count()))
    assert evaluations.get_evaluation(record.id).overall_rating == "较好"  # the original stays


def test_non_leader_cannot_sign_from_the_window(setup, qtbot, monkeypatch):
    window, leader = setup
    record = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=leader)
    evaluations.add_fact(record, "2014-04-10", "带头讲党课")
    evaluations.update_evaluation(record, overall_rating="好")
    campaigns.set_current_member(campaigns.add_member(campaigns.current_group(), "李四"))
    editor = window.show_page("evaluations").open_evaluation(record.id)
    qtbot.addWidget(editor)
    dialog = SignDialog(editor, evaluations.get_evaluation(record.id))
    type_text(dialog.passphrase, PASS)
    dialog.accept()
    assert "组长" in dialog.errors.general.text()
    assert evaluations.status(evaluations.get_evaluation(record.id)) == "draft"
