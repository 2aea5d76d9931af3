"""Small shared widgets: error display next to a field, date helpers, combo helpers."""

from __future__ import annotations

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget

from supervisor_app.errors import SupervisorError


def error_text(exc: BaseException) -> str:
    if isinstance(exc, SupervisorError):
        return exc.message
    return f"内部错误：{type(exc).__name__}: {exc}"


def show_error(parent: QWidget, exc: BaseException, title: str = "无法完成") -> None:
    QMessageBox.warning(parent, parent.tr(title), error_text(exc))


class FieldErrors:
    """Labels that show a refusal next to the field it concerns."""

    def __init__(self, general: QLabel):
        self.general = general
        self.labels: dict[str, QLabel] = {}
        self._style(general)

    @staticmethod
    def _style(label: QLabel) -> None:
        label.setStyleSheet("color: #b00020;")
        label.setWordWrap(True)
        label.hide()

    def label_for(self, field: str) -> QLabel:
        label = QLabel()
        self._style(label)
        self.labels[field] = label
        return label

    def clear(self) -> None:
        for label in (self.general, *self.labels.values()):
            label.clear()
            label.hide()

    def show(self, exc: BaseException) -> QLabel:
        self.clear()
        field = getattr(exc, "field", None)
        label = self.labels.get(field or "")
        if label is None and field:
            # fields such as "督导重点:F1" share one label per prefix
            label = self.labels.get(field.split(":", 1)[0])
        label = label or self.general
        label.setText(error_text(exc))
        label.show()
        return label


def qdate(iso: str | None) -> QDate:
    return QDate.fromString(iso[:10], "yyyy-MM-dd") if iso else QDate.currentDate()


def iso(d: QDate) -> str:
    return d.toString("yyyy-MM-dd")


def qdatetime(value: str | None) -> QDateTime:
    if not value:
        return QDateTime.currentDateTime()
    return QDateTime.fromString(value[:16], "yyyy-MM-ddTHH:mm")


def set_combo_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else 0)


def bold(label: QLabel) -> QLabel:
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(font.pointSize() + 3)
    font.setBold(True)
    label.setFont(font)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
