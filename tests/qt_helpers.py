"""Typing Chinese as a user does: through the input method (QTest.keyClicks only knows ASCII)."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication


def type_text(widget, text: str) -> None:
    """Commit ``text`` into ``widget`` the way a Chinese input method does."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def exec_filling(monkeypatch, dialog_class, fill) -> None:
    """Make ``dialog_class.exec()`` fill the form as a user would (``fill(dialog)``) and press OK."""

    def fake_exec(dialog):
        fill(dialog)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(dialog_class, "exec", fake_exec)


def edit_findings_cell(qtbot, editor, row: int, column: str, value) -> None:
    """Open a findings cell's editor with F2 (as a user does) and give it ``value``."""
    from PySide6.QtCore import QDate, Qt
    from PySide6.QtWidgets import QComboBox, QDateEdit, QPlainTextEdit

    from ui.models.visit_findings import COLUMN_OF

    view = editor.findings.view
    index = editor.findings.model.index(row, COLUMN_OF[column])
    view.setCurrentIndex(index)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    widget = view.indexWidget(index)
    assert widget is QApplication.focusWidget() or widget.isAncestorOf(QApplication.focusWidget())
    if isinstance(widget, QComboBox):
        widget.setCurrentIndex(widget.findData(value))
        widget.activated.emit(widget.currentIndex())
    elif isinstance(widget, QPlainTextEdit):
        type_text(widget, value)
    elif isinstance(widget, QDateEdit):
        widget.setDate(QDate.fromString(value, "yyyy-MM-dd"))
    else:
        type_text(widget, value)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)  # Tab commits and moves on
