"""QR codes on screen, drawn from the same module matrix the printer uses."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from printing.raster import qr_matrix


def qr_pixmap(data: str, size_px: int) -> QPixmap:
    matrix = qr_matrix(data)
    n = len(matrix)
    module = max(1, size_px // n)
    image = QImage(module * n, module * n, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                painter.drawRect(QRect(c * module, r * module, module, module))
    painter.end()
    return QPixmap.fromImage(image)
