"""知识问答: the counts are editable only with 本次进行了知识问答 ticked, and checked as they are
typed by the quiz rule (31 correct of 30 is refused at once, not on saving)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QSpinBox, QWidget

from supervisor_app import display
from supervisor_app.rules.visits import MAX_PEOPLE_TESTED, MAX_QUESTIONS, quiz_problems
from supervisor_app.visit_form import VisitForm

from ... import theme
from ...widgets import bold
from .common import FormErrors

COUNT_FIELDS = ("people_tested", "questions", "correct_answers")


class QuizTab(QWidget):
    changed = Signal()
    FIELDS = COUNT_FIELDS

    def __init__(self, template, errors: FormErrors):
        super().__init__()
        self.tpl = template
        self.errors = errors
        form = QFormLayout(self)
        self.quiz_enabled = QCheckBox(self.tr("本次进行了知识问答（{n}道基础题目）").format(n=template.quiz_questions))
        self.quiz_people = QSpinBox()
        self.quiz_people.setRange(0, MAX_PEOPLE_TESTED)
        self.quiz_questions = QSpinBox()
        self.quiz_questions.setRange(0, MAX_QUESTIONS)
        self.quiz_questions.setValue(template.quiz_questions)
        self.quiz_correct = QSpinBox()
        # a spin box's ceiling silently turns what is typed into its maximum: the ceiling is
        # generous, and the rule (correct ≤ people × questions) is checked as the user types
        self.quiz_correct.setRange(0, MAX_PEOPLE_TESTED * MAX_QUESTIONS)
        self.quiz_accuracy = bold(QLabel(display.NO_VALUE))
        self.unticked_note = QLabel(self.tr("未勾选“本次进行了知识问答”：以上数字不会保存（勾选后即可保存）。"))
        self.unticked_note.setStyleSheet(theme.ink_style("warning"))
        self.unticked_note.setWordWrap(True)
        form.addRow(self.quiz_enabled)
        form.addRow(self.tr("参测人数"), self.quiz_people)
        form.addRow("", errors.label_for("people_tested"))
        form.addRow(self.tr("题目数"), self.quiz_questions)
        form.addRow("", errors.label_for("questions"))
        form.addRow(self.tr("答对题数（合计）"), self.quiz_correct)
        form.addRow("", errors.label_for("correct_answers"))
        form.addRow(self.tr("正确率"), self.quiz_accuracy)
        form.addRow(self.unticked_note)
        for spin in (self.quiz_people, self.quiz_questions, self.quiz_correct):
            spin.valueChanged.connect(self._update)
            spin.valueChanged.connect(self.changed)
        self.quiz_enabled.toggled.connect(self._update)
        self.quiz_enabled.toggled.connect(self.changed)
        self._update()

    def problems(self) -> list:
        """The quiz rule's refusals of the counts as they stand (none while unticked)."""
        if not self.quiz_enabled.isChecked():
            return []
        return quiz_problems({"people_tested": self.quiz_people.value(), "questions": self.quiz_questions.value(),
                              "correct_answers": self.quiz_correct.value()})

    def _update(self, *_args) -> None:
        enabled = self.quiz_enabled.isChecked()
        for spin in (self.quiz_people, self.quiz_questions, self.quiz_correct):
            spin.setEnabled(enabled)
        typed = self.quiz_people.value() or self.quiz_correct.value()
        self.unticked_note.setVisible(not enabled and bool(typed))
        problems = self.problems()
        if not enabled or problems:
            self.quiz_accuracy.setText(display.NO_VALUE)
        else:
            self.quiz_accuracy.setText(display.percent_text(display.accuracy(
                self.quiz_people.value(), self.quiz_questions.value(), self.quiz_correct.value())))

    def fill(self, form: VisitForm) -> None:
        self.quiz_enabled.setChecked(form.quiz_done)
        if form.quiz_done or form.quiz_people or form.quiz_correct:
            self.quiz_people.setValue(form.quiz_people)
            self.quiz_questions.setValue(form.quiz_questions)
            self.quiz_correct.setValue(form.quiz_correct)
        self._update()

    def collect(self, form: VisitForm) -> None:
        form.quiz_done = self.quiz_enabled.isChecked()
        form.quiz_people = self.quiz_people.value()
        form.quiz_questions = self.quiz_questions.value()
        form.quiz_correct = self.quiz_correct.value()
