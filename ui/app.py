"""Starting the window: the application, Qt's Chinese, the bundled CJK font, the data folder,
first start."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from supervisor_app import backup, installation, store
from supervisor_app.errors import SupervisorError
from supervisor_app.paths import resolve_data_dir

from .fonts import install_cjk_font

# The program speaks Chinese whatever the system locale, so Qt's own buttons and dialogs
# (OK/Cancel, Yes/No, Save/Discard, the file dialog, the wizard) do too.
LOCALE = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
QT_CATALOGUES = ("qtbase",)


class _QtGaps(QTranslator):
    """Source strings Qt changed after its zh_CN catalogue was last brought up to date (the
    catalogue has "Look in:", the file dialog now asks for "&Look in:")."""

    GAPS = {
        ("QFileDialog", "&Look in:"): "查找范围(&L)：",
        ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    }

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D102 (Qt override)
        return self.GAPS.get((context, source))  # None: not ours, the next catalogue answers

    def isEmpty(self) -> bool:  # noqa: N802 (Qt override)
        return False


def install_chinese(app: QApplication) -> list[QTranslator]:
    """Load Qt's zh_CN translations (shipped with PySide6) and make zh_CN the default locale.

    Returns the translators installed (kept on the application so they are not collected).
    """
    QLocale.setDefault(LOCALE)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    installed = getattr(app, "_supervisor_translators", None)
    if installed is not None:
        return installed
    installed = []
    for catalogue in QT_CATALOGUES:
        translator = QTranslator(app)
        if translator.load(LOCALE, catalogue, "_", folder):
            app.installTranslator(translator)
            installed.append(translator)
    if installed:
        gaps = _QtGaps(app)
        app.installTranslator(gaps)
        installed.append(gaps)
    app._supervisor_translators = installed
    return installed


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("督导纪实")
    app.setOrganizationName("supervisor_app")
    install_chinese(app)
    install_cjk_font(app, system_point_size(app))
    return app


def system_point_size(app: QApplication, default: int = 10) -> int:
    """The size the system (or the user's desktop settings) gives the application font; the
    bundled face is set at that size, not a fixed one."""
    size = app.font().pointSizeF()
    return max(6, round(size)) if size > 0 else default


def needs_setup() -> bool:
    """First start (or a first start left unfinished): a group installation needs its member."""
    if not installation.is_initialized():
        return True
    ctx = installation.context()
    return ctx.role == "field" and ctx.member_id is None


def open_window(data_dir: str | Path | None = None):
    """Open the data folder and build the main window (first-start wizard when needed)."""
    from .main_window import MainWindow
    from .setup_dialog import SetupDialog

    try:
        path = store.open_data_dir(data_dir)
    except backup.DamagedDatabaseError as exc:
        from .backup_dialog import offer_restore

        if not offer_restore(exc, resolve_data_dir(data_dir)):
            return None
        path = store.open_data_dir(data_dir)
    if needs_setup():
        dialog = SetupDialog(data_dir=path)
        if not dialog.exec() or needs_setup():
            return None
    return MainWindow(path)


def run(data_dir: str | None = None) -> int:
    app = make_app()
    try:
        window = open_window(data_dir)
    except SupervisorError as exc:
        QMessageBox.critical(None, app.translate("app", "无法打开数据"), exc.message)
        return 2
    if window is None:
        return 0
    window.show()
    window.offer_drafts()
    try:
        return app.exec()
    finally:
        from . import tasks

        tasks.wait_for_all()
        store.close()
