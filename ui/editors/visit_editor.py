"""The visit editor: the visit, its attachments, assessment, quiz and findings.

What the user types is saved as a draft at once (it survives a crash or a kill); 保存 writes
everything in one transaction through supervisor_app.visit_form, or nothing.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import attachments, campaigns, display, findings, quiz, units, visit_form, visits
from supervisor_app.errors import SupervisorError

from ..hub import announce
from ..widgets import (
    STORED_ROLE,
    FieldErrors,
    StoredNotes,
    bold,
    qdatetime,
    record_combo,
    set_combo_data,
    show_error,
    show_stored,
    stored_date_fits,
)

FINDING_COLUMNS = ("类别", "具体表现", "问题描述", "严重程度", "涉及干部")


class VisitEditor(QDialog):
    def __init__(self, window, visit_id: str | None = None, unit_id: str | None = None, draft=None):
        super().__init__(window)
        self.window_ = window
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAcceptDrops(True)
        self.tpl = campaigns.active_template()
        if draft is not None:
            visit_id = draft.data.get("visit_id")
            self.draft_key = draft.key
        else:
            self.draft_key = f"visit-{visit_id}" if visit_id else f"visit-new-{secrets.token_hex(6)}"
        self.visit_id = visit_id
        self.pending_files: list[str] = []
        self.removed_attachments: list[str] = []
        self._loading = True
        self.resize(1000, 720)

        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.errors = FieldErrors(QLabel())
        self.stored_notes = StoredNotes()
        self.tabs.addTab(self._basic_tab(), self.tr("基本情况"))
        self.tabs.addTab(self._attachments_tab(), self.tr("附件"))
        self.tabs.addTab(self._assessment_tab(), self.tr("评估"))
        self.tabs.addTab(self._quiz_tab(), self.tr("知识问答"))
        self.tabs.addTab(self._findings_tab(), self.tr("发现问题"))
        layout.addWidget(self.stored_notes)
        layout.addWidget(self.errors.general)
        buttons = QHBoxLayout()
        self.draft_label = QLabel()
        self.draft_label.setStyleSheet("color: #666;")
        self.pdf_button = QPushButton(self.tr("生成督导记录 PDF…"))
        self.pdf_button.clicked.connect(self.make_pdf)
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("关闭"))
        cancel.clicked.connect(self.close)
        buttons.addWidget(self.draft_label, 1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(400)
        self._draft_timer.timeout.connect(self.save_draft)

        if visit_id:
            self._load(visit_id)
        elif unit_id:
            set_combo_data(self.unit, unit_id)
        if draft is not None:
            self.apply_state(draft.data["state"])
            self.draft_label.setText(self.tr("已恢复草稿"))
        self._on_unit_changed()
        self._loading = False
        self._connect_changes()
        self._update_title()

    # --- building the tabs -----------------------------------------------------------------------

    def _basic_tab(self) -> QWidget:
        page = QWidget()
        outer = QHBoxLayout(page)
        form = QFormLayout()
        self.unit = record_combo()
        self.unit.setEditable(True)
        self.unit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit.addItem("", None)
        for unit_id, path in units.unit_paths():
            self.unit.addItem(display.short(path, 120), unit_id)
        self.unit.currentIndexChanged.connect(self._on_unit_changed)
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
        for member in campaigns.list_members(campaigns.current_group()):
            item = QListWidgetItem(member.name + (self.tr("（组长）") if member.is_leader else ""))
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if member.id == (campaigns.current_member() or member).id
                               else Qt.CheckState.Unchecked)
            self.members.addItem(item)
        self.leaders = QListWidget()
        self.leaders.setMaximumHeight(110)
        self.people_met = QLineEdit()
        self.people_met.setPlaceholderText(self.tr("姓名（职务），用顿号分隔"))
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(self.tr("督导情况：看了什么、听了什么、发现了什么、当场如何反馈"))
        form.addRow(self.tr("被督导单位"), self.unit)
        form.addRow("", self.errors.label_for("unit"))
        form.addRow(self.tr("督导时间"), self.started_at)
        form.addRow("", self.errors.label_for("started_at"))
        form.addRow(self.tr("督导方式"), methods_box)
        form.addRow("", self.errors.label_for("methods"))
        form.addRow(self.tr("在场组员"), self.members)
        form.addRow("", self.errors.label_for("members_present"))
        form.addRow(self.tr("在场或涉及的领导干部"), self.leaders)
        form.addRow(self.tr("接触人员"), self.people_met)
        form.addRow(self.tr("督导情况"), self.notes)
        form.addRow("", self.errors.label_for("notes"))
        outer.addLayout(form, 3)
        carry = QGroupBox(self.tr("该单位未销号的问题（请核查）"))
        carry_layout = QVBoxLayout(carry)
        self.carry_forward = QListWidget()
        self.carry_forward.setWordWrap(True)
        self.carry_forward.itemDoubleClicked.connect(
            lambda item: self.window_.open_record("finding", item.data(Qt.ItemDataRole.UserRole)))
        carry_layout.addWidget(self.carry_forward)
        outer.addWidget(carry, 2)
        return page

    def _attachments_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr("照片、扫描件等（可拖放文件到此窗口）。文件按内容只存一份。")))
        self.attachment_list = QListWidget()
        layout.addWidget(self.attachment_list, 1)
        layout.addWidget(self.errors.label_for("attachment"))
        row = QHBoxLayout()
        add = QPushButton(self.tr("添加…"))
        add.clicked.connect(self._choose_files)
        open_button = QPushButton(self.tr("打开"))
        open_button.clicked.connect(self._open_attachment)
        remove = QPushButton(self.tr("移除"))
        remove.clicked.connect(self._remove_attachment)
        for button in (add, open_button, remove):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _score_grid(self, items, scale, key: str) -> tuple[QWidget, dict]:
        box = QWidget()
        grid = QGridLayout(box)
        widgets = {}
        for row, item in enumerate(items):
            name = QLabel(item["name"])
            name.setWordWrap(True)
            if item.get("points"):
                name.setToolTip("\n".join(item["points"]))
            combo = QComboBox()
            combo.addItem(self.tr("（未评）"), "")
            for value in scale:
                combo.addItem(value, value)
            evidence = QLineEdit()
            evidence.setPlaceholderText(self.tr("依据（必填）"))
            grid.addWidget(name, row, 0)
            grid.addWidget(combo, row, 1)
            grid.addWidget(evidence, row, 2)
            widgets[item["id"]] = (combo, evidence)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 4)
        return box, widgets

    def _assessment_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        focus_box = QGroupBox(self.tr("督导重点"))
        focus_layout = QVBoxLayout(focus_box)
        grid, self.focus_widgets = self._score_grid(self.tpl.focus_items, self.tpl.scale("focus"), "rating")
        focus_layout.addWidget(grid)
        focus_layout.addWidget(self.errors.label_for("督导重点"))
        tendency_box = QGroupBox(self.tr("防止五种倾向"))
        tendency_layout = QVBoxLayout(tendency_box)
        grid, self.tendency_widgets = self._score_grid(self.tpl.tendencies, self.tpl.scale("tendency"), "level")
        tendency_layout.addWidget(grid)
        tendency_layout.addWidget(self.errors.label_for("倾向"))
        layout.addWidget(focus_box)
        layout.addWidget(tendency_box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    def _quiz_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.quiz_enabled = QCheckBox(self.tr("本次进行了知识问答（{n}道基础题目）").format(n=self.tpl.quiz_questions))
        self.quiz_people = QSpinBox()
        self.quiz_people.setRange(0, 10_000)
        self.quiz_questions = QSpinBox()
        self.quiz_questions.setRange(0, 1000)
        self.quiz_questions.setValue(self.tpl.quiz_questions)
        self.quiz_correct = QSpinBox()
        self.quiz_correct.setRange(0, 10_000_000)
        self.quiz_accuracy = bold(QLabel("—"))
        form.addRow(self.quiz_enabled)
        form.addRow(self.tr("参测人数"), self.quiz_people)
        form.addRow("", self.errors.label_for("people_tested"))
        form.addRow(self.tr("题目数"), self.quiz_questions)
        form.addRow("", self.errors.label_for("questions"))
        form.addRow(self.tr("答对题数（合计）"), self.quiz_correct)
        form.addRow("", self.errors.label_for("correct_answers"))
        form.addRow(self.tr("正确率"), self.quiz_accuracy)
        for spin in (self.quiz_people, self.quiz_questions, self.quiz_correct):
            spin.valueChanged.connect(self._update_accuracy)
        self.quiz_enabled.toggled.connect(self._update_accuracy)
        return page

    def _findings_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.findings_table = QTableWidget(0, len(FINDING_COLUMNS))
        self.findings_table.setHorizontalHeaderLabels([self.tr(c) for c in FINDING_COLUMNS])
        self.findings_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.findings_table.verticalHeader().hide()
        layout.addWidget(self.findings_table, 1)
        layout.addWidget(self.errors.label_for("finding"))
        row = QHBoxLayout()
        add = QPushButton(self.tr("添加问题"))
        add.clicked.connect(lambda: self.add_finding_row())
        remove = QPushButton(self.tr("删除所选问题"))
        remove.clicked.connect(self._remove_finding_row)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        self.removed_findings: list[str] = []
        return page

    # --- findings rows ---------------------------------------------------------------------------

    def add_finding_row(self, values: dict | None = None) -> int:
        values = values or {}
        table = self.findings_table
        row = table.rowCount()
        table.insertRow(row)
        category = QComboBox()
        category.addItem("", "")
        for cat in self.tpl.problem_categories:
            category.addItem(cat["name"], cat["name"])
        sub_kind = QComboBox()
        description = QLineEdit()
        self._set_line(description, values.get("description", ""), self.tr("问题描述"))
        severity = QComboBox()
        for s in self.tpl.severities:
            severity.addItem(s, s)
        leader = record_combo(8)
        self._fill_leader_combo(leader)

        def refill_sub(_=None):
            current = sub_kind.currentData()
            sub_kind.clear()
            sub_kind.addItem("", "")
            cat = self.tpl.category(category.currentData() or "")
            for sub in (cat or {}).get("sub_kinds", []):
                sub_kind.addItem(sub, sub)
            set_combo_data(sub_kind, current)

        category.currentIndexChanged.connect(refill_sub)
        show_stored(category, values.get("category", ""))
        refill_sub()
        show_stored(sub_kind, values.get("sub_kind", ""))
        show_stored(severity, values.get("severity") or self.tpl.severities[0])
        show_stored(leader, values.get("leader_id"), values.get("leader_label"))
        for column, widget in enumerate((category, sub_kind, description, severity, leader)):
            table.setCellWidget(row, column, widget)
        category.setProperty("finding_id", values.get("id"))
        for widget in (category, sub_kind, severity, leader):
            widget.currentIndexChanged.connect(self._changed)
        description.textChanged.connect(self._changed)
        self._changed()
        return row

    def _fill_leader_combo(self, combo: QComboBox) -> None:
        current, stored, text = combo.currentData(), combo.currentData(STORED_ROLE), combo.currentText()
        combo.clear()
        combo.addItem("", None)
        unit_id = self.unit.currentData()
        if unit_id:
            for leader in units.list_leaders(unit_id):
                combo.addItem(display.short(f"{leader.name}（{leader.position}）", 60), leader.id)
        if stored:  # a stored leader who is not one of the unit's stays shown until changed
            show_stored(combo, current, text)
        else:
            set_combo_data(combo, current)

    def _finding_values(self, row: int) -> dict:
        table = self.findings_table
        category, sub_kind, description, severity, leader = (table.cellWidget(row, c) for c in range(5))
        return {"id": category.property("finding_id"), "category": category.currentData() or "",
                "sub_kind": sub_kind.currentData() or "", "description": description.text(),
                "severity": severity.currentData() or "", "leader_id": leader.currentData()}

    def _remove_finding_row(self) -> None:
        row = self.findings_table.currentRow()
        if row < 0:
            return
        finding_id = self._finding_values(row)["id"]
        if finding_id:
            self.removed_findings.append(finding_id)
        self.findings_table.removeRow(row)
        self._changed()

    # --- attachments -----------------------------------------------------------------------------

    def _add_attachment_item(self, text: str, data: tuple[str, str]) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, data)
        self.attachment_list.addItem(item)

    def add_files(self, paths: list[str]) -> None:
        for path in paths:
            if Path(path).is_file() and path not in self.pending_files:
                self.pending_files.append(path)
                self._add_attachment_item(self.tr("（待保存）") + Path(path).name, ("file", path))
        self._changed()

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("添加附件"))
        self.add_files(paths)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self.add_files([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])
        self.tabs.setCurrentIndex(1)

    def _open_attachment(self) -> None:
        item = self.attachment_list.currentItem()
        if item is None:
            return
        kind, value = item.data(Qt.ItemDataRole.UserRole)
        try:
            if kind == "file":
                path = Path(value)
            else:
                att = next(a for a in attachments.list_attachments(self.visit_id) if a.id == value)
                path = attachments.verified_path(att)
        except SupervisorError as exc:
            self.errors.show(exc)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _remove_attachment(self) -> None:
        item = self.attachment_list.currentItem()
        if item is None:
            return
        kind, value = item.data(Qt.ItemDataRole.UserRole)
        if kind == "file":
            self.pending_files.remove(value)
        else:
            self.removed_attachments.append(value)
        self.attachment_list.takeItem(self.attachment_list.row(item))
        self._changed()

    # --- loading, state and drafts ---------------------------------------------------------------

    def _load(self, visit_id: str) -> None:
        """Show a stored visit; values the fields cannot show as they are are listed in
        ``stored_notes`` (or added, marked, to a choice list), never silently replaced."""
        visit = visits.get_visit(visit_id)
        notes = self.stored_notes
        notes.clear_notes()
        show_stored(self.unit, visit.unit_id, display.related_name(visit, "unit"))
        self._on_unit_changed()
        if not stored_date_fits(self.started_at, visit.started_at, with_time=True):
            notes.add(self.tr("督导时间"), visit.started_at, display.INVALID_DATE)
        self.started_at.setDateTime(qdatetime(visit.started_at))
        methods = display.names(visit.methods)
        for method, box in self.method_boxes.items():
            box.setChecked(method in methods)
        for method in methods:
            if method not in self.method_boxes:
                notes.add(self.tr("督导方式"), method, display.NOT_IN_TEMPLATE)
        self._check_members(display.names(visit.members_present))
        self._check_leaders(display.names(visit.leaders_present))
        self._set_line(self.people_met, visit.people_met, self.tr("接触人员"))
        self.notes.setPlainText(display.text(visit.notes))
        for att in attachments.list_attachments(visit):
            size = display.count(att.size)
            size_text = f"{size // 1024 + 1} KB" if size is not None and size >= 0 else display.count_text(att.size)
            self._add_attachment_item(f"{att.filename}（{size_text}）", ("attachment", att.id))
        assessment = visits.assessment_of(visit)
        if assessment is not None:
            for widgets, stored, key in ((self.focus_widgets, assessment.focus_ratings, "rating"),
                                         (self.tendency_widgets, assessment.tendency_levels, "level")):
                scores = display.entries(stored, key, "evidence")
                self._set_scores(widgets, scores, key)
                for item_id in scores.keys() - widgets.keys():
                    notes.add(self.tr("评估项目"), item_id, display.NOT_IN_TEMPLATE)
                if stored and not isinstance(stored, dict):
                    notes.add(self.tr("评估"), display.text(stored), self.tr("（不是评估内容）"))
        record = quiz.quiz_of(visit)
        if record is not None:
            self.quiz_enabled.setChecked(True)
            for spin, value, label in ((self.quiz_people, record.people_tested, self.tr("参测人数")),
                                       (self.quiz_questions, record.questions, self.tr("题目数")),
                                       (self.quiz_correct, record.correct_answers, self.tr("答对题数"))):
                number = display.count(value)
                if number is None or not spin.minimum() <= number <= spin.maximum():
                    notes.add(label, display.text(value), display.INVALID_NUMBER)
                    number = min(max(number or 0, spin.minimum()), spin.maximum())
                spin.setValue(number)
        for finding in findings.list_findings(visit=visit):
            self.add_finding_row({"id": finding.id, "category": finding.category, "sub_kind": finding.sub_kind,
                                  "description": finding.description, "severity": finding.severity,
                                  "leader_id": finding.leader_id, "leader_label": self._leader_label(finding)})

    def _set_line(self, edit: QLineEdit, value, label: str) -> None:
        """Put stored text in a one-line field, saying so when it is longer than the field holds."""
        text = display.text(value)
        if len(text) > edit.maxLength():
            self.stored_notes.add(label, text, self.tr("（过长，只显示前 {n} 字）").format(n=edit.maxLength()))
        edit.setText(text)

    @staticmethod
    def _leader_label(finding) -> str:
        """How a finding's leader reads when the unit's list does not hold them."""
        leader = display.related(finding, "leader")
        if leader is None:
            return display.related_name(finding, "leader")
        unit = display.related_name(leader, "unit")
        return f"{display.related_name(finding, 'leader')}（{leader.position}，{unit}）"

    @staticmethod
    def _set_scores(widgets: dict, scores: dict, key: str) -> None:
        for item_id, (combo, evidence) in widgets.items():
            entry = scores.get(item_id) or {}
            show_stored(combo, entry.get(key, ""))
            evidence.setText(entry.get("evidence", ""))

    @staticmethod
    def _get_scores(widgets: dict, key: str) -> dict:
        return {item_id: {key: combo.currentData() or "", "evidence": evidence.text()}
                for item_id, (combo, evidence) in widgets.items()}

    def _checked(self, widget: QListWidget) -> list[str]:
        return [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())
                if widget.item(i).checkState() == Qt.CheckState.Checked]

    @staticmethod
    def _ensure_items(widget: QListWidget, ids: list[str], label) -> None:
        """Add checkable items for ids not listed yet (people of another group or unit), so that
        saving never drops them."""
        listed = {widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())}
        for record_id in ids:
            if record_id not in listed:
                try:
                    text = label(record_id)
                except SupervisorError:
                    text = record_id
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, record_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                widget.addItem(item)

    def _check_members(self, ids: list[str]) -> None:
        self._ensure_items(self.members, ids, lambda mid: campaigns.get_member(mid).name)
        for i in range(self.members.count()):
            item = self.members.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _check_leaders(self, ids: list[str]) -> None:
        self._ensure_items(self.leaders, ids, lambda lid: (lambda le: f"{le.name}（{le.position}）")(units.get_leader(lid)))
        for i in range(self.leaders.count()):
            item = self.leaders.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in ids
                               else Qt.CheckState.Unchecked)

    def _on_unit_changed(self, _=None) -> None:
        unit_id = self.unit.currentData()
        checked = self._checked(self.leaders)
        self.leaders.clear()
        self.carry_forward.clear()
        if unit_id:
            for leader in units.list_leaders(unit_id):
                item = QListWidgetItem(f"{leader.name}（{leader.position}）")
                item.setData(Qt.ItemDataRole.UserRole, leader.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.leaders.addItem(item)
            for finding in findings.open_findings_for_unit(unit_id):
                if finding.visit_id == self.visit_id and self.visit_id:
                    continue
                item = QListWidgetItem(display.short(f"{finding.found_on}  [{finding.category}] {finding.description}", 200))
                item.setData(Qt.ItemDataRole.UserRole, finding.id)
                self.carry_forward.addItem(item)
        self._check_leaders(checked)  # leaders already ticked stay ticked (and listed)
        if not self.carry_forward.count():
            self.carry_forward.addItem(self.tr("（没有未销号的问题）"))
        for row in range(self.findings_table.rowCount()):
            self._fill_leader_combo(self.findings_table.cellWidget(row, 4))
        if not self._loading:
            self._changed()

    def state(self) -> dict:
        """Everything typed so far, as plain data (for drafts)."""
        return {
            "unit_id": self.unit.currentData(),
            "started_at": self.started_at.dateTime().toString("yyyy-MM-ddTHH:mm"),
            "methods": [m for m, box in self.method_boxes.items() if box.isChecked()],
            "members_present": self._checked(self.members),
            "leaders_present": self._checked(self.leaders),
            "people_met": self.people_met.text(),
            "notes": self.notes.toPlainText(),
            "focus": self._get_scores(self.focus_widgets, "rating"),
            "tendency": self._get_scores(self.tendency_widgets, "level"),
            "quiz": [self.quiz_enabled.isChecked(), self.quiz_people.value(), self.quiz_questions.value(),
                     self.quiz_correct.value()],
            "findings": [self._finding_values(r) for r in range(self.findings_table.rowCount())],
            "removed_findings": list(self.removed_findings),
            "pending_files": list(self.pending_files),
            "removed_attachments": list(self.removed_attachments),
        }

    def apply_state(self, state: dict) -> None:
        set_combo_data(self.unit, state.get("unit_id"))
        self._on_unit_changed()
        self.started_at.setDateTime(qdatetime(state.get("started_at")))
        for method, box in self.method_boxes.items():
            box.setChecked(method in state.get("methods", []))
        self._check_members(state.get("members_present", []))
        self._check_leaders(state.get("leaders_present", []))
        self.people_met.setText(state.get("people_met", ""))
        self.notes.setPlainText(state.get("notes", ""))
        self._set_scores(self.focus_widgets, state.get("focus", {}), "rating")
        self._set_scores(self.tendency_widgets, state.get("tendency", {}), "level")
        enabled, people, questions, correct = state.get("quiz", [False, 0, self.tpl.quiz_questions, 0])
        self.quiz_enabled.setChecked(enabled)
        self.quiz_people.setValue(people)
        self.quiz_questions.setValue(questions)
        self.quiz_correct.setValue(correct)
        self.findings_table.setRowCount(0)
        for values in state.get("findings", []):
            self.add_finding_row(values)
        self.removed_findings = list(state.get("removed_findings", []))
        self.removed_attachments = list(state.get("removed_attachments", []))
        for i in reversed(range(self.attachment_list.count())):
            kind, value = self.attachment_list.item(i).data(Qt.ItemDataRole.UserRole)
            if kind == "attachment" and value in self.removed_attachments:
                self.attachment_list.takeItem(i)
        self.add_files(state.get("pending_files", []))

    def _connect_changes(self) -> None:
        for box in self.method_boxes.values():
            box.toggled.connect(self._changed)
        for signal in (self.started_at.dateTimeChanged, self.people_met.textChanged, self.notes.textChanged,
                       self.members.itemChanged, self.leaders.itemChanged, self.quiz_enabled.toggled,
                       self.quiz_people.valueChanged, self.quiz_questions.valueChanged,
                       self.quiz_correct.valueChanged):
            signal.connect(self._changed)
        for widgets in (self.focus_widgets, self.tendency_widgets):
            for combo, evidence in widgets.values():
                combo.currentIndexChanged.connect(self._changed)
                evidence.textChanged.connect(self._changed)

    def _changed(self, *_args) -> None:
        if self._loading:
            return
        self.dirty = True
        self._draft_timer.start()

    dirty = False

    def save_draft(self) -> None:
        title = (self.unit.currentText() or self.tr("未选单位")) + " " + self.started_at.dateTime().toString(
            "yyyy-MM-dd HH:mm")
        try:
            self.window_.drafts.save(self.draft_key, "visit", self.tr("督导记录：") + title,
                                     {"visit_id": self.visit_id, "state": self.state()})
        except OSError as exc:
            self.draft_label.setText(self.tr("草稿无法保存：") + (exc.strerror or str(exc)))
            return
        self.draft_label.setText(self.tr("草稿已自动保存 ") + QDateTime.currentDateTime().toString("HH:mm:ss"))

    def _update_accuracy(self, *_args) -> None:
        people, count, correct = self.quiz_people.value(), self.quiz_questions.value(), self.quiz_correct.value()
        for spin in (self.quiz_people, self.quiz_questions, self.quiz_correct):
            spin.setEnabled(self.quiz_enabled.isChecked())
        if not self.quiz_enabled.isChecked() or not people or not count:
            self.quiz_accuracy.setText("—")
        else:
            self.quiz_accuracy.setText(f"{quiz.accuracy(people, count, correct):.1%}")

    def _update_title(self) -> None:
        self.setWindowTitle(self.tr("编辑督导记录") if self.visit_id else self.tr("新建督导记录"))
        self.pdf_button.setEnabled(bool(self.visit_id))

    def make_pdf(self):
        """The 督导记录 of what is saved (save first when there are changes)."""
        from ..report_actions import preview_report

        if self.dirty and not self.save():
            return None
        return preview_report(self, "visit", record_id=self.visit_id,
                              title=f"督导记录-{self.unit.currentText()}-{self.started_at.dateTime().toString('yyyyMMdd')}")

    # --- saving ----------------------------------------------------------------------------------

    def form(self) -> visit_form.VisitForm:
        state = self.state()
        finding_forms = [visit_form.FindingForm(**values) for values in state["findings"]]
        finding_forms += [visit_form.FindingForm("", "", id=fid, remove=True) for fid in self.removed_findings]
        enabled, people, questions, correct = state["quiz"]
        return visit_form.VisitForm(
            unit_id=state["unit_id"], started_at=state["started_at"], methods=state["methods"],
            members_present=state["members_present"], leaders_present=state["leaders_present"],
            people_met=state["people_met"], notes=state["notes"], focus_ratings=state["focus"],
            tendency_levels=state["tendency"], quiz=(people, questions, correct) if enabled else None,
            findings=finding_forms, add_files=list(self.pending_files),
            remove_attachments=list(self.removed_attachments),
        )

    TAB_OF_FIELD = {"unit": 0, "started_at": 0, "methods": 0, "members_present": 0, "notes": 0, "attachment": 1,
                    "督导重点": 2, "倾向": 2, "people_tested": 3, "questions": 3, "correct_answers": 3, "finding": 4}

    def save(self) -> bool:
        self.errors.clear()
        try:
            visit = visit_form.save(self.form(), self.visit_id)
        except SupervisorError as exc:
            label = self.errors.show(exc)
            field = (exc.field or "").split(":", 1)[0]
            if field in self.TAB_OF_FIELD:
                self.tabs.setCurrentIndex(self.TAB_OF_FIELD[field])
            label.setFocus()
            return False
        except Exception as exc:  # noqa: BLE001 — shown to the user, nothing was written
            show_error(self, exc)
            return False
        self.window_.drafts.discard(self.draft_key)
        created = self.visit_id is None
        self.visit_id = visit.id
        self.draft_key = f"visit-{visit.id}"
        self.dirty = False
        self._draft_timer.stop()
        # reload so that saved findings and attachments carry their ids
        self._loading = True
        self.pending_files.clear()
        self.removed_attachments.clear()
        self.removed_findings.clear()
        self.attachment_list.clear()
        self.findings_table.setRowCount(0)
        self._load(visit.id)
        self._loading = False
        self._update_title()
        self.draft_label.setText(self.tr("已保存"))
        announce("visit", self.tr("已新建督导记录") if created else self.tr("已保存督导记录"))
        return True

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.dirty:
            answer = QMessageBox.question(
                self, self.tr("未保存的修改"), self.tr("有未保存的修改。保存吗？"),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                event.ignore()
                return
            if answer == QMessageBox.StandardButton.Save and not self.save():
                event.ignore()
                return
            if answer == QMessageBox.StandardButton.Discard:
                self._draft_timer.stop()
                self.window_.drafts.discard(self.draft_key)
        super().closeEvent(event)
