"""Shared by the probes: notice the first paint that shows what we wait for, report, exit.

The report is one JSON line on stdout; the parent times the process from its start to this
line, so tear-down is not counted. The program then closes normally, as a user closes it (the
program's clean close is what lets the next start skip the full check of the database).
"""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB.

    On Linux VmHWM, the high-water mark of this program's own memory: ru_maxrss would also
    count the parent's peak, which a child started by fork inherits.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class ReadyWatch(QObject):
    """Watches paint events; once ``ready(widget)`` holds for a painted widget, reports."""

    def __init__(self, app, ready: Callable[[object], bool], then: Callable[[], dict] | None = None):
        super().__init__(app)
        self.ready = ready
        self.then = then
        self.fired = False
        app.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
        if not self.fired and event.type() == QEvent.Type.Paint and self.ready(obj):
            self.fired = True
            QTimer.singleShot(0, self._report)  # after this paint has been delivered
        return False

    def _report(self) -> None:
        extra = self.then() if self.then else {}
        print(json.dumps({"ready": True, "peak_rss_mb": peak_rss_mb(), **extra}), flush=True)
        app = QApplication.instance()
        app.closeAllWindows()
        app.quit()
