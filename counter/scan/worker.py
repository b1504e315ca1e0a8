"""Scanning on a worker thread: each page is cleaned up and spooled to disk before the next is asked for.

The GUI gets one signal per page, so the strip fills page by page and the window never freezes. A device that
vanishes mid-job ends the job with its Vietnamese message; every page already spooled stays.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.devices.scanners.base import ScannerError, ScanSettings, ScanSource
from app.imaging.pipeline import process_page
from app.imaging.types import ProcessedPage, RawPage

log = logging.getLogger(__name__)


class ScanWorker(QObject):
    page = Signal(object, object)  # SpooledPage (or None when the page was refused/dropped), ProcessedPage
    progress = Signal(str)
    failed = Signal(str)
    finished = Signal(int)  # pages kept

    def __init__(self, open_source: Callable[[], ScanSource], settings: ScanSettings,
                 keep: Callable[[ProcessedPage], Any], mode: str = "auto") -> None:  # fmt: skip
        super().__init__()
        self._open_source = open_source
        self.settings = settings
        self._keep = keep  # spools the page (Digitiser.add); runs on this worker thread
        self.mode = mode
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="scan", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        kept = 0
        source: ScanSource | None = None
        try:
            source = self._open_source()
            for number, raw in enumerate(source.scan(self.settings), 1):
                self.progress.emit(f"Đang xử lý trang {number}…")
                kept += self._handle(raw)
                if self._stop.is_set():
                    break
                self.progress.emit(f"Đã nhận {number} trang. Đang chờ trang tiếp theo…")
        except ScannerError as exc:
            self.failed.emit(exc.for_people() + (f" Đã giữ {kept} trang đã quét." if kept else ""))
        except Exception as exc:  # a bug must not lose the pages: they are on disk already
            log.error("scan failed: %s", type(exc).__name__)
            self.failed.emit(f"Có lỗi khi quét ({type(exc).__name__}). Đã giữ {kept} trang đã quét; thử quét tiếp.")
        finally:
            if source is not None:
                try:
                    source.close()
                except Exception:  # closing a vanished device
                    log.info("scanner close failed")
            self.finished.emit(kept)

    def _handle(self, raw: RawPage) -> int:
        processed = process_page(raw, mode=self.mode)
        if processed.refused:
            self.page.emit(None, processed)
            return 0
        if processed.blank and raw.kind == "feeder":  # dropped from a feeder with a note; asked on a flatbed
            self.page.emit(None, processed)
            return 0
        spooled = self._keep(processed)
        self.page.emit(spooled, processed)
        return 1
