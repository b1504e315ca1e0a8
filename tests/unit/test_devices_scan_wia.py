"""The WIA adapter against a twin of the WIA Automation object model (this machine has no Windows/COM).

The twin has only what the real library offers: 1-based collections with Count/Item(i), properties
with PropertyID/Value/SubType…, DeviceInfo.Connect(), Item.Transfer(format) → ImageFile.FileData.BinaryData,
and COM errors that carry the WIA HRESULT.
"""

from __future__ import annotations

import sys
from typing import Any

import cv2
import numpy as np
import pytest

from app.devices.scanners import ScannerError, ScanSettings, open_source
from app.devices.scanners.wia import (
    FEEDER,
    FLATBED,
    FORMAT_PNG,
    PAPER_EMPTY,
    PROP_HANDLING_SELECT,
    PROP_INTENT,
    PROP_PAGES,
    PROP_X_RES,
    WiaSource,
    list_wia,
)

PAPER_JAM = 0x80210002


class ComError(Exception):
    """Like comtypes' COMError: args = (hresult, text, details); hresult is a signed 32-bit int."""

    def __init__(self, hresult: int) -> None:
        signed = hresult - (1 << 32) if hresult >= 1 << 31 else hresult
        super().__init__(signed, "WIA error", (None, None, None, 0, None))
        self.hresult = signed


class Collection:
    def __init__(self, items: list[Any]) -> None:
        self._items = items

    @property
    def Count(self) -> int:
        return len(self._items)

    def Item(self, index: int) -> Any:
        if not 1 <= index <= len(self._items):
            raise ComError(0x80070057)  # E_INVALIDARG, as a real out-of-range Item(i)
        return self._items[index - 1]


class Property:
    def __init__(self, pid: int, value: Any, subtype: int = 0, values: list[int] | None = None) -> None:
        self.PropertyID = pid
        self.Value = value
        self.SubType = subtype
        self.SubTypeValues = Collection(values or [])


class Binary:
    def __init__(self, data: bytes) -> None:
        self.BinaryData = tuple(data)  # comtypes hands a SAFEARRAY of bytes over as a tuple of ints


class ImageFile:
    def __init__(self, data: bytes) -> None:
        self.FormatID = FORMAT_PNG
        self.FileData = Binary(data)


class Item:
    def __init__(self, device: Device) -> None:
        self.device = device
        self.Properties = Collection([
            Property(PROP_INTENT, 0),
            Property(PROP_X_RES, 100, subtype=2, values=[100, 200, 300, 600]),
            Property(PROP_X_RES + 1, 100, subtype=2, values=[100, 200, 300, 600]),
        ])  # fmt: skip
        self.transfers: list[str] = []

    def Transfer(self, fmt: str) -> ImageFile:
        self.transfers.append(fmt)
        return self.device.next_sheet()


class Device:
    def __init__(self, sheets: list[int], jam_after: int | None, capabilities: int) -> None:
        self.sheets = list(sheets)
        self.jam_after = jam_after
        self.fed = 0
        self.Properties = Collection([
            Property(3086, capabilities), Property(PROP_HANDLING_SELECT, FLATBED), Property(PROP_PAGES, 1),
        ])  # fmt: skip
        self.Items = Collection([Item(self)])

    def prop(self, pid: int) -> Any:
        return next(p.Value for p in self.Properties._items if p.PropertyID == pid)

    def next_sheet(self) -> ImageFile:
        if self.jam_after is not None and self.fed >= self.jam_after:
            raise ComError(PAPER_JAM)
        feeder = self.prop(PROP_HANDLING_SELECT) & FEEDER
        if feeder and not self.sheets:
            raise ComError(PAPER_EMPTY)
        level = self.sheets.pop(0) if feeder else 128  # the flatbed always has its one sheet
        self.fed += 1
        ok, png = cv2.imencode(".png", np.full((30, 20), level, np.uint8))
        assert ok
        return ImageFile(png.tobytes())


class DeviceInfo:
    def __init__(self, device_id: str, name: str, device: Device, device_type: int = 1) -> None:
        self.DeviceID = device_id
        self.Type = device_type
        self.Properties = Collection([Property(7, name)])
        self._device = device

    def Connect(self) -> Device:
        return self._device


class DeviceManager:
    def __init__(self, infos: list[DeviceInfo]) -> None:
        self.DeviceInfos = Collection(infos)


def _twin(sheets: list[int] | None = None, jam_after: int | None = None, capabilities: int = FEEDER | FLATBED
          ) -> tuple[Device, Any]:  # fmt: skip
    device = Device(sheets if sheets is not None else [10, 60, 110], jam_after, capabilities)
    manager = DeviceManager([
        DeviceInfo("{6BDD1FC6}\\0000", "Canon DR-C225", device),
        DeviceInfo("{CAMERA}\\0001", "Webcam", Device([], None, 0), device_type=2),
    ])  # fmt: skip
    return device, lambda: manager


def test_scanners_are_listed_and_cameras_left_out() -> None:
    _, factory = _twin()
    found = list_wia(factory)
    assert [(s.uri, s.name) for s in found] == [("wia:{6BDD1FC6}\\0000", "Canon DR-C225")]
    assert list_wia(lambda: (_ for _ in ()).throw(OSError("WIA service stopped"))) == []


def test_a_feeder_batch_sets_the_properties_and_ends_when_the_tray_is_empty() -> None:
    device, factory = _twin([10, 60, 110])
    with WiaSource("{6BDD1FC6}\\0000", device_manager=factory) as source:
        pages = list(source.scan(ScanSettings(resolution=250, mode="gray", source="feeder")))
        info = source.info()
    assert [p.index for p in pages] == [0, 1, 2]
    assert [int(p.image.mean()) for p in pages] == [10, 60, 110]
    assert all(p.kind == "feeder" and p.dpi == 300 and p.image.shape == (30, 20) for p in pages)
    assert device.prop(PROP_HANDLING_SELECT) == FEEDER
    assert device.prop(PROP_PAGES) == 0
    item = device.Items.Item(1)
    assert [p.Value for p in item.Properties._items] == [2, 300, 300]  # grayscale intent, nearest listed dpi
    assert item.transfers == [FORMAT_PNG] * 4  # the fourth transfer is the one that found the tray empty
    assert info.name == "Canon DR-C225"
    assert info.sources == ("flatbed", "feeder")
    assert info.resolutions == (100, 200, 300, 600)


def test_a_flatbed_scan_is_one_transfer() -> None:
    device, factory = _twin()
    with WiaSource("{6BDD1FC6}\\0000", device_manager=factory) as source:
        pages = list(source.scan(ScanSettings(resolution=600, mode="color")))
    assert len(pages) == 1
    assert pages[0].kind == "flatbed"
    assert pages[0].dpi == 600
    assert device.prop(PROP_HANDLING_SELECT) == FLATBED
    assert device.Items.Item(1).Properties.Item(1).Value == 1


def test_a_jam_keeps_the_pages_already_yielded_and_speaks_vietnamese() -> None:
    _, factory = _twin([10, 60, 110, 160], jam_after=2)
    kept: list[int] = []

    def save_each(source: WiaSource) -> None:
        for page in source.scan(ScanSettings(source="feeder")):
            kept.append(page.index)  # the caller keeps each page before asking for the next

    with WiaSource("{6BDD1FC6}\\0000", device_manager=factory) as source, pytest.raises(ScannerError) as caught:
        save_each(source)
    assert kept == [0, 1]
    assert caught.value.code == "jammed"
    assert caught.value.message == "Giấy bị kẹt trong máy quét."


def test_an_empty_feeder_at_the_first_sheet_is_an_error() -> None:
    _, factory = _twin([])
    with WiaSource("{6BDD1FC6}\\0000", device_manager=factory) as source, pytest.raises(ScannerError) as caught:
        list(source.scan(ScanSettings(source="feeder")))
    assert caught.value.code == "no_docs"
    assert "Đặt giấy vào khay nạp" in caught.value.for_people()


def test_a_flatbed_only_scanner_refuses_the_feeder_and_an_unknown_id_is_not_found() -> None:
    _, factory = _twin(capabilities=FLATBED)
    with WiaSource("{6BDD1FC6}\\0000", device_manager=factory) as source, pytest.raises(ScannerError) as caught:
        list(source.scan(ScanSettings(source="feeder")))
    assert caught.value.code == "unsupported"
    with pytest.raises(ScannerError) as missing:
        WiaSource("{NOPE}\\0009", device_manager=factory)
    assert missing.value.code == "not_found"
    assert "{NOPE}" in missing.value.message


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows wia: is real")
def test_wia_is_refused_off_windows() -> None:
    with pytest.raises(ScannerError) as caught:
        open_source("wia:{6BDD1FC6}\\0000")
    assert caught.value.code == "unsupported"
    assert caught.value.message.startswith("WIA chỉ có trên Windows")
