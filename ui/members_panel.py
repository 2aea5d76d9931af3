"""本组成员: the roster table and its buttons, and the leader's passphrase dialog.

Used by the first-start wizard and by the 设置 page. Every write goes through
operations.perform; the rules (unique names, one 组长, who may retire) are members.py's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from supervisor_app import installation, members, signatures, signing
from supervisor_app.errors import SupervisorError

from . import theme
from .operations import perform
from .widgets import FieldErrors, error_text


class MembersModel(QAbstractTableModel):
    """The group's members, the leader first; retired members shown greyed at the end."""

    COLUMNS = ("姓名", "职务", "本机使用者", "签名口令")

    def __init__(self, data_dir: Path | None = None, parent=None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.rows: list[dict] = []

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = []
        if installation.is_initialized():
            ctx = installation.context()
            group = members.current_group()
            for m in members.list_members(group, include_retired=True) if group else []:
                self.rows.append({
                    "id": m.id, "name": m.name, "leader": bool(m.is_leader), "retired": bool(m.deleted),
                    "current": m.id == ctx.member_id,
                    "key": bool(m.is_leader and self.data_dir and signing.has_key(self.data_dir, m)),
                })
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.COLUMNS):
            return self.tr(self.COLUMNS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row["name"]
            if column == 1:
                return self.tr("已退出") if row["retired"] else self.tr("组长") if row["leader"] else self.tr("成员")
            if column == 2:
                return self.tr("是") if row["current"] else ""
            if column == 3:
                if not row["leader"]:
                    return ""
                return self.tr("已设置") if row["key"] else self.tr("未设置")
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row["retired"]:
                return theme.muted()
            if column == 3 and row["leader"] and not row["key"]:
                return theme.ink("warning")
            return None
        if role == Qt.ItemDataRole.UserRole:
            return row["id"]
        return None

    def row_of(self, member_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r["id"] == member_id), -1)


class PassphraseDialog(QDialog):
    """Set or change the leader's signing passphrase, with live strength feedback."""

    def __init__(self, parent, data_dir: Path, member_id: str):
        super().__init__(parent)
        self.data_dir = data_dir
        self.member = members.get_member(member_id)
        self.changing = signing.has_key(data_dir, self.member)
        self.setWindowTitle(self.tr("更改签名口令") if self.changing else self.tr("设置签名口令"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "组长{name}签署纪实评价时要输入这个口令。口令只保存在组长心里：本机只存用它加密的签名密钥，"
            "其他成员即使使用这台电脑也无法冒签。忘记口令就不能再签署，请用一句只有您知道的、较长的话。"
        ).format(name=self.member.name))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        general = QLabel()
        self.errors = FieldErrors(general)
        self.old = QLineEdit()
        self.old.setEchoMode(QLineEdit.EchoMode.Password)
        if self.changing:
            form.addRow(self.tr("原口令"), self.old)
            form.addRow("", self.errors.label_for("old"))
        self.new = QLineEdit()
        self.new.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(10)
        self.strength = QLabel()
        self.strength.setWordWrap(True)
        form.addRow(self.tr("新口令") if self.changing else self.tr("口令"), self.new)
        form.addRow(self.tr("强度"), self.meter)
        form.addRow("", self.strength)
        form.addRow("", self.errors.label_for("passphrase"))
        form.addRow(self.tr("再输入一次"), self.repeat)
        form.addRow("", self.errors.label_for("repeat"))
        layout.addLayout(form)
        layout.addWidget(general)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.new.textChanged.connect(self.show_strength)
        self.show_strength("")

    def show_strength(self, text: str) -> None:
        strength = signing.passphrase_strength(text, [self.member.name])
        self.meter.setValue(strength.score if text else 0)
        role = "ok" if strength.score >= 3 else "warning" if strength.acceptable else "danger"
        if not text:
            self.strength.setText(self.tr("至少 {n} 个字符，不要用常见的词或数字串。").format(n=signing.MIN_PASSPHRASE))
            self.strength.setStyleSheet("")
        else:
            self.strength.setText(self.tr("强度：{label}。{hint}").format(label=self.tr(strength.label),
                                                                     hint=self.tr(strength.hint)))
            self.strength.setStyleSheet(theme.ink_style(role))

    def accept(self) -> None:
        self.errors.clear()
        old, new = self.old.text(), self.new.text()
        if new != self.repeat.text():
            self.errors.show(SupervisorError(self.tr("两次输入的口令不一样。"), field="repeat"))
            return
        data_dir, member, changing = self.data_dir, self.member, self.changing

        def write():
            if changing:
                signing.change_passphrase(data_dir, member, old, new)
            else:
                signing.create_leader_key(data_dir, member, new)

        def failed(exc):
            field = getattr(exc, "field", None)
            if changing and field == "passphrase" and "口令不正确" in error_text(exc):
                exc.field = "old"
            self.errors.show(exc)
            self.buttons.setEnabled(True)

        self.buttons.setEnabled(False)
        perform(self, write, kind="member",
                message=self.tr("已更改组长{name}的签名口令").format(name=member.name) if changing
                else self.tr("已为组长{name}设置签名口令").format(name=member.name),
                on_done=lambda _r: QDialog.accept(self), on_error=failed)


class MembersPanel(QWidget):
    """The roster with its buttons: add, rename, make 组长, retire, use this computer, passphrase."""

    changed = Signal()

    def __init__(self, data_dir: Path, parent=None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.model = MembersModel(data_dir, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.rename())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        adding = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText(self.tr("新成员的姓名"))
        self.new_name.returnPressed.connect(lambda: self.add())
        self.add_button = QPushButton(self.tr("添加成员"))
        self.add_button.clicked.connect(lambda: self.add())
        adding.addWidget(self.new_name, 1)
        adding.addWidget(self.add_button)
        layout.addLayout(adding)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.rename_button = QPushButton(self.tr("改名…"))
        self.rename_button.clicked.connect(lambda: self.rename())
        self.leader_button = QPushButton(self.tr("设为组长"))
        self.leader_button.clicked.connect(self.make_leader)
        self.retire_button = QPushButton(self.tr("退出督导组"))
        self.retire_button.clicked.connect(self.retire)
        self.current_button = QPushButton(self.tr("设为本机使用者"))
        self.current_button.clicked.connect(self.use_this_computer)
        self.passphrase_button = QPushButton(self.tr("设置签名口令…"))
        self.passphrase_button.clicked.connect(lambda: self.set_passphrase())
        self.key_card_button = QPushButton(self.tr("写出组长公钥卡…"))
        self.key_card_button.setToolTip(self.tr("交活动办登记：活动办登记之后，组长的签名才被活动办采信。"))
        self.key_card_button.clicked.connect(lambda: self.write_key_card())
        for button in (self.rename_button, self.leader_button, self.retire_button,
                       self.current_button, self.passphrase_button, self.key_card_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    # --- state -------------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        keep = select or self.selected_id()
        self.model.reload()
        row = self.model.row_of(keep) if keep else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self._update_buttons()

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.data(self.model.index(index.row(), 0), Qt.ItemDataRole.UserRole) if index.isValid() else None

    def select(self, name: str) -> bool:
        """Select the member named ``name``; False when there is none."""
        for i, row in enumerate(self.model.rows):
            if row["name"] == name:
                self.table.selectRow(i)
                return True
        return False

    def _selected_row(self) -> dict | None:
        row = self.model.row_of(self.selected_id() or "")
        return self.model.rows[row] if row >= 0 else None

    def _update_buttons(self) -> None:
        row = self._selected_row()
        live = bool(row) and not row["retired"]
        self.rename_button.setEnabled(live)
        self.leader_button.setEnabled(live and not row["leader"])
        self.retire_button.setEnabled(live and not row["leader"] and not row["current"])
        self.current_button.setEnabled(live and not row["current"])
        self.passphrase_button.setEnabled(live and row["leader"])
        self.key_card_button.setEnabled(bool(live and row["leader"] and row["key"]))
        if row and row["leader"]:
            self.passphrase_button.setText(self.tr("更改签名口令…") if row["key"] else self.tr("设置签名口令…"))

    def _write(self, fn, message: str, select: str | None = None, after=None) -> None:
        def done(result):
            if after is not None:
                after(result)
            self.message.setStyleSheet("")
            self.message.setText(message)
            self.reload(select or getattr(result, "id", None))
            self.changed.emit()

        def failed(exc):
            self.message.setStyleSheet(theme.ink_style("danger"))
            self.message.setText(error_text(exc))

        perform(self, fn, kind="member", message=message, on_done=done, on_error=failed)

    # --- actions -------------------------------------------------------------------------------------

    def add(self, name: str | None = None) -> None:
        group = members.current_group()
        if group is None:
            return
        if name is None:
            name = self.new_name.text()

        def added(member):
            self.new_name.clear()
            return member

        self._write(lambda: members.add_member(group.id, name), self.tr("已添加成员{name}").format(name=name.strip()),
                    after=added)

    def rename(self, name: str | None = None) -> None:
        row = self._selected_row()
        if not row or row["retired"]:
            return
        if name is None:
            name, ok = QInputDialog.getText(self, self.tr("改名"), self.tr("新的姓名："), text=row["name"])
            if not ok:
                return
        member_id = row["id"]
        self._write(lambda: members.rename_member(member_id, name),
                    self.tr("已把{old}改名为{new}").format(old=row["name"], new=name.strip()))

    def make_leader(self) -> None:
        row = self._selected_row()
        if not row or row["retired"] or row["leader"]:
            return
        member_id = row["id"]
        self._write(lambda: members.make_leader(member_id),
                    self.tr("{name}现在是组长。组长第一次签署前，请为其设置签名口令。").format(name=row["name"]))

    def retire(self) -> None:
        row = self._selected_row()
        if not row or row["retired"]:
            return
        answer = QMessageBox.question(self, self.tr("退出督导组"), self.tr(
            "{name}退出督导组后不再出现在成员名单中，但仍是其已写记录的作者。确定吗？").format(name=row["name"]))
        if answer != QMessageBox.StandardButton.Yes:
            return
        member_id = row["id"]
        self._write(lambda: members.retire_member(member_id), self.tr("{name}已退出督导组").format(name=row["name"]))

    def use_this_computer(self) -> None:
        row = self._selected_row()
        if not row or row["retired"]:
            return
        member_id = row["id"]
        self._write(lambda: members.set_current_member(member_id),
                    self.tr("本机使用者：{name}").format(name=row["name"]), select=member_id)

    def write_key_card(self, path: str | None = None, passphrase: str | None = None) -> None:
        """The leader's public key card for the office (the passphrase proves it is the leader's key)."""
        row = self._selected_row()
        if not row or not row["leader"] or not row["key"]:
            return
        if passphrase is None:
            passphrase, ok = QInputDialog.getText(self, self.tr("写出组长公钥卡"), self.tr(
                "请组长{name}输入签名口令：").format(name=row["name"]), QLineEdit.EchoMode.Password)
            if not ok:
                return
        if path is None:
            path = QFileDialog.getSaveFileName(self, self.tr("保存组长公钥卡"), f"{row['name']}.keycard",
                                               self.tr("组长公钥卡 (*.keycard)"))[0]
            if not path:
                return
        data_dir, member_id = self.data_dir, row["id"]

        def write():
            member = members.get_member(member_id)
            return signatures.write_key_card(member, signing.unlock(data_dir, member, passphrase), path)

        def done(fingerprint):
            self.message.setStyleSheet("")
            self.message.setText(self.tr(
                "已写出组长公钥卡：{path}。请交给活动办，并打电话或当面把指纹读给活动办：{fp}").format(path=path, fp=fingerprint))

        def failed(exc):
            self.message.setStyleSheet(theme.ink_style("danger"))
            self.message.setText(error_text(exc))

        perform(self, write, kind="member", on_done=done, on_error=failed)

    def set_passphrase(self) -> PassphraseDialog | None:
        row = self._selected_row()
        if not row or not row["leader"]:
            return None
        dialog = PassphraseDialog(self, self.data_dir, row["id"])
        dialog.accepted.connect(lambda: (self.reload(), self.changed.emit()))
        dialog.open()
        return dialog
