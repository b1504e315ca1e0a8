"""Scanning at the kiosk from camera frames fed by files (the machine has no camera)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
from PIL import Image
from pytestqt.qtbot import QtBot

from app.client.fake import FakeQueueClient
from app.core.procedure_qr import procedure_qr_text
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from kiosk.controller import KioskController
from kiosk.scan import ScanScreen
from kiosk.window import KioskWindow

CATALOG = load_catalog_file(default_catalog_path())


def camera_dir(tmp_path: Path, payload: str | None, *, angle: float = 0.0, blur: int = 0) -> str:
    """One 720p frame with the code held at an angle, slightly out of focus."""
    frame = np.full((720, 1280, 3), 120, np.uint8)
    if payload is not None:
        buffer = io.BytesIO()
        segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
        code = cv2.cvtColor(np.array(Image.open(buffer).convert("RGB")), cv2.COLOR_RGB2BGR)
        h, w = code.shape[:2]
        y, x = 360 - h // 2, 640 - w // 2
        frame[y : y + h, x : x + w] = code
        rotation = cv2.getRotationMatrix2D((640, 360), angle, 1.0)
        frame = cv2.warpAffine(frame, rotation, (1280, 720), borderValue=(120, 120, 120))
        if blur:
            frame = cv2.GaussianBlur(frame, (blur, blur), 0)
    folder = tmp_path / "camera"
    folder.mkdir()
    cv2.imwrite(str(folder / "frame.png"), frame)
    return f"file:{folder}"


@pytest.fixture
def kiosk(qtbot: QtBot) -> Iterator[tuple[KioskWindow, ScanScreen]]:
    with FakeQueueClient() as client:
        ctl = KioskController(client, CATALOG, None)
        scan = ScanScreen(ctl, None, None)
        window = KioskWindow(ctl, extra_screens={"scan": scan})
        scan.t, scan.columns = window.t, window.columns
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(ctl.snapshot_changed, timeout=10_000):
            ctl.start()
        yield window, scan
        scan.stop_camera()
        window.close()


def test_a_procedure_poster_opens_its_page(qtbot: QtBot, kiosk: tuple[KioskWindow, ScanScreen], tmp_path: Path) -> None:
    window, scan = kiosk
    birth = next(p for p in CATALOG.procedures if p.portal_id)
    scan.camera_spec = camera_dir(tmp_path, procedure_qr_text(birth), angle=25, blur=3)
    with qtbot.waitSignal(scan.procedure_found, timeout=10_000):
        window.home.scan.emit()
    assert window.current == "procedure"
    assert window.procedure_page.procedure == birth
    assert scan.worker is None  # the camera is released once the code is read


def test_a_receipt_says_status_is_not_available_offline(
    qtbot: QtBot, kiosk: tuple[KioskWindow, ScanScreen], tmp_path: Path
) -> None:
    window, scan = kiosk
    scan.camera_spec = camera_dir(tmp_path, "000.00.12.H48-261123-0007")
    window.home.scan.emit()
    qtbot.waitUntil(lambda: "000.00.12.H48-261123-0007" in scan.status.text(), timeout=10_000)
    assert "vui lòng hỏi cán bộ" in scan.status.text()
    assert window.current == "scan"


def test_a_foreign_code_is_politely_refused(
    qtbot: QtBot, kiosk: tuple[KioskWindow, ScanScreen], tmp_path: Path
) -> None:
    window, scan = kiosk
    scan.camera_spec = camera_dir(tmp_path, "https://example.com/khuyen-mai")
    window.home.scan.emit()
    qtbot.waitUntil(lambda: scan.status.text() == "Mã này không phải của Trung tâm.", timeout=10_000)


def test_the_preview_shows_frames_and_a_missing_camera_is_explained(
    qtbot: QtBot, kiosk: tuple[KioskWindow, ScanScreen], tmp_path: Path
) -> None:
    window, scan = kiosk
    scan.camera_spec = camera_dir(tmp_path, None)
    window.home.scan.emit()
    qtbot.waitUntil(lambda: scan.preview.pixmap() is not None and not scan.preview.pixmap().isNull(), timeout=10_000)
    window.go_home()
    assert scan.worker is None  # leaving the screen stops the camera
    scan.camera_spec = f"file:{tmp_path / 'no-such-camera'}"
    window.home.scan.emit()
    qtbot.waitUntil(lambda: "Không mở được máy ảnh" in scan.status.text(), timeout=10_000)
