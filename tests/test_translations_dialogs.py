"""Every dialog the program has, opened under Qt's Chinese from an English system locale: no
button reads English (OK / Cancel / &Yes …). tests/test_ui_chinese.py checks Qt's own boxes;
this walks the program's dialogs, wizard, pages and progress dialog, and fails when a dialog
class is added to ui/ without a case here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QDialog, QInputDialog, QMessageBox, QWizard

import ui
from supervisor_app import campaigns, drafts, evaluations, findings, progress, reports, units, visits
from supervisor_app.sync.conflicts import ConflictVersion, ConflictView
from tests.test_ui_chinese import LATIN, chinese  # noqa: F401 - the fixture
from ui import main_window, tasks
from ui.backup_dialog import BackupDialog
from ui.editors.evaluation import AmendDialog, EvaluationEditor, FactDialog, NewEvaluationDialog, SignDialog
from ui.editors.rectification_dialog import RectificationDialog
from ui.editors.rectification_plan_dialog import RectificationPlanDialog
from ui.editors.special_tasks_dialog import SpecialTasksDialog
from ui.editors.unit_dialogs import LeaderDialog, TeamDialog, UnitDialog
from ui.editors.visit import VisitEditor
from ui.editors.visit.recovery import RecoveryDialog
from ui.main_window import MainWindow
from ui.members_panel import PassphraseDialog
from ui.pages.meetings import MeetingDialog
from ui.pages.progress import MarkDoneDialog, NotApplicableDialog
from ui.pages.sync import ResolveDialog
from ui.pdf_preview import PdfPreviewDialog
from ui.setup_dialog import SetupDialog


@pytest.fixture(autouse=True)
def no_font_preparation(monkeypatch):
    """Nothing is printed here: the worker is not kept busy cutting the report font."""
    monkeypatch.setattr(main_window, "_prepare_report_fonts", lambda: None)


@pytest.fixture
def window(chinese, qtbot, demo_data, monkeypatch):  # noqa: F811 - the fixture imported above
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = MainWindow(demo_data)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()


ACRONYMS = ("PDF", "Excel")  # a file format's or program's name, as Chinese programs write it (台账 PDF…, 导出 Excel)


def _english(texts) -> list[str]:
    """The texts holding a word of English (accelerators such as (&O) and PDF allowed)."""
    found = []
    for text in texts:
        plain = text.replace("&", "")
        for acronym in ACRONYMS:
            plain = plain.replace(acronym, "")
        if LATIN.search(plain):
            found.append(text)
    return found


def button_texts(widget) -> list[str]:
    """Every button's text in ``widget``, shown or not yet shown (a hidden 更正 button too)."""
    return [b.text() for b in widget.findChildren(QAbstractButton) if b.text()]


def _conflict() -> ConflictView:
    versions = [ConflictVersion("current", "本机版本", None, "2014-04-08T09:30:00+00:00", "update", {"notes": "甲"}),
                ConflictVersion("dev:3", "收到的版本", "dev", "2014-04-09T09:30:00+00:00", "update", {"notes": "乙"})]
    return ConflictView("c1", "visit", "督导记录", "v1", "临江县 2014年4月8日", "both_changed", "双方都修改了",
                        ["notes"], {"notes": "督导情况"}, versions, "open", "2014-04-09T10:00:00+00:00", None, None)


def _pdf(tmp: Path) -> Path:
    return reports.render("ledger", tmp / "ledger.pdf")


def dialogs(window, tmp: Path):
    """Each dialog class of the program, built as the window builds it, with demo records."""
    unit = units.list_units()[0]
    visit = visits.list_visits(limit=1)[0]
    finding = findings.ledger(open_only=False)[0].finding
    draft_record = next(r for r in evaluations.list_evaluations(None, None) if evaluations.status(r) == "draft")
    signed = next(r for r in evaluations.list_evaluations(None, None) if evaluations.status(r) != "draft")
    member = campaigns.current_member()
    yield UnitDialog, lambda: UnitDialog(window.pages["units"], unit)
    yield TeamDialog, lambda: TeamDialog(window.pages["units"], unit.id)
    yield LeaderDialog, lambda: LeaderDialog(window.pages["units"], unit.id)
    yield VisitEditor, lambda: window.pages["visits"].open_visit(visit.id)
    yield RectificationDialog, lambda: RectificationDialog(window, finding.id)
    yield EvaluationEditor, lambda: window.pages["evaluations"].open_evaluation(signed.id)
    yield NewEvaluationDialog, lambda: NewEvaluationDialog(window)
    yield FactDialog, lambda: FactDialog(window, draft_record)
    yield SignDialog, lambda: SignDialog(window.pages["evaluations"].open_evaluation(draft_record.id), draft_record)
    yield AmendDialog, lambda: AmendDialog(window.pages["evaluations"].open_evaluation(signed.id), signed)
    yield PassphraseDialog, lambda: PassphraseDialog(window, window.data_dir, member.id)
    yield BackupDialog, lambda: BackupDialog(window, window.data_dir)
    yield RecoveryDialog, lambda: RecoveryDialog(window, [drafts.Draft("k", "visit", "督导记录（新建）",
                                                                        "2014-04-08T09:30:00+00:00", {})])
    yield ResolveDialog, lambda: ResolveDialog(window, _conflict())
    yield PdfPreviewDialog, lambda: PdfPreviewDialog(window, _pdf(tmp), "问题整改台账")
    yield SetupDialog, lambda: SetupDialog(data_dir=window.data_dir)
    owed = progress.progress()
    marked = owed[0]
    excusable = next(s for s in owed if progress.current_plan().action(s.action_id).get("not_applicable_allowed"))
    yield MarkDoneDialog, lambda: MarkDoneDialog(window, marked.unit_id, marked.action_id)
    yield NotApplicableDialog, lambda: NotApplicableDialog(window, excusable.unit_id, excusable.action_id)
    top = next(u for u in units.list_units() if u.kind in ("县市区", "市直单位"))
    yield MeetingDialog, lambda: MeetingDialog(window.pages["units"], top.id)
    yield SpecialTasksDialog, lambda: SpecialTasksDialog(window.pages["rectification"], top.id)
    yield RectificationPlanDialog, lambda: RectificationPlanDialog(window.pages["rectification"], top.id)


def test_no_dialog_of_the_program_shows_an_english_button(window, qtbot):
    seen = set()
    english: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for cls, build in dialogs(window, Path(folder)):
            dialog = build()
            qtbot.addWidget(dialog)
            dialog.show()
            tasks.wait_for_all()
            texts = button_texts(dialog)
            if isinstance(dialog, QWizard):
                texts += [dialog.button(b).text() for b in (
                    QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                    QWizard.WizardButton.CommitButton, QWizard.WizardButton.FinishButton,
                    QWizard.WizardButton.CancelButton)]
            assert texts, cls.__name__
            if _english(texts):
                english[cls.__name__] = _english(texts)
            seen.add(cls)
            if isinstance(dialog, VisitEditor):
                dialog.dirty = False
            dialog.close()
    assert english == {}
    assert seen == program_dialog_classes()


def test_no_page_of_the_window_shows_an_english_button(window):
    english = {}
    for key in main_window.PAGE_KEYS:
        page = window.show_page(key)
        tasks.wait_for_all()
        texts = button_texts(page)
        if _english(texts):
            english[key] = _english(texts)
    assert english == {}
    assert _english(button_texts(window)) == []


def test_input_and_progress_dialogs_read_chinese(window, qtbot):
    """The program's QInputDialog (改名, 分配督导组) and its progress dialog (取消)."""
    box = QInputDialog(window)
    qtbot.addWidget(box)
    box.setComboBoxItems(["市委第一督导组"])
    box.show()
    assert button_texts(box) and _english(button_texts(box)) == []
    task = tasks.run_with_progress(window, "正在生成…", lambda progress, cancelled: None, lambda _r: None)
    from PySide6.QtWidgets import QProgressDialog

    progress = window.findChildren(QProgressDialog)
    assert progress and all(not _english(button_texts(p)) for p in progress)
    tasks.wait_for_all()
    assert task is not None


def program_dialog_classes() -> set[type]:
    """The concrete QDialog subclasses defined in ui/ (abstract bases: a name with a leading _)."""
    found = set()
    for info in pkgutil.walk_packages(ui.__path__, "ui."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, QDialog) and cls.__module__ == module.__name__ and not name.startswith("_"):
                found.add(cls)
    return found
