"""导出 Excel: the current page's tables as an .xlsx workbook, made off the GUI thread.

One mechanism for every page: a page offers what it can export either by an attribute
``excel_sources`` (names of ``supervisor_app.export_xlsx`` sources) and/or a method
``excel_tables()`` returning extra ``export_xlsx.Table``s (a page with a table of its own, such
as calibration); otherwise :data:`PAGE_SOURCES` says what belongs to it. The window has one
action (menu 文件 and a button at the top right) that is enabled on pages with tables.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QToolButton, QWidget

from supervisor_app import clock, export_xlsx
from supervisor_app.reports import safe_filename

from . import tasks
from .widgets import show_error

# What each page of the window shows, as export sources (a page may say otherwise itself).
PAGE_SOURCES: dict[str, tuple[str, ...]] = {
    "overview": ("summary", "progress"),
    "units": ("units", "leaders", "progress", "surveys"),
    "visits": ("visits",),
    "rectification": ("findings", "rectifications"),
    "evaluations": ("evaluations",),
}
WHOLE_WORKBOOK_PAGES = ("reports",)  # the 报表 page exports everything
LAST_FOLDER_KEY = "xlsx_export/folder"


def _offered(window, key: str) -> tuple[list[str], object]:
    """(source names, the page's own excel_tables or None) of page ``key``, without building the page."""
    page = dict.get(window.pages, key)
    sources = getattr(page, "excel_sources", None)
    if sources is None:
        sources = export_xlsx.names() if key in WHOLE_WORKBOOK_PAGES else PAGE_SOURCES.get(key, ())
    tables_of = getattr(page, "excel_tables", None)
    return list(sources), tables_of if callable(tables_of) else None


def page_export(window, key: str | None = None) -> tuple[list[str], list, str]:
    """(source names, extra tables, title) the page ``key`` (default: the current one) exports."""
    key = key or window.current_page_key()
    sources, tables_of = _offered(window, key)
    title = next((window.nav.item(i).text() for i in range(window.nav.count())
                  if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == key), "")
    return sources, (list(tables_of()) if tables_of else []), title


def default_name(title: str) -> str:
    """督导记录（2014年6月30日）.xlsx — the page's name and today's date."""
    return safe_filename(f"{title or '督导纪实'}（{clock.chinese_date(clock.today())}）") + ".xlsx"


def ask_path(parent: QWidget, suggested: str) -> str:
    """The file the user chooses ("" when cancelled); the folder used last time is offered first."""
    settings = getattr(parent, "settings", None) or QSettings()
    folder = settings.value(LAST_FOLDER_KEY) or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    path, _ = QFileDialog.getSaveFileName(parent, parent.tr("导出 Excel"), str(Path(folder) / suggested),
                                          parent.tr("Excel 工作簿 (*.xlsx)"))
    if path:
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        settings.setValue(LAST_FOLDER_KEY, str(Path(path).parent))
    return path


def export_page(window, key: str | None = None, path: str | None = None, on_done=None):
    """Ask where, then write the page's workbook on the worker with a progress dialog."""
    sources, extra, title = page_export(window, key)
    if not sources and not extra:
        window.show_status(window.tr("此页没有可导出的表格。"))
        return None
    path = path or ask_path(window, default_name(title))
    if not path:
        return None

    def work(progress, cancelled):
        return export_xlsx.export(path, sources, extra=extra, cancelled=cancelled, progress=progress)

    def done(written):
        window.show_status(window.tr("已导出 Excel：") + str(written))
        if on_done:
            on_done(written)

    def failed(exc):
        if not isinstance(exc, export_xlsx.ExportCancelled):
            show_error(window, exc, window.tr("无法导出 Excel"))

    return tasks.run_with_progress(window, window.tr("正在导出 Excel…"), work, done, failed)


def install(window, menu) -> QAction:
    """Add 导出 Excel to ``menu`` and as a button at the top right of the window; kept in step with the page."""
    action = QAction(window.tr("导出 Excel…"), window)
    action.setShortcut(QKeySequence("Ctrl+Shift+E"))
    action.triggered.connect(lambda _=False: export_page(window))
    actions = menu.actions()
    menu.insertAction(actions[3] if len(actions) > 3 else None, action)
    button = QToolButton()
    button.setDefaultAction(action)
    button.setText(window.tr("导出 Excel"))
    corner = getattr(window, "member_corner", None)
    if corner is not None and corner.layout() is not None:
        corner.layout().insertWidget(0, button)
    window.xlsx_action, window.xlsx_button = action, button

    def follow(_row=None) -> None:
        offered, tables_of = _offered(window, window.current_page_key())
        has_tables = bool(offered) or tables_of is not None
        action.setEnabled(has_tables)
        labels = "、".join(export_xlsx.SOURCES[n].label for n in offered if n in export_xlsx.SOURCES)
        action.setToolTip(window.tr("把本页的表格导出为 Excel 工作簿：") + labels if has_tables
                          else window.tr("此页没有可导出的表格"))

    window.nav.currentRowChanged.connect(follow)
    follow()
    return action
