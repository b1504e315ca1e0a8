"""SANE scanners on Linux through python-sane.

Option names and values vary by backend: source values are matched by lowercase substrings ("adf",
"feeder", "duplex"), modes by "color"/"gray"/"lineart", and numbers are clamped to the option's range.
SANE reads its configuration (SANE_CONFIG_DIR) once, at sane_init: `_ensure_init` runs it once per
process under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from app.devices.scanners.base import ClosingSource, ScannerError, ScanSettings, SourceInfo
from app.imaging.types import Image, RawPage, SourceKind

COMMON_DPI = (150, 200, 300, 400, 600)
FEEDER_WORDS = ("adf", "feeder", "document feeder")
_init_lock = threading.Lock()
_initialised = False

# sane_strstatus() texts (what _sane.error carries) → (code, Vietnamese message, hint).
_STATUS: tuple[tuple[str, str, str, str], ...] = (
    ("jammed", "jammed", "Giấy bị kẹt trong máy quét.", "Mở nắp, lấy tờ giấy bị kẹt ra rồi quét lại từ tờ đó."),
    ("out of documents", "no_docs", "Khay nạp giấy không còn tờ nào.", "Đặt giấy vào khay nạp rồi quét lại."),
    ("cover is open", "cover_open", "Nắp máy quét đang mở.", "Đóng nắp máy quét rồi quét lại."),
    ("busy", "busy", "Máy quét đang bận.", "Chờ máy quét xong việc đang làm hoặc đóng phần mềm quét khác rồi thử lại."),
    ("i/o", "io", "Lỗi truyền dữ liệu với máy quét.", "Kiểm tra cáp USB/nguồn điện của máy quét rồi thử lại."),
    ("cancelled", "cancelled", "Lượt quét đã bị hủy.", ""),
    (
        "access",
        "access_denied",
        "Không có quyền dùng máy quét.",
        "Thêm tài khoản vào nhóm scanner (Linux) rồi đăng nhập lại.",
    ),
    ("out of memory", "io", "Máy quét hết bộ nhớ.", "Giảm độ phân giải hoặc quét ít trang hơn mỗi lượt."),
)


def _sane_module() -> Any:
    try:
        import sane
    except ImportError as exc:
        raise ScannerError(
            "Máy này chưa cài thư viện quét SANE (python-sane).",
            "Cài gói libsane1 và python-sane, hoặc dùng máy quét mạng escl:http://…/eSCL.",
            "unsupported",
        ) from exc
    return sane


def _ensure_init() -> Any:
    global _initialised
    sane = _sane_module()
    with _init_lock:
        if not _initialised:
            sane.init()
            _initialised = True
    return sane


def _error_from_sane(exc: Exception, device: str) -> ScannerError:
    text = str(exc).lower()
    for needle, code, message, hint in _STATUS:
        if needle in text:
            return ScannerError(message, hint, code)
    return ScannerError(f"Máy quét {device} báo lỗi: {exc}.", "Tắt rồi bật lại máy quét và thử lại.", "error")


def list_sane() -> list[SourceInfo]:
    """SANE devices (USB, and network ones SANE's own backends find); empty without python-sane."""
    try:
        sane = _ensure_init()
        devices = sane.get_devices()
    except ScannerError:
        return []
    except Exception:  # a broken backend must not hide the other kinds of scanner
        return []
    return [SourceInfo(f"sane:{name}", f"{vendor} {model}".strip(), "flatbed") for name, vendor, model, _ in devices]


def _nearest(constraint: Any, wanted: float) -> float:
    if isinstance(constraint, tuple) and len(constraint) == 3:
        low, high, step = constraint
        value = min(max(wanted, low), high)
        if step:
            value = low + round((value - low) / step) * step
        return float(value)
    if isinstance(constraint, list) and constraint:
        return float(min(constraint, key=lambda v: (abs(float(v) - wanted), -float(v))))  # ties go up
    return float(wanted)


def _pick(values: list[str], *needles: str, exclude: tuple[str, ...] = ()) -> str | None:
    for needle in needles:
        for value in values:
            low = value.lower()
            if needle in low and not any(word in low for word in exclude):
                return value
    return None


def pil_to_array(image: Any) -> Image:
    """A PIL image as uint8 gray (H×W) or BGR (H×W×3)."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if image.mode in ("RGBA", "P", "CMYK") else "L")
    array = np.asarray(image, dtype=np.uint8)
    if array.ndim == 3:
        array = array[:, :, ::-1]  # RGB → BGR, as OpenCV and the pipeline expect
    return np.ascontiguousarray(array)


class SaneSource(ClosingSource):
    def __init__(self, device: str) -> None:
        sane = _ensure_init()
        self.device = device
        try:
            self._dev = sane.open(device)
        except Exception as exc:
            raise ScannerError(
                f"Không mở được máy quét {device}.",
                "Kiểm tra máy quét đã bật và cắm cáp; chạy `scanimage -L` để xem tên thiết bị.",
                "not_found",
            ) from exc
        self._closed = False

    # -- options ---------------------------------------------------------------------------------
    def _option(self, name: str) -> Any:
        option = self._dev.opt.get(name.replace("-", "_"))
        return option if option is not None and option.is_active() and option.is_settable() else None

    def set_option(self, name: str, value: Any) -> None:
        """Set a backend-specific option by its SANE name (e.g. "read-return-value" of the test backend)."""
        try:
            setattr(self._dev, name.replace("-", "_"), value)
        except Exception as exc:
            raise _error_from_sane(exc, self.device) from exc

    def _values(self, name: str) -> list[str]:
        option = self._option(name)
        return [str(v) for v in option.constraint] if option is not None and isinstance(option.constraint, list) else []

    def _apply(self, settings: ScanSettings) -> tuple[SourceKind, float, str]:
        """Set source, mode, resolution and area; returns (page kind, actual dpi, actual mode)."""
        kind: SourceKind = "flatbed"
        sources = self._values("source")
        if settings.source == "feeder" or settings.duplex:
            wanted = _pick(sources, "duplex") if settings.duplex else None
            wanted = wanted or _pick(sources, *FEEDER_WORDS, exclude=("duplex",)) or _pick(sources, *FEEDER_WORDS)
            if wanted is None:
                raise ScannerError(
                    "Máy quét này không có khay nạp giấy tự động.", "Chọn quét trên mặt kính.", "unsupported"
                )
            self.set_option("source", wanted)
            kind = "feeder"
        elif sources:
            flatbed = _pick(sources, "flatbed", "platen") or _pick(sources, "", exclude=(*FEEDER_WORDS, "duplex"))
            if flatbed is not None:
                self.set_option("source", flatbed)
        mode = self._apply_mode(settings)
        if self._option("depth") is not None and mode != "bw" and 8 in self._option("depth").constraint:
            self.set_option("depth", 8)  # 16-bit pages would double memory for nothing
        dpi = float(settings.resolution)
        resolution = self._option("resolution")
        if resolution is not None:
            self.set_option("resolution", _nearest(resolution.constraint, settings.resolution))
            dpi = float(self._dev.resolution)
        self._apply_area(settings)
        return kind, dpi, mode

    def _apply_mode(self, settings: ScanSettings) -> str:
        modes = self._values("mode")
        if not modes:
            return settings.mode
        if settings.mode == "color":
            choice = _pick(modes, "color", "colour")
        elif settings.mode == "gray":
            choice = _pick(modes, "gray", "grey")
        else:
            choice = _pick(modes, "lineart", "binary", "black", "halftone")
            if choice is None:  # no 1-bit mode: gray at depth 1 if offered, else plain gray for the pipeline
                choice = _pick(modes, "gray", "grey")
                if choice is not None:
                    self.set_option("mode", choice)
                    depth = self._option("depth")
                    if depth is not None and isinstance(depth.constraint, list) and 1 in depth.constraint:
                        self.set_option("depth", 1)
                        return "bw"
                    return "gray"
        if choice is not None:
            self.set_option("mode", choice)
            return settings.mode
        return "color" if _pick([str(self._dev.mode)], "color") else "gray"

    def _apply_area(self, settings: ScanSettings) -> None:
        for name in ("tl-x", "tl-y"):
            option = self._option(name)
            if option is not None:
                self.set_option(name, _nearest(option.constraint, 0.0))
        width, height = settings.page_mm or (1e9, 1e9)  # None: as large as the device allows
        for name, wanted in (("br-x", width), ("br-y", height)):
            option = self._option(name)
            if option is not None and option.unit == _mm_unit():
                self.set_option(name, _nearest(option.constraint, wanted))

    # -- the interface ---------------------------------------------------------------------------
    def info(self) -> SourceInfo:
        resolution = self._option("resolution")
        if resolution is not None and isinstance(resolution.constraint, list):
            resolutions = tuple(int(v) for v in resolution.constraint)
        elif resolution is not None and isinstance(resolution.constraint, tuple):
            low, high = resolution.constraint[0], resolution.constraint[1]
            resolutions = tuple(d for d in COMMON_DPI if low <= d <= high)
        else:
            resolutions = ()
        modes_text = self._values("mode")
        modes = tuple(
            m
            for m, needles in (
                ("color", ("color", "colour")),
                ("gray", ("gray", "grey")),
                ("bw", ("lineart", "binary")),
            )
            if _pick(modes_text, *needles) or (m == "bw" and _pick(modes_text, "gray"))
        )
        source_values = self._values("source")
        has_feeder = _pick(source_values, *FEEDER_WORDS) is not None
        has_flatbed = not source_values or _pick(source_values, "flatbed", "platen") is not None
        sources: tuple[SourceKind, ...] = (*(("flatbed",) if has_flatbed else ()), *(("feeder",) if has_feeder else ()))
        kind: SourceKind = "flatbed" if has_flatbed else "feeder"
        return SourceInfo(
            f"sane:{self.device}",
            self.device,
            kind,
            resolutions,
            modes,  # type: ignore[arg-type]
            sources,
            _pick(source_values, "duplex") is not None,
        )

    def scan(self, settings: ScanSettings) -> Iterator[RawPage]:
        sane_error = _sane_error_type()
        kind, dpi, mode = self._apply(settings)
        feeder = kind == "feeder"
        index = 0
        try:
            while settings.max_pages is None or index < settings.max_pages:
                try:
                    self._dev.start()
                    # no_cancel keeps a feeder job open between sheets; a flatbed scan is cancelled (ended) after it.
                    image = self._dev.snap(no_cancel=feeder)
                except sane_error as exc:
                    error = _error_from_sane(exc, self.device)
                    if feeder and error.code == "no_docs" and index > 0:
                        return  # the feeder ran dry: the normal end of a batch
                    raise error from exc
                yield RawPage(pil_to_array(image), dpi, kind, index, {"device": f"sane:{self.device}", "mode": mode})
                index += 1
                if not feeder:
                    return
        finally:
            if feeder:
                self._cancel()

    def _cancel(self) -> None:
        try:
            self._dev.cancel()
        except Exception:  # already idle, or the device is gone: nothing left to stop
            return

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._cancel()
            self._dev.close()


def _sane_error_type() -> type[Exception]:
    import _sane

    return _sane.error  # type: ignore[no-any-return]


def _mm_unit() -> int:
    import _sane

    return int(_sane.UNIT_MM)
