"""A document camera as a scan source: each `scan()` is one capture (the clerk pressed the capture key).

Wraps `app.devices.camera.open_camera(spec)` ("0", "file:DIR", "rtsp://…"). The dpi is only a first
guess, assuming the frame spans an A4 width; the pipeline measures it once it has found the page.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.devices.camera import CameraError, FrameSource, open_camera
from app.devices.scanners.base import ClosingSource, ScannerError, ScanSettings, SourceInfo
from app.imaging.types import RawPage

A4_WIDTH_IN = 210 / 25.4


def estimate_dpi(frame_width: int) -> float:
    """A first dpi guess: the frame is assumed to span the width of an A4 sheet."""
    return frame_width / A4_WIDTH_IN


class CameraSource(ClosingSource):
    def __init__(self, spec: str, *, camera: FrameSource | None = None) -> None:
        self.spec = spec
        try:
            self._camera = camera if camera is not None else open_camera(spec)
        except CameraError as exc:
            raise ScannerError(exc.message, exc.hint, "not_found") from exc
        self._taken = 0

    def info(self) -> SourceInfo:
        return SourceInfo(f"camera:{self.spec}", f"Camera {self.spec}", "camera", (), ("color", "gray"), ("camera",))

    def scan(self, settings: ScanSettings) -> Iterator[RawPage]:
        """One page from the newest frame; the page index counts captures since the source was opened."""
        try:
            frame = self._camera.read()
        except CameraError as exc:
            raise ScannerError(exc.message, exc.hint, "disconnected") from exc
        if frame is None:
            raise ScannerError(
                f"Camera {self.spec} không còn ảnh nào để chụp.",
                "Với file:THƯ_MỤC, mọi ảnh đã được dùng hết.",
                "no_frame",
            )
        index = self._taken
        self._taken += 1
        yield RawPage(frame, estimate_dpi(frame.shape[1]), "camera", index, {"device": f"camera:{self.spec}"})

    def close(self) -> None:
        self._camera.close()
