"""The 纪实评价 editor: facts (proposed from the records, accepted, edited, rejected, added),
item ratings, overall rating and narrative with the near-copy warning; signing by the group
leader with the passphrase; amendments once signed."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import campaigns, changelog, display, evaluation_facts, evaluations, signing
from supervisor_app.errors import SupervisorError

from ..hub import announce
from ..widgets import FieldErrors, StoredNotes, bold, iso, record_combo, show_stored

SOURCE_LABELS = {"visit": "督导记录", "finding": "问题", "rectification": "整改", "manual": "手工添加"}
STATE_LABELS = {"proposed": "待确认", "accepted": "已采纳", "rejected": "已舍弃"}
CHANGE_LABELS = {"overall_rating": "总体评价", "narrative": "评价意见"}
OPERATION_LABELS = {"insert": "创建", "update": "修改", "delete": "删除"}


class SignDialog(QDialog):
    """Shows what will be signed and asks the leader's passphrase."""

    def __init__(self, parent, record):
        super().__init__(parent)
        self.setWindowTitle(self.tr("签署纪实评价"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        facts = [f for f in evaluations.facts(record) if f.state == "accepted"]
        summary = QLabel(self.tr(
            "签署后，以下内容将冻结，只能通过更正说明修改：\n"
            "评价对象：{subject}\n评价期间：{start} 至 {end}\n纪实 {n} 条，总体评价：{overall}\n内容哈希：{digest}").format(
            subject=evaluations.subject_name(record), start=display.date_text(record.period_start),
            end=display.date_text(record.period_end), n=len(facts), overall=record.overall_rating or "（未评）",
            digest=evaluations.content_hash(record)[:32] + "…"))
        summary.setWordWrap(True)
        layout.addWidget(summary)
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("组长口令"), self.passphrase)
        layout.addLayout(form)
        self.errors = FieldErrors(QLabel())
        layout.addWidget(self.errors.general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("签署"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.record = record
        self.data_dir = parent.window_.data_dir

    def accept(self) -> None:
        try:
            member = campaigns.current_member()
            if member is None or not member.is_leader:
                raise SupervisorError(self.tr("只有本督导组组长可以签署纪实评价。当前成员不是组长。"))
            key = signing.unlock(self.data_dir, member, self.passphrase.text())
            evaluations.sign(self.record, member, key)
        except SupervisorError as exc:
            self.errors.show(exc)
            return
        super().accept()


class AmendDialog(QDialog):
    """A correction of a signed record: why, and what changes (the original stays)."""

    def __init__(self, parent, record):
        super().__init__(parent)
        self.record = record
        self.setWindowTitle(self.tr("提交更正"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        tpl = display.template_of(record)
        self.field = QComboBox()
        self.field.addItem(self.tr("总体评价"), "overall_rating")
        self.field.addItem(self.tr("评价意见"), "narrative")
        for item in display.evaluation_items(tpl, record.subject_kind):
            self.field.addItem(item["name"], item["id"])
        self.field.addItem(self.tr("纪实"), "fact")
        self.value = QPlainTextEdit()
        self.value.setMaximumHeight(100)
        self.value.setPlaceholderText(self.tr("更正后的内容（评价请填 好/较好/一般/差）"))
        self.reason = QLineEdit()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("更正项目"), self.field)
        form.addRow(self.tr("更正为"), self.value)
        form.addRow(self.tr("更正原因"), self.reason)
        form.addRow(self.tr("组长口令"), self.passphrase)
        layout.addLayout(form)
        self.data_dir = parent.window_.data_dir
        self.errors = FieldErrors(QLabel())
        layout.addWidget(self.errors.general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            member = campaigns.current_member()
            if member is None or not member.is_leader:
                raise SupervisorError(self.tr("更正须由本督导组组长签名提交。当前成员不是组长。"))
            key = signing.unlock(self.data_dir, member, self.passphrase.text())
            evaluations.amend(self.record, member, self.reason.text(),
                              {self.field.currentData(): self.value.toPlainText().strip()}, key)
        except SupervisorError as exc:
            self.errors.show(exc)
            return
        super().accept()


class NewEvaluationDialog(QDialog):
    def __init__(self, parent):
        super().__init__(parent)
        from supervisor_app import units

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
        campaign = campaigns.current_campaign()
        self.start = QDateEdit(QDate.fromString(campaign.start_date, "yyyy-MM-dd"))
        self.end = QDateEdit(QDate.currentDate())
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.errors = FieldErrors(QLabel())
        form.addRow(self.tr("对象类别"), self.kind)
        form.addRow(self.tr("评价对象"), self.subject)
        form.addRow("", self.errors.label_for("评价对象"))
        form.addRow(self.tr("期间起"), self.start)
        form.addRow(self.tr("期间止"), self.end)
        form.addRow("", self.errors.label_for("period_end"))
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.record = None
        self._fill_subjects()

    def _fill_subjects(self) -> None:
        self.subject.clear()
        for text, value in self._leaders if self.kind.currentData() == "leader" else self._teams:
            self.subject.addItem(text, value)

    def accept(self) -> None:
        kind = self.kind.currentData()
        try:
            subject = {"leader" if kind == "leader" else "team": self.subject.currentData()}
            self.record = evaluations.create_evaluation(kind, iso(self.start.date()), iso(self.end.date()), **subject)
        except SupervisorError as exc:
            self.errors.show(exc)
            return
        super().accept()


class EvaluationEditor(QDialog):
    def __init__(self, window, evaluation_id: str):
        super().__init__(window)
        self.window_ = window
        self.evaluation_id = evaluation_id
        self.setWindowFlag(Qt.WindowType.Window)
        self.resize(1180, 760)
        self.draft_key = f"evaluation-{evaluation_id}"
        layout = QVBoxLayout(self)
        self.header = bold(QLabel())
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        splitter = QSplitter()
        layout.addWidget(splitter, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        facts_box = QGroupBox(self.tr("纪实（每条注明来源）"))
        facts_layout = QVBoxLayout(facts_box)
        self.facts = QTableWidget(0, 4)
        self.facts.setHorizontalHeaderLabels([self.tr("日期"), self.tr("纪实"), self.tr("来源"), self.tr("状态")])
        self.facts.verticalHeader().hide()
        self.facts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.facts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.facts.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.facts.setWordWrap(True)
        self.facts.cellDoubleClicked.connect(lambda *_: self.open_source())
        facts_layout.addWidget(self.facts)
        row = QHBoxLayout()
        self.fact_buttons = []
        for text, slot in ((self.tr("建议纪实"), self.suggest), (self.tr("采纳"), lambda: self.set_state("accepted")),
                           (self.tr("舍弃"), lambda: self.set_state("rejected")), (self.tr("编辑"), self.edit_fact),
                           (self.tr("添加"), self.add_fact), (self.tr("查看来源"), self.open_source)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.fact_buttons.append(button)
        facts_layout.addLayout(row)
        left_layout.addWidget(facts_box, 1)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        ratings_box = QGroupBox(self.tr("评价项目"))
        self.ratings_grid = QGridLayout(ratings_box)
        right_layout.addWidget(ratings_box)
        form = QFormLayout()
        self.overall = QComboBox()
        self.narrative = QPlainTextEdit()
        self.narrative.setPlaceholderText(self.tr("评价意见：依据纪实写明主要表现、问题和建议"))
        self.similarity = QLabel()
        self.similarity.setWordWrap(True)
        self.similarity.setStyleSheet("color:#9a6700;")
        self.errors = FieldErrors(QLabel())
        form.addRow(self.tr("总体评价"), self.overall)
        form.addRow("", self.errors.label_for("overall_rating"))
        form.addRow(self.tr("评价意见"), self.narrative)
        right_layout.addLayout(form, 1)
        right_layout.addWidget(self.similarity)
        amend_box = QGroupBox(self.tr("更正与历史"))
        amend_layout = QVBoxLayout(amend_box)
        self.history = QListWidget()
        self.history.setWordWrap(True)
        amend_layout.addWidget(self.history)
        right_layout.addWidget(amend_box, 1)
        splitter.addWidget(right)
        splitter.setSizes([620, 560])

        self.stored_notes = StoredNotes()
        layout.addWidget(self.stored_notes)
        layout.addWidget(self.errors.general)
        buttons = QHBoxLayout()
        self.status_label = QLabel()
        self.save_button = QPushButton(self.tr("保存草稿"))
        self.save_button.clicked.connect(self.save)
        self.sign_button = QPushButton(self.tr("签署…"))
        self.sign_button.clicked.connect(self.sign)
        self.amend_button = QPushButton(self.tr("提交更正…"))
        self.amend_button.clicked.connect(self.amend)
        self.pdf_button = QPushButton(self.tr("纪实评价表 PDF…"))
        self.pdf_button.clicked.connect(self.make_pdf)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.close)
        buttons.addWidget(self.status_label, 1)
        for button in (self.pdf_button, self.save_button, self.sign_button, self.amend_button, close):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._similarity_timer = QTimer(self)
        self._similarity_timer.setSingleShot(True)
        self._similarity_timer.setInterval(500)
        self._similarity_timer.timeout.connect(self.check_similarity)
        self.narrative.textChanged.connect(self._similarity_timer.start)
        self.load()

    # --- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        record = evaluations.get_evaluation(self.evaluation_id)
        self.record = record
        tpl = display.template_of(record)
        status = evaluations.status(record)
        signed = status != "draft"
        self.stored_notes.clear_notes()
        subject = display.short(evaluations.subject_name(record), 100)
        self.setWindowTitle(self.tr("纪实评价 — ") + subject)
        self.header.setText(self.tr("{subject} · {unit} · {start} 至 {end} · {status}").format(
            subject=subject, unit=display.related_name(record, "unit"), start=display.date_text(record.period_start),
            end=display.date_text(record.period_end), status=evaluations.STATUS_LABELS[status]))
        self.facts.setRowCount(0)
        for fact in evaluations.facts(record, include_rejected=True):
            row = self.facts.rowCount()
            self.facts.insertRow(row)
            cells = (display.date_text(fact.on_date), display.short(fact.text, 2000),
                     SOURCE_LABELS.get(fact.source_kind) or display.odd(fact.source_kind, display.NOT_IN_TEMPLATE),
                     STATE_LABELS.get(fact.state) or display.odd(fact.state, display.NOT_IN_TEMPLATE))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, fact.id)
                if fact.state == "rejected":
                    item.setForeground(Qt.GlobalColor.gray)
                self.facts.setItem(row, column, item)
            self.facts.item(row, 2).setData(Qt.ItemDataRole.UserRole + 1, (fact.source_kind, fact.source_id))
        self.facts.resizeRowsToContents()
        while self.ratings_grid.count():
            widget = self.ratings_grid.takeAt(0).widget()
            widget.setParent(None)
        self.rating_widgets = {}
        scale = tpl.scale("evaluation")
        items = display.evaluation_items(tpl, record.subject_kind)
        ratings = display.entries(record.item_ratings, "rating", "comment")
        if record.subject_kind not in ("leader", "team"):
            self.stored_notes.add(self.tr("评价对象类别"), record.subject_kind, display.NOT_IN_TEMPLATE)
        for item_id in ratings.keys() - {item["id"] for item in items}:
            self.stored_notes.add(self.tr("评价项目"), item_id, display.NOT_IN_TEMPLATE)
        for row, item in enumerate(items):
            combo = QComboBox()
            combo.addItem(self.tr("（未评）"), "")
            for value in scale:
                combo.addItem(value, value)
            comment = QLineEdit()
            comment.setPlaceholderText(self.tr("说明"))
            entry = ratings.get(item["id"], {})
            show_stored(combo, entry.get("rating", ""))
            comment.setText(entry.get("comment", ""))
            self.ratings_grid.addWidget(QLabel(item["name"]), row, 0)
            self.ratings_grid.addWidget(combo, row, 1)
            self.ratings_grid.addWidget(comment, row, 2)
            self.rating_widgets[item["id"]] = (combo, comment)
            combo.setEnabled(not signed)
            comment.setReadOnly(signed)
        self.overall.clear()
        self.overall.addItem(self.tr("（未评）"), "")
        for value in scale:
            self.overall.addItem(value, value)
        show_stored(self.overall, record.overall_rating or "")
        self.overall.setEnabled(not signed)
        self.narrative.blockSignals(True)
        self.narrative.setPlainText(display.text(record.narrative))
        self.narrative.blockSignals(False)
        self.narrative.setReadOnly(signed)
        for button in (*self.fact_buttons, self.save_button, self.sign_button):
            button.setEnabled(not signed)
        self.amend_button.setEnabled(signed)
        self.history.clear()
        if signed:
            self.history.addItem(self.tr("{when} 组长{who}签署，签名指纹 {fp}").format(
                when=display.moment_text(record.signed_at), who=display.related_name(record, "signed_by"),
                fp=display.short(record.signature, 16)))
        for amendment in evaluations.amendments(record):
            changes = "；".join(f"{CHANGE_LABELS.get(k) or tpl.item_name(k) or self.tr('更正内容')}→{v}"
                               for k, v in display.pairs(amendment.changes))
            self.history.addItem(display.short(self.tr("{when} 更正（{who}）：{changes}。原因：{reason}").format(
                when=display.moment_text(amendment.created_at), who=display.related_name(amendment, "member"),
                changes=changes, reason=amendment.reason), 1000))
        for entry in changelog.history(record.id):
            fields = entry.fields if isinstance(entry.fields, dict) else {}
            self.history.addItem(self.tr("{when} 记录变更：{op}（{fields}）").format(
                when=display.moment_text(entry.at), op=OPERATION_LABELS.get(entry.op, entry.op),
                fields="、".join(k for k in fields if k not in changelog.META_FIELDS)[:60]))
        self.status_label.setText(evaluations.STATUS_LABELS[status])
        self.check_similarity()

    # --- facts -----------------------------------------------------------------------------------

    def _selected_fact(self) -> str | None:
        row = self.facts.currentRow()
        return self.facts.item(row, 0).data(Qt.ItemDataRole.UserRole) if row >= 0 else None

    def _run(self, action, message: str | None = None) -> bool:
        self.errors.clear()
        try:
            action()
        except SupervisorError as exc:
            self.errors.show(exc)
            return False
        if message:
            announce("evaluation", message)
        self.load()
        return True

    def suggest(self) -> int:
        proposals = evaluation_facts.propose(self.record)

        def add_all():
            for p in proposals:
                evaluations.add_fact(self.record, p.on_date, p.text, source_kind=p.source_kind,
                                     source_id=p.source_id, state="proposed")

        self._run(add_all, self.tr("已加入 {n} 条建议纪实，请逐条采纳或舍弃").format(n=len(proposals)))
        return len(proposals)

    def set_state(self, state: str) -> None:
        fact_id = self._selected_fact()
        if fact_id:
            self._run(lambda: evaluations.update_fact(fact_id, state=state))

    def edit_fact(self) -> None:
        fact_id = self._selected_fact()
        if not fact_id:
            return
        text, ok = QInputDialog.getMultiLineText(self, self.tr("编辑纪实"), self.tr("纪实内容"),
                                                 self.facts.item(self.facts.currentRow(), 1).text())
        if ok:
            self._run(lambda: evaluations.update_fact(fact_id, text=text, state="accepted"))

    def add_fact(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self, self.tr("添加纪实"), self.tr("日期（如 2014-04-08）+ 空格 + 内容"))
        if ok:
            day, _, body = text.strip().partition(" ")
            self._run(lambda: evaluations.add_fact(self.record, day, body))

    def open_source(self) -> None:
        row = self.facts.currentRow()
        if row < 0:
            return
        kind, source_id = self.facts.item(row, 2).data(Qt.ItemDataRole.UserRole + 1)
        if source_id and kind in ("visit", "finding"):
            self.window_.open_record(kind, source_id)
        elif source_id and kind == "rectification":
            from supervisor_app import findings

            try:
                finding_id = findings.get_rectification(source_id).finding_id
            except SupervisorError as exc:
                self.errors.show(exc)
                return
            self.window_.open_record("finding", finding_id)

    # --- judgement, signing, amendment -----------------------------------------------------------

    def check_similarity(self) -> None:
        warning = evaluations.similarity_warning(self.record, self.narrative.toPlainText())
        self.similarity.setText(warning or "")
        self.similarity.setVisible(bool(warning))

    def save(self) -> bool:
        ratings = {item_id: {"rating": combo.currentData() or "", "comment": comment.text()}
                   for item_id, (combo, comment) in self.rating_widgets.items()}
        return self._run(lambda: evaluations.update_evaluation(
            self.record, item_ratings=ratings, overall_rating=self.overall.currentData() or None,
            narrative=self.narrative.toPlainText()), self.tr("已保存纪实评价草稿"))

    def sign(self) -> bool:
        if not self.save():
            return False
        dialog = SignDialog(self, self.record)
        if dialog.exec():
            announce("evaluation", self.tr("纪实评价已签署"))
            self.load()
            return True
        return False

    def make_pdf(self):
        from ..report_actions import preview_report

        return preview_report(self, "evaluation", record_id=self.evaluation_id,
                              title=f"纪实评价表-{evaluations.subject_name(self.record)}")

    def amend(self) -> bool:
        dialog = AmendDialog(self, self.record)
        if dialog.exec():
            announce("evaluation", self.tr("已提交更正"))
            self.load()
            return True
        return False
