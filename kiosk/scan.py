"""Scan a QR with the kiosk camera: a procedure opens its page, a receipt its status, anything else
gets a friendly "not ours". The camera runs on a worker thread; the preview shows a guide frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy

from app.core.scan_payload import CitizenIdScan, ProcedureScan, ReceiptScan, classify
from app.devices.camera import open_camera
from app.devices.qr import QrDecoder, guide_box
from app.qtbridge.camera import CameraWorker
from kiosk.controller import KioskController
from kiosk.i18n import Texts
from kiosk.screens import Screen, label

PREVIEW_WIDTH = 1400


class ScanScreen(Screen):
    procedure_found = Signal(object)  # Procedure

    def __init__(
        self,
        ctl: KioskController,
        t: Texts | None,
        columns: Callable[[], int] | None,
        *,
        camera_spec: str = "0",
    ) -> None:
        super().__init__(ctl, t or Texts(), columns or (lambda: 2))
        self.camera_spec = camera_spec
        self.worker: CameraWorker | None = None
        self.message = ""

    def _open_source(self) -> Any:
        # A file source (demo, tests) plays at camera speed and loops, like a live camera would.
        if self.camera_spec.startswith("file:"):
            return open_camera(self.camera_spec, loop=True, fps=15)
        return open_camera(self.camera_spec)

    def refresh(self) -> None:
        page, col = self.page()
        col.addWidget(label(self.t("scan"), "title"))
        col.addWidget(label(self.t("scan_hint"), "subtitle", center=True))
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(self.metrics.px(400, 200))
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)  # frames never grow it
        self.preview.setStyleSheet("background:#0a2540;")
        col.addWidget(self.preview, 1)
        self.status = label(self.message, "big", center=True)
        col.addWidget(self.status)
        self.action_then_nav(col, None)
        self.replace_body(page)
        self.start_camera()

    def start_camera(self) -> None:
        self.stop_camera()
        decoder = QrDecoder()
        self.worker = CameraWorker(self._open_source, decoder.decode)
        self.worker.frame.connect(self.show_frame)
        self.worker.decoded.connect(self.handle_text)
        self.worker.failed.connect(self.camera_failed)
        self.worker.start()

    def stop_camera(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def hideEvent(self, event: Any) -> None:
        self.stop_camera()  # the camera light goes off when the citizen leaves this screen
        super().hideEvent(event)

    def show_frame(self, image: QImage) -> None:
        frame = QPixmap.fromImage(image)
        box = guide_box(frame.width(), frame.height())
        painter = QPainter(frame)
        painter.setPen(QPen(QColor("#ffd54f"), max(4, frame.width() // 160)))
        painter.drawRect(QRect(box.x, box.y, box.width, box.height))
        painter.end()
        room = self.preview.size().boundedTo(QSize(PREVIEW_WIDTH, PREVIEW_WIDTH))
        self.preview.setPixmap(frame.scaled(room, Qt.AspectRatioMode.KeepAspectRatio))

    def camera_failed(self, message: str) -> None:
        self.set_message(f"{self.t('no_camera')} {message}", error=True)

    def set_message(self, text: str, *, error: bool = False) -> None:
        self.message = text
        self.status.setText(text)
        self.status.setStyleSheet("color:#b3261e;" if error else "color:#0a2540;")

    def handle_text(self, text: str) -> None:
        result = classify(text, self.ctl.catalog)
        if isinstance(result, ProcedureScan):
            self.stop_camera()
            self.procedure_found.emit(result.procedure)
        elif isinstance(result, ReceiptScan):
            # Dossier status lives with the counters and the province; until that link exists the
            # kiosk says so plainly instead of guessing.
            self.set_message(self.t("receipt", code=result.dossier_code) + self.t("receipt_offline"))
        elif isinstance(result, CitizenIdScan):
            self.set_message(self.t("scan_citizen_id"))
        else:
            self.set_message(self.t("scan_not_ours"), error=True)
