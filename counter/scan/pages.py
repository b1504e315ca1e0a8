"""The counter window's digitisation half: the scan screen, its worker threads, camera preview and device choice."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.core.dossier import Dossier
from app.devices.camera import open_camera
from app.devices.scanners.base import ScanSettings, SourceInfo, device_mode, list_sources, open_source
from app.imaging.types import ProcessedPage, RawPage
from app.qtbridge.camera import CameraWorker
from app.qtbridge.tasks import TaskRunner
from app.signing.errors import SigningError
from counter.scan.digitise import Digitiser, ReuseOffer
from counter.scan.screen import SIGN_NEXT, ScanScreen
from counter.scan.sign_panel import ask_pin
from counter.scan.signing import SignOutcome, sign_components, unsigned_components
from counter.scan.worker import ScanWorker

if TYPE_CHECKING:
    from counter.dossier.pages import DossierPages

log = logging.getLogger(__name__)
SOURCE_KEY = "scan.source"


class OneFrame:
    """The camera frame the clerk captured, as a one-page scan source."""

    def __init__(self, frame: np.ndarray[Any, Any]) -> None:
        self.frame = frame

    def info(self) -> SourceInfo:
        return SourceInfo("camera:frame", "Camera", "camera", (), (), ("camera",), False)

    def scan(self, settings: ScanSettings) -> Iterator[RawPage]:
        # a first guess of the dpi; the pipeline measures the page it finds
        yield RawPage(self.frame, self.frame.shape[1] / (210 / 25.4), "camera")

    def close(self) -> None:
        pass


class ScanPages(QObject):
    saved = Signal(object)  # the Dossier, once a save has finished (the screen stays open with a key)

    def __init__(self, owner: DossierPages, scanners: list[str], camera: str) -> None:
        super().__init__(owner)
        self.owner = owner
        self.window = owner.window
        self.desk = owner.ctl.desk
        self.screen = ScanScreen()
        self.window.stack.addWidget(self.screen)
        self.runner = TaskRunner(self, threads=1)
        self.worker: ScanWorker | None = None
        self.camera: CameraWorker | None = None
        self.last_frame: np.ndarray[Any, Any] | None = None
        self.sources: list[tuple[str, str]] = [(uri, self._name(uri)) for uri in scanners]
        self.sources.append((f"camera:{camera}", f"Camera ({camera})"))
        self.screen.set_sources(self.sources, self.desk.store.setting(SOURCE_KEY, self.sources[0][0]))
        self.screen.scan_wanted.connect(self.scan)
        self.screen.capture_wanted.connect(self.capture)
        self.screen.save_wanted.connect(self.save)
        self.screen.save_sign_wanted.connect(lambda: self.save(then_sign=True))
        self.screen.back.connect(self.leave)
        self.screen.reuse_wanted.connect(self.reuse)
        self.screen.source_changed.connect(self.source_changed)
        self.screen.find_wanted.connect(self.discover)
        self.screen.sign_wanted.connect(self.sign)
        self.ask_pin = ask_pin  # the PIN dialog; tests answer it themselves
        self._discovering = False
        self._searched = False
        self.saving = False
        self.saved_here: Dossier | None = None  # saved on this visit with the screen kept open: told on leaving
        for key, combo in self._remembered().items():  # the counter's last feed, resolution and colour choice
            combo.setCurrentIndex(max(0, combo.findData(_typed(self.desk.store.setting(key)))))
            combo.currentIndexChanged.connect(
                lambda _i, key=key, combo=combo: self.desk.store.set_setting(key, str(combo.currentData()))
            )

    def _remembered(self) -> dict[str, Any]:
        return {"scan.feed": self.screen.feed, "scan.dpi": self.screen.dpi, "scan.mode": self.screen.mode}

    @staticmethod
    def _name(uri: str) -> str:
        names = {"sane": "Máy quét SANE", "escl": "Máy quét mạng (eSCL)", "wia": "Máy quét (WIA)", "file": "Ảnh có sẵn"}
        scheme = uri.split(":", 1)[0]
        return f"{names.get(scheme, uri)} — {uri.split(':', 1)[1]}" if ":" in uri else uri

    # --- opening and leaving ---------------------------------------------------------------------------

    def discover(self) -> None:
        """Scanners plugged in or on the LAN (SANE, eSCL by mDNS, WIA) join the list without anyone typing them."""
        if self._discovering:
            return
        self._discovering = True
        self.screen.progress.setText("Đang tìm máy quét…")

        def done(found: list[SourceInfo]) -> None:
            self._discovering = False
            known = {uri for uri, _name in self.sources}
            new = [(info.uri, info.name) for info in found if info.uri not in known]
            camera = self.sources.pop()  # the camera stays last
            self.sources += [*new, camera]
            self.screen.set_sources(self.sources, self.screen.source_uri())
            self.screen.progress.setText(
                f"Tìm thấy thêm {len(new)} máy quét." if new else "Không tìm thấy máy quét mới."
            )

        def failed(_exc: Exception) -> None:
            self._discovering = False
            self.screen.progress.setText("Không tìm được máy quét trên máy này và mạng LAN.")

        self.runner.run(lambda: list_sources(2.0), done, failed)

    def open(self, dossier: Dossier) -> None:
        digitiser = Digitiser.resume(self.desk, dossier)
        setup = self.desk.signing
        self.screen.set_signing(setup.describe() if setup is not None else None)
        self.saved_here = None
        self.screen.open(digitiser, digitiser.reuse_offers())
        self.window.stack.setCurrentWidget(self.screen)
        if len(self.sources) == 1 and not self._searched:  # only the camera is known: look once by itself
            self._searched = True
            self.discover()
        self.source_changed(self.screen.source_uri())

    def leave(self) -> None:
        """Back to the dossier list; spooled pages stay on disk for the next time this dossier is opened.

        After a save (Ctrl+S without a key, or Esc after one with a key) the list shows that dossier and says so."""
        saved, self.saved_here = self.saved_here, None
        digitiser = self.screen.digitiser
        if saved is not None and digitiser is not None and digitiser.dossier.code == saved.code:
            saved = digitiser.dossier  # with what was signed since the save
        self.stop_camera()
        if self.worker is not None:
            self.worker.stop()
        self.owner.open("list", find=saved.code if saved is not None else "")
        if saved is not None:
            digitised = sum(1 for c in saved.components if c.digitised)
            signed = sum(1 for c in saved.components if c.files and c.files[0].signed)
            self.owner.list.strip.show_message(
                f"Đã lưu bản số hóa hồ sơ {saved.code}: {digitised} thành phần có tệp PDF."
                + (f" Đã ký số {signed} thành phần." if signed else ""),
                "ok",
            )

    def source_changed(self, uri: str) -> None:
        if uri:
            self.desk.store.set_setting(SOURCE_KEY, uri)  # remembered per counter
        self.screen.update_buttons(busy=self.busy)
        if uri.startswith("camera:") and self.window.stack.currentWidget() is self.screen:
            self.start_camera(uri.removeprefix("camera:"))
        else:
            self.stop_camera()

    @property
    def busy(self) -> bool:
        return self.worker is not None and self.worker.running()

    # --- scanning -------------------------------------------------------------------------------------

    def settings(self) -> ScanSettings:
        feed = str(self.screen.feed.currentData())
        return ScanSettings(
            resolution=int(self.screen.dpi.currentData()),
            mode=device_mode(str(self.screen.mode.currentData())),
            source="feeder" if feed != "flatbed" else "flatbed",
            duplex=feed == "duplex",
        )

    def scan(self) -> None:
        uri = self.screen.source_uri()
        if self.busy or self.screen.digitiser is None or uri.startswith("camera:"):
            return
        self._run(lambda: open_source(uri), self.settings())

    def capture(self) -> None:
        if self.busy or self.screen.digitiser is None or not self.screen.is_camera():
            return
        frame = self.last_frame
        if frame is None:
            self.screen.strip.show_message("Camera chưa có hình. Đợi hình hiện lên rồi bấm Chụp.", "warning")
            return
        self._run(lambda: OneFrame(frame.copy()), ScanSettings(source="camera"))

    def _run(self, open_: Callable[[], Any], settings: ScanSettings) -> None:
        digitiser = self.screen.digitiser
        assert digitiser is not None
        screen = self.screen

        def keep(page: ProcessedPage) -> Any:
            if screen.retake_id is not None:
                page_id, screen.retake_id = screen.retake_id, None
                return digitiser.spool.replace(page_id, page)
            return digitiser.add(page, screen.target_component())

        self.worker = ScanWorker(open_, settings, keep, mode=str(screen.mode.currentData()))
        self.worker.page.connect(screen.page_arrived)
        self.worker.progress.connect(screen.progress.setText)
        self.worker.failed.connect(lambda message: screen.strip.show_message(message, "error"))
        self.worker.finished.connect(self._finished)
        screen.update_buttons(busy=True)
        screen.progress.setText("Đang kết nối thiết bị…")
        self.worker.start()

    def _finished(self, kept: int) -> None:
        self.screen.progress.setText(f"Xong: thêm {kept} trang." if kept else "")
        self.screen.update_buttons(busy=False)

    # --- camera ---------------------------------------------------------------------------------------

    def start_camera(self, spec: str) -> None:
        self.stop_camera()

        def remember(frame: np.ndarray[Any, Any]) -> list[str]:
            self.last_frame = frame
            return []

        self.camera = CameraWorker(lambda: open_camera(spec, loop=spec.startswith("file:"), fps=10), remember)
        self.camera.frame.connect(self.screen.show_frame)
        self.camera.failed.connect(lambda message: self.screen.strip.show_message(message, "error"))
        self.camera.start()

    def stop_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        self.last_frame = None

    # --- saving ---------------------------------------------------------------------------------------

    def save(self, then_sign: bool = False) -> None:
        """Ctrl+S: one PDF per component. With a signing key the screen stays open for Ctrl+K / Ctrl+Shift+K
        (`then_sign`, Ctrl+Shift+S: the sign-all batch follows at once); without one it closes, as ever."""
        digitiser = self.screen.digitiser
        if digitiser is None or self.busy or self.saving or self.screen.signing_busy:
            return
        pending = digitiser.pages()
        if any(p.component is None for p in pending):
            self.screen.strip.show_message("Còn trang chưa gán thành phần: chọn trang rồi bấm số 1–9.", "warning")
            return
        keep_open = self.desk.signing is not None
        if keep_open and not pending:  # nothing to write: straight on to signing, or say so
            if then_sign:
                self.sign(None)
            else:
                self.screen.strip.show_message(f"Không có trang mới cần lưu. {SIGN_NEXT}", "info")
            return
        just = sorted({p.component for p in pending if p.component is not None})
        before = digitiser.dossier
        username, name, _counter = self.owner.ctl.who()
        clock = self.desk.clock
        self.saving = True
        self.screen.update_buttons(busy=True)
        self.screen.progress.setText("Đang tạo tệp PDF…")

        def done(dossier: Dossier) -> None:
            self.saving = False
            self.screen.update_buttons(busy=False)
            self.screen.progress.setText("")
            self.saved_here = dossier
            if not keep_open:
                self.leave()
                self.saved.emit(dossier)
                return
            # a new scan replaces a signed file with an unsigned one: said, so the clerk signs it again knowingly
            resigned = [i + 1 for i in just if before.components[i].files and before.components[i].files[0].signed]
            note = f"Thành phần {', '.join(map(str, resigned))} đã thay bằng bản quét mới, chưa ký." if resigned else ""
            # the saved session's spool is gone: further pages go to a fresh one, as a reopened screen would
            self.screen.saved_in_place(Digitiser(self.desk, dossier), just, note)
            self.saved.emit(dossier)
            if then_sign:
                self.sign(None)

        def failed(exc: Exception) -> None:
            self.saving = False
            self.screen.update_buttons(busy=False)
            message = getattr(exc, "message", None) or f"Không lưu được ({type(exc).__name__}); các trang vẫn còn."
            self.screen.strip.show_message(str(message), "error")

        self.runner.run(lambda: digitiser.finish(username, name, clock.now()), done, failed)

    def reuse(self, offer: ReuseOffer) -> None:
        digitiser = self.screen.digitiser
        if digitiser is None:
            return
        username = self.owner.ctl.who()[0]

        def done(dossier: Dossier) -> None:
            self.screen.set_dossier(dossier)
            self.screen.show_offers([o for o in self.screen.offers if o.component != offer.component])
            self.screen.strip.show_message("Đã dùng lại bản số hóa trước đây (tái sử dụng).", "ok")

        self.runner.run(lambda: digitiser.reuse(offer, username), done, lambda e: self.screen.strip.show_message(
            getattr(e, "message", "Không dùng lại được bản số hóa."), "error"))  # fmt: skip

    # --- signing (the last step before sync) ---------------------------------------------------------

    def sign(self, which: list[int] | None) -> None:
        digitiser, setup = self.screen.digitiser, self.desk.signing
        if digitiser is None or setup is None or self.screen.signing_busy or self.saving:
            return
        wanted = range(len(digitiser.dossier.components)) if which is None else which
        if any(digitiser.pages_of(i) for i in wanted):
            self.screen.strip.show_message(
                "Còn trang quét chưa lưu: bấm Ctrl+S để lưu, hoặc Ctrl+Shift+S để lưu và ký số tất cả.", "warning"
            )
            return
        if not unsigned_components(digitiser.dossier, which):
            self.screen.strip.show_message("Không có thành phần nào đã số hóa mà chưa ký số.", "info")
            return
        pin = self.ask_pin(self.screen, setup.describe(), setup.pin_hint)
        if not pin:
            return
        code, certified, clerk = digitiser.dossier.code, set(self.screen.certified), self.owner.ctl.who()[0]
        store = self.desk.store
        self.screen.set_signing_busy(True)
        self.screen.progress.setText("Đang ký số… (không rút thiết bị ký số)")

        def done(outcome: SignOutcome) -> None:
            self._signed(outcome.dossier)
            self.screen.strip.show_message(
                f"Đã ký số {outcome.signed} thành phần; hồ sơ sẽ gửi lên tỉnh kèm tệp đã ký.", "ok"
            )

        def failed(exc: Exception) -> None:
            self._signed(store.get(code))  # a batch stopped midway: what did get signed shows as signed
            text = str(exc) if isinstance(exc, SigningError) else f"Không ký số được ({type(exc).__name__})."
            self.screen.strip.show_message(text, "error")

        work = partial(sign_components, store, code, setup, pin, clerk, which=which, certified=certified)
        del pin  # the job holds it for this batch only
        self.runner.run(work, done, failed)

    def _signed(self, dossier: Dossier) -> None:
        self.screen.set_signing_busy(False)
        self.screen.progress.setText("")
        self.screen.set_dossier(dossier)


def _typed(value: str) -> object:
    """Settings are text; the resolution combo holds numbers."""
    return int(value) if value.isdigit() else value
