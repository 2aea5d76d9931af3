"""The 同步 page writes off the GUI thread: cards, enrolments, keys, exports and imports run
on the worker while the window keeps answering; a long one shows its progress and can be
cancelled. No timing: the worker is held on an event while the GUI thread is seen to work."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton

from supervisor_app.errors import SupervisorError
from supervisor_app.sync import service
from ui import tasks
from ui.main_window import MainWindow


@pytest.fixture
def page(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    yield window.show_page("sync")
    tasks.wait_for_all()


class Held:
    """A stand-in for a service call: records its thread, reports progress, then waits to be
    released (or cancelled) — so the test sees the GUI thread at work meanwhile."""

    def __init__(self, result=None):
        self.result = result
        self.release = threading.Event()
        self.started = threading.Event()
        self.thread: threading.Thread | None = None

    def __call__(self, *args, progress=None, cancelled=None, **kwargs):
        self.thread = threading.current_thread()
        if progress is not None:
            progress(1, 4)
        self.started.set()
        while not self.release.wait(0.01):
            if cancelled is not None and cancelled():
                raise SupervisorError("已取消，未作任何改动。")
        return self.result


def _gui_answers(qtbot) -> None:
    """The GUI thread runs a queued call (the window is not frozen)."""
    ran = []
    QTimer.singleShot(0, lambda: ran.append(True))
    qtbot.waitUntil(lambda: bool(ran), timeout=10_000)


class Card:
    fingerprint = "ABCD EFGH"


@pytest.mark.parametrize("name, start", [
    ("write_card", lambda page, tmp: page.write_card(str(tmp / "my.card"))),
    ("revoke_device", None),
])
def test_a_write_runs_on_the_worker_while_the_window_answers(page, qtbot, tmp_path, monkeypatch, name, start):
    held = Held(Card())
    monkeypatch.setattr(service, name, held)
    if start is None:  # 停用设备: the device selected in the list, the question answered yes
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        monkeypatch.setattr(page, "_selected", lambda _table: "a-device-id")
        start = lambda page, _tmp: page.revoke_selected()  # noqa: E731
    task = start(page, tmp_path)
    assert isinstance(task, tasks.Task)
    assert held.started.wait(10)
    _gui_answers(qtbot)  # while the write is still held on the worker
    assert held.thread is not threading.main_thread()
    with qtbot.waitSignal(page.operation_finished, timeout=10_000) as blocker:
        held.release.set()
    assert blocker.args[0] is held.result


def test_an_export_shows_progress_and_can_be_cancelled(page, qtbot, tmp_path, monkeypatch):
    held = Held([])
    monkeypatch.setattr(service, "export_readiness", lambda: None)
    monkeypatch.setattr(service, "export_to_folder", held)
    task = page.export(str(tmp_path))
    assert held.started.wait(10)
    dialog = page.findChild(QProgressDialog)
    qtbot.waitUntil(lambda: dialog.maximum() == 4 and dialog.value() == 1, timeout=10_000)  # the progress arrived
    assert held.thread is not threading.main_thread()
    with qtbot.waitSignal(page.operation_finished, timeout=10_000) as blocker:
        qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)  # 取消
    assert task.cancel_event.is_set()
    assert isinstance(blocker.args[0], SupervisorError)
    assert "未完成" in page.result.text()


def test_an_import_runs_on_the_worker(page, qtbot, tmp_path, monkeypatch):
    held = Held([])
    monkeypatch.setattr(service, "import_paths", held)
    page.import_files([str(tmp_path / "x.sgb")])
    assert held.started.wait(10)
    _gui_answers(qtbot)
    with qtbot.waitSignal(page.operation_finished, timeout=10_000):
        held.release.set()
    assert held.thread is not threading.main_thread()
    assert "没有新的同步包" in page.result.text()
