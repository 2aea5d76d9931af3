"""设置: this computer and the group — the group's name, its members and 组长, who uses this
computer, the leader's signing passphrase (the same things the first-start wizard asks)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import installation, members

from .. import theme
from ..hub import hub
from ..members_panel import MembersPanel
from ..operations import perform
from ..widgets import error_text, heading


class SettingsPage(QWidget):
    title = "设置"

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("设置")))
        self.computer = QLabel()
        self.computer.setWordWrap(True)
        layout.addWidget(self.computer)
        self.group_box = QGroupBox(self.tr("督导组"))
        row = QHBoxLayout(self.group_box)
        self.group_name = QLineEdit()
        self.rename_button = QPushButton(self.tr("改名"))
        self.rename_button.clicked.connect(lambda: self.rename_group())
        row.addWidget(QLabel(self.tr("名称")))
        row.addWidget(self.group_name, 1)
        row.addWidget(self.rename_button)
        layout.addWidget(self.group_box)
        self.assigned_box = QGroupBox(self.tr("活动办安排的督导组"))
        row = QHBoxLayout(self.assigned_box)
        self.assigned_group = QComboBox()
        self.assigned_member = QComboBox()
        self.assigned_group.currentIndexChanged.connect(lambda _i: self._fill_assigned_members())
        self.use_assigned = QPushButton(self.tr("本机改用这个督导组和成员"))
        self.use_assigned.clicked.connect(lambda: self.use_assigned_group())
        row.addWidget(QLabel(self.tr("督导组")))
        row.addWidget(self.assigned_group, 1)
        row.addWidget(QLabel(self.tr("我是")))
        row.addWidget(self.assigned_member, 1)
        row.addWidget(self.use_assigned)
        layout.addWidget(self.assigned_box)
        self.group_message = QLabel()
        self.group_message.setWordWrap(True)
        layout.addWidget(self.group_message)
        self.members_box = QGroupBox(self.tr("本组成员"))
        box = QVBoxLayout(self.members_box)
        self.members = MembersPanel(window.data_dir)
        box.addWidget(self.members)
        layout.addWidget(self.members_box, 1)
        self.office_note = QLabel(self.tr(
            "本机是活动办：督导组和成员在各组自己的电脑上设置；登记督导组的设备卡见“同步”页。"))
        self.office_note.setWordWrap(True)
        layout.addWidget(self.office_note)
        hub.changed.connect(self._on_changed)

    def refresh(self) -> None:
        ctx = installation.context()
        group = members.current_group()
        member = members.current_member()
        self.computer.setText(self.tr("本机：{role}　当前使用者：{member}　数据文件夹：{folder}").format(
            role=self.tr(installation.ROLE_LABELS[ctx.role]), member=member.name if member else self.tr("（无）"),
            folder=str(self.window_.data_dir)))
        is_field = ctx.role == "field"
        self.group_box.setVisible(is_field)
        self.members_box.setVisible(is_field)
        self.office_note.setVisible(not is_field)
        self.group_name.setText(group.name if group else "")
        self.members.reload()
        others = [g for g in members.list_groups() if not group or g.id != group.id] if is_field else []
        self.assigned_box.setVisible(bool(others))
        self.assigned_box.setToolTip(self.tr(
            "活动办发来的工作安排中的督导组。记录要交活动办，本机就要使用活动办建立的督导组和成员。"))
        self.assigned_group.blockSignals(True)
        self.assigned_group.clear()
        for other in others:
            self.assigned_group.addItem(other.name, other.id)
        self.assigned_group.blockSignals(False)
        self._fill_assigned_members()

    def _on_changed(self, kind: str) -> None:
        if self.isVisible() and kind in ("*", "member", "group"):
            self.refresh()

    def _fill_assigned_members(self) -> None:
        self.assigned_member.clear()
        group_id = self.assigned_group.currentData()
        for member in members.list_members(group_id) if group_id else []:
            self.assigned_member.addItem(member.name + (self.tr("（组长）") if member.is_leader else ""), member.id)
        self.use_assigned.setEnabled(self.assigned_member.count() > 0)

    def use_assigned_group(self) -> None:
        """This computer joins the office's group, used by the member chosen."""
        member_id = self.assigned_member.currentData()
        if not member_id:
            return

        def failed(exc):
            self.group_message.setStyleSheet(theme.ink_style("danger"))
            self.group_message.setText(error_text(exc))

        def done(member):
            self.group_message.setStyleSheet("")
            self.group_message.setText(self.tr("本机现在属于{group}，使用者：{name}。").format(
                group=self.assigned_group.currentText(), name=member.name))

        perform(self, lambda: members.use_group_of(member_id), kind="member",
                message=self.tr("本机改用活动办安排的督导组"), on_done=done, on_error=failed)

    def rename_group(self, name: str | None = None) -> None:
        group = members.current_group()
        if group is None:
            return
        name = self.group_name.text() if name is None else name
        group_id = group.id

        def done(_result):
            self.group_message.setStyleSheet("")
            self.group_message.setText(self.tr("已改名为{name}").format(name=name.strip()))

        def failed(exc):
            self.group_message.setStyleSheet(theme.ink_style("danger"))
            self.group_message.setText(error_text(exc))

        perform(self, lambda: members.rename_group(group_id, name), kind="group",
                message=self.tr("督导组已改名"), on_done=done, on_error=failed)
