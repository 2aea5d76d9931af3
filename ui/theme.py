"""Colours that mean something (overdue, due soon, an error), taken from the application's
palette so that they read under a light and a dark theme alike.

Every widget asks here instead of naming a colour: a tinted background always gets the
palette's text colour on top of it, and the tints for a dark palette are dark.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

# role: (light palette, dark palette)
_TINTS = {
    "overdue": ("#ffcdd2", "#5c2b2e"),    # background of an overdue row
    "due_soon": ("#fff8e1", "#4d4020"),   # background of a row due within days
    "level0": ("#e8f5e9", "#23402a"),     # heat table: none … serious
    "level1": ("#fff8e1", "#4d4020"),
    "level2": ("#ffe0b2", "#5a3a1a"),
    "level3": ("#ffcdd2", "#5c2b2e"),
}
_INKS = {
    "danger": ("#b00020", "#ff8a80"),     # refusals, overdue counts
    "warning": ("#9a6700", "#e3b341"),    # needs attention
    "ok": ("#1b5e20", "#81c784"),         # confirmed, done
}


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tint(role: str, palette: QPalette | None = None) -> QColor:
    """A background for a row or cell; draw it with ``text()`` on top."""
    light, dark = _TINTS[role]
    return QColor(dark if is_dark(palette) else light)


def ink(role: str, palette: QPalette | None = None) -> QColor:
    """A text colour that carries a meaning (danger, warning, ok)."""
    light, dark = _INKS[role]
    return QColor(dark if is_dark(palette) else light)


def text(palette: QPalette | None = None) -> QColor:
    """The palette's ordinary text colour (to draw on a tint)."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Text)


def ink_style(role: str) -> str:
    """A style sheet fragment for a label in a meaningful colour."""
    return f"color: {ink(role).name()};"


def muted(palette: QPalette | None = None) -> QColor:
    """Text that is there but not current (a retired member, a hint): the palette's disabled text."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
