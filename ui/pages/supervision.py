"""督导层面问题: problems of a supervision group's own work, recorded against the group (not a
unit), listed apart from the units' problems. The office records them for any group; a
group's device for its own group, by its leader (supervisor_app/supervision.py decides)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import campaigns, display, installation, supervision
from supervisor_app.errors import SupervisorError

from ..hub import hub
from ..operations import perform
from ..widgets import FieldErrors, iso, today_qdate


class SupervisionPage(QWidget):
    KINDS = ("supervision_problem", "group", "member", "template", "campaign", "*")

    def __init__(self, window=None):
        super().__init__()
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("督导组自身工作中的问题（从督导层面看：督导浮在面上、听取汇报多、深入实际少、"
                               "当“好好先生”等），记在督导组名下。活动办可为任一督导组记录；督导组由组长记录本组的。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([self.tr("发现日期"), self.tr("督导组"), self.tr("问题表现"),
                                              self.tr("问题描述"), self.tr("记录人"), self.tr("已整改")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for column, width in ((0, 110), (1, 130), (2, 190), (4, 80), (5, 60)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.close_button = QPushButton(self.tr("标记已整改"))
        self.close_button.clicked.connect(self.close_selected)
        self.delete_button = QPushButton(self.tr("删除所选"))
        self.delete_button.clicked.connect(self.delete_selected)
        row.addWidget(self.close_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)

        box = QGroupBox(self.tr("记录督导层面问题"))
        form = QFormLayout(box)
        self.errors = FieldErrors(QLabel())
        self.group = QComboBox()
        form.addRow(self.tr("督导组"), self.group)
        form.addRow("", self.errors.label_for("group"))
        self.kind = QComboBox()
        form.addRow(self.tr("问题表现"), self.kind)
        form.addRow("", self.errors.label_for("kind"))
        self.description = QLineEdit()
        self.description.setPlaceholderText(self.tr("如：到乡镇督导以听取汇报为主，进村入户核实情况不够"))
        form.addRow(self.tr("问题描述"), self.description)
        form.addRow("", self.errors.label_for("description"))
        self.found_on = QDateEdit(today_qdate())
        self.found_on.setCalendarPopup(True)
        self.found_on.setDisplayFormat("yyyy-MM-dd")
        form.addRow(self.tr("发现日期"), self.found_on)
        form.addRow("", self.errors.label_for("found_on"))
        form.addRow("", self.errors.label_for("member"))
        form.addRow("", self.errors.general)
        self.add_button = QPushButton(self.tr("记录"))
        self.add_button.clicked.connect(self.add_problem)
        form.addRow("", self.add_button)
        layout.addWidget(box)
        hub.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, kind: str) -> None:
        if kind in self.KINDS:
            self.refresh()

    def refresh(self) -> None:
        try:
            groups = campaigns.list_groups()
            problems = supervision.list_problems()
            kinds = campaigns.active_template().supervision_kinds
            office = installation.context().role == "office"
            own = installation.context().group_id
        except SupervisorError:
            return
        names = {g.id: g.name for g in groups}
        members = {m.id: m.name for g in groups for m in campaigns.list_members(g, include_retired=True)}
        self.table.setRowCount(len(problems))
        for row, p in enumerate(problems):
            cells = [display.date_text(p.found_on), names.get(p.group_id, display.missing(p.group_id)),
                     display.text(p.kind), display.text(p.description),
                     members.get(p.member_id, "活动办" if p.member_id is None else display.missing(p.member_id)),
                     "是" if p.closed else ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, p.id)
                self.table.setItem(row, column, item)
        current = self.group.currentData()
        self.group.clear()
        for g in groups:
            if office or g.id == own:
                self.group.addItem(g.name, g.id)
        self.group.setCurrentIndex(max(self.group.findData(current), 0))
        self.kind.clear()
        self.kind.addItem(self.tr("（不选）"), "")
        for kind in kinds:
            self.kind.addItem(kind, kind)

    def _selected(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def add_problem(self) -> None:
        self.errors.clear()
        group, kind = self.group.currentData(), self.kind.currentData() or ""
        text, day = self.description.text(), iso(self.found_on.date())

        def done(_result) -> None:
            self.description.clear()

        perform(self, lambda: supervision.create_problem(text, group=group, kind=kind, found_on=day),
                kind="supervision_problem", message=self.tr("已记录督导层面问题"), on_done=done,
                on_error=self.errors.show)

    def close_selected(self) -> None:
        problem_id = self._selected()
        if problem_id:
            perform(self, lambda: supervision.update_problem(problem_id, closed=True), kind="supervision_problem",
                    on_error=self.errors.show)

    def delete_selected(self) -> None:
        problem_id = self._selected()
        if problem_id:
            perform(self, lambda: supervision.delete_problem(problem_id), kind="supervision_problem",
                    on_error=self.errors.show)
