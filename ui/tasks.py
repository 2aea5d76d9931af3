"""Running long work off the GUI thread, with progress and cancel.

``run_task(fn, ...)`` calls ``fn(progress, cancelled)`` on a pool thread and hands the result
or the exception back on the GUI thread. ``run_with_progress`` shows a cancellable progress
dialog meanwhile. Database writes from workers go through one dedicated thread (the pool has
one worker), so two jobs never write at once.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from supervisor_app import store

_pool: QThreadPool | None = None


def pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


class _Signals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.cancel_event = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self.cancel_event.set()

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(lambda done, total: self.signals.progress.emit(int(done), int(total)),
                             self.cancel_event.is_set)
        except BaseException as exc:  # handed to the GUI thread, shown there
            exc.__traceback_text__ = traceback.format_exc()
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)
        finally:
            store.release_thread_connection()


_running: set[Task] = set()


def run_task(fn: Callable, on_done: Callable | None = None, on_error: Callable | None = None,
             on_progress: Callable | None = None) -> Task:
    task = Task(fn)
    _running.add(task)

    def finish(result):
        _running.discard(task)
        if on_done:
            on_done(result)

    def fail(exc):
        _running.discard(task)
        if on_error:
            on_error(exc)

    task.signals.finished.connect(finish, Qt.ConnectionType.QueuedConnection)
    task.signals.failed.connect(fail, Qt.ConnectionType.QueuedConnection)
    if on_progress:
        task.signals.progress.connect(on_progress, Qt.ConnectionType.QueuedConnection)
    pool().start(task)
    return task


def run_with_progress(parent: QWidget, label: str, fn: Callable, on_done: Callable | None = None,
                      on_error: Callable | None = None) -> Task:
    """Run ``fn(progress, cancelled)`` with a modal, cancellable progress dialog."""
    dialog = QProgressDialog(label, parent.tr("取消"), 0, 0, parent)
    dialog.setWindowTitle(parent.tr("请稍候"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))

    def done(result):
        dialog.reset()
        dialog.deleteLater()
        if on_done:
            on_done(result)

    def error(exc):
        dialog.reset()
        dialog.deleteLater()
        if on_error:
            on_error(exc)

    task = run_task(fn, done, error, progress)
    dialog.canceled.connect(task.cancel)
    return task


def load_async(owner: QObject, fn: Callable[[], object], apply: Callable[[object], None],
               on_error: Callable[[BaseException], None] | None = None) -> Task:
    """Compute ``fn()`` on the worker and hand the result to ``apply`` on the GUI thread.

    Only the latest load of an owner is applied (an older one finishing late is dropped), and
    nothing is applied to an owner that has been deleted meanwhile.
    """
    generation = (owner.property("_load_generation") or 0) + 1
    owner.setProperty("_load_generation", generation)

    def done(result):
        if isValid(owner) and owner.property("_load_generation") == generation:
            apply(result)

    def failed(exc):
        if isValid(owner) and on_error is not None:
            on_error(exc)

    return run_task(lambda _progress, _cancelled: fn(), done, failed)


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Block until the pool is idle (tests and shutdown)."""
    return pool().waitForDone(timeout_ms)
