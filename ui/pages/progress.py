"""规定动作进度 in the window: a unit's timeline of its 规定动作 (on the unit page), the actions
due this week and overdue across the units followed (on the overview), and the dialog that
marks an action done with its evidence (the unit's visits, proposals ticked) or not applicable."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from supervisor_app import display, progress, surveys
from supervisor_app.plan import measure_minimum, measure_text

from .. import tasks, theme
from ..hub import hub
from ..operations import perform
from ..report_actions import preview_report
from ..widgets import FieldErrors, bold, error_text, iso, today_qdate

STATE_TINTS = {"overdue": "overdue", "due": None, "done": None, "not_applicable": None}
STATE_INKS = {"done": "ok", "overdue": "danger", "not_applicable": None, "due": None}


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill_row(table: QTableWidget, row: int, cells: list[str], state: progress.ActionState, data: str) -> None:
    tint = "due_soon" if progress.is_due_soon(state) else STATE_TINTS.get(state.state)
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        item.setData(Qt.ItemDataRole.UserRole, data)
        if tint is not None:
            item.setBackground(QBrush(theme.tint(tint)))
            item.setForeground(QBrush(theme.text()))
        elif column == 1 and STATE_INKS.get(state.state):
            item.setForeground(QBrush(theme.ink(STATE_INKS[state.state])))
        table.setItem(row, column, item)


class UnitProgressPanel(QGroupBox):
    """The 规定动作 of one unit in the plan's order: stage, action, due, state, done, evidence."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("规定动作进度"))
        self.unit_id: str | None = None
        self.states: list[progress.ActionState] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.standing = QLabel()  # the latest 民意调查: rank, satisfaction, an extension
        self.standing.setWordWrap(True)
        layout.addWidget(self.standing)
        self.table = _table([self.tr("时限"), self.tr("状态"), self.tr("规定动作"), self.tr("完成日期"),
                             self.tr("佐证 / 理由"), self.tr("标准"), self.tr("环节")])
        self.table.cellDoubleClicked.connect(lambda *_: self.mark_done())
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.done_button = QPushButton(self.tr("标记完成…"))
        self.done_button.clicked.connect(self.mark_done)
        self.na_button = QPushButton(self.tr("标为不适用…"))
        self.na_button.clicked.connect(self.mark_not_applicable)
        self.reopen_button = QPushButton(self.tr("撤销确认"))
        self.reopen_button.clicked.connect(self.reopen)
        for button in (self.done_button, self.na_button, self.reopen_button):
            row.addWidget(button)
        row.addStretch(1)
        # the 活动进度 PDF, made off the GUI thread and previewed (save / print from the preview)
        self.print_unit_button = QPushButton(self.tr("本单位活动进度…"))
        self.print_unit_button.setToolTip(self.tr("生成本单位的活动进度（PDF），预览后可保存或打印"))
        self.print_unit_button.clicked.connect(self.print_unit)
        self.print_all_button = QPushButton(self.tr("全部单位活动进度…"))
        self.print_all_button.setToolTip(self.tr("生成全部单位的活动进度（PDF，按督导组、单位排列）"))
        self.print_all_button.clicked.connect(self.print_all)
        row.addWidget(self.print_unit_button)
        row.addWidget(self.print_all_button)
        layout.addLayout(row)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        hub.changed.connect(self._on_changed)
        self._update_buttons()

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and self.unit_id and kind in ("*", "progress", "plan", "survey", "visit", "unit", "team",
                                                          "leader"):
            self.set_unit(self.unit_id)

    def set_unit(self, unit_id: str | None) -> None:
        selected = self.selected_action_id()
        self.unit_id = unit_id
        # a timeline: soonest due first (the plan's order among actions due the same day)
        self.states = sorted(progress.progress(unit_id), key=lambda s: s.due) if unit_id else []
        self.table.setRowCount(len(self.states))
        for r, s in enumerate(self.states):
            if s.state == "done":
                detail = "；".join(e["text"] for e in s.evidence)
                if s.amount is not None:
                    detail = f"{s.amount}{'；' if detail else ''}{detail}"
            else:
                detail = s.reason
            cells = [display.date_text(s.due), s.state_label, s.action_name,
                     display.date_text(s.done_on) if s.done_on else "", detail, s.measure, s.stage]
            _fill_row(self.table, r, cells, s, s.action_id)
            if s.action_id == selected:
                self.table.selectRow(r)
        self.table.resizeColumnsToContents()
        for column, widest in ((2, 280), (4, 320)):  # long names are elided; whole in the tooltip
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), widest))
        counts = {label: sum(1 for s in self.states if s.state_label == label)
                  for label in progress.STATE_LABELS.values()}
        self.summary.setText("  ".join(f"{k} {v}" for k, v in counts.items()) if self.states
                             else self.tr("该单位没有规定动作。"))
        standing = surveys.unit_standing(unit_id) if unit_id else None
        self.standing.setVisible(standing is not None)
        if standing is not None:
            text = self.tr("{survey}：满意率 {rate:.1f}%，第 {rank}/{of} 名").format(
                survey=standing.survey_name, rate=standing.rate, rank=standing.rank, of=standing.of)
            if standing.extended:
                text += self.tr("。延长活动时间至 {day}（{why}）").format(
                    day=display.date_text(standing.extended_until), why=standing.why)
            self.standing.setText(text)
            self.standing.setStyleSheet(theme.ink_style("danger") if standing.extended else "")
        self._update_buttons()

    def print_unit(self):
        """Preview the 活动进度 of the unit shown."""
        if not self.unit_id:
            return None
        name = next((s.unit_name for s in self.states), "")
        return preview_report(self, "progress", record_id=self.unit_id, title=f"活动进度-{name}" if name else None)

    def print_all(self):
        """Preview the 活动进度 of every unit followed."""
        return preview_report(self, "progress", title=self.tr("活动进度-全部单位"))

    def selected_action_id(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _selected_state(self) -> progress.ActionState | None:
        action_id = self.selected_action_id()
        return next((s for s in self.states if s.action_id == action_id), None)

    def _update_buttons(self) -> None:
        state = self._selected_state()
        plan = progress.current_plan()
        action = plan.action(state.action_id) if state else None
        self.done_button.setEnabled(state is not None)
        self.na_button.setEnabled(action is not None and action["not_applicable_allowed"])
        self.reopen_button.setEnabled(state is not None and state.record_id is not None)
        self.print_unit_button.setEnabled(self.unit_id is not None)

    def mark_done(self) -> None:
        state = self._selected_state()
        if state is not None and self.unit_id:
            MarkDoneDialog(self, self.unit_id, state.action_id).exec()

    def mark_not_applicable(self) -> None:
        state = self._selected_state()
        if state is not None and self.unit_id:
            NotApplicableDialog(self, self.unit_id, state.action_id).exec()

    def reopen(self) -> None:
        state = self._selected_state()
        if state is None or not self.unit_id:
            return
        unit_id, action_id = self.unit_id, state.action_id
        perform(self, lambda: progress.reopen(unit_id, action_id), kind="progress",
                message=self.tr("已撤销“{name}”的完成情况").format(name=state.action_name))


class _ProgressDialog(QDialog):
    """What both confirmations share: the action shown, errors next to fields, the write."""

    def __init__(self, parent, unit_id: str, action_id: str, title: str):
        super().__init__(parent)
        self.unit_id, self.action_id = unit_id, action_id
        self.plan = progress.current_plan()
        self.action = self.plan.action(action_id)
        self.setWindowTitle(title)
        self.resize(640, 520)
        self.layout_ = QVBoxLayout(self)
        header = bold(QLabel(f"{self.action['name']}（{self.tr('标准')}：{measure_text(self.action)}，"
                             f"{self.tr('时限')}：{display.date_text(self.action['due'])}）"))
        header.setWordWrap(True)
        self.layout_.addWidget(header)
        self.errors = FieldErrors(QLabel())
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.errors.general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.layout_.addWidget(buttons)

    def write(self, fn, message: str) -> None:
        self.errors.clear()
        self.ok_button.setEnabled(False)

        def refused(exc):
            self.ok_button.setEnabled(True)
            self.errors.show(exc)

        perform(self, fn, kind="progress", message=message, on_done=lambda _r: QDialog.accept(self),
                on_error=refused)


class MarkDoneDialog(_ProgressDialog):
    """Done on a date, with evidence: visits of the unit (those whose notes name the action are
    proposed and ticked), a document's name, and the amount where the measure counts."""

    def __init__(self, parent, unit_id: str, action_id: str):
        super().__init__(parent, unit_id, action_id, self.tr("标记规定动作完成"))
        proposals = {p.visit_id: p for p in progress.propose_evidence(unit_id, action_id, self.plan)}
        existing = next((s for s in progress.progress(unit_id) if s.action_id == action_id), None)
        chosen = {e.get("id") for e in (existing.evidence if existing else []) if e.get("kind") == "visit"}
        self.done_on = QDateEdit(today_qdate())
        self.done_on.setCalendarPopup(True)
        self.done_on.setDisplayFormat("yyyy-MM-dd")
        self.form.addRow(self.tr("完成日期"), self.done_on)
        self.form.addRow("", self.errors.label_for("done_on"))
        self.amount = None
        minimum = measure_minimum(self.action)
        if minimum is not None:
            self.amount = QSpinBox()
            self.amount.setRange(0, 1000)
            self.amount.setValue(existing.amount if existing and existing.amount is not None
                                 else self.action["measure"]["target"])
            self.amount.setSuffix(self.action["measure"].get("unit", ""))
            self.form.addRow(self.tr("完成数量"), self.amount)
            self.form.addRow("", self.errors.label_for("amount"))
        self.visits = QListWidget()
        self.visits.setWordWrap(True)
        first_proposed = None
        for visit in progress.unit_visits(unit_id):
            proposal = proposals.get(visit.id)
            text = f"{display.date_text(visit.started_at)}  {'、'.join(display.names(visit.methods))}  " \
                   f"{display.short(display.text(visit.notes).split(chr(10))[0], 60)}"
            if proposal is not None:
                text = f"【{self.tr('建议')}】{text}（{proposal.why}）"
            item = QListWidgetItem(text)
            item.setToolTip(f"{text}\n{display.text(visit.notes)}")
            item.setData(Qt.ItemDataRole.UserRole, visit.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = visit.id in chosen or (not chosen and proposal is not None)
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            if proposal is not None and first_proposed is None:
                first_proposed = proposal
            self.visits.addItem(item)
        self.form.addRow(self.tr("佐证：督导记录"), self.visits)
        self.document = QLineEdit()
        self.document.setPlaceholderText(self.tr("文件材料名称，如：县委常委班子对照检查材料"))
        docs = [e.get("title") for e in (existing.evidence if existing else []) if e.get("kind") == "document"]
        if docs:
            self.document.setText(docs[0])
        self.form.addRow(self.tr("佐证：文件材料"), self.document)
        self.form.addRow("", self.errors.label_for("evidence"))
        if existing is not None and existing.done_on:
            self.done_on.setDate(QDate.fromString(existing.done_on, "yyyy-MM-dd"))
        elif first_proposed is not None:
            self.done_on.setDate(QDate.fromString(first_proposed.on_date, "yyyy-MM-dd"))
        self.finish_layout()

    def evidence(self) -> list[dict]:
        items = [{"kind": "visit", "id": self.visits.item(i).data(Qt.ItemDataRole.UserRole)}
                 for i in range(self.visits.count())
                 if self.visits.item(i).checkState() == Qt.CheckState.Checked]
        if self.document.text().strip():
            items.append({"kind": "document", "title": self.document.text().strip()})
        return items

    def accept(self) -> None:
        unit_id, action_id, day = self.unit_id, self.action_id, iso(self.done_on.date())
        evidence, amount = self.evidence(), self.amount.value() if self.amount is not None else None
        self.write(lambda: progress.confirm_done(unit_id, action_id, day, evidence, amount),
                   self.tr("已确认“{name}”完成").format(name=self.action["name"]))


class NotApplicableDialog(_ProgressDialog):
    """Not applicable, with the reason (only where the plan allows it)."""

    def __init__(self, parent, unit_id: str, action_id: str):
        super().__init__(parent, unit_id, action_id, self.tr("规定动作不适用"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("如：经查阅资料，该党组织不属于软弱涣散基层党组织"))
        self.form.addRow(self.tr("理由"), self.reason)
        self.form.addRow("", self.errors.label_for("reason"))
        self.form.addRow("", self.errors.label_for("status"))
        self.finish_layout()

    def accept(self) -> None:
        unit_id, action_id, reason = self.unit_id, self.action_id, self.reason.text()
        self.write(lambda: progress.mark_not_applicable(unit_id, action_id, reason),
                   self.tr("已标为不适用：{name}").format(name=self.action["name"]))


class DueActionsBox(QGroupBox):
    """本周到期及逾期的规定动作 across the units followed (the office: every group's); a row
    opens its unit."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window_ = window
        self.setTitle(self.tr("本周到期及逾期的规定动作"))
        layout = QVBoxLayout(self)
        self.table = _table([self.tr("时限"), self.tr("状态"), self.tr("单位"), self.tr("规定动作"), self.tr("环节")])
        self.table.setMinimumHeight(150)
        self.table.cellDoubleClicked.connect(self._open)
        layout.addWidget(self.table)
        self.rows: list[progress.ActionState] = []

    def refresh(self) -> None:
        tasks.load_async(self, progress.due_soon, self._apply,
                         lambda exc: hub.status.emit(self.tr("规定动作进度无法刷新：") + error_text(exc)))

    def _apply(self, rows: list[progress.ActionState]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, s in enumerate(rows):
            cells = [display.date_text(s.due), s.state_label, display.short(s.unit_name, 60), s.action_name, s.stage]
            _fill_row(self.table, r, cells, s, s.unit_id)
        self.table.resizeColumnsToContents()
        self.setTitle(self.tr("本周到期及逾期的规定动作（{n}）").format(n=len(rows)))

    def _open(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.window_.open_record("unit", item.data(Qt.ItemDataRole.UserRole))

