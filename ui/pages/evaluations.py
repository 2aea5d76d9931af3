"""纪实评价: evaluation records by unit, subject and status (草稿 / 已签署 / 已更正)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display, evaluations, units

from ..editors.evaluation import EvaluationEditor, NewEvaluationDialog
from ..hub import announce, hub
from ..widgets import heading, record_combo

STATUS_COLOURS = {"draft": "#9a6700", "signed": "#1a7f37", "amended": "#0550ae"}
_KINDS = {"leader": "领导干部", "team": "领导班子"}


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
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([self.tr("评价对象"), self.tr("类别"), self.tr("单位"), self.tr("期间"),
                                              self.tr("总体评价"), self.tr("状态")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.open_evaluation(self._id(row)))
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.count_label = QLabel()
        new_button = QPushButton(self.tr("新建纪实评价"))
        new_button.clicked.connect(self.new_evaluation)
        open_button = QPushButton(self.tr("打开"))
        open_button.clicked.connect(lambda: self.open_evaluation(self._id(self.table.currentRow())))
        row.addWidget(self.count_label, 1)
        row.addWidget(new_button)
        row.addWidget(open_button)
        layout.addLayout(row)
        self.unit.currentIndexChanged.connect(self.fill)
        self.status.currentIndexChanged.connect(self.fill)
        hub.changed.connect(self._on_changed)

    def _id(self, row: int) -> str | None:
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

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

    def fill(self) -> None:
        records = evaluations.list_evaluations(self.unit.currentData(), self.status.currentData())
        self.table.setRowCount(len(records))
        for r, record in enumerate(records):
            status = evaluations.status(record)
            kind = _KINDS.get(record.subject_kind) or display.odd(record.subject_kind, display.NOT_IN_TEMPLATE)
            cells = (display.short(evaluations.subject_name(record), 40), kind,
                     display.short(display.related_name(record, "unit"), 40),
                     f"{display.date_text(record.period_start)}—{display.date_text(record.period_end)}",
                     display.short(record.overall_rating, 40), evaluations.STATUS_LABELS[status])
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, record.id)
                if c == 5:
                    item.setForeground(Qt.GlobalColor.darkGreen if status == "signed" else
                                       Qt.GlobalColor.darkBlue if status == "amended" else Qt.GlobalColor.darkYellow)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.count_label.setText(self.tr("共 {n} 条").format(n=len(records)))

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and kind in ("*", "evaluation", "unit", "leader", "team"):
            self.fill()

    def new_evaluation(self):
        dialog = NewEvaluationDialog(self)
        if dialog.exec() and dialog.record is not None:
            announce("evaluation", self.tr("已新建纪实评价草稿"))
            return self.open_evaluation(dialog.record.id)
        return None

    def open_evaluation(self, evaluation_id: str | None):
        if not evaluation_id:
            return None
        editor = EvaluationEditor(self.window_, evaluation_id)
        editor.show()
        return editor
