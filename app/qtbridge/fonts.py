"""The bundled Vietnamese faces for every screen: a bare kiosk PC may have no font with all the marks."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from printing.fonts import font_path

_family: str | None = None


def install_fonts(app: QApplication, point_size: int = 14) -> str:
    global _family
    if _family is None:
        families: list[str] = []
        for bold in (False, True):
            font_id = QFontDatabase.addApplicationFont(str(font_path(bold=bold)))
            families += QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _family = families[0] if families else app.font().family()
    app.setFont(QFont(_family, point_size))
    return _family
