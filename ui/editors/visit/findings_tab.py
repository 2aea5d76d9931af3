"""发现问题: the visit's findings in a table (``ui.models.visit_findings``), each with its
rectification — measure, responsible person, deadline — set on the same row."""

from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display, units
from supervisor_app.errors import SupervisorError
from supervisor_app.rules.findings import FOUR_WINDS
from supervisor_app.visit_form import VisitForm

from ...models.visit_findings import CHOICE_COLUMNS, COLUMN_OF, COLUMNS, MULTI_LINE, FindingsModel
from ...widgets import iso, qdate
from .common import FormErrors

NO_DATE = QDate(2000, 1, 1)  # the date editor's minimum, shown as （未定）: no deadline


class FourWindsEditor(QWidget):
    """The 四风 a finding concerns: one check box each (none ticked: it concerns none); each
    click is kept at once (``toggled``), as a choice in a drop-down list is."""

    toggled = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        self.boxes = {}
        for wind in FOUR_WINDS:
            box = QCheckBox(self.tr(wind), self)
            box.setObjectName(f"four_winds_{FOUR_WINDS.index(wind)}")
            self.boxes[wind] = box
            box.clicked.connect(self.toggled)
            layout.addWidget(box)

    def value(self) -> list[str]:
        return [w for w, box in self.boxes.items() if box.isChecked()]

    def set_value(self, value) -> None:
        for wind, box in self.boxes.items():
            box.setChecked(isinstance(value, list) and wind in value)


class FindingDelegate(QStyledItemDelegate):
    """Editors for a finding's cells: choices from the template and the unit, several lines for
    description and measure (Enter starts a new line, Tab moves on), a calendar for the deadline."""

    def createEditor(self, parent, option, index):  # noqa: N802
        name = COLUMNS[index.column()][0]
        if name in CHOICE_COLUMNS:
            combo = QComboBox(parent)
            for label, value in index.model().choices(index.column(), index.row()):
                combo.addItem(label, value)
            combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
            return combo
        if name in MULTI_LINE:
            edit = QPlainTextEdit(parent)
            edit.setTabChangesFocus(True)
            return edit
        if name == "four_winds":
            editor = FourWindsEditor(parent)
            editor.toggled.connect(lambda e=editor: self.commitData.emit(e))
            return editor
        if name == "deadline":
            edit = QDateEdit(parent)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText(self.tr("（未定）"))
            return edit
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor, index):  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            position = editor.findData(value)
            if position < 0 and value:
                editor.addItem(index.data(Qt.ItemDataRole.DisplayRole) or str(value), value)
                position = editor.count() - 1
            editor.setCurrentIndex(max(position, 0))
        elif isinstance(editor, FourWindsEditor):
            editor.set_value(value)
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value or "")
        elif isinstance(editor, QDateEdit):
            editor.setDate(qdate(value) if value else NO_DATE)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        elif isinstance(editor, FourWindsEditor):
            model.setData(index, editor.value())
        elif isinstance(editor, QPlainTextEdit):
            model.setData(index, editor.toPlainText())
        elif isinstance(editor, QDateEdit):
            model.setData(index, "" if editor.date() == NO_DATE else iso(editor.date()))
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(self, editor, option, index):  # noqa: N802
        rect = option.rect
        if isinstance(editor, FourWindsEditor):  # the four boxes side by side, whatever the column's width
            rect = rect.adjusted(0, 0, max(0, editor.sizeHint().width() - rect.width()), 0)
        if isinstance(editor, QPlainTextEdit):  # room for a few lines while typing
            rect = rect.adjusted(0, 0, 0, max(0, editor.fontMetrics().lineSpacing() * 4 - rect.height()))
        editor.setGeometry(rect)


class FindingsView(QTableView):
    """The findings table: rows grow with their text; Enter or F2 edits, Delete removes a row."""

    def keyPressEvent(self, event):  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete \
                and self.state() != QAbstractItemView.State.EditingState:
            index = self.currentIndex()
            if index.isValid():
                self.model().remove(index.row())
                return
        super().keyPressEvent(event)


class FindingsTab(QWidget):
    changed = Signal()
    FIELDS = ("finding",)

    def __init__(self, template, errors: FormErrors):
        super().__init__()
        self.errors = errors
        layout = QVBoxLayout(self)
        hint = QLabel(self.tr("双击单元格或按 F2 编辑；问题描述、整改措施可写多行。填写整改措施、责任人、整改时限，"
                              "即在此为问题安排整改（三项都要填）。“涉及‘四风’”一栏按 F2 后勾选，可多选，不涉及则不勾。"))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.model = FindingsModel(template, self)
        self.model.edited.connect(self.changed)
        self.model.edited.connect(self._fit_rows)
        self.view = FindingsView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(FindingDelegate(self.view))
        self.view.setWordWrap(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for name, width in (("category", 150), ("sub_kind", 120), ("severity", 70), ("four_winds", 110), ("leader_id", 120),
                            ("responsible", 80), ("deadline", 100)):
            self.view.setColumnWidth(COLUMN_OF[name], width)
        for name in MULTI_LINE:
            header.setSectionResizeMode(COLUMN_OF[name], QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.view, 1)
        layout.addWidget(errors.label_for("finding"))
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("添加问题"))
        self.add_button.clicked.connect(self.add_finding)
        self.remove_button = QPushButton(self.tr("删除所选问题"))
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)

    def _fit_rows(self) -> None:
        self.view.resizeRowsToContents()

    def add_finding(self) -> int:
        """Add an empty row and start typing its category."""
        row = self.model.add()
        index = self.model.index(row, COLUMN_OF["category"])
        self.view.setCurrentIndex(index)
        self.view.setFocus()
        return row

    def remove_selected(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.model.remove(index.row())

    def set_leaders(self, labels: dict[str, str]) -> None:
        """The unit's leaders to choose from, and any other leader a stored finding names (of a
        unit above or below), so that it reads as a person, not as a missing record."""
        labels = dict(labels)
        for item in self.model.rows:
            if item.leader_id and item.leader_id not in labels:
                try:
                    leader = units.get_leader(item.leader_id)
                except SupervisorError:
                    continue
                unit = display.related_name(leader, "unit")
                labels[item.leader_id] = display.short(f"{leader.name}（{leader.position}，{unit}）", 60)
        self.model.set_leaders(labels)

    def show_problems(self, problems: list) -> None:
        """Mark the cells the check refused (``finding:<row>:<field>``)."""
        marks = {}
        for problem in problems:
            parts = (getattr(problem, "field", "") or "").split(":")
            if len(parts) == 3 and parts[0] == "finding" and parts[1].isdigit():
                marks[(int(parts[1]) - 1, parts[2])] = problem.message
        self.model.set_errors(marks)

    def fill(self, form: VisitForm) -> None:
        self.model.set_findings([type(f)(**f.__dict__) for f in form.findings])
        self._fit_rows()

    def collect(self, form: VisitForm) -> None:
        form.findings = [type(f)(**f.__dict__) for f in self.model.findings()]
