"""专题民主生活会 in the window: the meetings of the selected unit (on the unit page) and the
dialog that records one — who was there, 对照检查材料, 谈心谈话, 查摆问题 by 四风, the rating of
批评与自我批评 with its evidence, the group's 点评 — and sends its facts to the 纪实 drafts.

Every write goes through operations.perform; the rules are the services' (meetings.py)."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display, meeting_facts, meetings, members, units
from supervisor_app.models import FOUR_WINDS

from ..hub import hub
from ..operations import perform
from ..widgets import FieldErrors, bold, iso, record_combo, set_combo_data, today_qdate

KIND = "meeting"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class UnitMeetingsPanel(QGroupBox):
    """The unit's 专题民主生活会, newest first; record, open, and send one's facts to the 纪实."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("专题民主生活会"))
        self.unit_id: str | None = None
        layout = QVBoxLayout(self)
        self.table = _table([self.tr("召开日期"), self.tr("领导班子"), self.tr("参会"), self.tr("查摆问题（四风）"),
                             self.tr("批评与自我批评")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.cellDoubleClicked.connect(lambda *_: self.open_meeting())
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("记录民主生活会…"))
        self.new_button.clicked.connect(self.new_meeting)
        self.open_button = QPushButton(self.tr("查看 / 修改…"))
        self.open_button.clicked.connect(self.open_meeting)
        self.facts_button = QPushButton(self.tr("送入纪实（待确认）"))
        self.facts_button.setToolTip(self.tr("把该会的纪实作为待确认纪实，加入参会成员和班子的纪实评价草稿"))
        self.facts_button.clicked.connect(self.send_facts)
        self.delete_button = QPushButton(self.tr("删除"))
        self.delete_button.clicked.connect(self.delete_meeting)
        for button in (self.new_button, self.open_button, self.facts_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        hub.changed.connect(self._on_changed)

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and self.unit_id and kind in ("*", KIND, "unit", "team", "leader"):
            self.set_unit(self.unit_id)

    def set_unit(self, unit_id: str | None) -> None:
        self.unit_id = unit_id
        rows = [meetings.summary(m) for m in meetings.list_meetings(unit_id)] if unit_id else []
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            winds = "、".join(f"{k}{v}" for k, v in row["problems_by_wind"].items() if v) or self.tr("未录入")
            cells = [display.date_text(row["date"]), row["team"], self.tr("{n} 人").format(n=len(row["leaders_present"])),
                     winds, row["rating"] or self.tr("未评定")]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, row["id"])
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.new_button.setEnabled(unit_id is not None)

    def selected_meeting_id(self) -> str | None:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def new_meeting(self):
        if self.unit_id:
            dialog = MeetingDialog(self, self.unit_id)
            dialog.exec()
            return dialog

    def open_meeting(self):
        meeting_id = self.selected_meeting_id()
        if meeting_id:
            dialog = MeetingDialog(self, self.unit_id, meetings.get_meeting(meeting_id))
            dialog.exec()
            return dialog

    def delete_meeting(self):
        meeting_id = self.selected_meeting_id()
        if not meeting_id or QMessageBox.question(
                self, self.tr("确认"), self.tr("确定删除这次专题民主生活会的记录吗？（已送入纪实的条目保留）")) \
                != QMessageBox.StandardButton.Yes:
            return None
        return perform(self, lambda: meetings.delete_meeting(meeting_id), kind=KIND,
                       message=self.tr("已删除专题民主生活会记录"))

    def send_facts(self):
        meeting_id = self.selected_meeting_id()
        if not meeting_id:
            return None

        def said(result):
            text = self.tr("已向 {n} 份纪实评价草稿加入 {k} 条待确认纪实").format(n=len(result.evaluations), k=result.added)
            if result.without:
                text += self.tr("；没有覆盖该日期的纪实评价草稿：{who}").format(who="、".join(result.without))
            hub.status.emit(text)

        return perform(self, lambda: meeting_facts.propose_to_evaluations(meeting_id), kind="fact", on_done=said)


class MeetingDialog(QDialog):
    """One 专题民主生活会: the form, in tabs; a refusal is shown next to the part it concerns."""

    def __init__(self, parent, unit_id: str, meeting=None):
        super().__init__(parent)
        self.unit_id = unit_id
        self.meeting = meeting
        unit = units.get_unit(unit_id)
        self.setWindowTitle(self.tr("专题民主生活会") + f" — {display.short(unit.name, 40)}")
        self.resize(760, 600)
        self.leaders = units.list_leaders(unit_id)
        self.errors = FieldErrors(QLabel())
        layout = QVBoxLayout(self)
        layout.addWidget(bold(QLabel(self.tr("督导组列席{unit}领导班子专题民主生活会的情况").format(
            unit=display.short(unit.name, 40)))))
        form = QFormLayout()
        self.team = record_combo()
        for team in units.list_teams(unit_id):
            self.team.addItem(display.short(team.name, 60), team.id)
        form.addRow(self.tr("领导班子"), self.team)
        form.addRow("", self.errors.label_for("team"))
        self.held_on = QDateEdit(today_qdate())
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("yyyy-MM-dd")
        form.addRow(self.tr("召开日期"), self.held_on)
        form.addRow("", self.errors.label_for("held_on"))
        layout.addLayout(form)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._people_tab(), self.tr("参会人员"))
        self.tabs.addTab(self._materials_tab(), self.tr("对照检查材料"))
        self.tabs.addTab(self._talks_tab(), self.tr("谈心谈话"))
        self.tabs.addTab(self._problems_tab(), self.tr("查摆问题"))
        self.tabs.addTab(self._judgement_tab(), self.tr("评定与点评"))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.errors.general)
        self.errors.label_for("unit")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)
        if meeting is not None:
            self._load(meeting)

    # --- the tabs --------------------------------------------------------------------------------

    def _checklist(self, entries) -> QListWidget:
        box = QListWidget()
        for record_id, text in entries:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            box.addItem(item)
        return box

    def _people_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        group = members.current_group()
        crew = members.list_members(group) if group is not None else []
        layout.addWidget(QLabel(self.tr("列席的督导组成员")))
        self.members = self._checklist([(m.id, display.short(m.name, 40)) for m in crew])
        layout.addWidget(self.members)
        layout.addWidget(self.errors.label_for("members_present"))
        layout.addWidget(QLabel(self.tr("参会的班子成员")))
        self.present = self._checklist([(lead.id, f"{display.short(lead.name, 20)}（{display.short(lead.position, 30)}）")
                                        for lead in self.leaders])
        layout.addWidget(self.present)
        layout.addWidget(self.errors.label_for("leaders_present"))
        return tab

    def _leader_combo(self, with_team: str | None = None) -> QComboBox:
        combo = record_combo(8)
        if with_team is not None:
            combo.addItem(with_team, None)
        for lead in self.leaders:
            combo.addItem(display.short(lead.name, 20), lead.id)
        return combo

    def _editable_table(self, headers: list[str], add_row, hint: str) -> tuple[QWidget, QTableWidget]:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            layout.addWidget(note)
        table = _table(headers)
        layout.addWidget(table, 1)
        row = QHBoxLayout()
        add = QPushButton(self.tr("添加一行"))
        add.clicked.connect(lambda: add_row())
        remove = QPushButton(self.tr("删除所选行"))
        remove.clicked.connect(lambda: table.removeRow(table.currentRow()) if table.currentRow() >= 0 else None)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        return tab, table

    def _materials_tab(self) -> QWidget:
        tab, self.materials = self._editable_table(
            [self.tr("撰写人"), self.tr("定稿"), self.tr("各稿日期与审核人")], self.add_material,
            self.tr("每一稿写成“日期 审核人”，各稿之间用分号隔开，如：2014-05-20 督导组组长张三；2014-05-28 市委常委陈志"))
        tab.layout().addWidget(self.errors.label_for("materials"))
        return tab

    def add_material(self, leader_id=None, drafts: str = "", final: bool = False) -> int:
        row = self.materials.rowCount()
        self.materials.insertRow(row)
        combo = self._leader_combo()
        set_combo_data(combo, leader_id)
        self.materials.setCellWidget(row, 0, combo)
        check = QCheckBox()
        check.setChecked(final)
        self.materials.setCellWidget(row, 1, check)
        self.materials.setItem(row, 2, QTableWidgetItem(drafts))
        return row

    def _talks_tab(self) -> QWidget:
        tab, self.talks = self._editable_table(
            [self.tr("谈话人"), self.tr("谈话对象"), self.tr("已谈"), self.tr("次数")], self.add_talk, "")
        tab.layout().addWidget(self.errors.label_for("talks"))
        return tab

    def add_talk(self, leader_id=None, with_id=None, done: bool = True, count: int = 1) -> int:
        row = self.talks.rowCount()
        self.talks.insertRow(row)
        for column, value in ((0, leader_id), (1, with_id)):
            combo = self._leader_combo()
            set_combo_data(combo, value)
            self.talks.setCellWidget(row, column, combo)
        check = QCheckBox()
        check.setChecked(done)
        self.talks.setCellWidget(row, 2, check)
        spin = QSpinBox()
        spin.setRange(0, 100)
        spin.setValue(count)
        self.talks.setCellWidget(row, 3, spin)
        return row

    def _problems_tab(self) -> QWidget:
        tab, self.problems = self._editable_table(
            [self.tr("四风"), self.tr("所涉"), self.tr("问题")], self.add_problem, "")
        tab.layout().addWidget(self.errors.label_for("problems"))
        return tab

    def add_problem(self, wind: str = FOUR_WINDS[0], leader_id=None, text: str = "") -> int:
        row = self.problems.rowCount()
        self.problems.insertRow(row)
        winds = QComboBox()
        for name in FOUR_WINDS:
            winds.addItem(name, name)
        set_combo_data(winds, wind)
        self.problems.setCellWidget(row, 0, winds)
        who = self._leader_combo(with_team=self.tr("班子"))
        set_combo_data(who, leader_id)
        self.problems.setCellWidget(row, 1, who)
        self.problems.setItem(row, 2, QTableWidgetItem(text))
        return row

    def _judgement_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.rating = QComboBox()
        self.rating.addItem(self.tr("未评定"), None)
        for value in meetings.rating_scale(self.meeting):
            self.rating.addItem(value, value)
        form.addRow(self.tr("批评与自我批评质量"), self.rating)
        form.addRow("", self.errors.label_for("criticism_rating"))
        self.evidence = QPlainTextEdit()
        self.evidence.setPlaceholderText(self.tr("评定的依据：会上相互批评、自我批评的具体表现（评定后必填）"))
        form.addRow(self.tr("评价依据"), self.evidence)
        form.addRow("", self.errors.label_for("criticism_evidence"))
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText(self.tr("督导组对这次民主生活会的点评"))
        form.addRow(self.tr("督导组点评"), self.comment)
        form.addRow("", self.errors.label_for("comment"))
        return tab

    # --- load and save ---------------------------------------------------------------------------

    def _tick(self, box: QListWidget, ids) -> None:
        wanted = set(display.names(ids))
        for i in range(box.count()):
            item = box.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)

    def _load(self, meeting) -> None:
        set_combo_data(self.team, meeting.team_id)
        self.held_on.setDate(QDate.fromString(meeting.held_on, "yyyy-MM-dd"))
        self._tick(self.members, meeting.members_present)
        self._tick(self.present, meeting.leaders_present)
        for m in meeting.materials if isinstance(meeting.materials, list) else []:
            drafts = "；".join(f"{d.get('on_date')} {d.get('reviewer')}" for d in m.get("drafts") or [])
            self.add_material(m.get("leader"), drafts, m.get("final") is True)
        for t in meeting.talks if isinstance(meeting.talks, list) else []:
            self.add_talk(t.get("leader"), t.get("with"), t.get("done") is True, t.get("count") or 0)
        for p in meeting.problems if isinstance(meeting.problems, list) else []:
            self.add_problem(p.get("wind"), p.get("leader"), display.text(p.get("text")))
        set_combo_data(self.rating, meeting.criticism_rating)
        self.evidence.setPlainText(display.text(meeting.criticism_evidence))
        self.comment.setPlainText(display.text(meeting.comment))

    @staticmethod
    def _checked(box: QListWidget) -> list[str]:
        return [box.item(i).data(Qt.ItemDataRole.UserRole) for i in range(box.count())
                if box.item(i).checkState() == Qt.CheckState.Checked]

    @staticmethod
    def _drafts(text: str) -> list[dict]:
        """'2014-05-20 张三；2014-05-28 陈志' as the drafts (the service reads the dates)."""
        drafts = []
        for part in text.replace(";", "；").replace("\n", "；").split("；"):
            day, _, reviewer = part.strip().partition(" ")
            if day:
                drafts.append({"on_date": day, "reviewer": reviewer.strip()})
        return drafts

    def values(self) -> dict:
        """What the form says, in the service's terms."""
        materials = []
        for r in range(self.materials.rowCount()):
            cell = self.materials.item(r, 2)
            materials.append({"leader": self.materials.cellWidget(r, 0).currentData(),
                              "drafts": self._drafts(cell.text() if cell else ""),
                              "final": self.materials.cellWidget(r, 1).isChecked()})
        talks = [{"leader": self.talks.cellWidget(r, 0).currentData(), "with": self.talks.cellWidget(r, 1).currentData(),
                  "done": self.talks.cellWidget(r, 2).isChecked(), "count": self.talks.cellWidget(r, 3).value()}
                 for r in range(self.talks.rowCount())]
        problems = []
        for r in range(self.problems.rowCount()):
            cell = self.problems.item(r, 2)
            problems.append({"wind": self.problems.cellWidget(r, 0).currentData(),
                             "leader": self.problems.cellWidget(r, 1).currentData(),
                             "text": cell.text() if cell else ""})
        return {"members_present": self._checked(self.members), "leaders_present": self._checked(self.present),
                "materials": materials, "talks": talks, "problems": problems,
                "criticism_rating": self.rating.currentData(), "criticism_evidence": self.evidence.toPlainText(),
                "comment": self.comment.toPlainText()}

    def accept(self) -> None:
        self.errors.clear()
        values = self.values()
        unit_id, team_id, held_on = self.unit_id, self.team.currentData(), iso(self.held_on.date())
        meeting_id = self.meeting.id if self.meeting is not None else None
        if meeting_id is None:
            def write():
                return meetings.create_meeting(unit_id, team_id, held_on, **values)
        else:
            def write():
                return meetings.update_meeting(meeting_id, team=team_id, held_on=held_on, **values)
        self.save_button.setEnabled(False)

        def refused(exc):
            self.save_button.setEnabled(True)
            self.errors.show(exc)
            self._show_tab_of(getattr(exc, "field", None))

        def saved(record):
            self.meeting = record
            QDialog.accept(self)

        perform(self, write, kind=KIND, message=self.tr("已保存专题民主生活会记录"), on_done=saved, on_error=refused)

    TAB_OF = {"members_present": 0, "leaders_present": 0, "materials": 1, "talks": 2, "problems": 3,
              "criticism_rating": 4, "criticism_evidence": 4, "comment": 4}

    def _show_tab_of(self, field: str | None) -> None:
        if field in self.TAB_OF:
            self.tabs.setCurrentIndex(self.TAB_OF[field])
