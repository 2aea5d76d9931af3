"""An editor's draft survives a kill of the program and is offered back at the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from supervisor_app import units, visits
from ui import tasks
from ui.editors.visit_editor import VisitEditor
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QTimer
from supervisor_app import store
from ui.app import make_app
from ui.main_window import MainWindow
from tests.qt_helpers import type_text

app = make_app()
path = store.open_data_dir(sys.argv[1])
window = MainWindow(path)
window.show()
editor = window.pages["visits"].new_visit(sys.argv[2])
type_text(editor.notes, "断电前写下的督导情况：四风问题突出")
editor.method_boxes["暗访督查"].setChecked(True)

def report():
    if window.drafts.pending():
        print("DRAFT-SAVED", flush=True)

timer = QTimer()
timer.timeout.connect(report)
timer.start(100)
app.exec()
"""


def test_draft_survives_a_kill(qtbot, data_dir, monkeypatch):
    unit = units.create_unit("临江县", "县市区")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), unit.id], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "DRAFT-SAVED"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    from ui.editors.visit.recovery import RecoveryDialog

    def restore(dialog):  # the user clicks 恢复所选 with the draft ticked
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(RecoveryDialog, "exec", restore)
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    tasks.wait_for_all(600_000)
    window.offer_drafts()
    editors = window.findChildren(VisitEditor)
    assert len(editors) == 1
    editor = editors[0]
    qtbot.addWidget(editor)
    assert editor.notes.toPlainText() == "断电前写下的督导情况：四风问题突出"
    assert editor.method_boxes["暗访督查"].isChecked()
    assert editor.unit.currentData() == unit.id
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        editor.save()
    assert window.drafts.pending() == []
    assert [v.notes for v in visits.list_visits()] == ["断电前写下的督导情况：四风问题突出"]


def test_declined_draft_is_discarded(qtbot, data_dir, monkeypatch):
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.drafts.save("visit-new-abc", "visit", "督导记录：测试", {"visit_id": None, "state": {"notes": "x"}})
    from ui.editors.visit.recovery import RecoveryDialog

    def discard(dialog):  # the user clicks 丢弃所选… and confirms
        qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(RecoveryDialog, "exec", discard)
    window.offer_drafts()
    assert window.drafts.pending() == []
    assert window.findChildren(VisitEditor) == []


def _item(dialog, text: str):
    return next(dialog.list.item(i) for i in range(dialog.list.count()) if text in dialog.list.item(i).text())


def _three_drafts(window, unit_id):
    for n, notes in enumerate(("第一份", "第二份", "第三份")):
        window.drafts.save(f"visit-new-{n}", "visit", f"督导记录：临江县 2014-04-0{n + 1} 09:30",
                           {"visit_id": None, "form": {"unit_id": unit_id, "started_at": f"2014-04-0{n + 1}T09:30",
                                                       "methods": ["随机抽查"], "notes": notes}})


def test_one_dialog_lists_every_draft(qtbot, data_dir, monkeypatch):
    from PySide6.QtCore import Qt

    from ui.editors.visit.recovery import RecoveryDialog, offer_drafts

    unit = units.create_unit("临江县", "县市区")
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    _three_drafts(window, unit.id)
    shown = []

    def user(dialog):
        shown.append([dialog.list.item(i).text() for i in range(dialog.list.count())])
        _item(dialog, "04-02").setCheckState(Qt.CheckState.Unchecked)  # keep the second for later
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(RecoveryDialog, "exec", user)
    dialog = offer_drafts(window)
    assert len(shown) == 1 and len(shown[0]) == 3  # one dialog, every draft listed
    assert len(set(shown[0])) == 3 and all("草稿保存于" in text for text in shown[0])
    editors = window.findChildren(VisitEditor)
    assert sorted(e.notes.toPlainText() for e in editors) == ["第一份", "第三份"]
    assert dialog.reopened and len(window.drafts.pending()) == 3  # reopened drafts stay until saved
    for editor in editors:
        qtbot.addWidget(editor)
        editor.dirty = False


def test_discarding_drafts_from_the_dialog_asks_first(qtbot, data_dir, monkeypatch):
    from PySide6.QtCore import Qt

    from ui.editors.visit.recovery import RecoveryDialog, offer_drafts

    unit = units.create_unit("临江县", "县市区")
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    _three_drafts(window, unit.id)
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))

    def user(dialog):
        _item(dialog, "04-01").setCheckState(Qt.CheckState.Unchecked)
        qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)  # Cancel: nothing goes
        assert dialog.list.count() == 3 and len(window.drafts.pending()) == 3
        qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
        assert dialog.list.count() == 1
        qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(RecoveryDialog, "exec", user)
    offer_drafts(window)
    assert [d.key for d in window.drafts.pending()] == ["visit-new-0"]
    assert window.findChildren(VisitEditor) == []
