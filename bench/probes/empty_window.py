"""Baseline probe: an empty PySide6 QMainWindow, shown by the same Python.

    python bench/probes/empty_window.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402
from ready import ReadyWatch  # noqa: E402

app = QApplication(sys.argv[:1])
window = QMainWindow()
ReadyWatch(app, lambda widget: widget.window() is window)
window.show()
sys.exit(app.exec())
