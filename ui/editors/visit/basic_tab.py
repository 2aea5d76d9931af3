"""基本情况: the unit, the time, the methods, who was there, what was seen; the unit's open
findings beside it (carry-forward)."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import campaigns, display, findings, units
from supervisor_app.errors import SupervisorError
from supervisor_app.visit_form import VisitForm

from ...widgets import StoredNotes, qdatetime, record_combo, set_combo_data, show_stored, stored_date_fits
from .common import FormErrors, required_label

MINUTE = "yyyy-MM-ddTHH:mm"


class BasicTab(QWidget):
    changed = Signal()
    unit_changed = Signal()
    open_finding = Signal(str)
    FIELDS = ("unit", "started_at", "ended_at", "methods", "members_present", "leaders_present", "people_met", "notes")

    def __init__(self, template, errors: FormErrors, stored_notes: StoredNotes):
        super().__init__()
        self.tpl = template
        self.stored_notes = stored_notes
        self.visit_id: str | None = None
        outer = QHBoxLayout(self)
        form = QFormLayout()
        self.unit = record_combo()
        self.unit.setEditable(True)
        self.unit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit.addItem("", None)
        for unit_id, path in units.unit_paths():
            self.unit.addItem(display.short(path, 120), unit_id)
        self.started_at = QDateTimeEdit(QDateTime.currentDateTime())
        self.started_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.started_at.setCalendarPopup(True)
        methods_box = QWidget()
        grid = QGridLayout(methods_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.method_boxes: dict[str, QCheckBox] = {}
        for i, method in enumerate(self.tpl.methods):
            box = QCheckBox(method)
            self.method_boxes[method] = box
            grid.addWidget(box, i // 3, i % 3)
        self.members = QListWidget()
        self.members.setMaximumHeight(110)
        me = campaigns.current_member()
        for member in campaigns.list_members(campaigns.current_group()):
            self._add_person(self.members, member.name + (self.tr("（组长）") if member.is_leader else ""),
                             member.id, checked=me is not None and member.id == me.id)
        self.leaders = QListWidget()
        self.leaders.setMaximumHeight(110)
        self.people_met = QLineEdit()
        self.people_met.setPlaceholderText(self.tr("姓名（职务），用顿号分隔"))
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(self.tr("督导情况：看了什么、听了什么、发现了什么、当场如何反馈"))
        self.notes.setTabChangesFocus(True)  # Tab / Shift+Tab leave the notes, as in every other field
        form.addRow(required_label(self.tr("被督导单位")), self.unit)
        form.addRow("", errors.label_for("unit"))
        form.addRow(required_label(self.tr("督导时间")), self.started_at)
        form.addRow("", errors.label_for("started_at"))
        form.addRow(required_label(self.tr("督导方式")), methods_box)
        form.addRow("", errors.label_for("methods"))
        form.addRow(self.tr("在场组员"), self.members)
        form.addRow("", errors.label_for("members_present"))
        form.addRow(self.tr("在场或涉及的领导干部"), self.leaders)
        form.addRow("", errors.label_for("leaders_present"))
        form.addRow(self.tr("接触人员"), self.people_met)
        form.addRow("", errors.label_for("people_met"))
        form.addRow(self.tr("督导情况"), self.notes)
        form.addRow("", errors.label_for("notes"))
        outer.addLayout(form, 3)
        carry = QGroupBox(self.tr("该单位未销号的问题（请核查）"))
        carry_layout = QVBoxLayout(carry)
        self.carry_forward = QListWidget()
        self.carry_forward.setWordWrap(True)
        self.carry_forward.itemDoubleClicked.connect(
            lambda item: item.data(Qt.ItemDataRole.UserRole) and self.open_finding.emit(item.data(Qt.ItemDataRole.UserRole)))
        carry_layout.addWidget(self.carry_forward)
        outer.addWidget(carry, 2)

        self.unit.currentIndexChanged.connect(self._on_unit_changed)
        for box in self.method_boxes.values():
            box.toggled.connect(self.changed)
        for signal in (self.started_at.dateTimeChanged, self.people_met.textChanged, self.notes.textChanged,
                       self.members.itemChanged, self.leaders.itemChanged):
            signal.connect(self.changed)

    # --- people lists ---------------------------------------------------------------------------

    @staticmethod
    def _add_person(widget: QListWidget, text: str, record_id: str, checked: bool = False) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, record_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        widget.addItem(item)

    @staticmethod
    def _checked(widget: QListWidget) -> list[str]:
        return [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())
                if widget.item(i).checkState() == Qt.CheckState.Checked]

    def _check(self, widget: QListWidget, ids: list[str], label) -> None:
        """Tick exactly ``ids``; people not listed (of another group or unit) are added first, so
        that saving never drops them."""
        listed = {widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())}
        for record_id in ids:
            if record_id not in listed:
                try:
                    text = label(record_id)
                except SupervisorError:
                    text = display.missing(record_id)
                self._add_person(widget, text, record_id)
        for i in range(widget.count()):
            item = widget.item(i)
            wanted = Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in ids else Qt.CheckState.Unchecked
            if item.checkState() != wanted:
                item.setCheckState(wanted)

    def _check_leaders(self, ids: list[str]) -> None:
        def label(leader_id: str) -> str:
            leader = units.get_leader(leader_id)
            return f"{leader.name}（{leader.position}）"

        self._check(self.leaders, ids, label)

    def leader_labels(self) -> dict[str, str]:
        """The visit's unit's leaders, id → "name（position）" (for the findings' 涉及干部)."""
        unit_id = self.unit.currentData()
        return {leader.id: display.short(f"{leader.name}（{leader.position}）", 60)
                for leader in units.list_leaders(unit_id)} if unit_id else {}

    def _on_unit_changed(self, _=None) -> None:
        unit_id = self.unit.currentData()
        ticked = self._checked(self.leaders)
        self.leaders.clear()
        self.carry_forward.clear()
        if unit_id:
            for leader_id, label in self.leader_labels().items():
                self._add_person(self.leaders, label, leader_id)
            for finding in findings.open_findings_for_unit(unit_id):
                if self.visit_id and finding.visit_id == self.visit_id:
                    continue
                item = QListWidgetItem(display.short(f"{finding.found_on}  [{finding.category}] {finding.description}", 200))
                item.setData(Qt.ItemDataRole.UserRole, finding.id)
                self.carry_forward.addItem(item)
        self._check_leaders(ticked)  # leaders already ticked stay ticked (and listed)
        if not self.carry_forward.count():
            self.carry_forward.addItem(self.tr("（没有未销号的问题）"))
        self.unit_changed.emit()
        self.changed.emit()

    # --- the form -------------------------------------------------------------------------------

    def fill(self, form: VisitForm) -> None:
        if form.unit_id and self.unit.findData(form.unit_id) < 0:
            try:
                name = units.get_unit(form.unit_id).name
            except SupervisorError:
                name = display.missing(form.unit_id)
            show_stored(self.unit, form.unit_id, name)
        else:
            set_combo_data(self.unit, form.unit_id)
        self._on_unit_changed()
        if form.started_at:
            if stored_date_fits(self.started_at, form.started_at, with_time=True):
                self.started_at.setDateTime(qdatetime(form.started_at))
        for method, box in self.method_boxes.items():
            box.setChecked(method in form.methods)
        self._check(self.members, form.members_present, lambda mid: campaigns.get_member(mid).name)
        self._check_leaders(form.leaders_present)
        if len(form.people_met) > self.people_met.maxLength():
            self.stored_notes.add(self.tr("接触人员"), form.people_met,
                                  self.tr("（过长，只显示前 {n} 字）").format(n=self.people_met.maxLength()))
        self.people_met.setText(form.people_met)
        self.notes.setPlainText(form.notes)

    def collect(self, form: VisitForm) -> None:
        form.unit_id = self.unit.currentData()
        form.started_at = self.started_at.dateTime().toString(MINUTE)
        form.methods = [m for m, box in self.method_boxes.items() if box.isChecked()]
        form.members_present = self._checked(self.members)
        form.leaders_present = self._checked(self.leaders)
        form.people_met = self.people_met.text()
        form.notes = self.notes.toPlainText()

    def title(self) -> str:
        return (self.unit.currentText() or self.tr("未选单位")) + " " + \
            self.started_at.dateTime().toString("yyyy-MM-dd HH:mm")

