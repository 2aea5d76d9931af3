"""The window's CJK font: shipped through the pip dependency justmytype-intl-cjk (Noto Sans SC,
SIL Open Font License), so Chinese renders on a machine with no system CJK font."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

FAMILY_FALLBACK = "Noto Sans SC"


def bundled_font_path() -> str | None:
    try:
        root = resources.files("justmytype_intl_cjk").joinpath("fonts", "ofl", "notosanssc", "NotoSansSC[wght].ttf")
    except ModuleNotFoundError:
        return None
    return str(root) if root.is_file() else None


def install_cjk_font(app: QApplication, point_size: int = 10) -> str:
    """Register the bundled CJK font and make it the application font; return its family."""
    family = FAMILY_FALLBACK
    path = bundled_font_path()
    if path:
        font_id = QFontDatabase.addApplicationFont(path)
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families:
            family = families[0]
    font = QFont(family, point_size)
    font.setWeight(QFont.Weight.Normal)
    app.setFont(font)
    return family
