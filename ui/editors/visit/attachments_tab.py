"""附件: photos and scans of the visit, shown as thumbnails (made off the GUI thread); each may
be of one stored finding of the visit or of one assessment item (所属), and its thumbnail is
then shown there too (``photos_changed``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
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
LINK_ROLE = Qt.ItemDataRole.UserRole + 1  # "" (the visit), "finding:<id>", "focus:<id>" or "tendency:<id>"
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
IMAGE_ROLE = Qt.ItemDataRole.UserRole + 3


def thumbnail(path: Path) -> QImage | None:
    """A small image of a picture file (None for anything that is not a picture). Runs on the worker."""
    shrunk = attachments.thumbnail(path, THUMBNAIL)
    if shrunk is None:
        return None
    width, height, rgba = shrunk
    return QImage(rgba, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()


class AttachmentsTab(QWidget):
    changed = Signal()
    photos_changed = Signal(dict)  # {link: [QImage, …]} of the photos linked to a finding or an item
    FIELDS = ("attachment",)

    def __init__(self, errors: FormErrors, template=None):
        super().__init__()
        self.errors = errors
        self.tpl = template
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
        link_row = QHBoxLayout()
        link_row.addWidget(QLabel(self.tr("所选照片属于：")))
        self.link = QComboBox()
        self.link.setMinimumContentsLength(30)
        self.link.setToolTip(self.tr("照片可以属于本次督导整体、本次发现的某个问题或某个评估事项。新添加的问题保存后即可选择。"))
        self.link.activated.connect(self._link_chosen)
        link_row.addWidget(self.link, 1)
        layout.addLayout(link_row)
        self.subjects: list[tuple[str, str]] = []
        self.set_subjects([])
        self.list.currentItemChanged.connect(lambda *_: self._show_link())
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

    # --- what a photo is of ---------------------------------------------------------------------

    def set_subjects(self, findings: list[tuple[str, str]]) -> None:
        """The stored findings of the form, (finding id, description), and the template's items:
        what a photo may be of."""
        subjects = [("", self.tr("本次督导（整体）"))]
        for number, (finding_id, description) in enumerate(findings, 1):
            short = description.split("\n", 1)[0]
            short = short if len(short) <= 24 else short[:24] + "…"
            subjects.append((f"finding:{finding_id}", self.tr("问题 {n}：{text}").format(n=number, text=short)))
        if self.tpl is not None:
            subjects += [(f"focus:{i['id']}", self.tr("督导重点：") + i["name"]) for i in self.tpl.focus_items]
            subjects += [(f"tendency:{i['id']}", self.tr("倾向：") + i["name"]) for i in self.tpl.tendencies]
        self.subjects = subjects
        self.link.clear()
        for key, label in subjects:
            self.link.addItem(label, key)
        for row in range(self.list.count()):
            self._label(self.list.item(row))
        self._show_link()
        self._announce()

    def subject_label(self, key: str) -> str:
        return next((label for k, label in self.subjects if k == key), self.tr("（已删除的问题）") if key else "")

    def _show_link(self) -> None:
        item = self.list.currentItem()
        self.link.setEnabled(item is not None)
        if item is not None:
            index = self.link.findData(item.data(LINK_ROLE) or "")
            if index < 0:
                self.link.addItem(self.subject_label(item.data(LINK_ROLE)), item.data(LINK_ROLE))
                index = self.link.count() - 1
            self.link.setCurrentIndex(index)

    def _link_chosen(self, index: int) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        item.setData(LINK_ROLE, self.link.itemData(index) or "")
        self._label(item)
        self._announce()
        self.changed.emit()

    def _label(self, item: QListWidgetItem) -> None:
        key = item.data(LINK_ROLE) or ""
        text = item.data(NAME_ROLE) if not key else f"{item.data(NAME_ROLE)}\n{self.subject_label(key)}"
        item.setText(text)
        item.setToolTip(text)

    def photos(self) -> dict[str, list[QImage]]:
        """The thumbnails of the photos linked to a finding or an item, by link."""
        found: dict[str, list[QImage]] = {}
        for row in range(self.list.count()):
            item = self.list.item(row)
            image, key = item.data(IMAGE_ROLE), item.data(LINK_ROLE) or ""
            if key and isinstance(image, QImage):
                found.setdefault(key, []).append(image)
        return found

    def _announce(self) -> None:
        self.photos_changed.emit(self.photos())

    # --- items ----------------------------------------------------------------------------------

    def _add_item(self, text: str, data: tuple[str, str], path_of, link: str = "") -> None:
        item = QListWidgetItem(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon), text)
        item.setData(KIND_ROLE, data)
        item.setData(NAME_ROLE, text)
        item.setData(LINK_ROLE, link)
        self._label(item)
        self.list.addItem(item)

        def apply(image):
            if image is not None and isValid(self.list) and isValid(item) and item.listWidget() is self.list:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
                item.setData(IMAGE_ROLE, image)
                if item.data(LINK_ROLE):
                    self._announce()

        # a file that cannot be read keeps its plain icon; opening it says why
        tasks.run_task(lambda _progress, _cancelled: thumbnail(path_of()), apply, lambda _exc: None)

    def add_files(self, paths: list[str], links: dict[str, str] | None = None) -> None:
        for path in paths:
            if Path(path).is_file() and path not in self.add_files_:
                self.add_files_.append(path)
                self._add_item(self.tr("（待保存）") + Path(path).name, ("file", path), lambda p=path: Path(p),
                               (links or {}).get(path, ""))
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
        self._announce()
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
                stored_link = f"finding:{att.finding_id}" if att.finding_id else att.item or ""
                self._add_item(f"{att.filename}（{size_text}）", ("attachment", att.id),
                               lambda a=att: attachments.verified_path(a),
                               form.attachment_links.get(att.id, stored_link))
        self.add_files(form.add_files, form.attachment_links)
        self._show_link()
        self._announce()

    def collect(self, form: VisitForm) -> None:
        form.add_files = list(self.add_files_)
        form.remove_attachments = list(self.removed)
        form.attachment_links = {self.list.item(row).data(KIND_ROLE)[1]: self.list.item(row).data(LINK_ROLE) or ""
                                 for row in range(self.list.count())}
