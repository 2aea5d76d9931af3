"""Previewing and printing a PDF inside the program.

Pages are rasterised with PDFium (pypdfium2, the engine Qt PDF itself is built on; Qt PDF
ships only in the 175 MB PySide6-Addons wheel). Printing paints the same pages onto the
printer chosen in the system's print dialog.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.errors import SupervisorError

from .widgets import show_error


def page_count(path: str | Path) -> int:
    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def render_page(path: str | Path, index: int, scale: float) -> QImage:
    """One page as a QImage (``scale`` 1.0 = 72 dpi)."""
    document = pdfium.PdfDocument(str(path))
    try:
        bitmap = document[index].render(scale=scale, prefer_bgrx=True)
        image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB32)
        return image.copy()  # own the pixels before PDFium frees its buffer
    finally:
        document.close()


def print_pdf(path: str | Path, printer: QPrinter) -> int:
    """Paint every page of ``path`` onto ``printer``; return the number of pages printed."""
    count = page_count(path)
    painter = QPainter()
    if not painter.begin(printer):
        raise SupervisorError("无法开始打印（打印机不可用）。")
    try:
        scale = printer.resolution() / 72
        for index in range(count):
            if index:
                printer.newPage()
            image = render_page(path, index, scale)
            target = painter.viewport()
            size = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(target.x(), target.y(), size.width(), size.height()), image)
    finally:
        painter.end()
    return count


class PdfPreviewDialog(QDialog):
    """Shows a generated PDF page by page; save it where the user wants, or print it."""

    def __init__(self, parent, path: str | Path, suggested_name: str, notice: str | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.suggested_name = suggested_name
        self.saved_to: Path | None = None
        self.setWindowTitle(self.tr("预览：") + suggested_name)
        self.setWindowFlag(Qt.WindowType.Window)
        self.resize(900, 900)
        layout = QVBoxLayout(self)
        # One line when the document was set in substitute faces (no official fonts installed).
        self.notice = QLabel(notice or "")
        self.notice.setWordWrap(True)
        self.notice.setVisible(bool(notice))
        layout.addWidget(self.notice)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        pages = QWidget()
        self.pages_layout = QVBoxLayout(pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll.setWidget(pages)
        layout.addWidget(scroll, 1)
        self.page_labels: list[QLabel] = []
        self.count = page_count(self.path)
        for index in range(self.count):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(render_page(self.path, index, 1.2)))
            label.setStyleSheet("border:1px solid #999; background:white;")
            self.pages_layout.addWidget(label)
            self.page_labels.append(label)
        row = QHBoxLayout()
        self.info = QLabel(self.tr("共 {n} 页").format(n=self.count))
        save = QPushButton(self.tr("保存为…"))
        save.clicked.connect(self.save_as)
        print_button = QPushButton(self.tr("打印…"))
        print_button.clicked.connect(self.print_)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        row.addWidget(self.info, 1)
        for button in (save, print_button, close):
            row.addWidget(button)
        layout.addLayout(row)

    def save_as(self, target: str | None = None) -> Path | None:
        if not target:
            target, _ = QFileDialog.getSaveFileName(self, self.tr("保存文书"), self.suggested_name + ".pdf",
                                                    self.tr("PDF 文件 (*.pdf)"))
        if not target:
            return None
        try:
            shutil.copyfile(self.path, target)
        except OSError as exc:
            show_error(self, SupervisorError(self.tr("无法保存：") + (exc.strerror or str(exc))))
            return None
        self.saved_to = Path(target)
        self.info.setText(self.tr("已保存到 ") + str(target))
        return self.saved_to

    def print_(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            pages = print_pdf(self.path, printer)
        except SupervisorError as exc:
            show_error(self, exc)
            return
        self.info.setText(self.tr("已发送 {n} 页到打印机").format(n=pages))
