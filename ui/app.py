"""Starting the window: the application, the bundled CJK font, the data folder, first run."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from supervisor_app import backup, installation, store
from supervisor_app.errors import SupervisorError
from supervisor_app.paths import resolve_data_dir

from .fonts import install_cjk_font


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("督导纪实")
    app.setOrganizationName("supervisor_app")
    install_cjk_font(app)
    return app


def open_window(data_dir: str | Path | None = None):
    """Open the data folder and build the main window (first-run setup when needed)."""
    from .main_window import MainWindow
    from .setup_dialog import SetupDialog

    try:
        path = store.open_data_dir(data_dir)
    except backup.DamagedDatabaseError as exc:
        from .backup_dialog import offer_restore

        if not offer_restore(exc, resolve_data_dir(data_dir)):
            return None
        path = store.open_data_dir(data_dir)
    if not installation.is_initialized() or installation.context().member_id is None:
        dialog = SetupDialog()
        if not dialog.exec():
            return None
    return MainWindow(path)


def run(data_dir: str | None = None) -> int:
    app = make_app()
    try:
        window = open_window(data_dir)
    except SupervisorError as exc:
        QMessageBox.critical(None, "无法打开数据", exc.message)
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
