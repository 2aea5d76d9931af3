"""The visit editor: five tabs over one ``VisitForm``.

What the user types is saved as a draft at once (the draft is the form: it survives a crash or
a kill). The form is checked as the user types with the record rules (``visit_form.problems``):
wrong quiz counts and a date in the future at once, everything else once 保存 was pressed —
then every refusal is shown together, each beside its field, and goes away when it is fixed.
保存 writes through ``ui.operations.perform`` (off the GUI thread), all of it or nothing.
"""

from __future__ import annotations

import secrets

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTabWidget, QVBoxLayout

from supervisor_app import campaigns, display, visit_form, visits
from supervisor_app.errors import SupervisorError
from supervisor_app.visit_form import FormProblems, VisitForm

from ... import theme
from ...operations import perform
from ...widgets import StoredNotes
from .assessment_tab import AssessmentTab
from .attachments_tab import AttachmentsTab
from .basic_tab import BasicTab
from .common import FormErrors
from .findings_tab import FindingsTab
from .quiz_tab import QuizTab

LIVE_FIELDS = ("started_at", "ended_at", "people_tested", "questions", "correct_answers")  # checked before 保存


class VisitEditor(QDialog):
    saved = Signal(str)  # the visit id, after a save went through
    refused = Signal()  # a save was refused (the problems are shown)

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
        # a visit scored under an earlier checklist version is shown with that version's words
        try:
            scored = visits.assessment_of(visit_id) if visit_id else None
        except SupervisorError:
            scored = None  # the form reports a missing visit when it loads
        self.scored_tpl = display.template_of(scored) if scored is not None else self.tpl
        self.dirty = False
        self.saving = False
        self._tried_to_save = False
        self._closing = False
        self._loading = True
        self.resize(1100, 760)

        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.errors = FormErrors()
        self.stored_notes = StoredNotes()
        self.basic = BasicTab(self.tpl, self.errors, self.stored_notes)
        self.attachments = AttachmentsTab(self.errors, self.scored_tpl)
        self.assessment = AssessmentTab(self.scored_tpl, self.errors, self.stored_notes)
        self.quiz = QuizTab(self.tpl, self.errors)
        self.findings = FindingsTab(self.tpl, self.errors)
        self.pages = (self.basic, self.attachments, self.assessment, self.quiz, self.findings)
        for page, title in zip(self.pages, ("基本情况", "附件", "评估", "知识问答", "发现问题"), strict=True):
            self.tabs.addTab(page, self.tr(title))
            page.changed.connect(self._changed)
        # the fields other windows and tests reach for, by their old names
        self.unit, self.started_at, self.method_boxes = self.basic.unit, self.basic.started_at, self.basic.method_boxes
        self.people_met, self.notes = self.basic.people_met, self.basic.notes
        self.quiz_enabled, self.quiz_people = self.quiz.quiz_enabled, self.quiz.quiz_people
        self.quiz_questions, self.quiz_correct = self.quiz.quiz_questions, self.quiz.quiz_correct
        self.quiz_accuracy = self.quiz.quiz_accuracy
        self.focus_widgets, self.tendency_widgets = self.assessment.focus_widgets, self.assessment.tendency_widgets
        self.basic.unit_changed.connect(lambda: self.findings.set_leaders(self.basic.leader_labels()))
        # a photo of a finding or an item: chosen on 附件, its thumbnail shown where the finding/item is
        self.tabs.currentChanged.connect(lambda _i: self._photo_subjects())
        self.attachments.photos_changed.connect(self.findings.model.set_photos)
        self.attachments.photos_changed.connect(self.assessment.set_photos)
        self.basic.open_finding.connect(lambda fid: self.window_.open_record("finding", fid))
        layout.addWidget(self.stored_notes)
        layout.addWidget(self.errors.general)
        buttons = QHBoxLayout()
        legend = QLabel(self.tr("<span style='color:{c}'>*</span> 为必填项").format(c=theme.ink("danger").name()))
        self.draft_label = QLabel()
        self.pdf_button = QPushButton(self.tr("生成督导记录 PDF…"))
        self.pdf_button.clicked.connect(self.make_pdf)
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save())
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.close)
        buttons.addWidget(legend)
        buttons.addWidget(self.draft_label, 1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(400)
        self._draft_timer.timeout.connect(self.save_draft)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(150)
        self._check_timer.timeout.connect(self.check)

        if draft is not None:
            self.show_form(VisitForm.from_dict(draft.data.get("form") or draft.data))
            self.draft_label.setText(self.tr("已恢复草稿"))
            self.dirty = True
        elif visit_id:
            self._load(visit_id)
        else:
            self.show_form(VisitForm(unit_id=unit_id, members_present=self._me(),
                                     quiz_questions=self.tpl.quiz_questions))
        self._loading = False
        self._update_title()
        self.check()

    @staticmethod
    def _me() -> list[str]:
        me = campaigns.current_member()
        return [me.id] if me is not None else []

    @property
    def carry_forward(self):
        return self.basic.carry_forward

    def add_files(self, paths: list[str]) -> None:
        self.attachments.add_files(paths)

    # --- the form -------------------------------------------------------------------------------

    def form(self) -> VisitForm:
        """Everything typed so far (what a draft holds and what 保存 writes)."""
        form = VisitForm()
        for page in self.pages:
            page.collect(form)
        return form

    def show_form(self, form: VisitForm) -> None:
        loading, self._loading = self._loading, True
        self.basic.visit_id = self.attachments.visit_id = self.visit_id
        for page in self.pages:
            page.fill(form)
        self.findings.set_leaders(self.basic.leader_labels())
        self._photo_subjects()
        self._loading = loading

    def _photo_subjects(self) -> None:
        """What a photo may be of: the stored findings of the form (a new one once it is saved)."""
        stored = [(item.id, item.description) for item in self.findings.model.rows if item.id]
        self.attachments.set_subjects(stored)

    def _load(self, visit_id: str) -> None:
        """Show a stored visit; values the fields cannot show as they are are listed in
        ``stored_notes``, never silently replaced."""
        form, notes = visit_form.form_of(visit_id)
        self.stored_notes.clear_notes()
        for label, value, marker in notes:
            self.stored_notes.add(self.tr(label), value, marker)
        self.show_form(form)

    # --- changes, drafts and the live check -----------------------------------------------------

    def _changed(self, *_args) -> None:
        if self._loading:
            return
        self.dirty = True
        self._draft_timer.start()
        self._check_timer.start()

    def check(self) -> list:
        """Run the rules over the form and show what they refuse (see the module docstring)."""
        try:
            problems = visit_form.problems(self.form(), self.visit_id)
        except SupervisorError as exc:  # the visit went away meanwhile …
            problems = [exc]
        shown = problems if self._tried_to_save else [p for p in problems if self._live(p)]
        self.errors.show_all(shown)
        self.findings.show_problems(shown)
        for index, page in enumerate(self.pages):
            bad = any(self._page_of(p) is page for p in shown)
            self.tabs.setTabText(index, self.tabs.tabText(index).removesuffix(" ⚠") + (" ⚠" if bad else ""))
        return problems

    @staticmethod
    def _live(problem) -> bool:
        return (getattr(problem, "field", None) or "") in LIVE_FIELDS

    def _page_of(self, problem):
        field = (getattr(problem, "field", None) or "").split(":", 1)[0]
        return next((page for page in self.pages if field in page.FIELDS), None)

    def save_draft(self) -> None:
        try:
            self.window_.drafts.save(self.draft_key, "visit", self.tr("督导记录：") + self.basic.title(),
                                     {"visit_id": self.visit_id, "form": self.form().to_dict()})
        except OSError as exc:
            self.draft_label.setText(self.tr("草稿无法保存：") + (exc.strerror or str(exc)))
            return
        self.draft_label.setText(self.tr("草稿已自动保存 ") + QDateTime.currentDateTime().toString("HH:mm:ss"))

    def _update_title(self) -> None:
        self.setWindowTitle(self.tr("编辑督导记录") if self.visit_id else self.tr("新建督导记录"))
        self.pdf_button.setEnabled(bool(self.visit_id))

    # --- saving ---------------------------------------------------------------------------------

    def save(self, then=None):
        """Check the form, then write it off the GUI thread; ``then()`` runs once it is saved.

        Returns the running task, or None when the form was refused before anything ran.
        """
        if self.saving:
            return None
        self._tried_to_save = True
        problems = self.check()
        if problems:
            self._show_refusal(problems)
            return None
        form, visit_id, created = self.form(), self.visit_id, self.visit_id is None
        self.saving = True
        self.save_button.setEnabled(False)
        self.draft_label.setText(self.tr("正在保存…"))

        def done(visit):
            self.saving = False
            self.save_button.setEnabled(True)
            self._saved(visit, form)
            if then is not None:
                then()

        def failed(exc):
            self.saving = False
            self.save_button.setEnabled(True)
            self.draft_label.setText(self.tr("未保存"))
            self._show_refusal(exc.problems if isinstance(exc, FormProblems) else [exc])

        return perform(self, lambda: visit_form.save(form, visit_id), kind="visit",
                       message=self.tr("已新建督导记录") if created else self.tr("已保存督导记录"),
                       on_done=done, on_error=failed)

    def _show_refusal(self, problems: list) -> None:
        self.errors.show_all(problems)
        self.findings.show_problems(problems)
        page = self._page_of(problems[0])
        if page is not None:
            self.tabs.setCurrentWidget(page)
        self.errors.label_of(getattr(problems[0], "field", None)).setFocus()
        self.refused.emit()

    def _saved(self, visit, saved_form: VisitForm) -> None:
        self.window_.drafts.discard(self.draft_key)
        self.visit_id = visit.id
        self.draft_key = f"visit-{visit.id}"
        self._draft_timer.stop()
        typed_since = self.form() != saved_form
        if not typed_since:  # reload, so that new findings and attachments carry their ids
            self._loading = True
            self._load(visit.id)
            self._loading = False
            self.dirty = False
            self.draft_label.setText(self.tr("已保存"))
        else:
            self.draft_label.setText(self.tr("已保存（之后的修改尚未保存）"))
        self._tried_to_save = False
        self.check()
        self._update_title()
        self.saved.emit(visit.id)

    def make_pdf(self):
        """The 督导记录 of what is saved (saved first when there are changes)."""
        from ...report_actions import preview_report

        def preview():
            return preview_report(self, "visit", record_id=self.visit_id,
                                  title=f"督导记录-{self.basic.unit.currentText()}-"
                                        f"{self.basic.started_at.dateTime().toString('yyyyMMdd')}")

        if self.dirty:
            self.save(then=preview)
            return None
        return preview()

    # --- closing: Esc and the close button ask before unsaved work is discarded ---------------

    def reject(self) -> None:
        if self._closing:
            super().reject()
        else:
            self.close()  # Esc lands here: closeEvent asks

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.saving:
            event.ignore()
            return
        if self.dirty:
            answer = QMessageBox.question(
                self, self.tr("未保存的修改"), self.tr("这条督导记录有未保存的修改。关闭前保存吗？"),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Save:
                event.ignore()
                self.save(then=self.close)
                return
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
            self._draft_timer.stop()
            self.window_.drafts.discard(self.draft_key)
            self.dirty = False
        self._closing = True
        super().closeEvent(event)
        if not event.isAccepted():
            self._closing = False

    # --- files dropped on the window ------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self.attachments.add_files([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])
        self.tabs.setCurrentWidget(self.attachments)
