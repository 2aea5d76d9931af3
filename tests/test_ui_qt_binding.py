"""Guards against a known binding bug: PySide6 6.12.0 over-releases None each time a Python
table model returns None from data(), which crashes Python 3.11 after a few thousand calls.

Before allowing PySide6 6.12 or later in pyproject.toml, run this file against it."""

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


def test_the_dependency_bound_excludes_the_broken_release():
    """pyproject.toml keeps PySide6 below 6.12 until a release passes the test above; lifting the
    bound (e.g. to allow a fixed 6.12.1) must still leave 6.12.0 out."""
    import tomllib
    from pathlib import Path

    from packaging.requirements import Requirement

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    pyside = [Requirement(line) for line in project["project"]["dependencies"] if line.lower().startswith("pyside6")]
    assert len(pyside) == 1
    assert not pyside[0].specifier.contains("6.12.0")
    assert pyside[0].specifier.contains("6.11.3")
