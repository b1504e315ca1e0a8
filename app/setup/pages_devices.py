"""Scanner and camera: pick one, try it, see the picture it took (or a sentence saying what to check)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel

from app.config import check_value
from app.qtbridge.camera import frame_to_image
from app.setup.checks import CheckFailed, camera_frame, scan_one_page
from app.setup.style import Page, button, field_label, line_edit, show_status, status_label

PREVIEW = (260, 200)


def to_image(array: Any) -> QImage:
    """A gray or BGR numpy image as a QImage."""
    if array.ndim == 2:
        h, w = array.shape
        return QImage(array.data, w, h, array.strides[0], QImage.Format.Format_Grayscale8).copy()
    return frame_to_image(array)


class DevicesPage(Page):
    answered = Signal()  # a try (scan or capture) came back, good or bad: tours and tests wait on it

    def __init__(self) -> None:
        super().__init__("Máy quét và camera", "Bấm Quét thử hoặc Chụp thử: ảnh hiện ra bên dưới là thiết bị dùng "
                         "được. Máy không có thiết bị nào: để trống.")  # fmt: skip
        self.grid = grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.scanner_title = field_label("Máy quét tài liệu")
        grid.addWidget(self.scanner_title, 0, 0)
        self.scanner = line_edit("ví dụ: escl:http://192.168.1.30/eSCL hoặc sane:TÊN")
        grid.addWidget(self.scanner, 1, 0)
        self.scan_button = button("Quét thử")
        grid.addWidget(self.scan_button, 2, 0)
        self.scan_status = status_label()
        grid.addWidget(self.scan_status, 3, 0)
        self.scan_preview = self._preview()
        grid.addWidget(self.scan_preview, 4, 0)
        grid.addWidget(field_label("Camera (đọc mã QR, căn cước)"), 0, 1)
        self.camera = line_edit("0 = camera thứ nhất, 1 = camera thứ hai", "0")
        grid.addWidget(self.camera, 1, 1)
        self.camera_button = button("Chụp thử")
        grid.addWidget(self.camera_button, 2, 1)
        self.camera_status = status_label()
        grid.addWidget(self.camera_status, 3, 1)
        self.camera_preview = self._preview()
        grid.addWidget(self.camera_preview, 4, 1)
        self.box.addLayout(grid)
        self.box.addStretch(1)
        self.scan_button.clicked.connect(self.try_scanner)
        self.camera_button.clicked.connect(self.try_camera)

    @staticmethod
    def _preview() -> QLabel:
        label = QLabel()
        label.setFixedSize(*PREVIEW)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("background: #f0f0f0; border: 1px solid #cccccc;")
        return label

    def initializePage(self) -> None:
        with_scanner = self.wiz.config.role == "counter"  # the kiosk reads QR codes by camera only
        for widget in (self.scanner_title, self.scanner, self.scan_button, self.scan_status, self.scan_preview):
            widget.setVisible(with_scanner)
        self.grid.setColumnStretch(0, 1 if with_scanner else 0)  # the camera alone takes the left half
        self.grid.setColumnStretch(2, 0 if with_scanner else 1)
        self.heading.setText("Máy quét và camera" if with_scanner else "Camera đọc mã QR")
        self.intro.setText(("Bấm Quét thử hoặc Chụp thử: ảnh hiện ra bên dưới là thiết bị dùng được. " if with_scanner
                            else "Bấm Chụp thử: ảnh hiện ra bên dưới là camera dùng được. ")
                           + "Máy không có thiết bị nào: để trống.")  # fmt: skip

    def try_scanner(self) -> None:
        source = self.scanner.text().strip()
        if not source:
            show_status(self.scan_status, "Nhập máy quét trước, ví dụ escl:http://192.168.1.30/eSCL.", "error")
            return
        self.scan_button.setEnabled(False)
        show_status(self.scan_status, "Đang quét thử một trang…", "busy")
        self.wiz.runner.run(lambda: scan_one_page(source), self._scanned, self._scan_failed)

    def _scanned(self, image: Any) -> None:
        self.scan_button.setEnabled(True)
        self._show(self.scan_preview, image)
        show_status(self.scan_status, f"Máy quét dùng được: đã nhận một trang {image.shape[1]}×{image.shape[0]}.", "ok")
        self.answered.emit()

    def _scan_failed(self, exc: Exception) -> None:
        self.scan_button.setEnabled(True)
        self.scan_preview.clear()
        show_status(self.scan_status, exc.message if isinstance(exc, CheckFailed) else str(exc), "error")
        self.answered.emit()

    def try_camera(self) -> None:
        spec = self.camera.text().strip() or "0"
        self.camera_button.setEnabled(False)
        show_status(self.camera_status, "Đang mở camera…", "busy")
        self.wiz.runner.run(lambda: camera_frame(spec), self._captured, self._camera_failed)

    def _captured(self, frame: Any) -> None:
        self.camera_button.setEnabled(True)
        self._show(self.camera_preview, frame)
        show_status(self.camera_status, "Camera dùng được: ảnh vừa chụp ở bên dưới.", "ok")
        self.answered.emit()

    def _camera_failed(self, exc: Exception) -> None:
        self.camera_button.setEnabled(True)
        self.camera_preview.clear()
        show_status(self.camera_status, exc.message if isinstance(exc, CheckFailed) else str(exc), "error")
        self.answered.emit()

    @staticmethod
    def _show(label: QLabel, array: Any) -> None:
        pixmap = QPixmap.fromImage(to_image(array))
        label.setPixmap(pixmap.scaled(label.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation))  # fmt: skip

    def validatePage(self) -> bool:
        scanner, camera = self.scanner.text().strip(), self.camera.text().strip()
        problems = []
        if self.scanner.isVisible() and (reason := check_value("scanner", "source", scanner)):
            problems.append((self.scan_status, f"Máy quét {reason}."))
        if reason := check_value("camera", "source", camera):
            problems.append((self.camera_status, f"Camera {reason}."))
        for label, text in problems:
            show_status(label, text, "error")
        if problems:
            return False
        if self.wiz.config.role == "counter":
            self.wiz.config.set("scanner", "source", scanner)
        self.wiz.config.set("camera", "source", camera or "0")
        return True
