"""After a crash: one dialog listing every draft left behind, to reopen or discard together
(instead of one identical question per draft)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from supervisor_app import display
from supervisor_app.drafts import Draft

KEY_ROLE = Qt.ItemDataRole.UserRole


class RecoveryDialog(QDialog):
    """Every pending draft, ticked; 恢复所选 reopens the ticked ones, 丢弃所选 deletes them
    (after asking), 以后再说 keeps them all for the next start."""

    def __init__(self, window, drafts: list[Draft]):
        super().__init__(window)
        self.window_ = window
        self.drafts = {draft.key: draft for draft in drafts}
        self.reopened: list = []
        self.setWindowTitle(self.tr("恢复未保存的草稿"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("上次关闭前有 {n} 份编辑中的记录没有保存。勾选要恢复的草稿：").format(n=len(drafts)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        for draft in drafts:
            item = QListWidgetItem(self.tr("{title}（草稿保存于 {time}）").format(
                title=draft.title, time=display.moment_text(draft.saved_at)))
            item.setData(KEY_ROLE, draft.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox()
        self.restore_button = QPushButton(self.tr("恢复所选"))
        self.discard_button = QPushButton(self.tr("丢弃所选…"))
        self.later_button = QPushButton(self.tr("以后再说"))
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(self.restore_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        self.later_button.clicked.connect(self.reject)
        self.list.itemChanged.connect(self._update_buttons)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def selected(self) -> list[Draft]:
        return [self.drafts[self.list.item(i).data(KEY_ROLE)] for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _update_buttons(self, _item=None) -> None:
        some = bool(self.selected())
        self.restore_button.setEnabled(some)
        self.discard_button.setEnabled(some)

    def restore_selected(self) -> None:
        """Reopen each ticked draft in its editor; the others stay for the next start."""
        for draft in self.selected():
            if draft.kind == "visit":
                self.reopened.append(self.window_.show_page("visits").open_draft(draft))
        self.accept()

    def discard_selected(self) -> None:
        chosen = self.selected()
        answer = QMessageBox.question(
            self, self.tr("丢弃草稿"), self.tr("丢弃所选的 {n} 份草稿？丢弃后无法找回。").format(n=len(chosen)),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        for draft in chosen:
            self.window_.drafts.discard(draft.key)
            row = next(i for i in range(self.list.count()) if self.list.item(i).data(KEY_ROLE) == draft.key)
            self.list.takeItem(row)
            del self.drafts[draft.key]
        if not self.drafts:
            self.accept()


def offer_drafts(window) -> RecoveryDialog | None:
    """Offer back, in one dialog, the drafts left by a crash or a kill (None when there are none)."""
    drafts = window.drafts.pending()
    if not drafts:
        return None
    dialog = RecoveryDialog(window, drafts)
    dialog.exec()
    return dialog
