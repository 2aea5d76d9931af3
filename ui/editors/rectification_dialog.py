"""One finding's rectification: measure, responsible person, deadline, status, dated
follow-ups and verification."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from supervisor_app import campaigns, display, findings
from supervisor_app.errors import SupervisorError
from supervisor_app.models import RECTIFICATION_STATUSES

from ..hub import announce
from ..widgets import FieldErrors, StoredNotes, bold, iso, qdate, show_stored, stored_date_fits, today_qdate


def _date_edit(value: str | None = None) -> QDateEdit:
    edit = QDateEdit(qdate(value) if value else today_qdate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class RectificationDialog(QDialog):
    def __init__(self, parent, finding_id: str):
        super().__init__(parent)
        self.finding_id = finding_id
        self.setWindowTitle(self.tr("问题整改"))
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        self.finding_label = bold(QLabel())
        self.finding_label.setWordWrap(True)
        layout.addWidget(self.finding_label)
        self.errors = FieldErrors(QLabel())

        plan = QGroupBox(self.tr("整改措施"))
        form = QFormLayout(plan)
        self.measure = QPlainTextEdit()
        self.measure.setMaximumHeight(80)
        self.responsible = QLineEdit()
        self.deadline = _date_edit()
        self.status = QComboBox()
        for status in RECTIFICATION_STATUSES[:3]:
            self.status.addItem(status, status)
        form.addRow(self.tr("措施"), self.measure)
        form.addRow("", self.errors.label_for("measure"))
        form.addRow(self.tr("责任人"), self.responsible)
        form.addRow("", self.errors.label_for("responsible"))
        form.addRow(self.tr("时限"), self.deadline)
        form.addRow("", self.errors.label_for("deadline"))
        form.addRow(self.tr("状态"), self.status)
        form.addRow("", self.errors.label_for("status"))
        self.save_button = QPushButton(self.tr("保存整改措施"))
        self.save_button.clicked.connect(self.save_plan)
        form.addRow("", self.save_button)
        layout.addWidget(plan)

        follow = QGroupBox(self.tr("跟进情况"))
        follow_layout = QVBoxLayout(follow)
        self.follow_list = QListWidget()
        follow_layout.addWidget(self.follow_list)
        row = QHBoxLayout()
        self.follow_date = _date_edit()
        self.follow_note = QLineEdit()
        self.follow_note.setPlaceholderText(self.tr("跟进情况"))
        add = QPushButton(self.tr("添加跟进"))
        add.clicked.connect(self.add_follow_up)
        row.addWidget(self.follow_date)
        row.addWidget(self.follow_note, 1)
        row.addWidget(add)
        follow_layout.addLayout(row)
        follow_layout.addWidget(self.errors.label_for("on_date"))
        follow_layout.addWidget(self.errors.label_for("note"))
        layout.addWidget(follow)

        verify = QGroupBox(self.tr("核实销号"))
        verify_layout = QHBoxLayout(verify)
        self.verify_date = _date_edit()
        self.verify_by = QLineEdit()
        self.verify_by.setPlaceholderText(self.tr("核实人"))
        member = campaigns.current_member()
        self.verify_by.setText(member.name if member else "")
        self.verify_note = QLineEdit()
        self.verify_note.setPlaceholderText(self.tr("核实情况"))
        self.verify_button = QPushButton(self.tr("核实整改"))
        self.verify_button.clicked.connect(self.verify)
        for widget in (self.verify_date, self.verify_by, self.verify_note, self.verify_button):
            verify_layout.addWidget(widget)
        layout.addWidget(verify)
        layout.addWidget(self.errors.label_for("verified_on"))
        layout.addWidget(self.errors.label_for("verified_by"))
        self.stored_notes = StoredNotes()
        layout.addWidget(self.stored_notes)
        layout.addWidget(self.errors.general)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        layout.addWidget(close)
        self.load()

    def _rect(self):
        return next((r.rectification for r in findings.ledger() if r.finding.id == self.finding_id), None)

    def load(self) -> None:
        finding = findings.get_finding(self.finding_id)
        self.finding_label.setText(display.short(
            f"{display.date_text(finding.found_on)} · {display.related_name(finding, 'unit')} · {finding.category}"
            f"{'（' + finding.sub_kind + '）' if finding.sub_kind else ''}：{finding.description}", 1000))
        rect = self._rect()
        self.follow_list.clear()
        self.stored_notes.clear_notes()
        if rect is None:
            self.deadline.setDate(qdate(finding.found_on).addDays(30))
            self.status.setCurrentIndex(0)
        else:
            self.measure.setPlainText(rect.measure)
            self.responsible.setText(rect.responsible)
            if not stored_date_fits(self.deadline, rect.deadline):
                self.stored_notes.add(self.tr("整改时限"), rect.deadline, display.INVALID_DATE)
            self.deadline.setDate(qdate(rect.deadline))
            if rect.status == "已核实":
                self.status.setCurrentIndex(0)  # not offered: verification has its own button
            else:
                show_stored(self.status, rect.status)
            for follow in findings.follow_ups(rect):
                self.follow_list.addItem(display.short(f"{display.date_text(follow.on_date)}  {follow.note}", 500))
            if rect.status == "已核实":
                self.follow_list.addItem(display.short(self.tr("{d} 已核实（{by}）：{note}").format(
                    d=display.date_text(rect.verified_on), by=rect.verified_by, note=rect.verification_note), 500))
        verified = rect is not None and rect.status == "已核实"
        for widget in (self.save_button, self.verify_button, self.status, self.measure, self.responsible,
                       self.deadline):
            widget.setEnabled(not verified)
        self.verify_button.setEnabled(rect is not None and not verified)

    def _run(self, action, message: str) -> bool:
        self.errors.clear()
        try:
            action()
        except SupervisorError as exc:
            self.errors.show(exc)
            return False
        announce("finding", message)
        self.load()
        return True

    def save_plan(self) -> bool:
        return self._run(lambda: findings.set_rectification(
            self.finding_id, measure=self.measure.toPlainText(), responsible=self.responsible.text(),
            deadline=iso(self.deadline.date()), status=self.status.currentData()), self.tr("已保存整改措施"))

    def add_follow_up(self) -> bool:
        rect = self._rect()
        if rect is None:
            self.errors.show(SupervisorError(self.tr("请先保存整改措施，再添加跟进。")))
            return False
        member = campaigns.current_member()
        ok = self._run(lambda: findings.add_follow_up(rect.id, iso(self.follow_date.date()), self.follow_note.text(),
                                                      member), self.tr("已添加跟进"))
        if ok:
            self.follow_note.clear()
        return ok

    def verify(self) -> bool:
        rect = self._rect()
        if rect is None:
            return False
        return self._run(lambda: findings.verify(rect.id, iso(self.verify_date.date()), self.verify_by.text(),
                                                 self.verify_note.text()), self.tr("整改已核实销号"))
