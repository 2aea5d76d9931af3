"""First start: who this computer belongs to, step by step.

Role first (督导组 or 活动办). For a group: its name and the user's own name (the first member
leads the group), the other members and who is 组长, who is using this computer, and the
leader's signing passphrase. The office answers no group question. Each step is written when
the user presses 下一步 (through operations.perform); the same things stay editable on the
设置 page afterwards.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from supervisor_app import campaigns, installation, members, signing
from supervisor_app.errors import ValidationError

from .members_panel import MembersPanel
from .operations import perform
from .widgets import FieldErrors

ROLE_PAGE, GROUP_PAGE, MEMBERS_PAGE, PASSPHRASE_PAGE = range(4)


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class _WritingPage(QWizardPage):
    """A page whose answers are written when 下一步 is pressed; the wizard moves on once the
    write has succeeded, and a refusal is shown next to its field."""

    def __init__(self):
        super().__init__()
        self._written = False
        self._busy = False
        general = QLabel()
        self.errors = FieldErrors(general)
        self.general = general

    def write(self):  # returns the work to run off the GUI thread, or None when nothing to write
        raise NotImplementedError

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        if self._written:
            self._written = False
            return True
        if self._busy:
            return False
        self.errors.clear()
        try:
            work = self.write()
        except ValidationError as exc:
            self.errors.show(exc)
            return False
        if work is None:
            return True
        self._busy = True

        def done(_result):
            self._busy = False
            self._written = True
            wizard = self.wizard()
            if wizard.nextId() == -1:
                wizard.accept()
            else:
                wizard.next()

        def failed(exc):
            self._busy = False
            self.errors.show(exc)

        perform(self, work, kind="*", on_done=done, on_error=failed)
        return False


class RolePage(_WritingPage):
    def __init__(self):
        super().__init__()
        self.setTitle(self.tr("这台电脑由谁使用？"))
        layout = QVBoxLayout(self)
        self.field = QRadioButton(self.tr("督导组：到被督导单位现场记录督导情况"))
        self.office = QRadioButton(self.tr("活动办：建立督导组、分配单位、汇总各组的记录"))
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.field)
        self.choice.addButton(self.office)
        self.field.setChecked(True)
        layout.addWidget(self.field)
        layout.addWidget(self.office)
        layout.addWidget(self.errors.label_for("role"))
        self.locked = _wrapped("")
        layout.addWidget(self.locked)
        layout.addStretch(1)
        layout.addWidget(self.general)
        if installation.is_initialized():
            role = installation.context().role
            (self.office if role == "office" else self.field).setChecked(True)
            self.field.setEnabled(False)
            self.office.setEnabled(False)
            self.locked.setText(self.tr("本机已设置为“{role}”，角色不能再改。").format(
                role=self.tr(installation.ROLE_LABELS[role])))
        self.field.toggled.connect(lambda _on: self.completeChanged.emit())

    def role(self) -> str:
        return "office" if self.office.isChecked() else "field"

    def isFinalPage(self) -> bool:  # noqa: N802 (Qt override)
        return self.role() == "office"

    def nextId(self) -> int:  # noqa: N802 (Qt override)
        return -1 if self.role() == "office" else GROUP_PAGE

    def write(self):
        role = self.role()
        if installation.is_initialized():
            return None
        return lambda: campaigns.initialize(role)


class GroupPage(_WritingPage):
    def __init__(self):
        super().__init__()
        self.setTitle(self.tr("督导组和您本人"))
        self.setSubTitle(self.tr("第一个填写的人是组长；组长以后可以换，其他成员在下一步添加。"))
        form = QFormLayout(self)
        self.group = QLineEdit()
        self.group.setPlaceholderText(self.tr("例如：市委第一督导组"))
        self.member = QLineEdit()
        self.member.setPlaceholderText(self.tr("您的姓名"))
        form.addRow(self.tr("督导组名称"), self.group)
        form.addRow("", self.errors.label_for("name"))
        form.addRow(self.tr("您的姓名"), self.member)
        form.addRow("", self.errors.label_for("member"))
        form.addRow(self.general)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        group = members.current_group() if installation.is_initialized() else None
        if group is not None and not self.group.text():
            self.group.setText(group.name)

    def write(self):
        group, member = self.group.text().strip(), self.member.text().strip()
        if not group:
            raise ValidationError(self.tr("请填写督导组名称。"), field="name")
        if not member:
            raise ValidationError(self.tr("请填写您的姓名。"), field="member")
        return lambda: campaigns.initialize("field", group, member)


class MembersPage(QWizardPage):
    def __init__(self, data_dir: Path):
        super().__init__()
        self.setTitle(self.tr("本组成员"))
        self.setSubTitle(self.tr("添加同组的其他成员，指定组长；选中一人后点“设为本机使用者”，本机记下的每条记录都署其名。"))
        layout = QVBoxLayout(self)
        self.panel = MembersPanel(data_dir)
        layout.addWidget(self.panel)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        self.panel.reload()


class PassphrasePage(QWizardPage):
    def __init__(self, data_dir: Path):
        super().__init__()
        self.data_dir = data_dir
        self.setTitle(self.tr("组长的签名口令"))
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(self.tr(
            "纪实评价由组长签署，签署时要输入组长本人的口令。请组长本人在这台电脑上设置；组长不用这台电脑的，"
            "可以跳过，由组长在自己的电脑上设置。以后在“设置”页也可以设置和更改。")))
        self.state = _wrapped("")
        layout.addWidget(self.state)
        self.button = QPushButton(self.tr("设置组长签名口令…"))
        self.button.clicked.connect(lambda: self.set_passphrase())
        layout.addWidget(self.button)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        leader = members.group_leader(members.current_group())
        if leader is None:
            self.state.setText(self.tr("本组还没有组长：请返回上一步指定组长。"))
            self.button.setEnabled(False)
            return
        has = signing.has_key(self.data_dir, leader)
        self.state.setText(self.tr("组长：{name}。签名口令：{state}").format(
            name=leader.name, state=self.tr("已设置") if has else self.tr("未设置")))
        self.button.setText(self.tr("更改组长签名口令…") if has else self.tr("设置组长签名口令…"))
        self.button.setEnabled(True)

    def set_passphrase(self):
        from .members_panel import PassphraseDialog

        leader = members.group_leader(members.current_group())
        if leader is None:
            return None
        dialog = PassphraseDialog(self, self.data_dir, leader.id)
        dialog.accepted.connect(self.initializePage)
        dialog.open()
        return dialog


class SetupDialog(QWizard):
    """The first-start wizard (kept under its old name: app.open_window shows it)."""

    def __init__(self, parent=None, data_dir: Path | None = None):
        super().__init__(parent)
        from supervisor_app import paths

        self.data_dir = Path(data_dir) if data_dir else paths.resolve_data_dir(None)
        self.setWindowTitle(self.tr("首次使用：设置本机"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.role_page = RolePage()
        self.group_page = GroupPage()
        self.members_page = MembersPage(self.data_dir)
        self.passphrase_page = PassphrasePage(self.data_dir)
        self.setPage(ROLE_PAGE, self.role_page)
        self.setPage(GROUP_PAGE, self.group_page)
        self.setPage(MEMBERS_PAGE, self.members_page)
        self.setPage(PASSPHRASE_PAGE, self.passphrase_page)
        # Once the role and the group are written, going back would not undo them.
        self.role_page.setCommitPage(True)
        self.group_page.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("下一步"))
        self.resize(720, 520)
