"""问题整改: the ledger of findings with their rectification, in 整改方案 order; open / overdue / unit
filters; a unit's 整改方案 opened from here (整改方案…: the chosen unit, else the selected row's)."""

from __future__ import annotations

from PySide6.QtCore import Signal
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

from supervisor_app import display, units

from .. import tasks
from ..editors.rectification_dialog import RectificationDialog
from ..editors.rectification_plan_dialog import RectificationPlanDialog
from ..editors.special_tasks_dialog import SpecialTasksDialog
from ..hub import hub
from ..models.ledger_table import LedgerTableModel
from ..widgets import error_text, heading, record_combo


class RectificationPage(QWidget):
    title = "问题整改"
    refreshed = Signal()

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("问题整改台账")))
        filters = QHBoxLayout()
        self.scope = QComboBox()
        self.scope.addItem(self.tr("未销号"), "open")
        self.scope.addItem(self.tr("逾期"), "overdue")
        self.scope.addItem(self.tr("全部"), "all")
        self.unit = record_combo()
        filters.addWidget(QLabel(self.tr("范围")))
        filters.addWidget(self.scope)
        filters.addWidget(QLabel(self.tr("单位")))
        filters.addWidget(self.unit, 1)
        self.count_label = QLabel()
        filters.addWidget(self.count_label)
        layout.addLayout(filters)
        self.model = LedgerTableModel(self, load=False)  # filled when the page is shown
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 115), (1, 110), (2, 115), (4, 150), (5, 70), (6, 115), (7, 100), (8, 115)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda index: self.open_finding(self.model.row(index.row()).finding.id))
        layout.addWidget(self.table, 1)
        open_button = QPushButton(self.tr("整改与跟进…"))
        open_button.clicked.connect(self._open_selected)
        pdf_button = QPushButton(self.tr("台账 PDF…"))
        pdf_button.clicked.connect(self.make_pdf)
        self.plan_button = QPushButton(self.tr("整改方案…"))
        self.plan_button.setToolTip(self.tr("所选单位（或所选问题所在单位）的整改方案：班子和个人问题、整改措施、责任领导、时限、公示"))
        self.plan_button.clicked.connect(lambda: self._open_for_unit(self.open_plans))
        self.tasks_button = QPushButton(self.tr("专项整治任务…"))
        self.tasks_button.setToolTip(self.tr("活动办分配给所选单位的专项整治任务及其进展"))
        self.tasks_button.clicked.connect(lambda: self._open_for_unit(self.open_special_tasks))
        row = QHBoxLayout()
        row.addWidget(self.plan_button)
        row.addWidget(self.tasks_button)
        row.addStretch(1)
        row.addWidget(pdf_button)
        row.addWidget(open_button)
        layout.addLayout(row)
        self.scope.currentIndexChanged.connect(self.apply_filter)
        self.unit.currentIndexChanged.connect(self.apply_filter)
        hub.changed.connect(self._on_changed)

    def _fill_units(self) -> None:
        current = self.unit.currentData()
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem(self.tr("全部单位"), None)
        for unit_id, path in units.unit_paths():
            self.unit.addItem(display.short(path, 120), unit_id)
        index = self.unit.findData(current)
        self.unit.setCurrentIndex(max(index, 0))
        self.unit.blockSignals(False)

    def apply_filter(self) -> None:
        scope = self.scope.currentData()
        self.model.unit_id = self.unit.currentData()
        self.model.open_only = scope in ("open", "overdue")
        self.model.overdue_only = scope == "overdue"
        self.count_label.setText(self.tr("正在载入…"))
        tasks.load_async(self, self.model.query, self._apply_rows,
                         lambda exc: self.count_label.setText(error_text(exc)))

    def _apply_rows(self, rows) -> None:
        self.model.set_rows(rows)
        self.count_label.setText(self.tr("共 {n} 条").format(n=self.model.rowCount()))
        self.refreshed.emit()

    def refresh(self) -> None:
        self._fill_units()
        self.apply_filter()

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and kind in ("*", "finding", "visit", "unit", "rplan"):
            self.refresh()

    def make_pdf(self):
        from ..report_actions import preview_report

        unit_id = self.unit.currentData()
        return preview_report(self, "ledger", record_id=unit_id,
                              title="问题整改台账" + (f"-{self.unit.currentText()}" if unit_id else ""))

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_finding(self.model.row(rows[0].row()).finding.id)

    def _open_for_unit(self, opener):
        """``opener(unit id)`` for the chosen unit, else the unit of the selected row."""
        unit_id = self.unit.currentData()
        rows = self.table.selectionModel().selectedRows()
        if unit_id is None and rows:
            unit_id = self.model.row(rows[0].row()).finding.unit_id
        if unit_id is None:
            self.count_label.setText(self.tr("请先选择一个单位（或台账中的一个问题）。"))
            return None
        return opener(unit_id)

    def open_special_tasks(self, unit_id: str) -> SpecialTasksDialog:
        dialog = SpecialTasksDialog(self, unit_id)
        dialog.open()
        return dialog

    def open_plans(self, unit_id: str) -> RectificationPlanDialog:
        dialog = RectificationPlanDialog(self, unit_id)
        dialog.open()
        return dialog

    def open_finding(self, finding_id: str) -> RectificationDialog:
        dialog = RectificationDialog(self, finding_id)
        dialog.open()
        return dialog
