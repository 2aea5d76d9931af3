"""Starting the program: no arguments open the window, a sub-command runs the CLI, and a .sgb or
.card file (double-clicked in the file manager) opens the window at 同步 to import or enrol it.

main.py, the installed `supervisor-app` / `supervisor-app-window` scripts and the one-folder
build all start here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from supervisor_app.cli import main as cli_main

OPENABLE = (".sgb", ".card")
# For smoke tests: quit this many milliseconds after the window is shown (and the file opened
# with it is imported or enrolled).
QUIT_AFTER_ENV = "SUPERVISOR_APP_QUIT_AFTER_MS"


def _ui_commands(subparsers) -> None:
    from .commands import register

    register(subparsers)


def _window(data_dir: str | None, opened: Path | None = None) -> int:
    from . import platform_check

    refusal = platform_check.refuse_if_unusable()
    if refusal is not None:
        return refusal
    from .app import make_app, run

    app = make_app()
    quit_after = os.environ.get(QUIT_AFTER_ENV)
    if opened is not None or quit_after:
        _when_window_shown(app, opened, int(quit_after) if quit_after else None)
    return run(data_dir)


def _when_window_shown(app, opened: Path | None, quit_after: int | None) -> None:
    """Once the main window is up (after any first-run setup): open the file, then maybe quit."""
    from PySide6.QtCore import QTimer

    from .main_window import MainWindow

    def poll() -> None:
        window = next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is None:
            QTimer.singleShot(100, poll)
            return

        def quit_later(*_result) -> None:
            if quit_after is not None:
                QTimer.singleShot(quit_after, app.quit)

        if opened is not None:
            window.show_page("sync")
            page = window.pages["sync"]
            if opened.suffix.lower() == ".sgb":
                page.operation_finished.connect(quit_later)  # the import runs on the worker
                page.import_files([str(opened)])
                return
            page.operation_finished.connect(quit_later)  # the enrolment is written on the worker
            if page.enroll(str(opened)) is not None:
                return
        quit_later()

    QTimer.singleShot(0, poll)


def _opened_file(argv: Sequence[str]) -> Path | None:
    if len(argv) == 1 and Path(argv[0]).suffix.lower() in OPENABLE and Path(argv[0]).is_file():
        return Path(argv[0]).resolve()
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """The program's one entry point."""
    argv = list(sys.argv[1:] if argv is None else argv)
    opened = _opened_file(argv)
    if opened is not None:
        return _window(None, opened)
    return cli_main(argv, gui=lambda args: _window(args.data_dir), extra=[_ui_commands])
