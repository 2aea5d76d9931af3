"""A unit's 整改方案: its plans (title, state, adoption, 公示) and their items — each a finding of the
unit, 班子 or 个人 (which leader), 整改措施, 责任领导, 责任单位 and deadline. Every write goes through
operations.perform; the rules (supervisor_app/rules/rectification_plans.py) answer refusals,
shown next to the field concerned."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from supervisor_app import display, findings, units
from supervisor_app import rectification_plans as plans
from supervisor_app.errors import NotFoundError, SupervisorError

from ..operations import perform
from ..widgets import FieldErrors, bold, iso, qdate, record_combo, today_qdate

ITEM_FIELD = re.compile(r"items\[(\d+)\]\.(\w+)\Z")
ITEM_HEADERS = ("问题", "类型", "整改措施", "责任领导", "责任单位", "时限")


def _date_edit() -> QDateEdit:
    edit = QDateEdit(today_qdate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class RectificationPlanDialog(QDialog):
    """View and edit the 整改方案 of one unit."""

    saved = Signal()

    def __init__(self, parent, unit_id: str):
        super().__init__(parent)
        self.unit = units.get_unit(unit_id)
        self.setWindowTitle(self.tr("整改方案 — {unit}").format(unit=display.short(self.unit.name, 60)))
        self.resize(960, 800)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(bold(QLabel(self.tr("整改方案"))))
        self.plan_combo = record_combo(40)
        top.addWidget(self.plan_combo, 1)
        self.new_button = QPushButton(self.tr("新建方案"))
        self.new_button.clicked.connect(self.new_plan)
        top.addWidget(self.new_button)
        self.delete_button = QPushButton(self.tr("删除方案"))
        self.delete_button.clicked.connect(self.delete_plan)
        top.addWidget(self.delete_button)
        layout.addLayout(top)
        self.errors = FieldErrors(QLabel())
        layout.addWidget(self.errors.general)

        box = QGroupBox(self.tr("方案"))
        grid = QGridLayout(box)  # compact: the items below get the height
        self.title = QLineEdit()
        self.state = QComboBox()
        for state in plans.PLAN_STATES:
            self.state.addItem(state, state)
        self.adopted = _date_edit()
        self.publicity = QComboBox()
        for state in plans.PUBLICITY_STATES:
            self.publicity.addItem(state, state)
        self.publicized = _date_edit()
        self.save_button = QPushButton(self.tr("保存方案"))
        self.save_button.clicked.connect(self.save_plan)
        grid.addWidget(QLabel(self.tr("方案名称")), 0, 0)
        grid.addWidget(self.title, 0, 1, 1, 4)
        grid.addWidget(self.errors.label_for("title"), 1, 1, 1, 4)
        for row, (left, right) in enumerate(((("方案状态", self.state, "state"), ("通过日期", self.adopted, "adopted_on")),
                                             (("公示情况", self.publicity, "publicity"),
                                              ("公示日期", self.publicized, "publicized_on")))):
            for col, (label, widget, field) in enumerate((left, right)):
                grid.addWidget(QLabel(self.tr(label)), 2 + 2 * row, 2 * col)
                grid.addWidget(widget, 2 + 2 * row, 2 * col + 1)
                grid.addWidget(self.errors.label_for(field), 3 + 2 * row, 2 * col + 1)
        grid.addWidget(self.save_button, 4, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addWidget(box)
        self.state.currentIndexChanged.connect(self._enable_dates)
        self.publicity.currentIndexChanged.connect(self._enable_dates)

        self.items = QTableWidget(0, len(ITEM_HEADERS))
        self.items.setHorizontalHeaderLabels([self.tr(h) for h in ITEM_HEADERS])
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.verticalHeader().hide()
        self.items.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.items.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.items.itemSelectionChanged.connect(self._item_selected)
        split = QSplitter(Qt.Orientation.Vertical)  # the items and the editor of one share the height
        split.addWidget(self.items)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)

        item_box = QGroupBox(self.tr("整改事项"))
        item_form = QFormLayout(item_box)
        self.finding = record_combo(50)
        self.kind = QComboBox()
        for kind in plans.ITEM_KINDS:
            self.kind.addItem(self.tr("{k}问题").format(k=kind), kind)
        self.leader = record_combo()
        self.measure = QPlainTextEdit()
        self.measure.setMaximumHeight(70)
        self.responsible_leader = record_combo()
        self.responsible_unit = QLineEdit()
        self.deadline = _date_edit()
        self.item_errors = FieldErrors(QLabel())
        for label, widget, field in ((self.tr("问题"), self.finding, "finding"), (self.tr("问题类型"), self.kind, "kind"),
                                     (self.tr("涉及的领导干部"), self.leader, "leader"),
                                     (self.tr("整改措施"), self.measure, "measure"),
                                     (self.tr("责任领导"), self.responsible_leader, "responsible_leader"),
                                     (self.tr("责任单位"), self.responsible_unit, "responsible_unit"),
                                     (self.tr("整改时限"), self.deadline, "deadline")):
            item_form.addRow(label, widget)
            item_form.addRow("", self.item_errors.label_for(field))
        item_form.addRow("", self.item_errors.general)
        buttons = QHBoxLayout()
        self.item_button = QPushButton(self.tr("列入方案 / 保存事项"))
        self.item_button.clicked.connect(self.save_item)
        self.remove_button = QPushButton(self.tr("移出方案"))
        self.remove_button.clicked.connect(self.remove_item)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.item_button)
        item_form.addRow("", buttons)
        split.addWidget(item_box)
        split.setStretchFactor(0, 1)
        self.kind.currentIndexChanged.connect(self._enable_leader)
        self.finding.currentIndexChanged.connect(self._finding_chosen)

        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.plan_combo.currentIndexChanged.connect(self._show_plan)
        self.load()

    # -- reading -------------------------------------------------------------------------------------
    def load(self, select: str | None = None) -> None:
        """Fill the plan list (keeping ``select`` or the current plan), the leaders and the findings."""
        current = select or self.plan_combo.currentData()
        leaders = units.list_leaders(self.unit.id)
        for combo, blank in ((self.leader, self.tr("（班子问题不选）")), (self.responsible_leader, self.tr("（请选择）"))):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(blank, None)
            for leader in leaders:
                combo.addItem(display.short(f"{leader.name}（{leader.position}）", 60), leader.id)
            combo.blockSignals(False)
        self.plan_combo.blockSignals(True)
        self.plan_combo.clear()
        for plan in plans.list_plans(self.unit.id):
            self.plan_combo.addItem(display.short(f"{plan.title}（{plan.state}）", 80), plan.id)
        index = self.plan_combo.findData(current)
        self.plan_combo.setCurrentIndex(max(index, 0))
        self.plan_combo.blockSignals(False)
        self._show_plan()

    def plan(self):
        plan_id = self.plan_combo.currentData()
        return plans.get_plan(plan_id) if plan_id else None

    def _show_plan(self) -> None:
        self.errors.clear()
        self.item_errors.clear()
        plan = self.plan()
        has_plan = plan is not None
        for widget in (self.delete_button, self.items, self.item_button, self.remove_button, self.finding):
            widget.setEnabled(has_plan)
        self.title.setText(plan.title if plan else self.tr("{u}领导班子整改方案").format(u=self.unit.name))
        self.state.setCurrentIndex(max(self.state.findData(plan.state if plan else "草拟"), 0))
        self.adopted.setDate(qdate(plan.adopted_on) if plan and plan.adopted_on else today_qdate())
        self.publicity.setCurrentIndex(max(self.publicity.findData(plan.publicity if plan else "未公示"), 0))
        self.publicized.setDate(qdate(plan.publicized_on) if plan and plan.publicized_on else today_qdate())
        self.save_button.setText(self.tr("保存方案") if has_plan else self.tr("建立方案"))
        self._enable_dates()
        self.views = plans.item_views(plan) if plan else []
        self.items.setRowCount(len(self.views))
        for r, view in enumerate(self.views):
            kind = view.kind + (f"（{view.leader}）" if view.leader else "")
            for c, text in enumerate((view.finding, kind, view.measure, view.responsible_leader,
                                      view.responsible_unit, display.date_text(view.deadline))):
                cell = QTableWidgetItem(display.short(text, 200))
                cell.setToolTip(display.short(text, 2000))
                self.items.setItem(r, c, cell)
        self._fill_findings(None)
        self._clear_item()

    def _fill_findings(self, keep: str | None) -> None:
        """The findings a new item may take (those in no plan) and ``keep`` (the selected item's)."""
        free = plans.unplanned_findings(self.unit.id)
        if keep:
            try:
                free.insert(0, findings.get_finding(keep))
            except NotFoundError:
                pass  # a deleted finding: its item is still shown in the table
        self.finding.blockSignals(True)
        self.finding.clear()
        self.finding.addItem(self.tr("（请选择本单位的问题）"), None)
        for finding in free:
            self.finding.addItem(display.short(f"{display.date_text(finding.found_on)}  {finding.description}", 80),
                                 finding.id)
        self.finding.setCurrentIndex(self.finding.findData(keep) if keep else 0)
        self.finding.blockSignals(False)

    def _clear_item(self) -> None:
        self.kind.setCurrentIndex(0)
        self.leader.setCurrentIndex(0)
        self.measure.clear()
        self.responsible_leader.setCurrentIndex(0)
        self.responsible_unit.clear()
        self.deadline.setDate(today_qdate().addDays(30))
        self._enable_leader()

    def _item_selected(self) -> None:
        rows = self.items.selectionModel().selectedRows()
        plan = self.plan()
        if not rows or plan is None:
            return
        item = plan.items[rows[0].row()]
        self._fill_findings(item.get("finding"))
        self.kind.setCurrentIndex(max(self.kind.findData(item.get("kind")), 0))
        self.leader.setCurrentIndex(max(self.leader.findData(item.get("leader")), 0))
        self.measure.setPlainText(item.get("measure") or "")
        self.responsible_leader.setCurrentIndex(max(self.responsible_leader.findData(item.get("responsible_leader")), 0))
        self.responsible_unit.setText(item.get("responsible_unit") or "")
        self.deadline.setDate(qdate(item.get("deadline")))
        self._enable_leader()

    def _finding_chosen(self) -> None:
        finding_id = self.finding.currentData()
        try:
            finding = findings.get_finding(finding_id) if finding_id else None
        except NotFoundError:
            finding = None
        if finding is not None and not self.measure.toPlainText():
            self.deadline.setDate(qdate(finding.found_on).addDays(30))
            if finding.leader_id and self.leader.findData(finding.leader_id) > 0:
                self.kind.setCurrentIndex(self.kind.findData("个人"))
                self.leader.setCurrentIndex(self.leader.findData(finding.leader_id))

    def _enable_dates(self) -> None:
        self.adopted.setEnabled(self.state.currentData() != "草拟")
        self.publicized.setEnabled(self.publicity.currentData() != "未公示")

    def _enable_leader(self) -> None:
        personal = self.kind.currentData() == "个人"
        self.leader.setEnabled(personal)
        if not personal:
            self.leader.setCurrentIndex(0)

    # -- writing -------------------------------------------------------------------------------------
    def _values(self) -> dict:
        return {"title": self.title.text(), "state": self.state.currentData(),
                "adopted_on": iso(self.adopted.date()) if self.adopted.isEnabled() else None,
                "publicity": self.publicity.currentData(),
                "publicized_on": iso(self.publicized.date()) if self.publicized.isEnabled() else None}

    def _write(self, fn, message: str, errors: FieldErrors) -> None:
        self.errors.clear()
        self.item_errors.clear()

        def done(result):
            self.load(select=getattr(result, "id", None))
            self.saved.emit()

        def failed(exc):
            if isinstance(exc, SupervisorError) and exc.field and ITEM_FIELD.match(exc.field):
                exc = SupervisorError(exc.message, field=ITEM_FIELD.match(exc.field).group(2))
                self.item_errors.show(exc)
            else:
                errors.show(exc)

        perform(self, fn, kind="rplan", message=message, on_done=done, on_error=failed)

    def new_plan(self) -> None:
        """Start a new plan: the fields are cleared; 建立方案 stores it."""
        self.plan_combo.blockSignals(True)
        self.plan_combo.setCurrentIndex(-1)
        self.plan_combo.blockSignals(False)
        self._show_plan()

    def save_plan(self) -> None:
        plan, values, unit_id = self.plan(), self._values(), self.unit.id
        if plan is None:
            title = values.pop("title")
            self._write(lambda: plans.create_plan(unit_id, title, **values), self.tr("已建立整改方案"), self.errors)
        else:
            self._write(lambda: plans.update_plan(plan.id, **values), self.tr("已保存整改方案"), self.errors)

    def delete_plan(self) -> None:
        plan = self.plan()
        if plan is not None:
            self._write(lambda: plans.delete_plan(plan.id), self.tr("已删除整改方案"), self.errors)

    def save_item(self) -> None:
        plan = self.plan()
        if plan is None:
            return
        finding_id = self.finding.currentData()
        if not finding_id:
            self.item_errors.show(SupervisorError(self.tr("请选择本单位的一个问题。"), field="finding"))
            return
        values = {"kind": self.kind.currentData(), "leader": self.leader.currentData(),
                  "measure": self.measure.toPlainText(), "responsible_leader": self.responsible_leader.currentData(),
                  "responsible_unit": self.responsible_unit.text(), "deadline": iso(self.deadline.date())}
        self._write(lambda: plans.set_item(plan.id, finding_id, **values), self.tr("已保存整改事项"), self.item_errors)

    def remove_item(self) -> None:
        plan, finding_id = self.plan(), self.finding.currentData()
        if plan is not None and finding_id:
            self._write(lambda: plans.remove_item(plan.id, finding_id), self.tr("已移出整改方案"), self.item_errors)
