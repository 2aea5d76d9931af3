"""Guards against a known binding bug: PySide6 6.12.0 over-releases None each time a Python
table model returns None from data(), which crashes Python 3.11 after a few thousand calls."""

import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt


class _Empty(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):  # noqa: N802
        return 3

    def columnCount(self, parent=QModelIndex()):  # noqa: N802
        return 3

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return None


def test_returning_none_from_data_keeps_none_alive(qapp):
    model = _Empty()
    before = sys.getrefcount(None)
    for _ in range(200):
        model.index(1, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert sys.getrefcount(None) - before > -50
