"""备份与恢复: the backups with their time and record counts; back up now; restore one.

Also the start-up offer: when the database is damaged, nothing is opened for writing and the
newest good backup is offered.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from supervisor_app import backup
from supervisor_app.errors import SupervisorError

from . import tasks
from .hub import announce
from .widgets import show_error


class BackupDialog(QDialog):
    backed_up = Signal(object)

    def __init__(self, parent, data_dir: Path):
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.setWindowTitle(self.tr("备份与恢复"))
        self.resize(900, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr(
            "程序每天第一次打开时、升级数据前和导入同步包前都会自动备份；保留最近 7 天每天一份、之前 4 周每周一份。"
            "附件按内容存放，备份只记录它们的指纹，不重复复制。")))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("时间"), self.tr("原因"), self.tr("记录数"), self.tr("大小")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        backup_button = QPushButton(self.tr("立即备份"))
        backup_button.clicked.connect(self.backup_now)
        restore_button = QPushButton(self.tr("从所选备份恢复…"))
        restore_button.clicked.connect(self.restore_selected)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        row.addWidget(backup_button)
        row.addWidget(restore_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.backups = backup.list_backups(self.data_dir)
        self.table.setRowCount(len(self.backups))
        for r, info in enumerate(self.backups):
            for c, text in enumerate((info.time_text, info.reason_label, info.summary(),
                                      f"{info.size / 1_048_576:.1f} MB")):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(info.path))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        if not self.backups:
            self.status.setText(self.tr("还没有备份。"))

    def backup_now(self):
        data_dir = self.data_dir

        def done(info):
            self.status.setText(self.tr("已备份：{time}（{counts}）").format(time=info.time_text, counts=info.summary()))
            self.refresh()
            self.backed_up.emit(info)

        return tasks.run_with_progress(
            self, self.tr("正在备份…"),
            lambda progress, cancelled: backup.create_backup(data_dir, reason=backup.MANUAL), done,
            lambda exc: show_error(self, exc, self.tr("备份失败")))

    def restore_selected(self) -> bool:
        row = self.table.currentRow()
        if row < 0:
            self.status.setText(self.tr("请先选择一份备份。"))
            return False
        info = self.backups[row]
        answer = QMessageBox.question(self, self.tr("从备份恢复"), self.tr(
            "将用 {time} 的备份（{counts}）替换当前数据。当前数据会先另存一份备份。继续吗？").format(
            time=info.time_text, counts=info.summary()))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        ok = restore_now(self, info.path, self.data_dir)
        if ok:
            self.status.setText(self.tr("已恢复到 {time} 的备份。").format(time=info.time_text))
            self.refresh()
        return ok


def _tr(text: str) -> str:
    return QCoreApplication.translate("backup", text)


def restore_now(parent, path: Path, data_dir: Path) -> bool:
    """Restore on the GUI thread (the one whose connection is replaced), after the worker is idle."""
    tasks.wait_for_all()
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = backup.restore(path, data_dir)
    except SupervisorError as exc:
        show_error(parent, exc, _tr("无法恢复"))
        return False
    finally:
        QGuiApplication.restoreOverrideCursor()
    message = _tr("已从备份恢复。")
    if result.missing_attachments:
        message += _tr("有 {n} 个附件的内容不在本机。").format(n=len(result.missing_attachments))
    announce("*", message)
    return True


def offer_restore(error: backup.DamagedDatabaseError, data_dir: Path) -> bool:
    """At start, a damaged database: say so plainly and offer the newest good backup."""
    check = error.check
    if not check.can_restore:
        QMessageBox.critical(None, _tr("数据库已损坏"),
                             check.message + "\n\n" + _tr("没有可用的完好备份。请联系技术人员，不要删除数据文件夹。"))
        return False
    good = check.newest_good_backup
    answer = QMessageBox.question(None, _tr("数据库已损坏"), check.message + "\n\n" + _tr(
        "为保护数据，程序没有以写入方式打开它。\n最新的完好备份：{time}（{summary}）。\n\n"
        "要从这份备份恢复吗？损坏的文件会另存在备份文件夹中。").format(time=good.time_text, summary=good.summary()))
    if answer != QMessageBox.StandardButton.Yes:
        return False
    return restore_now(None, good.path, data_dir)
