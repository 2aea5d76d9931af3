"""Every write from the window goes through ``perform``: the write runs on the worker thread
(never on the GUI thread), and when it is done the change is announced on the hub so that
every view refreshes itself — the shape of Anki's ``CollectionOp``.

    perform(self, lambda: visits.save(form), kind="visit", message="已保存督导记录",
            on_done=self.accept, on_error=self.show_refusal)

``on_error`` receives the exception (a ``SupervisorError`` for a refusal); without it the
error is shown in a message box. Tests wait with ``tasks.wait_for_all()`` and then let Qt
deliver the queued result (``qtbot.waitUntil``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from . import tasks
from .hub import announce
from .widgets import show_error


def perform(parent: QWidget, fn: Callable[[], object], *, kind: str, message: str | None = None,
            on_done: Callable[[object], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            progress_label: str | None = None) -> tasks.Task:
    """Run the write ``fn()`` off the GUI thread; announce ``kind`` when it succeeded.

    With ``progress_label`` a cancellable progress dialog is shown while it runs (for long
    writes: imports, restores, attachments); ``fn`` then still takes no arguments.
    """

    def done(result):
        announce(kind, message)
        if on_done is not None:
            on_done(result)

    def failed(exc):
        if on_error is not None:
            on_error(exc)
        else:
            show_error(parent, exc)

    if progress_label is not None:
        return tasks.run_with_progress(parent, progress_label, lambda _p, _c: fn(), done, failed)
    return tasks.run_task(lambda _progress, _cancelled: fn(), done, failed)
