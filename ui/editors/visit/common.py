"""What the visit editor's tabs share: refusals shown next to their fields, required marks."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from supervisor_app.errors import SupervisorError

from ... import theme
from ...widgets import FieldErrors, error_text


def required_label(text: str) -> QLabel:
    """A form label marked as required (a red asterisk, explained once in the editor)."""
    label = QLabel(f"{text} <span style='color:{theme.ink('danger').name()}'>*</span>")
    label.setToolTip(QCoreApplication.translate("VisitEditor", "必填"))
    return label


class FormErrors(FieldErrors):
    """Labels showing every refusal at once, each next to the field it concerns.

    A field such as ``督导重点:F1`` or ``finding:2:description`` is shown by the label of its
    prefix; a refusal no label claims goes to ``general``.
    """

    def __init__(self):
        super().__init__(QLabel())

    def label_of(self, field: str | None) -> QLabel:
        field = field or ""
        label = self.labels.get(field)
        if label is None and ":" in field:
            label = self.labels.get(field.split(":", 1)[0])
        return label or self.general

    def show_all(self, problems: list[BaseException]) -> None:
        """Show ``problems`` (replacing what was shown): one line each, under its field."""
        texts: dict[int, tuple[QLabel, list[str]]] = {}
        for problem in problems:
            label = self.label_of(getattr(problem, "field", None))
            texts.setdefault(id(label), (label, []))[1].append(error_text(problem))
        for label in (self.general, *self.labels.values()):
            shown = texts.get(id(label))
            if shown is None:
                label.clear()
                label.hide()
            else:
                label.setText("\n".join(dict.fromkeys(shown[1])))
                label.show()

    def show(self, exc: BaseException) -> QLabel:
        """Show one refusal (an error that is not a form problem: a file that went away …)."""
        self.show_all([exc])
        return self.label_of(getattr(exc, "field", None) if isinstance(exc, SupervisorError) else None)
