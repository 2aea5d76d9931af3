"""A unit's 专项整治 tasks: those the office assigned, with the progress its group reports
(未启动 / 推进中 / 已完成, a date and what was done), written through operations.perform."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from supervisor_app import display, units
from supervisor_app import special_tasks as tasks
from supervisor_app.errors import ValidationError

from ..operations import perform
from ..widgets import FieldErrors, iso, qdate, today_qdate

HEADERS = ("编号", "任务", "进展", "日期", "进展情况")


class SpecialTasksDialog(QDialog):
    """View the unit's assigned tasks; report how far the unit has got with one."""

    def __init__(self, parent, unit_id: str):
        super().__init__(parent)
        self.unit = units.get_unit(unit_id)
        self.setWindowTitle(self.tr("专项整治任务 — {unit}").format(unit=display.short(self.unit.name, 60)))
        self.resize(860, 560)
        layout = QVBoxLayout(self)
        task_list = tasks.current_list()
        self.intro = QLabel(self.tr("{name}（第 {v} 版）。任务由活动办分配，进展由督导组填报。").format(
            name=task_list.name, v=task_list.version))
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.status = QComboBox()
        for status in tasks.SPECIAL_TASK_STATUSES:
            self.status.addItem(status, status)
        self.on_date = QDateEdit(today_qdate())
        self.on_date.setCalendarPopup(True)
        self.on_date.setDisplayFormat("yyyy-MM-dd")
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("进展情况"))
        self.save_button = QPushButton(self.tr("保存进展"))
        self.save_button.clicked.connect(self.save)
        for widget in (QLabel(self.tr("进展")), self.status, QLabel(self.tr("日期")), self.on_date):
            row.addWidget(widget)
        row.addWidget(self.note, 1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.errors = FieldErrors(QLabel())
        layout.addWidget(self.errors.general)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.load()

    def load(self, keep: str | None = None) -> None:
        self.rows = tasks.unit_tasks(self.unit.id)
        self.table.setRowCount(len(self.rows))
        for r, task in enumerate(self.rows):
            for c, text in enumerate((task.task_id, task.title, task.status, display.date_text(task.on_date) if task.on_date
                                      else "", task.note)):
                cell = QTableWidgetItem(display.short(text, 200))
                cell.setToolTip(display.short(text, 2000))
                self.table.setItem(r, c, cell)
        if not self.rows:
            self.errors.general.setText(self.tr("活动办还没有给本单位分配专项整治任务。"))
            self.errors.general.show()
        self.save_button.setEnabled(bool(self.rows))
        for r, task in enumerate(self.rows):
            if task.task_id == keep:
                self.table.selectRow(r)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        task = self.rows[rows[0].row()]
        self.status.setCurrentIndex(max(self.status.findData(task.status), 0))
        self.on_date.setDate(qdate(task.on_date) if task.on_date else today_qdate())
        self.note.setText(task.note)

    def save(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.errors.show(ValidationError(self.tr("请先在上表中选择一项任务。"), field="task_id"))
            return
        task_id = self.rows[rows[0].row()].task_id
        unit_id, status, on_date, note = self.unit.id, self.status.currentData(), iso(self.on_date.date()), self.note.text()
        self.errors.clear()
        perform(self, lambda: tasks.report_status(unit_id, task_id, status, on_date, note), kind="stask_status",
                message=self.tr("已保存专项整治任务进展"), on_done=lambda _r: self.load(task_id),
                on_error=self.errors.show)
