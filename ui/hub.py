"""One place that announces changes: after every write the window emits ``changed`` and the
views refresh themselves from it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Hub(QObject):
    changed = Signal(str)  # the kind of record that changed: "visit", "unit", "finding", "*" …
    status = Signal(str)  # a status bar message
    open_record = Signal(str, str)  # (kind, id): ask the window to open a record


hub = Hub()


def announce(kind: str, message: str | None = None) -> None:
    hub.changed.emit(kind)
    if message:
        hub.status.emit(message)
