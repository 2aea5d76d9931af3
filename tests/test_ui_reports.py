"""Documents from the window: preview (rendered pages), save, print, batches with progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from supervisor_app import units, visits
from supervisor_app.reports import fonts
from ui import tasks
from ui.editors.visit_editor import VisitEditor
from ui.main_window import MainWindow
from ui.pdf_preview import PdfPreviewDialog, print_pdf


@pytest.fixture
def window(qtbot, demo_data):
    fonts.configure(use_system=False)  # as on a laptop without Chinese fonts: the shipped faces
    win = MainWindow(demo_data)
    qtbot.addWidget(win)
    win.show()
    yield win
    tasks.wait_for_all()
    fonts.configure(use_system=True)


def _preview(qtbot, owner) -> PdfPreviewDialog:
    qtbot.waitUntil(lambda: bool(owner.findChildren(PdfPreviewDialog)), timeout=60_000)
    dialog = owner.findChildren(PdfPreviewDialog)[-1]
    qtbot.addWidget(dialog)
    return dialog


def test_ledger_preview_save_and_print(window, qtbot, tmp_path):
    page = window.show_page("reports")
    page.kind.setCurrentIndex(page.kind.findData("ledger"))
    page.preview()
    dialog = _preview(qtbot, page)
    assert dialog.count >= 1
    first = dialog.page_labels[0].pixmap()
    assert first.width() > 500 and first.height() > first.width()  # an A4 page, upright
    assert not dialog.notice.isHidden() and "替代字体（Fandol）" in dialog.notice.text()  # the one-line notice
    saved = dialog.save_as(str(tmp_path / "台账.pdf"))
    text = PdfReader(saved).pages[0].extract_text()
    assert "问题整改台账" in text.replace(" ", "")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setResolution(150)  # the path is what is tested; 1200 dpi pages only cost minutes
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_pdf(saved, printer) == dialog.count
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == dialog.count


def test_unit_report_needs_a_unit(window):
    page = window.show_page("reports")
    page.kind.setCurrentIndex(page.kind.findData("unit"))
    assert page.preview() is None
    assert "单位" in page.errors.labels["id"].text()


def test_batch_into_a_folder(window, qtbot, tmp_path):
    page = window.show_page("reports")
    page.kind.setCurrentIndex(page.kind.findData("evaluation"))
    with qtbot.waitSignal(page.batch_finished, timeout=120_000) as blocker:
        page.batch(str(tmp_path))
    result = blocker.args[0]
    assert result.total > 0 and len(result.paths) == result.total and not result.cancelled
    assert sorted(p.name for p in Path(tmp_path).glob("*.pdf")) == sorted(p.name for p in result.paths)
    assert result.notices and "注意：" in page.result_label.text() and "仿宋" in page.result_label.text()


def test_the_window_font_is_the_shipped_regular_face(qtbot):
    from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
    from PySide6.QtWidgets import QApplication

    from ui.fonts import bundled_font_paths, install_cjk_font

    paths = bundled_font_paths()
    assert [Path(p).name for p in paths] == ["NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"]
    family = install_cjk_font(QApplication.instance())
    assert family == "Noto Sans SC"
    assert set(QFontDatabase.styles(family)) >= {"Regular", "Bold"}
    font = QApplication.instance().font()
    assert font.weight() == QFont.Weight.Normal and QFontInfo(font).family() == "Noto Sans SC"


def test_visit_record_from_its_editor(window, qtbot):
    visit = visits.list_visits(limit=1)[0]
    editor = window.pages["visits"].open_visit(visit.id)
    qtbot.addWidget(editor)
    assert isinstance(editor, VisitEditor) and editor.pdf_button.isEnabled()
    editor.make_pdf()
    dialog = _preview(qtbot, editor)
    assert dialog.count >= 1
    text = PdfReader(dialog.path).pages[0].extract_text().replace(" ", "")
    assert units.get_unit(visit.unit_id).name in text
