"""Probe: ``python main.py --data-dir DIR`` exactly as a user starts it, reporting when the main
window has painted its visit list with rows in it.

    python bench/probes/window.py DIR [--scroll]

With ``--scroll`` the whole visit list is then scrolled through (every page fetched, as the view
fetches them) before the report, whose ``peak_rss_mb`` is then the window's peak memory.

main.py runs unchanged, with its own imports in their own order: a one-shot import hook wraps
``ui.app.make_app`` when main.py first imports ``ui.app``, to attach the watcher to the
application it makes.
"""

import importlib.abc
import importlib.util
import runpy
import sys
from pathlib import Path

PROBES = Path(__file__).resolve().parent
ROOT = PROBES.parents[1]
data_dir = sys.argv[1]
scroll = "--scroll" in sys.argv[2:]
sys.path[0] = str(ROOT)  # as for `python main.py`
sys.path.insert(1, str(PROBES))


def is_ready(widget) -> bool:
    window = widget.window()
    page = getattr(window, "pages", {}).get("visits")
    return (page is not None and window.isVisible() and widget is page.table.viewport()
            and page.model.rowCount() > 0)


def scroll_all(widget) -> dict:
    """Scroll to the bottom until the model has nothing more to fetch."""
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QApplication

    page = widget.window().pages["visits"]
    table, model = page.table, page.model
    app = QApplication.instance()
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        table.scrollToBottom()
        app.processEvents()
        if model.rowCount() == before:  # the view did not ask: fetch as it would have
            model.fetchMore(QModelIndex())
    table.scrollToBottom()
    app.processEvents()
    return {"rows": model.rowCount()}


def attach(app) -> None:
    from ready import ReadyWatch

    painted = []

    def ready(widget) -> bool:
        if is_ready(widget):
            painted.append(widget)
            return True
        return False

    ReadyWatch(app, ready, (lambda: scroll_all(painted[0])) if scroll else None)


class HookMakeApp(importlib.abc.MetaPathFinder):
    """Wraps ui.app.make_app as soon as main.py imports ui.app (once, then steps aside)."""

    def find_spec(self, name, path=None, target=None):
        if name != "ui.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            make_app = module.make_app

            def make_and_watch(*args, **kwargs):
                app = make_app(*args, **kwargs)
                attach(app)
                return app

            module.make_app = make_and_watch

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, HookMakeApp())
sys.argv = [str(ROOT / "main.py"), "--data-dir", data_dir]
runpy.run_path(str(ROOT / "main.py"), run_name="__main__")
