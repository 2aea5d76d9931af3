"""The window's CJK font: Noto Sans SC (SIL Open Font License), static Regular and Bold faces
shipped in ``resources/fonts/`` (made when the package is built, by
``packaging/fonts/make_fonts.py``), so Chinese renders on a machine with no system CJK font."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from supervisor_app.reports import fonts as report_fonts

FAMILY_FALLBACK = "Noto Sans SC"


def bundled_font_paths() -> list[str]:
    """The shipped window faces (Regular first) that exist."""
    folder = report_fonts.shipped_dir()
    paths = [folder / name for name in report_fonts.WINDOW_FACES.values()]
    return [str(path) for path in paths if path.is_file()]


def bundled_font_path() -> str | None:
    """The shipped Regular face, or None when the program was installed without it."""
    paths = bundled_font_paths()
    return paths[0] if paths else None


def install_cjk_font(app: QApplication, point_size: int = 10) -> str:
    """Register the shipped CJK faces and make the Regular one the application font; return
    its family."""
    family = FAMILY_FALLBACK
    for n, path in enumerate(bundled_font_paths()):
        font_id = QFontDatabase.addApplicationFont(path)
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families and n == 0:
            family = families[0]
    font = QFont(family, point_size)
    font.setWeight(QFont.Weight.Normal)
    app.setFont(font)
    return family
