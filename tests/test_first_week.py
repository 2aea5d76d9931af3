"""A supervision group's whole first week, on a fresh data folder, through the window only:
clicks, keys and dialogs answered as a user answers them. Every step checks what the user sees.

At the end the office, which never made this group, takes it over from the group's card and
imports its week.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QDateTime, QPoint, Qt, QTime
from PySide6.QtGui import QColor, QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox, QPushButton, QWizard

from supervisor_app import (
    attachments,
    clock,
    evaluations,
    findings,
    members,
    signatures,
    signing,
    store,
    units,
    visits,
)
from supervisor_app.sync import service
from tests.qt_helpers import edit_findings_cell, exec_filling, type_text
from tests.test_translations_dialogs import _english
from tests.test_ui_attachment_links import _choose as choose_link
from tests.test_ui_chinese import chinese  # noqa: F401 - the fixture
from tests.test_ui_evaluations import answering, history, settle
from tests.test_ui_setup import STRONG, _next, _passphrase
from ui import app, setup_dialog, tasks
from ui.editors.evaluation import AmendDialog, EvaluationEditor, FactDialog, NewEvaluationDialog, SignDialog
from ui.editors.unit_dialogs import LeaderDialog, UnitDialog
from ui.editors.visit import VisitEditor
from ui.models.visit_findings import COLUMN_OF
from ui.models.visit_table import NOTES_COLUMN, SNIPPET_ROLE
from ui.pdf_preview import PdfPreviewDialog
from ui.setup_dialog import GROUP_PAGE, MEMBERS_PAGE, PASSPHRASE_PAGE, SetupDialog

FIRST_DAY = date.today() - timedelta(days=7)  # last week: every day of it is relative to the day the test runs


def set_today(monkeypatch, day: date) -> None:
    """Move the program's clock (supervisor_app.clock.today) to ``day``, also where a module
    bound ``today`` by name when it was imported."""
    real = clock.today
    fake = lambda: day  # noqa: E731
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, "today", None) is real:
            monkeypatch.setattr(module, "today", fake)
    monkeypatch.setattr(clock, "today", fake)


def _texts(widget) -> list[str]:
    return [b.text() for b in widget.findChildren(QPushButton)]


def _button(widget, text: str) -> QPushButton:
    (button,) = [b for b in widget.findChildren(QPushButton) if b.text() == text]
    return button


def _save_file_as(monkeypatch, path) -> None:
    """The next save-file dialog is answered with ``path``."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def _open_file(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def _close(window) -> None:
    window.close()
    tasks.wait_for_all()
    store.close()


def _office_first_start(qtbot, monkeypatch, folder, card_path):
    """The 活动办 installs the program: role 活动办, no group question, and writes its 设备卡."""

    def drive(wizard: SetupDialog) -> int:
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.role_page.office.setChecked(True)
        assert wizard.role_page.isFinalPage()  # the office is asked nothing more
        wizard.button(QWizard.WizardButton.CommitButton).click()
        qtbot.waitUntil(lambda: wizard.result() == QDialog.DialogCode.Accepted, timeout=10_000)
        return wizard.result()

    monkeypatch.setattr(setup_dialog.SetupDialog, "exec", drive)
    window = app.open_window(folder)
    qtbot.addWidget(window)
    window.show()
    assert "活动办" in window.windowTitle()
    page = window.show_page("sync")
    _save_file_as(monkeypatch, card_path)
    with qtbot.waitSignal(page.operation_finished, timeout=60_000):
        page.step_write.click()  # ① 写出本机设备卡…
    assert card_path.exists()
    assert str(card_path) in page.result.text()
    fingerprint = service.local_card().fingerprint
    assert fingerprint in page.result.text()  # the fingerprint to read out on the phone
    _close(window)
    return fingerprint


def _group_first_start(qtbot, monkeypatch) -> object:
    """Role 督导组; the group, 李明 (组长) with 王芳 and 赵强; the leader's passphrase."""

    def drive(wizard: SetupDialog) -> int:
        qtbot.addWidget(wizard)
        wizard.show()
        assert wizard.role_page.field.isChecked()
        _next(qtbot, wizard, GROUP_PAGE)
        type_text(wizard.group_page.group, "市委第一督导组")
        type_text(wizard.group_page.member, "李明")
        _next(qtbot, wizard, MEMBERS_PAGE)
        panel = wizard.members_page.panel
        for name in ("王芳", "赵强"):
            type_text(panel.new_name, name)
            panel.add_button.click()
            qtbot.waitUntil(lambda name=name: f"已添加成员{name}" in panel.message.text(), timeout=5_000)
        assert [(panel.model.data(panel.model.index(r, 0)), panel.model.data(panel.model.index(r, 1)))
                for r in range(3)] == [("李明", "组长"), ("王芳", "成员"), ("赵强", "成员")]
        _next(qtbot, wizard, PASSPHRASE_PAGE)
        assert "未设置" in wizard.passphrase_page.state.text()
        dialog = wizard.passphrase_page.set_passphrase()
        _passphrase(qtbot, dialog, STRONG)
        assert "强" in dialog.strength.text()
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        qtbot.waitUntil(lambda: "已设置" in wizard.passphrase_page.state.text(), timeout=5_000)
        shown = [wizard.button(b).text() for b in (QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton,
                                                     QWizard.WizardButton.CancelButton)]
        assert _english(shown) == [] and "取消" in shown[2]
        wizard.button(QWizard.WizardButton.FinishButton).click()
        return wizard.result()

    monkeypatch.setattr(setup_dialog.SetupDialog, "exec", drive)
    window = app.open_window()
    assert window is not None
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def week(chinese, monkeypatch):  # noqa: F811 - the fixture imported above
    """Qt's Chinese as the program installs it, on an English system; questions answered 是 (go
    ahead) unless a step says otherwise; the clock at the first day."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    set_today(monkeypatch, FIRST_DAY)


def test_a_groups_first_week(week, qtbot, monkeypatch, isolated_data, tmp_path):
    # --- day 0: the office installs the program and hands over its 设备卡 -------------------------
    office_folder = tmp_path / "office"
    office_card = tmp_path / "U盘" / "活动办.card"
    office_card.parent.mkdir()
    office_fingerprint = _office_first_start(qtbot, monkeypatch, office_folder, office_card)

    # --- day 1: the group's first start -------------------------------------------------------------
    window = _group_first_start(qtbot, monkeypatch)
    window.resize(1024, 700)  # a small laptop screen
    data_dir = window.data_dir
    assert "市委第一督导组" in window.windowTitle() and "李明" in window.windowTitle()
    switch = window.member_switch
    assert [switch.itemText(i) for i in range(switch.count())] == ["李明（组长）", "王芳", "赵强"]
    leader = members.group_leader(members.current_group())
    assert leader.name == "李明" and signing.has_key(data_dir, leader)
    tasks.wait_for_all(600_000)  # the report fonts the window prepares at start

    # a unit and its leaders, on 单位与干部
    units_page = window.show_page("units")

    def fill_unit(dialog):
        type_text(dialog.name, "临江县")
        dialog.kind.setCurrentIndex(dialog.kind.findData("县市区"))

    exec_filling(monkeypatch, UnitDialog, fill_unit)
    unit = units_page.new_unit()
    assert unit is not None and units_page.selected_unit_id() == unit.id
    for name, position, top in (("王建国", "县委书记", True), ("陈卫东", "县长", False)):
        def fill_leader(dialog, name=name, position=position, top=top):
            type_text(dialog.name, name)
            type_text(dialog.position, position)
            dialog.top.setChecked(top)

        exec_filling(monkeypatch, LeaderDialog, fill_leader)
        units_page.new_leader()
    qtbot.waitUntil(lambda: units_page.leaders.rowCount() == 2)
    shown = sorted(units_page.leaders.item(r, 0).text() for r in range(2))
    assert shown == ["王建国", "陈卫东"]

    # --- day 2: the first visit, with 王芳 present, a quiz and two findings with deadlines ----------
    day2 = FIRST_DAY + timedelta(days=1)
    set_today(monkeypatch, day2)
    window.new_visit_action.trigger()  # Ctrl+N
    editor = window.findChildren(VisitEditor)[-1]
    qtbot.addWidget(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    basic = editor.basic
    basic.unit.setCurrentIndex(basic.unit.findData(unit.id))
    basic.started_at.setDateTime(QDateTime(QDate(day2.year, day2.month, day2.day), QTime(9, 30)))
    for method in ("查阅资料", "提问答题"):
        box = basic.method_boxes[method]
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    present = {basic.members.item(i).text(): basic.members.item(i) for i in range(basic.members.count())}
    assert set(present) == {"李明（组长）", "王芳", "赵强"}
    assert present["李明（组长）"].checkState() == Qt.CheckState.Checked  # the one using the computer
    present["王芳"].setCheckState(Qt.CheckState.Checked)
    leaders = {basic.leaders.item(i).text(): basic.leaders.item(i) for i in range(basic.leaders.count())}
    next(item for text, item in leaders.items() if "王建国" in text).setCheckState(Qt.CheckState.Checked)
    type_text(basic.people_met, "县委办干部二人")
    type_text(basic.notes, "查阅中心组学习记录，书记带头讲党课；部分支部学习笔记照抄照搬，四风问题查摆不深。")

    quiz_tab = editor.quiz
    editor.tabs.setCurrentWidget(quiz_tab)
    qtbot.mouseClick(quiz_tab.quiz_enabled, Qt.MouseButton.LeftButton, pos=QPoint(8, quiz_tab.quiz_enabled.height() // 2))
    for spin, value in ((quiz_tab.quiz_people, "10"), (quiz_tab.quiz_correct, "240")):
        spin.setFocus()
        spin.selectAll()
        qtbot.keyClicks(spin, value)
    assert quiz_tab.quiz_accuracy.text() == "80.0%"  # 240 of 10 × 30, shown as typed

    editor.tabs.setCurrentWidget(editor.findings)
    wang = next(leader.id for leader in units.list_leaders(unit) if leader.name == "王建国")
    deadline_soon = day2 + timedelta(days=3)
    deadline_later = day2 + timedelta(days=30)
    for row, (category, description, measure, responsible, deadline) in enumerate((
        ("学习教育还不深不透", "部分支部学习笔记照抄照搬，\n学习讨论流于形式", "重新组织专题学习，逐人检查笔记",
         "王建国", deadline_soon),
        ("有形式主义趋向", "四风问题查摆不深，台账雷同", "重新查摆，一人一账", "陈卫东", deadline_later),
    )):
        qtbot.mouseClick(editor.findings.add_button, Qt.MouseButton.LeftButton)
        edit_findings_cell(qtbot, editor, row, "category", category)
        edit_findings_cell(qtbot, editor, row, "description", description)
        if row == 0:
            edit_findings_cell(qtbot, editor, row, "leader_id", wang)
        edit_findings_cell(qtbot, editor, row, "measure", measure)
        edit_findings_cell(qtbot, editor, row, "responsible", responsible)
        edit_findings_cell(qtbot, editor, row, "deadline", deadline.isoformat())
    model = editor.findings.model
    assert model.data(model.index(0, COLUMN_OF["description"])) == "部分支部学习笔记照抄照搬，\n学习讨论流于形式"
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.errors.general.isHidden(), editor.errors.general.text()
    (visit,) = visits.list_visits()
    assert [members.get_member(m).name for m in visit.members_present] == ["李明", "王芳"]
    found = findings.list_findings(visit=visit)
    assert len(found) == 2
    editor.close()

    # the photo of the copied notes, taken on the spot, attached to the first finding
    photo = tmp_path / "相机" / "学习笔记.png"
    photo.parent.mkdir()
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 190, 150))
    image.save(str(photo))
    copied = next(f for f in found if f.description.startswith("部分支部学习笔记"))
    editor = window.pages["visits"].open_visit(visit.id)
    qtbot.addWidget(editor)
    editor.tabs.setCurrentWidget(editor.attachments)
    tab = editor.attachments
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(photo)], ""))
    tab.choose_files()  # 添加…
    tasks.wait_for_all()
    item = tab.list.item(0)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton, pos=tab.list.visualItemRect(item).center())
    choose_link(qtbot, tab.link, f"finding:{copied.id}")
    cell = editor.findings.model.index(0, COLUMN_OF["description"])
    qtbot.waitUntil(lambda: editor.findings.model.data(cell, Qt.ItemDataRole.DecorationRole) is not None)
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    (stored_photo,) = attachments.list_attachments(visit)
    assert stored_photo.finding_id == copied.id and stored_photo.filename == "学习笔记.png"
    editor.close()

    # --- day 3: found again by a two-character word, the passage shown around it --------------------
    visits_page = window.show_page("visits")
    window.find_action.trigger()  # Ctrl+F
    assert window.focusWidget() is visits_page.search
    type_text(visits_page.search, "不存在的词")
    qtbot.waitUntil(lambda: visits_page.model.total == 0, timeout=10_000)
    visits_page.search.clear()
    type_text(visits_page.search, "四风")
    qtbot.waitUntil(lambda: visits_page.model.filter.search == "四风", timeout=10_000)
    assert visits_page.model.total == 1 and visits_page.model.row(0).id == visit.id
    hit = visits_page.model.index(0, NOTES_COLUMN)
    before, word, after = hit.data(SNIPPET_ROLE)  # drawn with the word in bold on a tint
    assert word == "四风" and "照抄照搬" in before and after.startswith("问题查摆不深")
    assert hit.data() == before + word + after
    assert visits_page.model.index(0, 3).data() == "李明、王芳"
    assert visits_page.count_label.text() == "共 1 条"
    visits_page.search.clear()
    type_text(visits_page.search, "雷同")  # a word only its findings hold
    qtbot.waitUntil(lambda: visits_page.model.filter.search == "雷同", timeout=10_000)
    assert visits_page.model.total == 1
    assert visits_page.model.index(0, NOTES_COLUMN).data(SNIPPET_ROLE)[1] == "雷同"
    visits_page.search.clear()
    overview = window.pages["overview"]
    with qtbot.waitSignal(overview.refreshed, timeout=10_000):
        window.show_page("overview")
    due = [[overview.due_table.item(r, c).text() for c in (1, 2)] for r in range(overview.due_table.rowCount())]
    assert due == [["即将到期", "临江县"]]  # the first deadline in 7 days; nothing overdue yet
    assert ">0</div><div>逾期整改" in overview.count_labels["逾期整改"].text()
    assert overview.never_kind.currentText() == "全部（0）"  # every unit visited: said, not an empty choice
    assert overview.never_table.rowCount() == 0

    # --- day 6: a follow-up, and the first deadline passes ------------------------------------------
    day6 = FIRST_DAY + timedelta(days=5)
    set_today(monkeypatch, day6)
    ledger = window.show_page("rectification")
    first = next(f for f in found if f.category == "学习教育还不深不透")
    dialog = ledger.open_finding(first.id)
    qtbot.addWidget(dialog)
    assert dialog.measure.toPlainText() == "重新组织专题学习，逐人检查笔记"
    assert dialog.deadline.date() == QDate(deadline_soon.year, deadline_soon.month, deadline_soon.day)
    dialog.follow_date.setDate(QDate(day6.year, day6.month, day6.day))
    type_text(dialog.follow_note, "电话了解：专题学习尚未组织")
    assert dialog.add_follow_up()
    assert dialog.follow_list.count() == 1 and "尚未组织" in dialog.follow_list.item(0).text()
    dialog.close()
    with qtbot.waitSignal(ledger.refreshed, timeout=10_000):
        ledger.scope.setCurrentIndex(ledger.scope.findData("overdue"))
    assert ledger.model.rowCount() == 1 and "逾期" in ledger.model.index(0, 7).data()
    assert ledger.model.index(0, 7).data(Qt.ItemDataRole.BackgroundRole) is not None  # the row is tinted
    with qtbot.waitSignal(overview.refreshed, timeout=10_000):
        window.show_page("overview")
    due = [[overview.due_table.item(r, c).text() for c in (1, 2, 3)] for r in range(overview.due_table.rowCount())]
    assert len(due) == 1 and due[0][:2] == ["逾期", "临江县"] and "照抄照搬" in due[0][2]
    assert ">1</div><div>逾期整改" in overview.count_labels["逾期整改"].text()
    table = overview.due_table  # on a small screen the deadline is still read whole; the long texts give way
    deadline_cell = table.item(0, 0).text()
    assert deadline_cell == clock.chinese_date(deadline_soon)
    assert table.columnWidth(0) >= table.sizeHintForColumn(0)  # as wide as Qt needs to draw it uncut
    assert table.horizontalHeader().length() <= table.viewport().width()  # no column pushed out of view

    # --- day 7: the 纪实评价 of 王建国, written, signed, amended and printed ------------------------
    evaluations_page = window.show_page("evaluations")

    def fill_new(dialog):
        dialog.subject.setCurrentIndex(dialog.subject.findData(wang))

    answering(monkeypatch, qtbot, NewEvaluationDialog, fill_new)
    evaluation_editor = evaluations_page.new_evaluation()
    qtbot.addWidget(evaluation_editor)
    assert isinstance(evaluation_editor, EvaluationEditor)
    record_id = evaluation_editor.evaluation_id
    settle(qtbot, lambda: evaluations_page.model.rowCount() == 1)
    assert evaluations_page.model.index(0, 5).data() == "草稿"
    qtbot.mouseClick(evaluation_editor.fact_buttons[0], Qt.MouseButton.LeftButton)  # 建议纪实
    facts = evaluation_editor.fact_model
    settle(qtbot, lambda: facts.rowCount() >= 1)
    assert all(facts.index(r, 3).data() == "待确认" for r in range(facts.rowCount()))
    for r in range(facts.rowCount()):
        evaluation_editor.facts.selectRow(r)
        qtbot.mouseClick(evaluation_editor.fact_buttons[1], Qt.MouseButton.LeftButton)  # 采纳
        settle(qtbot, lambda r=r: facts.index(r, 3).data() == "已采纳")

    def fill_fact(dialog):
        dialog.on_date.setDate(QDate(day2.year, day2.month, day2.day))
        type_text(dialog.text, "现场督导时带头讲党课")

    answering(monkeypatch, qtbot, FactDialog, fill_fact)
    assert evaluation_editor.add_fact()
    for combo, comment in evaluation_editor.rating_widgets.values():
        combo.setCurrentIndex(combo.findData("较好"))
        type_text(comment, "有纪实支撑")
    evaluation_editor.overall.setCurrentIndex(evaluation_editor.overall.findData("较好"))
    type_text(evaluation_editor.narrative, "该同志带头讲党课，但对支部学习督促不够。")
    answering(monkeypatch, qtbot, SignDialog, lambda d: type_text(d.passphrase, STRONG))
    qtbot.mouseClick(evaluation_editor.sign_button, Qt.MouseButton.LeftButton)
    settle(qtbot, lambda: evaluations.status(evaluations.get_evaluation(record_id)) == "signed")
    settle(qtbot, lambda: evaluation_editor.amend_button.isVisible())
    assert not evaluation_editor.sign_button.isVisible() and evaluation_editor.overall_value.text() == "较好"
    fingerprint = signatures.fingerprint_text(evaluations.get_evaluation(record_id).signature)
    assert "组长李明" in evaluation_editor.banner.text() and fingerprint in evaluation_editor.banner.text()

    def fill_amend(dialog):
        dialog.field.setCurrentIndex(dialog.field.findData("overall_rating"))
        assert dialog.current.text() == "较好"
        dialog.rating.setCurrentIndex(dialog.rating.findData("一般"))
        type_text(dialog.reason, "支部学习问题逾期未改")
        type_text(dialog.passphrase, STRONG)

    answering(monkeypatch, qtbot, AmendDialog, fill_amend)
    assert evaluation_editor.amend()
    assert evaluation_editor.overall_value.text() == "一般"
    assert evaluation_editor.overall_mark.text() == "已更正（原为较好）"
    assert any("更正总体评价：较好 → 一般。原因：支部学习问题逾期未改" in line for line in history(evaluation_editor))
    settle(qtbot, lambda: evaluations_page.model.index(0, 5).data() == "已更正")

    # print it: the document shows the amended value; the print dialog answered with a PDF printer
    evaluation_editor.make_pdf()
    qtbot.waitUntil(lambda: bool(evaluation_editor.findChildren(PdfPreviewDialog)), timeout=120_000)
    preview = evaluation_editor.findChildren(PdfPreviewDialog)[-1]
    qtbot.addWidget(preview)
    text = "".join(page.extract_text() for page in PdfReader(preview.path).pages).replace(" ", "")
    assert "王建国" in text and "一般（已更正，原为较好）" in text
    assert fingerprint.replace(" ", "") in text  # the fingerprint on paper is the one on screen
    printed = tmp_path / "printed.pdf"

    def print_to_pdf(dialog):
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        printer.setResolution(100)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", print_to_pdf)
    _button(preview, "打印…").click()
    assert preview.info.text() == f"已发送 {preview.count} 页到打印机"
    assert len(PdfReader(printed).pages) == preview.count
    preview.close()
    evaluation_editor.close()

    # --- the card exchange with the office, then a bundle on the stick ------------------------------
    sync_page = window.show_page("sync")
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: told.append(text))
    stick = office_card.parent
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(stick))
    sync_page.export()  # before the exchange: told what to click, nothing written
    assert told and "② 登记对方的设备卡" in told[0] and "main.py" not in told[0]
    assert list(stick.glob("*.sgb")) == []
    group_card = stick / "第一督导组.card"
    _save_file_as(monkeypatch, group_card)
    with qtbot.waitSignal(sync_page.operation_finished, timeout=60_000):
        sync_page.step_write.click()  # ① 写出本机设备卡…
    assert group_card.exists() and str(group_card) in sync_page.step_write_state.text()
    assert service.local_card().fingerprint in sync_page.step_read.text()
    seen: list[str] = []

    def same_fingerprint(box) -> int:  # the office read out the same fingerprint: 一致，登记
        seen.append(box.text())
        assert _english([b.text() for b in box.buttons()]) == []
        box.defaultButton().click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", same_fingerprint)
    _open_file(monkeypatch, office_card)
    with qtbot.waitSignal(sync_page.operation_finished, timeout=60_000):
        sync_page.step_enroll.click()  # ② 登记对方的设备卡…
    assert office_fingerprint in seen[0]  # read out on the phone: the same
    assert office_fingerprint in sync_page.step_enroll_state.text()
    with qtbot.waitSignal(sync_page.operation_finished, timeout=60_000) as blocker:
        sync_page.export()
    (bundle,) = stick.glob("*.sgb")
    assert blocker.args[0][0].path == bundle
    assert f"已生成同步包 {bundle.name}" in sync_page.result.text() and "发往活动办" in sync_page.result.text()
    assert service.sync_marks([visit.id]) == {visit.id: "sent"}
    sync_page.tabs.setCurrentIndex(1)  # 发送情况: the visit is marked sent
    marks = {sync_page.marks.item(r, 0).text(): [sync_page.marks.item(r, c).text() for c in (1, 2, 3)]
             for r in range(sync_page.marks.rowCount())}
    assert marks["督导记录"] == ["0", "1", "0"]  # none unsent, one sent, none confirmed yet

    # what the office will enrol: the group's card, with the fingerprint read out on the phone
    card = service.read_card(group_card)
    assert card.role == "field" and card.group_name == "市委第一督导组"
    assert card.fingerprint in sync_page.step_read.text()
    # the leader's public key card for the office, from 设置 (the passphrase proves it is his key)
    panel = window.show_page("settings").members
    qtbot.waitUntil(lambda: panel.select("李明") and panel.key_card_button.isEnabled(), timeout=30_000)
    key_card = stick / "李明.keycard"
    panel.write_key_card(str(key_card), STRONG)
    qtbot.waitUntil(lambda: "已写出组长公钥卡" in panel.message.text(), timeout=30_000)
    key_fingerprint = panel.message.text().rsplit("：", 1)[1]
    _close(window)

    # --- at the office: the group's own group taken over from its card, then its bundle ----------
    office = app.open_window(office_folder)
    qtbot.addWidget(office)
    office.show()
    office_page = office.show_page("sync")
    offered: list[str] = []

    def take_the_cards_group(_parent, _title, _label, items, current, _editable):
        offered.extend(items)
        return items[current], True

    monkeypatch.setattr(QInputDialog, "getItem", take_the_cards_group)
    seen.clear()
    _open_file(monkeypatch, group_card)
    with qtbot.waitSignal(office_page.operation_finished, timeout=60_000):
        office_page.step_enroll.click()  # ② 登记对方的设备卡…
    assert card.fingerprint in seen[0]  # the group read it out: the same
    assert offered[0].startswith("按设备卡建立：市委第一督导组（成员 3 名")  # the office has no group: offered first
    assert [m.name for m in members.list_members(card.group_id)] == ["李明", "王芳", "赵强"]
    with qtbot.waitSignal(office_page.operation_finished, timeout=60_000):
        office_page.import_files([str(bundle)])
    # the signed 纪实评价 counts only once the office has bound the leader's key: told, nothing written
    assert "组长的签名公钥尚未由活动办登记" in office_page.result.text(), office_page.result.text()
    assert visits.list_visits() == []
    with qtbot.waitSignal(office_page.operation_finished, timeout=60_000):
        office_page.bind_leader_key(str(key_card), key_fingerprint)  # as 李明 reads it out on the phone
    assert "已登记组长李明的签名公钥" in office_page.result.text(), office_page.result.text()
    with qtbot.waitSignal(office_page.operation_finished, timeout=60_000):
        office_page.import_files([str(bundle)])
    assert "已导入" in office_page.result.text(), office_page.result.text()
    assert [v.id for v in visits.list_visits()] == [visit.id]  # the week's visit, at the office
    (arrived,) = attachments.list_attachments(visit)  # the photo too, still of its finding
    assert arrived.finding_id == copied.id and attachments.blob_path(arrived.sha256).exists()
    _close(office)


@pytest.mark.parametrize("scene", ["setup-group", "setup-members", "setup-passphrase", "passphrase"])
def test_the_guides_scenes_show_the_group_and_write_nothing(data_dir, tmp_path, qapp, scene):
    """docs/guide.md's pictures of the first start are made by `screenshot --scene`: over an
    installed group they show its members and leave the data as it was."""
    from PySide6.QtGui import QImage

    from supervisor_app import cli
    from supervisor_app.models import ChangeLog
    from ui import commands

    before = ChangeLog.select().count()
    out = tmp_path / f"{scene}.png"
    assert cli.main(["--data-dir", str(data_dir), "screenshot", "--scene", scene, "--out", str(out)],
                    extra=[commands.register]) == 0
    image = QImage(str(out))
    assert image.width() > 300 and image.height() > 150
    store.open_data_dir(data_dir)
    assert ChangeLog.select().count() == before
    assert not signing.has_key(data_dir, members.current_member())  # the sample passphrase was never set


def test_the_first_screen_scene_needs_a_new_folder(data_dir, tmp_path, qapp, capsys):
    from supervisor_app import cli
    from ui import commands

    fresh = tmp_path / "fresh"
    assert cli.main(["--data-dir", str(fresh), "screenshot", "--scene", "setup-role", "--out",
                     str(tmp_path / "role.png")], extra=[commands.register]) == 0
    assert (tmp_path / "role.png").exists()
    code = cli.main(["--data-dir", str(data_dir), "screenshot", "--scene", "setup-role", "--out",
                     str(tmp_path / "again.png")], extra=[commands.register])
    assert code == 2 and "新的空数据文件夹" in capsys.readouterr().err
    assert not (tmp_path / "again.png").exists()
