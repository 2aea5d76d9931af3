"""附件: photos and scans of the visit, shown as thumbnails (made off the GUI thread)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from supervisor_app import attachments, display
from supervisor_app.errors import SupervisorError
from supervisor_app.visit_form import VisitForm

from ... import tasks
from .common import FormErrors

THUMBNAIL = 120
KIND_ROLE = Qt.ItemDataRole.UserRole  # ("file", path) for a file to add, ("attachment", id) for a stored one


def thumbnail(path: Path) -> QImage | None:
    """A small image of a picture file (None for anything that is not a picture). Runs on the worker."""
    shrunk = attachments.thumbnail(path, THUMBNAIL)
    if shrunk is None:
        return None
    width, height, rgba = shrunk
    return QImage(rgba, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()


class AttachmentsTab(QWidget):
    changed = Signal()
    FIELDS = ("attachment",)

    def __init__(self, errors: FormErrors):
        super().__init__()
        self.errors = errors
        self.visit_id: str | None = None
        self.add_files_: list[str] = []
        self.removed: list[str] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("照片、扫描件等（可拖放文件到此窗口）。文件按内容只存一份。")))
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.list.setGridSize(QSize(THUMBNAIL + 40, THUMBNAIL + 48))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(lambda _item: self.open_current())
        layout.addWidget(self.list, 1)
        layout.addWidget(errors.label_for("attachment"))
        row = QHBoxLayout()
        add = QPushButton(self.tr("添加…"))
        add.clicked.connect(self.choose_files)
        open_button = QPushButton(self.tr("打开"))
        open_button.clicked.connect(self.open_current)
        remove = QPushButton(self.tr("移除"))
        remove.clicked.connect(self.remove_current)
        for button in (add, open_button, remove):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)

    # --- items ----------------------------------------------------------------------------------

    def _add_item(self, text: str, data: tuple[str, str], path_of) -> None:
        item = QListWidgetItem(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon), text)
        item.setData(KIND_ROLE, data)
        item.setToolTip(text)
        self.list.addItem(item)

        def apply(image):
            if image is not None and isValid(self.list) and isValid(item) and item.listWidget() is self.list:
                item.setIcon(QIcon(QPixmap.fromImage(image)))

        # a file that cannot be read keeps its plain icon; opening it says why
        tasks.run_task(lambda _progress, _cancelled: thumbnail(path_of()), apply, lambda _exc: None)

    def add_files(self, paths: list[str]) -> None:
        for path in paths:
            if Path(path).is_file() and path not in self.add_files_:
                self.add_files_.append(path)
                self._add_item(self.tr("（待保存）") + Path(path).name, ("file", path), lambda p=path: Path(p))
        self.changed.emit()

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("添加附件"))
        self.add_files(paths)

    def _stored(self, attachment_id: str):
        return next(a for a in attachments.list_attachments(self.visit_id) if a.id == attachment_id)

    def open_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        kind, value = item.data(KIND_ROLE)
        try:
            path = Path(value) if kind == "file" else attachments.verified_path(self._stored(value))
        except SupervisorError as exc:
            self.errors.show(exc)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def remove_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        kind, value = item.data(KIND_ROLE)
        if kind == "file":
            self.add_files_.remove(value)
        else:
            self.removed.append(value)
        self.list.takeItem(self.list.row(item))
        self.changed.emit()

    # --- the form -------------------------------------------------------------------------------

    def fill(self, form: VisitForm) -> None:
        self.list.clear()
        self.add_files_ = []
        self.removed = list(form.remove_attachments)
        if self.visit_id:
            for att in attachments.list_attachments(self.visit_id):
                if att.id in self.removed:
                    continue
                size = display.count(att.size)
                size_text = f"{size // 1024 + 1} KB" if size is not None and size >= 0 else display.count_text(att.size)
                self._add_item(f"{att.filename}（{size_text}）", ("attachment", att.id),
                               lambda a=att: attachments.verified_path(a))
        self.add_files(form.add_files)

    def collect(self, form: VisitForm) -> None:
        form.add_files = list(self.add_files_)
        form.remove_attachments = list(self.removed)
