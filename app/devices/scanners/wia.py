"""WIA scanners on Windows through the WIA Automation Library (comtypes, "WIA.DeviceManager").

The COM layer is injected (`device_manager`, a factory returning the DeviceManager object) so the adapter
runs against the real COM object on Windows and against a twin of its object model in tests. Only
this object model is used: collections by `.Count` and 1-based `.Item(i)`, properties found by
`.PropertyID` and set through `.Value`, `Item.Transfer(format)` returning an ImageFile whose
`FileData.BinaryData` holds the encoded page. WIA objects belong to the thread that made them:
open and scan from the same worker thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from app.devices.scanners.base import ClosingSource, ScannerError, ScanSettings, SourceInfo, decode_image
from app.imaging.types import RawPage, SourceKind

FORMAT_PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"
FORMAT_BMP = "{B96B3CAB-0728-11D3-9D7B-0000F81EF32E}"
SCANNER_DEVICE_TYPE = 1
PROP_DEVICE_NAME = 7  # WIA_DIP_DEV_NAME
PROP_HANDLING_CAPABILITIES = 3086  # WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES
PROP_HANDLING_SELECT = 3088  # WIA_DPS_DOCUMENT_HANDLING_SELECT
PROP_PAGES = 3096  # WIA_DPS_PAGES: 0 = every sheet in the feeder
PROP_INTENT = 6146  # WIA_IPS_CUR_INTENT
PROP_X_RES, PROP_Y_RES = 6147, 6148
PROP_X_EXTENT, PROP_Y_EXTENT = 6151, 6152  # pixels
FEEDER, FLATBED, DUPLEX = 0x1, 0x2, 0x4
INTENT = {"color": 0x1, "gray": 0x2, "bw": 0x4}  # WIA_INTENT_IMAGE_TYPE_COLOR / _GRAYSCALE / _TEXT
SUBTYPE_RANGE, SUBTYPE_LIST = 1, 2

# HRESULTs of the WIA facility (wiadef.h) → (code, Vietnamese message, hint).
PAPER_EMPTY = 0x80210003
_ERRORS: dict[int, tuple[str, str, str]] = {
    0x80210002: ("jammed", "Giấy bị kẹt trong máy quét.", "Lấy tờ giấy bị kẹt ra rồi quét lại từ tờ đó."),
    PAPER_EMPTY: ("no_docs", "Khay nạp giấy không có tờ nào.", "Đặt giấy vào khay nạp rồi quét lại."),
    0x80210004: ("jammed", "Giấy nạp không đúng cách.", "Xếp lại giấy cho thẳng trong khay rồi quét lại."),
    0x80210005: ("disconnected", "Máy quét đang tắt hoặc mất kết nối.", "Bật máy quét, kiểm tra cáp USB rồi thử lại."),
    0x80210006: ("busy", "Máy quét đang bận.", "Đóng phần mềm quét khác rồi thử lại."),
    0x80210007: ("busy", "Máy quét đang khởi động.", "Chờ vài giây rồi thử lại."),
    0x80210009: ("disconnected", "Máy quét không còn kết nối.", "Cắm lại cáp USB rồi quét lại từ trang bị thiếu."),
    0x8021000A: ("io", "Lỗi truyền dữ liệu với máy quét.", "Kiểm tra cáp USB/nguồn điện rồi thử lại."),
    0x8021000D: ("busy", "Máy quét đang bị phần mềm khác giữ.", "Đóng phần mềm quét khác rồi thử lại."),
    0x80210015: ("not_found", "Không tìm thấy máy quét.", "Kiểm tra máy quét đã bật và cắm cáp."),
    0x80210016: ("cover_open", "Nắp máy quét đang mở.", "Đóng nắp máy quét rồi quét lại."),
    0x80210017: ("io", "Đèn máy quét đang tắt.", "Chờ máy quét sẵn sàng rồi thử lại."),
    0x80210020: ("jammed", "Máy quét kéo nhiều tờ cùng lúc.", "Xếp lại giấy rồi quét lại từ tờ đó."),
}


def _com_device_manager() -> Any:
    try:
        import comtypes
        import comtypes.client
    except ImportError as exc:
        raise ScannerError(
            "Máy này chưa cài comtypes để dùng máy quét WIA.", "Cài lại phần mềm Một Cửa.", "unsupported"
        ) from exc
    # COM is per thread; a second call on the same thread is harmless, and OSError means the thread
    # was already initialised in another apartment mode, which is usable as it is.
    with contextlib.suppress(OSError):
        comtypes.CoInitialize()
    return comtypes.client.CreateObject("WIA.DeviceManager")


def _hresult(exc: BaseException) -> int | None:
    """The WIA HRESULT inside a comtypes COMError or a pywin32 com_error (nested in its excepinfo)."""
    found: list[int] = []

    def collect(value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int):
            found.append(value & 0xFFFFFFFF)
        elif isinstance(value, tuple | list):
            for item in value:
                collect(item)

    collect(getattr(exc, "hresult", None))
    collect(exc.args)
    wia = [code for code in found if code >> 16 == 0x8021]
    return wia[0] if wia else (found[0] if found else None)


def _error(exc: BaseException, name: str) -> ScannerError:
    code = _hresult(exc)
    if code in _ERRORS:
        kind, message, hint = _ERRORS[code]
        return ScannerError(message, hint, kind)
    return ScannerError(f"Máy quét {name} báo lỗi: {exc}.", "Tắt rồi bật lại máy quét và thử lại.", "error")


def _items(collection: Any) -> Iterator[Any]:
    for i in range(1, int(collection.Count) + 1):  # COM collections are 1-based
        yield collection.Item(i)


def _property(properties: Any, pid: int) -> Any:
    return next((p for p in _items(properties) if int(p.PropertyID) == pid), None)


def _get(properties: Any, pid: int, default: Any = None) -> Any:
    prop = _property(properties, pid)
    return prop.Value if prop is not None else default


def _nearest(prop: Any, wanted: float) -> int:
    subtype = int(getattr(prop, "SubType", 0) or 0)
    if subtype == SUBTYPE_LIST:
        values = [int(v) for v in _items(prop.SubTypeValues)]
        return min(values, key=lambda v: (abs(v - wanted), -v)) if values else round(wanted)  # ties go up
    if subtype == SUBTYPE_RANGE:
        low, high = int(prop.SubTypeMin), int(prop.SubTypeMax)
        step = max(int(prop.SubTypeStep or 1), 1)
        return low + round((min(max(wanted, low), high) - low) / step) * step
    return round(wanted)


def _bytes(data: Any) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if isinstance(data, np.ndarray):
        return data.astype(np.uint8).tobytes()
    return bytes(bytearray(int(b) & 0xFF for b in data))  # a SAFEARRAY of bytes arrives as a tuple of ints


def _device_infos(device_manager: Callable[[], Any]) -> list[Any]:
    return list(_items(device_manager().DeviceInfos))


def list_wia(device_manager: Callable[[], Any] = _com_device_manager) -> list[SourceInfo]:
    """WIA scanners; empty when WIA cannot be reached (no comtypes, the WIA service stopped)."""
    try:
        infos = _device_infos(device_manager)
    except Exception:  # listing must not fail the settings screen
        return []
    return [
        SourceInfo(f"wia:{info.DeviceID}", str(_get(info.Properties, PROP_DEVICE_NAME, info.DeviceID)), "flatbed")
        for info in infos
        if int(info.Type) == SCANNER_DEVICE_TYPE
    ]


class WiaSource(ClosingSource):
    def __init__(self, device_id: str, *, device_manager: Callable[[], Any] = _com_device_manager) -> None:
        self.device_id = device_id
        self.name = device_id
        try:
            infos = _device_infos(device_manager)
            info = next((i for i in infos if str(i.DeviceID) == device_id), None)
            if info is None:
                raise ScannerError(
                    f"Không tìm thấy máy quét WIA {device_id}.", "Kiểm tra máy quét đã bật và cắm cáp USB.", "not_found"
                )
            self.name = str(_get(info.Properties, PROP_DEVICE_NAME, device_id))
            self._device = info.Connect()
        except ScannerError:
            raise
        except Exception as exc:  # COM errors have no common base class across comtypes and pywin32
            raise _error(exc, self.name) from exc

    def _capabilities(self) -> int:
        return int(_get(self._device.Properties, PROP_HANDLING_CAPABILITIES, FLATBED) or 0)

    def info(self) -> SourceInfo:
        caps = self._capabilities()
        item = self._device.Items.Item(1)
        res = _property(item.Properties, PROP_X_RES)
        resolutions: tuple[int, ...] = ()
        if res is not None and int(getattr(res, "SubType", 0) or 0) == SUBTYPE_LIST:
            resolutions = tuple(sorted(int(v) for v in _items(res.SubTypeValues)))
        sources: tuple[SourceKind, ...] = (
            *(("flatbed",) if caps & FLATBED else ()),
            *(("feeder",) if caps & FEEDER else ()),
        )
        kind: SourceKind = "flatbed" if caps & FLATBED or not caps & FEEDER else "feeder"
        return SourceInfo(f"wia:{self.device_id}", self.name, kind, resolutions, ("color", "gray", "bw"), sources,
                          bool(caps & DUPLEX))  # fmt: skip

    def _apply(self, settings: ScanSettings, item: Any) -> tuple[SourceKind, float]:
        caps = self._capabilities()
        kind: SourceKind = "flatbed"
        handling = _property(self._device.Properties, PROP_HANDLING_SELECT)
        if settings.source == "feeder" or settings.duplex:
            if not caps & FEEDER or handling is None:
                raise ScannerError(
                    "Máy quét này không có khay nạp giấy tự động.", "Chọn quét trên mặt kính.", "unsupported"
                )
            handling.Value = FEEDER | (DUPLEX if settings.duplex and caps & DUPLEX else 0)
            pages = _property(self._device.Properties, PROP_PAGES)
            if pages is not None:
                pages.Value = 0 if settings.max_pages is None else settings.max_pages
            kind = "feeder"
        elif handling is not None and caps & FLATBED:
            handling.Value = FLATBED
        intent = _property(item.Properties, PROP_INTENT)
        if intent is not None:
            intent.Value = INTENT[settings.mode]
        dpi = float(settings.resolution)
        for pid in (PROP_X_RES, PROP_Y_RES):
            prop = _property(item.Properties, pid)
            if prop is not None:
                prop.Value = _nearest(prop, settings.resolution)
                dpi = float(prop.Value) if pid == PROP_X_RES else dpi
        if settings.page_mm is not None:
            for pid, mm in ((PROP_X_EXTENT, settings.page_mm[0]), (PROP_Y_EXTENT, settings.page_mm[1])):
                prop = _property(item.Properties, pid)
                if prop is not None:
                    prop.Value = _nearest(prop, mm / 25.4 * dpi)
        return kind, dpi

    def scan(self, settings: ScanSettings) -> Iterator[RawPage]:
        index = 0
        try:
            item = self._device.Items.Item(1)
            kind, dpi = self._apply(settings, item)
        except ScannerError:
            raise
        except Exception as exc:
            raise _error(exc, self.name) from exc
        while settings.max_pages is None or index < settings.max_pages:
            try:
                image_file = item.Transfer(FORMAT_PNG)  # drivers that cannot do PNG hand back BMP; both decode
                data = _bytes(image_file.FileData.BinaryData)
            except Exception as exc:
                error = _error(exc, self.name)
                if kind == "feeder" and error.code == "no_docs" and index > 0:
                    return  # the feeder ran dry: the normal end of a batch
                raise error from exc
            image = decode_image(data)
            if image is None:
                raise ScannerError(f"Không đọc được ảnh trang {index + 1} từ máy quét {self.name}.", "", "unsupported")
            yield RawPage(image, dpi, kind, index, {"device": f"wia:{self.device_id}", "mode": settings.mode})
            index += 1
            if kind == "flatbed":
                return

    def close(self) -> None:
        self._device = None
