"""First run: who is using this installation (role, group, member)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from supervisor_app import campaigns, installation
from supervisor_app.errors import SupervisorError, ValidationError

from .widgets import FieldErrors


class SetupDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("首次使用：设置本机"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("请填写本机的使用者。新督导组的第一名成员为组长。")))
        form = QFormLayout()
        self.role = QComboBox()
        self.role.addItem(self.tr("督导组（现场）"), "field")
        self.role.addItem(self.tr("活动办（机关）"), "office")
        if installation.is_initialized():
            self.role.setCurrentIndex(self.role.findData(installation.context().role))
            self.role.setEnabled(False)
        self.group = QLineEdit()
        self.group.setPlaceholderText(self.tr("例如：市委第一督导组"))
        self.member = QLineEdit()
        self.member.setPlaceholderText(self.tr("您的姓名"))
        general = QLabel()
        self.errors = FieldErrors(general)
        form.addRow(self.tr("角色"), self.role)
        form.addRow(self.tr("督导组"), self.group)
        form.addRow("", self.errors.label_for("name"))
        form.addRow(self.tr("成员"), self.member)
        form.addRow("", self.errors.label_for("member"))
        layout.addLayout(form)
        layout.addWidget(general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        group, member = self.group.text().strip(), self.member.text().strip()
        try:
            if not group:
                raise ValidationError("请填写督导组名称。", field="name")
            if not member:
                raise ValidationError("请填写您的姓名。", field="member")
            campaigns.initialize(self.role.currentData(), group, member)
        except SupervisorError as exc:
            self.errors.show(exc)
            return
        super().accept()
