"""纪实评价: evaluation records by unit, subject and status (草稿 / 已签署 / 已更正); the overall
rating shown as amended, marked 已更正."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display, evaluations, units

from .. import tasks, theme
from ..editors.evaluation import EvaluationEditor, NewEvaluationDialog
from ..hub import hub
from ..models import sync_marks
from ..widgets import error_text, heading, record_combo

_KINDS = {"leader": "领导干部", "team": "领导班子"}
_STATUS_INK = {"draft": "warning", "signed": "ok", "amended": "ok"}


@dataclass(frozen=True)
class EvaluationRow:
    id: str
    cells: tuple[str, ...]
    status: str
    amended_note: str  # the overall rating's provenance when amended, else ""
    tooltip: str
    mark: str | None = None  # sync mark: unsent / sent / confirmed (field installations)


def load_rows(unit_id: str | None, status_filter: str | None) -> list[EvaluationRow]:
    """The list's rows (on the worker thread): each record as amended."""
    rows = []
    for record in evaluations.list_evaluations(unit_id, status_filter):
        view = evaluations.current_view(record)
        status = evaluations.status(record)
        kind = _KINDS.get(record.subject_kind) or display.odd(record.subject_kind, display.NOT_IN_TEMPLATE)
        overall = display.short(view.overall_rating, 40) or "未评"
        note = view.note("overall_rating")
        if note:
            overall += f"（{evaluations.AMENDED_MARK}）"
        amended = [view.label(key) for key in view.corrections]
        tooltip = f"已更正：{'、'.join(amended)}" if amended else ""
        cells = (display.short(evaluations.subject_name(record), 60), kind,
                 display.short(display.related_name(record, "unit"), 60),
                 f"{display.date_text(record.period_start)}—{display.date_text(record.period_end)}",
                 overall, evaluations.STATUS_LABELS[status])
        rows.append(EvaluationRow(record.id, cells, status, note, tooltip))
    marks = sync_marks.fetch(row.id for row in rows)  # one query for the list, not one per row
    return [replace(row, mark=marks.get(row.id)) for row in rows]


class EvaluationTableModel(QAbstractTableModel):
    """The evaluation list: one row per record, the overall rating as amended."""

    HEADERS = ("评价对象", "类别", "单位", "期间", "总体评价", "状态", sync_marks.HEADER)
    OVERALL, STATUS, MARK = 4, 5, 6

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[EvaluationRow] = []

    def set_rows(self, rows: list[EvaluationRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.HEADERS):
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if column == self.MARK:
            if role == Qt.ItemDataRole.DisplayRole:
                return sync_marks.text(row.mark)
            if role == Qt.ItemDataRole.ToolTipRole:
                return sync_marks.tooltip(row.mark)
            if role == Qt.ItemDataRole.ForegroundRole:
                return sync_marks.colour(row.mark)
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column] if column < len(row.cells) else None
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.OVERALL and row.amended_note:
                return row.amended_note
            return row.tooltip or row.cells[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.STATUS:
                return theme.ink(_STATUS_INK.get(row.status, "warning"))
            if column == self.OVERALL and row.amended_note:
                return theme.ink("warning")
        if role == Qt.ItemDataRole.FontRole and column == self.OVERALL and row.amended_note:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def record_id(self, row: int) -> str | None:
        return self.rows[row].id if 0 <= row < len(self.rows) else None


class EvaluationsPage(QWidget):
    title = "纪实评价"

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("纪实评价")))
        filters = QHBoxLayout()
        self.unit = record_combo()
        self.status = QComboBox()
        self.status.addItem(self.tr("全部"), None)
        for key, label in evaluations.STATUS_LABELS.items():
            self.status.addItem(label, key)
        filters.addWidget(QLabel(self.tr("单位")))
        filters.addWidget(self.unit, 1)
        filters.addWidget(QLabel(self.tr("状态")))
        filters.addWidget(self.status)
        layout.addLayout(filters)
        self.model = EvaluationTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self.open_evaluation(self.model.record_id(index.row())))
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.count_label = QLabel()
        new_button = QPushButton(self.tr("新建纪实评价…"))
        new_button.clicked.connect(self.new_evaluation)
        open_button = QPushButton(self.tr("打开"))
        open_button.clicked.connect(lambda: self.open_evaluation(self.current_id()))
        row.addWidget(self.count_label, 1)
        row.addWidget(new_button)
        row.addWidget(open_button)
        layout.addLayout(row)
        self.unit.currentIndexChanged.connect(self.fill)
        self.status.currentIndexChanged.connect(self.fill)
        hub.changed.connect(self._on_changed)

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.record_id(index.row()) if index.isValid() else None

    def refresh(self) -> None:
        current = self.unit.currentData()
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem(self.tr("全部单位"), None)
        for unit in units.list_units():
            if unit.kind in ("县市区", "市直单位"):
                self.unit.addItem(display.short(unit.name, 100), unit.id)
        self.unit.setCurrentIndex(max(self.unit.findData(current), 0))
        self.unit.blockSignals(False)
        self.fill()

    def fill(self):
        """Reload the rows on the worker; the table keeps showing the old ones meanwhile."""
        unit_id, status = self.unit.currentData(), self.status.currentData()
        return tasks.load_async(self, lambda: load_rows(unit_id, status), self._show_rows, self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self.count_label.setStyleSheet(theme.ink_style("danger"))
        self.count_label.setText(self.tr("无法读取纪实评价列表：") + error_text(exc))

    def _show_rows(self, rows: list[EvaluationRow]) -> None:
        selected = self.current_id()
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        for column in range(1, self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 260))
        for r, row in enumerate(rows):
            if row.id == selected:
                self.table.selectRow(r)
        self.count_label.setStyleSheet("")
        self.count_label.setText(self.tr("共 {n} 条").format(n=len(rows)))

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and kind in ("*", "evaluation", "unit", "leader", "team"):
            self.fill()

    def new_evaluation(self):
        dialog = NewEvaluationDialog(self)
        if dialog.exec() and dialog.record is not None:
            return self.open_evaluation(dialog.record.id)
        return None

    def open_evaluation(self, evaluation_id: str | None):
        if not evaluation_id:
            return None
        editor = EvaluationEditor(self.window_, evaluation_id)
        editor.show()
        return editor
