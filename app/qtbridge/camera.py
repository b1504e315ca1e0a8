"""Camera frames and QR decoding on a worker thread, delivered to the GUI as Qt signals."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage


def frame_to_image(frame: Any) -> QImage:
    """A BGR numpy frame as a QImage that owns its pixels."""
    height, width = frame.shape[:2]
    return QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888).copy()


class CameraWorker(QObject):
    """Reads frames from a `FrameSource`, decodes QR codes, and emits both. One decode per frame keeps
    the preview live; a code seen is emitted once until it leaves the picture."""

    frame = Signal(QImage)
    decoded = Signal(str)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, open_source: Callable[[], Any], decode: Callable[[Any], list[str]]) -> None:
        super().__init__()
        self._open_source = open_source
        self._decode = decode
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        try:
            source = self._open_source()
        except Exception as exc:  # CameraError carries the Vietnamese message and hint
            self.failed.emit(getattr(exc, "message", None) or str(exc))
            self.finished.emit()
            return
        seen: set[str] = set()
        try:
            while not self._stop.is_set():
                frame = source.read()
                if frame is None:
                    break
                texts = set(self._decode(frame))
                for text in texts - seen:
                    self.decoded.emit(text)
                seen = texts
                self.frame.emit(frame_to_image(frame))
        except Exception as exc:
            self.failed.emit(str(exc))
        finally:
            source.close()
            self.finished.emit()
