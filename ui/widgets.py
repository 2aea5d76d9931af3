"""Small shared widgets: error display next to a field, date helpers, combo helpers."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget

from supervisor_app import clock, display
from supervisor_app.errors import SupervisorError

from . import theme


def error_text(exc: BaseException) -> str:
    if isinstance(exc, SupervisorError):
        return exc.message
    return QCoreApplication.translate("widgets", "内部错误：") + f"{type(exc).__name__}: {exc}"


def show_error(parent: QWidget, exc: BaseException, title: str | None = None) -> None:
    QMessageBox.warning(parent, title or QCoreApplication.translate("widgets", "无法完成"), error_text(exc))


class FieldErrors:
    """Labels that show a refusal next to the field it concerns."""

    def __init__(self, general: QLabel):
        self.general = general
        self.labels: dict[str, QLabel] = {}
        self._style(general)

    @staticmethod
    def _style(label: QLabel) -> None:
        label.setStyleSheet(theme.ink_style("danger"))
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


def today_qdate() -> QDate:
    """Today by the program's clock (supervisor_app.clock, which the rules check against)."""
    day = clock.today()
    return QDate(day.year, day.month, day.day)


def qdate(iso: str | None) -> QDate:
    """A stored date for a date field; today when empty or not a date (see stored_date_note)."""
    day = display.parse_date(iso)
    return QDate(day.year, day.month, day.day) if day else today_qdate()


def iso(d: QDate) -> str:
    return d.toString("yyyy-MM-dd")


def qdatetime(value: str | None) -> QDateTime:
    """A stored local time for a time field; now when empty or not a time."""
    moment = display.parse_minute(value)
    if moment is None:
        return QDateTime.currentDateTime()
    return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))


def set_combo_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else 0)


STORED_ROLE = Qt.ItemDataRole.UserRole + 1  # marks a choice added by show_stored


def record_combo(characters: int = 20) -> QComboBox:
    """A combo box listing stored names (units, leaders …): as wide as ``characters``, never
    as wide as its longest entry (a stored name may be very long)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo


def show_stored(combo: QComboBox, value, label: str | None = None) -> None:
    """Select a stored ``value``. One the combo does not offer (a rating not in the template,
    a reference to a missing record) is added and marked — ``label``, or the value with
    （不在模板中） — so that it is seen, and not silently replaced by the first choice."""
    if value is None or value == "":
        set_combo_data(combo, value)
        return
    index = combo.findData(value)
    if index < 0:
        combo.addItem(label if label is not None else display.odd(value, display.NOT_IN_TEMPLATE), value)
        index = combo.count() - 1
        combo.setItemData(index, True, STORED_ROLE)
    combo.setCurrentIndex(index)


class StoredNotes(QLabel):
    """A line in an editor naming stored values its fields cannot show as they are (a date
    that is not one, a count that is not a number …): saving keeps what the fields show."""

    def __init__(self):
        super().__init__()
        self.setStyleSheet(theme.ink_style("warning"))
        self.setWordWrap(True)
        self.hide()
        self.notes: list[str] = []

    def add(self, label: str, value, marker: str = "") -> None:
        self.notes.append(f"{label}“{display.short(value, 60)}”{marker}")
        self.setText(self.tr("这条记录中有无法在表单中原样显示的值，保存时将以表单所示为准：") + "；".join(self.notes) + "。")
        self.show()

    def clear_notes(self) -> None:
        self.notes.clear()
        self.clear()
        self.hide()


def stored_date_fits(edit, value, with_time: bool = False) -> bool:
    """Whether a stored date (or local time) can be shown as it is by a date (time) field."""
    if with_time:
        moment = display.parse_minute(value)
        day = moment.date() if moment else None
    else:
        day = display.parse_date(value)
    if day is None:
        return False
    minimum, maximum = edit.minimumDate(), edit.maximumDate()
    return (minimum.year(), minimum.month(), minimum.day()) <= (day.year, day.month, day.day) <= \
        (maximum.year(), maximum.month(), maximum.day())


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
