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
