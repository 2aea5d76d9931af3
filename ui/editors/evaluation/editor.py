"""The 纪实评价 editor: facts (proposed from the records, accepted, edited, rejected, added with
a date from a calendar), item ratings, overall rating and narrative with the near-copy warning;
signing by the group leader with the passphrase; once signed, a read-only view of the record
as amended (each corrected value marked 已更正, with its reason and history) and amendments."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import display, evaluation_facts, evaluations, signatures
from supervisor_app.errors import SupervisorError

from ... import theme
from ...hub import hub
from ...operations import perform
from ...widgets import FieldErrors, StoredNotes, bold, show_stored
from .dialogs import AmendDialog, FactDialog, SignDialog
from .facts_model import SOURCE_ROLE, FactTableModel, fact_rows


def _mark(label: QLabel, note: str) -> None:
    """Show '已更正（原为较好）' on ``label`` with every correction and its reason as the
    tooltip, or hide it."""
    label.setVisible(bool(note))
    label.setText(note.split("\n", 1)[0])
    label.setToolTip(note)


def _read_only_look(widget: QPlainTextEdit, read_only: bool) -> None:
    """A frozen text reads as text, not as an input box: no frame, the window's background."""
    widget.setReadOnly(read_only)
    widget.setFrameShape(QFrame.Shape.NoFrame if read_only else QFrame.Shape.StyledPanel)
    widget.viewport().setBackgroundRole(QPalette.ColorRole.Window if read_only else QPalette.ColorRole.Base)
    widget.viewport().setAutoFillBackground(True)


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
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.banner)
        splitter = QSplitter()
        layout.addWidget(splitter, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        facts_box = QGroupBox(self.tr("纪实（每条注明来源）"))
        facts_layout = QVBoxLayout(facts_box)
        self.fact_model = FactTableModel(self)
        self.facts = QTableView()
        self.facts.setModel(self.fact_model)
        self.facts.verticalHeader().hide()
        self.facts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.facts.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.facts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.facts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.facts.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.facts.setWordWrap(True)
        self.facts.doubleClicked.connect(lambda *_: self.open_source())
        # wrapped text needs its rows measured again whenever the text column changes width
        self.facts.horizontalHeader().sectionResized.connect(lambda *_: self.facts.resizeRowsToContents())
        facts_layout.addWidget(self.facts)
        self.fact_corrections = QLabel()
        self.fact_corrections.setWordWrap(True)
        self.fact_corrections.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts_layout.addWidget(self.fact_corrections)
        row = QHBoxLayout()
        self.fact_buttons = []
        for text, slot in ((self.tr("建议纪实"), self.suggest), (self.tr("采纳"), lambda: self.set_state("accepted")),
                           (self.tr("舍弃"), lambda: self.set_state("rejected")), (self.tr("编辑…"), self.edit_fact),
                           (self.tr("添加…"), self.add_fact)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.fact_buttons.append(button)
        self.source_button = QPushButton(self.tr("查看来源"))
        self.source_button.clicked.connect(self.open_source)
        row.addWidget(self.source_button)
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
        self.overall_value = bold(QLabel())
        self.overall_mark = QLabel()
        overall_row = QHBoxLayout()
        for widget in (self.overall, self.overall_value, self.overall_mark):
            overall_row.addWidget(widget)
        overall_row.addStretch(1)
        self.narrative = QPlainTextEdit()
        self.narrative.setTabChangesFocus(True)
        self.narrative.setPlaceholderText(self.tr("评价意见：依据纪实写明主要表现、问题和建议"))
        self.narrative_mark = QLabel()
        self.similarity = QLabel()
        self.similarity.setWordWrap(True)
        self.similarity.setStyleSheet(theme.ink_style("warning"))
        self.errors = FieldErrors(QLabel())
        form.addRow(self.tr("总体评价"), overall_row)
        form.addRow("", self.errors.label_for("overall_rating"))
        form.addRow(self.tr("评价意见"), self.narrative)
        form.addRow("", self.narrative_mark)
        right_layout.addLayout(form, 1)
        right_layout.addWidget(self.similarity)
        for label in (self.overall_mark, self.narrative_mark):
            label.setStyleSheet(theme.ink_style("warning"))
            label.setWordWrap(True)
        history_box = QGroupBox(self.tr("签署、更正与修改记录"))
        history_layout = QVBoxLayout(history_box)
        self.history = QListWidget()
        self.history.setWordWrap(True)
        history_layout.addWidget(self.history)
        right_layout.addWidget(history_box, 1)
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
        self.view = view = evaluations.current_view(record)
        tpl = display.template_of(record)
        status = evaluations.status(record)
        signed = status != "draft"
        self.stored_notes.clear_notes()
        subject = display.short(evaluations.subject_name(record), 100)
        self.setWindowTitle(self.tr("纪实评价 — ") + subject)
        self.header.setText(self.tr("{subject} · {unit} · {start} 至 {end} · {status}").format(
            subject=subject, unit=display.related_name(record, "unit"), start=display.date_text(record.period_start),
            end=display.date_text(record.period_end), status=evaluations.STATUS_LABELS[status]))
        self._fill_banner(view, signed)
        self._fill_facts(record, view)
        self._fill_ratings(record, view, tpl, signed)
        self.overall.clear()
        self.overall.addItem(self.tr("（未评）"), "")
        for value in tpl.scale("evaluation"):
            self.overall.addItem(value, value)
        show_stored(self.overall, record.overall_rating or "")
        self.overall.setVisible(not signed)
        self.overall_value.setVisible(signed)
        self.overall_value.setText(display.scale_text(view.overall_rating, tpl.scale("evaluation")) or self.tr("（未评）"))
        _mark(self.overall_mark, view.note("overall_rating"))
        self.narrative.blockSignals(True)
        self.narrative.setPlainText(view.narrative if signed else display.text(record.narrative))
        self.narrative.blockSignals(False)
        _read_only_look(self.narrative, signed)
        note = view.note("narrative")
        self.narrative_mark.setVisible(bool(note))
        self.narrative_mark.setText(note.replace(evaluations.AMENDED_MARK, self.tr("已更正：上面是更正后的评价意见"), 1))
        self.narrative_mark.setToolTip(self.tr("签署时的原文：") + view.original["narrative"] if note else "")
        for button in (*self.fact_buttons, self.save_button, self.sign_button):
            button.setVisible(not signed)
        self.amend_button.setVisible(signed)
        self.history.clear()
        for line in evaluations.history(record):
            self.history.addItem(line.text)
        self.status_label.setText(evaluations.STATUS_LABELS[status])
        self.check_similarity()

    def _fill_banner(self, view, signed: bool) -> None:
        record = view.record
        if not signed:
            self.banner.setText(self.tr("草稿：可以修改。签署前请逐条确认纪实，并给出总体评价。"))
            self.banner.setStyleSheet("")
            return
        text = self.tr("已由组长{who}于{when}签署，内容已冻结（签名指纹 {fp}）。如需修改，请点“提交更正…”。").format(
            who=display.related_name(record, "signed_by"), when=display.moment_text(record.signed_at),
            fp=signatures.fingerprint_text(record.signature))
        if view.amendments:
            text += self.tr("\n已更正 {n} 次：下面显示更正后的内容，更正过的项目标有“已更正”（指向可看原值和原因）。").format(
                n=len(view.amendments))
        self.banner.setText(text)
        self.banner.setStyleSheet(theme.ink_style("ok"))

    def _fill_facts(self, record, view) -> None:
        selected = self._selected_fact()
        self.fact_model.set_rows(fact_rows(evaluations.facts(record, include_rejected=True)))
        for r, row in enumerate(self.fact_model.rows):
            if row.id == selected:
                self.facts.selectRow(r)
        self.facts.resizeRowsToContents()
        corrections = view.fact_corrections
        self.fact_corrections.setVisible(bool(corrections))
        self.fact_corrections.setStyleSheet(theme.ink_style("warning"))
        self.fact_corrections.setText("\n".join(
            [self.tr("纪实已更正：")] + [c.text(view.label("fact")) for c in corrections]))

    def _fill_ratings(self, record, view, tpl, signed: bool) -> None:
        while self.ratings_grid.count():
            widget = self.ratings_grid.takeAt(0).widget()
            widget.setParent(None)
            widget.deleteLater()
        self.rating_widgets: dict[str, tuple[QComboBox, QLineEdit]] = {}
        self.rating_labels: dict[str, tuple[QLabel, QLabel]] = {}
        scale = tpl.scale("evaluation")
        items = display.evaluation_items(tpl, record.subject_kind)
        ratings = display.entries(record.item_ratings, "rating", "comment")
        if record.subject_kind not in ("leader", "team"):
            self.stored_notes.add(self.tr("评价对象类别"), record.subject_kind, display.NOT_IN_TEMPLATE)
        for item_id in ratings.keys() - {item["id"] for item in items}:
            self.stored_notes.add(self.tr("评价项目"), item_id, display.NOT_IN_TEMPLATE)
        for row, item in enumerate(items):
            entry = ratings.get(item["id"], {})
            name = QLabel(display.text(item.get("name")))
            name.setWordWrap(True)
            self.ratings_grid.addWidget(name, row, 0)
            if signed:
                value = bold(QLabel(display.scale_text(view.value(item["id"]), scale) or self.tr("（未评）")))
                mark = QLabel()
                mark.setStyleSheet(theme.ink_style("warning"))
                _mark(mark, view.note(item["id"]))
                comment = QLabel(entry.get("comment", ""))
                comment.setWordWrap(True)
                cell = QHBoxLayout()
                holder = QWidget()
                holder.setLayout(cell)
                cell.setContentsMargins(0, 0, 0, 0)
                cell.addWidget(value)
                cell.addWidget(mark)
                self.ratings_grid.addWidget(holder, row, 1)
                self.ratings_grid.addWidget(comment, row, 2)
                self.rating_labels[item["id"]] = (value, mark)
                continue
            combo = QComboBox()
            combo.addItem(self.tr("（未评）"), "")
            for value in scale:
                combo.addItem(value, value)
            comment = QLineEdit()
            comment.setPlaceholderText(self.tr("说明"))
            show_stored(combo, entry.get("rating", ""))
            comment.setText(entry.get("comment", ""))
            self.ratings_grid.addWidget(combo, row, 1)
            self.ratings_grid.addWidget(comment, row, 2)
            self.rating_widgets[item["id"]] = (combo, comment)
        self.ratings_grid.setColumnStretch(2, 1)

    # --- writes (each through operations.perform) -----------------------------------------------

    def _write(self, fn, message: str | None = None, on_done=None):
        """Run ``fn`` off the GUI thread; reload when done, show a refusal next to its field."""
        self.errors.clear()

        def done(result):
            self.load()
            if on_done is not None:
                on_done(result)

        return perform(self, fn, kind="evaluation", message=message, on_done=done, on_error=self.errors.show)

    def _selected_fact(self) -> str | None:
        index = self.facts.currentIndex()
        return index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def suggest(self):
        record_id = self.record.id

        def add_all():
            record = evaluations.get_evaluation(record_id)
            proposals = evaluation_facts.propose(record)
            for p in proposals:
                evaluations.add_fact(record, p.on_date, p.text, source_kind=p.source_kind,
                                     source_id=p.source_id, state="proposed")
            return len(proposals)

        def said(n):
            hub.status.emit(self.tr("已加入 {n} 条建议纪实，请逐条采纳或舍弃").format(n=n) if n
                            else self.tr("没有新的建议纪实"))

        return self._write(add_all, on_done=said)

    def set_state(self, state: str):
        fact_id = self._selected_fact()
        if fact_id:
            return self._write(lambda: evaluations.update_fact(fact_id, state=state))
        return None

    def _fact_dialog(self, fact=None) -> bool:
        dialog = FactDialog(self, self.record, fact)
        if dialog.exec():
            self.load()
            return True
        return False

    def edit_fact(self) -> bool:
        fact_id = self._selected_fact()
        if not fact_id:
            return False
        fact = next((f for f in evaluations.facts(self.record, include_rejected=True) if f.id == fact_id), None)
        return fact is not None and self._fact_dialog(fact)

    def add_fact(self) -> bool:
        return self._fact_dialog()

    def open_source(self) -> None:
        index = self.facts.currentIndex()
        if not index.isValid():
            return
        kind, source_id = index.data(SOURCE_ROLE)
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
        warning = None if self.narrative.isReadOnly() else \
            evaluations.similarity_warning(self.record, self.narrative.toPlainText())
        self.similarity.setText(warning or "")
        self.similarity.setVisible(bool(warning))

    def save(self, on_done=None):
        ratings = {item_id: {"rating": combo.currentData() or "", "comment": comment.text()}
                   for item_id, (combo, comment) in self.rating_widgets.items()}
        record_id, overall, narrative = self.record.id, self.overall.currentData() or None, self.narrative.toPlainText()
        return self._write(lambda: evaluations.update_evaluation(
            record_id, item_ratings=ratings, overall_rating=overall, narrative=narrative),
            self.tr("已保存纪实评价草稿"), on_done)

    def sign(self):
        """Save the draft, then ask the leader's passphrase and sign."""
        return self.save(on_done=lambda _record: self._sign_dialog())

    def _sign_dialog(self) -> bool:
        dialog = SignDialog(self, self.record)
        if dialog.exec():
            self.load()
            return True
        return False

    def amend(self) -> bool:
        dialog = AmendDialog(self, self.record)
        if dialog.exec():
            self.load()
            return True
        return False

    def make_pdf(self):
        from ...report_actions import preview_report

        return preview_report(self, "evaluation", record_id=self.evaluation_id,
                              title=f"纪实评价表-{evaluations.subject_name(self.record)}")
