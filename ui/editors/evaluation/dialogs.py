"""Dialogs of the 纪实评价 editor. Each one writes through ``ui.operations.perform`` (off the GUI
thread) and closes only when the write succeeded; a refusal is shown in the dialog."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import campaigns, clock, display, evaluations, signatures, signing, units
from supervisor_app.errors import SupervisorError, ValidationError

from ...operations import perform
from ...widgets import FieldErrors, iso, qdate, record_combo

_OK = QDialogButtonBox.StandardButton.Ok
_CANCEL = QDialogButtonBox.StandardButton.Cancel


class _WritingDialog(QDialog):
    """A dialog whose OK runs one write off the GUI thread and closes when it is done."""

    announced = "evaluation"  # the kind of change announced when the write is done

    def _buttons(self, ok_text: str) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(_OK | _CANCEL)
        self.buttons.button(_OK).setText(ok_text)
        self.buttons.button(_CANCEL).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.result_value = None
        self.busy = False
        return self.buttons

    def write(self):  # the write to perform; raises SupervisorError to refuse
        raise NotImplementedError

    def message(self) -> str | None:
        return None

    def accept(self) -> None:
        if self.busy:
            return
        self.errors.clear()
        try:
            fn = self.write()  # parses the form on the GUI thread, returns the write
        except SupervisorError as exc:
            self.errors.show(exc)
            return
        self.busy = True
        self.buttons.setEnabled(False)
        perform(self, fn, kind=self.announced, message=self.message(), on_done=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self.result_value = result
        QDialog.accept(self)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self.errors.show(exc)  # a refusal next to its field; anything else as an internal error


def _leader_problem(data_dir, action: str) -> str | None:
    """Why the current member cannot sign here, said as what to do about it (None: they can)."""
    member = campaigns.current_member()
    group = campaigns.current_group()
    leader = campaigns.group_leader(group) if group is not None else None
    if member is None or not member.is_leader:
        who = f"当前成员是{member.name}，" if member is not None else ""
        if leader is None:
            return f"{who}本督导组还没有组长。请先在本组成员设置中指定组长。"
        return f"{who}只有组长{leader.name}可以{action}。请先把当前成员切换为{leader.name}。"
    if not signing.key_path(data_dir, member).exists():
        return (f"组长{member.name}还没有在本机设置签名口令。请先在本组成员设置中为组长设置签名口令，"
                f"再回来{action}。")
    return None


class SignDialog(_WritingDialog):
    """Shows what will be signed in plain words and asks the leader's passphrase."""

    def __init__(self, parent, record):
        super().__init__(parent)
        self.record = record
        self.data_dir = parent.window_.data_dir
        self.setWindowTitle(self.tr("签署纪实评价"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        accepted = [f for f in evaluations.facts(record) if f.state == "accepted"]
        summary = QLabel(self.tr(
            "签署后，以下内容将冻结，以后只能由组长提交更正：\n"
            "评价对象：{subject}\n评价期间：{start} 至 {end}\n已采纳纪实 {n} 条，总体评价：{overall}").format(
            subject=evaluations.subject_name(record), start=display.date_text(record.period_start),
            end=display.date_text(record.period_end), n=len(accepted), overall=record.overall_rating or "（未评）"))
        summary.setWordWrap(True)
        layout.addWidget(summary)
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("组长签名口令"), self.passphrase)
        layout.addLayout(form)
        self.errors = FieldErrors(QLabel())
        self.errors.labels["passphrase"] = self.errors.general
        layout.addWidget(self.errors.general)
        layout.addWidget(self._buttons(self.tr("签署")))
        problem = _leader_problem(self.data_dir, self.tr("签署"))
        if problem:
            self.errors.show(ValidationError(problem, field="member"))
            self.passphrase.setEnabled(False)
            self.buttons.button(_OK).setEnabled(False)

    def message(self) -> str:
        return self.tr("纪实评价已签署")

    def write(self):
        member, record_id, data_dir = campaigns.current_member(), self.record.id, self.data_dir
        passphrase = self.passphrase.text()
        if not passphrase:
            raise ValidationError(self.tr("请输入组长签名口令。"), field="passphrase")
        return lambda: evaluations.sign(record_id, member, signing.unlock(data_dir, member, passphrase))


class AmendDialog(_WritingDialog):
    """A correction of a signed record: which field, its new value (a rating from the
    template's scale, or text), why; signed with the leader's passphrase. The original stays."""

    def __init__(self, parent, record):
        super().__init__(parent)
        self.record = record
        self.data_dir = parent.window_.data_dir
        self.view = evaluations.current_view(record)
        tpl = display.template_of(record)
        self.setWindowTitle(self.tr("提交更正"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("已签署的纪实评价不再修改；更正单独记录，由组长签名，显示和打印时标明“已更正”。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.field = QComboBox()
        self.field.addItem(self.tr("总体评价"), "overall_rating")
        for item in display.evaluation_items(tpl, record.subject_kind):
            self.field.addItem(display.text(item.get("name")), item.get("id"))
        self.field.addItem(self.tr("评价意见"), "narrative")
        self.field.addItem(self.tr("纪实（补正说明）"), "fact")
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.rating = QComboBox()
        for value in tpl.scale("evaluation"):
            self.rating.addItem(value, value)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(90)
        self.value = QWidget()  # the rating or the text, whichever the field takes
        value_layout = QVBoxLayout(self.value)
        value_layout.setContentsMargins(0, 0, 0, 0)
        value_layout.addWidget(self.rating)
        value_layout.addWidget(self.text)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("为什么更正，如：复核联系点工作后调整"))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors = FieldErrors(QLabel())
        form.addRow(self.tr("更正项目"), self.field)
        form.addRow(self.tr("现为"), self.current)
        form.addRow(self.tr("更正为"), self.value)
        form.addRow("", self.errors.label_for("changes"))
        form.addRow(self.tr("更正原因"), self.reason)
        form.addRow("", self.errors.label_for("reason"))
        form.addRow(self.tr("组长签名口令"), self.passphrase)
        form.addRow("", self.errors.label_for("passphrase"))
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self._buttons(self.tr("提交更正")))
        self.field.currentIndexChanged.connect(self._field_changed)
        self._field_changed()
        problem = _leader_problem(self.data_dir, self.tr("提交更正"))
        if problem:
            self.errors.show(ValidationError(problem, field="member"))
            self.buttons.button(_OK).setEnabled(False)

    def is_rating(self) -> bool:
        return self.field.currentData() not in ("narrative", "fact")

    def _field_changed(self) -> None:
        key = self.field.currentData()
        shown = self.view.value(key) if key != "fact" else ""
        self.current.setText(shown or (self.tr("（见纪实列表）") if key == "fact" else self.tr("（未评）")))
        self.rating.setVisible(self.is_rating())
        self.text.setVisible(not self.is_rating())
        if self.is_rating():
            index = self.rating.findData(shown)
            self.rating.setCurrentIndex(index if index >= 0 else 0)
        else:
            self.text.setPlainText(shown if key == "narrative" else "")
            self.text.setPlaceholderText(self.tr("对纪实的更正或补充，如：4月15日的纪实应为……")
                                         if key == "fact" else "")

    def new_value(self) -> str:
        return self.rating.currentData() if self.is_rating() else self.text.toPlainText().strip()

    def message(self) -> str:
        return self.tr("已提交更正")

    def write(self):
        member, record_id, data_dir = campaigns.current_member(), self.record.id, self.data_dir
        changes = {self.field.currentData(): self.new_value()}
        reason, passphrase = self.reason.text(), self.passphrase.text()
        if not reason.strip():
            raise ValidationError(self.tr("请填写更正原因。"), field="reason")
        if not passphrase:
            raise ValidationError(self.tr("请输入组长签名口令。"), field="passphrase")
        return lambda: evaluations.amend(record_id, member, reason, changes,
                                         signing.unlock(data_dir, member, passphrase))


class NewEvaluationDialog(_WritingDialog):
    """A new draft: its subject and period — by default the campaign's current stage."""

    def __init__(self, parent):
        super().__init__(parent)
        self.setWindowTitle(self.tr("新建纪实评价"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.addItem(self.tr("领导干部"), "leader")
        self.kind.addItem(self.tr("领导班子"), "team")
        self.subject = record_combo(24)
        self.subject.setEditable(True)
        self.subject.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._leaders = [(display.short(f"{le.name}（{display.related_name(le, 'unit')} {le.position}）", 80), le.id)
                         for le in units.list_leaders()]
        self._teams = [(display.short(t.name, 80), t.id) for t in units.list_teams()]
        self.kind.currentIndexChanged.connect(self._fill_subjects)
        stage = campaigns.current_stage()
        self.start = QDateEdit(qdate(stage.start))
        self.end = QDateEdit(qdate(stage.end))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        stage_note = QLabel(self.tr("默认为活动的当前阶段（{name}：{start}至{end}）").format(
            name=stage.name, start=display.date_text(stage.start), end=display.date_text(stage.end)))
        stage_note.setWordWrap(True)
        self.errors = FieldErrors(QLabel())
        form.addRow(self.tr("对象类别"), self.kind)
        form.addRow(self.tr("评价对象"), self.subject)
        form.addRow("", self.errors.label_for("leader"))
        self.errors.labels["team"] = self.errors.labels["leader"]
        form.addRow(self.tr("期间起"), self.start)
        form.addRow(self.tr("期间止"), self.end)
        form.addRow("", stage_note)
        form.addRow("", self.errors.label_for("period_end"))
        self.errors.labels["period_start"] = self.errors.labels["period_end"]
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self._buttons(self.tr("新建")))
        self._fill_subjects()

    @property
    def record(self):
        return self.result_value

    def _fill_subjects(self) -> None:
        self.subject.clear()
        for text, value in self._leaders if self.kind.currentData() == "leader" else self._teams:
            self.subject.addItem(text, value)

    def message(self) -> str:
        return self.tr("已新建纪实评价草稿")

    def write(self):
        kind = self.kind.currentData()
        subject_id = self.subject.currentData()
        if not subject_id or self.subject.currentText() != self.subject.itemText(self.subject.currentIndex()):
            raise ValidationError(self.tr("请从列表中选择评价对象。"), field=kind)
        start, end = iso(self.start.date()), iso(self.end.date())
        return lambda: evaluations.create_evaluation(kind, start, end, **{kind: subject_id})


class FactDialog(_WritingDialog):
    """A dated fact (纪实): its day from a calendar inside the evaluation's period, and its text.
    With ``fact`` it edits that fact (and accepts it)."""

    def __init__(self, parent, record, fact=None):
        super().__init__(parent)
        self.record, self.fact = record, fact
        self.setWindowTitle(self.tr("编辑纪实") if fact is not None else self.tr("添加纪实"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.on_date = QDateEdit()
        self.on_date.setCalendarPopup(True)
        self.on_date.setDisplayFormat("yyyy-MM-dd")
        start, end = display.parse_date(record.period_start), display.parse_date(record.period_end)
        if start and end and start <= end:
            self.on_date.setDateRange(QDate(start.year, start.month, start.day), QDate(end.year, end.month, end.day))
        today = clock.today()  # the program's clock, as the rules that check the date use it
        default = fact.on_date if fact is not None else min(
            QDate(today.year, today.month, today.day), self.on_date.maximumDate()).toString("yyyy-MM-dd")
        self.on_date.setDate(qdate(default))
        self.text = QPlainTextEdit(display.text(fact.text) if fact is not None else "")
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(self.tr("这一天领导干部做了什么，如：带头讲专题党课"))
        self.errors = FieldErrors(QLabel())
        period = QLabel(self.tr("评价期间：{start}至{end}").format(
            start=display.date_text(record.period_start), end=display.date_text(record.period_end)))
        form.addRow(self.tr("日期"), self.on_date)
        form.addRow("", period)
        form.addRow("", self.errors.label_for("on_date"))
        form.addRow(self.tr("纪实内容"), self.text)
        form.addRow("", self.errors.label_for("text"))
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self._buttons(self.tr("保存")))

    def message(self) -> str:
        return self.tr("已保存纪实")

    def write(self):
        day, text = iso(self.on_date.date()), self.text.toPlainText().strip()
        if not text:
            raise ValidationError(self.tr("请填写纪实内容。"), field="text")
        if self.fact is not None:
            fact_id = self.fact.id
            return lambda: evaluations.update_fact(fact_id, on_date=day, text=text, state="accepted")
        record_id = self.record.id
        return lambda: evaluations.add_fact(record_id, day, text)


def fingerprint_line(record) -> str:
    """'签名指纹 3F2A 9C1B 0D4E 77A5' as on the PDF."""
    return f"签名指纹 {signatures.fingerprint_text(record.signature)}"
