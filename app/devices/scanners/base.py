"""The scanner interface every adapter implements, and `open_source`/`list_sources` that pick the adapter.

A ScanSource is opened from a URI (the form the settings screen stores):

    sane:test, sane:DEVICE            a SANE device on Linux (python-sane)
    escl:http://HOST:PORT/eSCL        a driverless network scanner (eSCL / AirScan)
    wia:DEVICE_ID                     a WIA scanner on Windows (comtypes)
    camera:0, camera:file:DIR         a document camera (app.devices.camera specs)
    file:GLOB                         image files in name order (tests, support)

`scan(settings)` is a generator: each page is yielded as soon as the device delivers it so the caller
can save it before asking for the next. When the device jams, runs dry mid-job or vanishes, the
generator raises ScannerError (Vietnamese, ready for the clerk); pages already yielded stay the caller's.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Protocol, Self, runtime_checkable

import numpy as np

from app.imaging.types import Image, RawPage, SourceKind

ScanMode = Literal["color", "gray", "bw"]


def device_mode(mode: str) -> ScanMode:
    """What to ask a device for: colour when the pipeline chooses per page ("auto"), else the mode itself."""
    return "gray" if mode == "gray" else "bw" if mode == "bw" else "color"


URI_FORMS = (
    "sane:test hoặc sane:TÊN_THIẾT_BỊ, escl:http://ĐỊA_CHỈ:CỔNG/eSCL, wia:MÃ_THIẾT_BỊ (Windows), "
    "camera:0 hoặc camera:file:THƯ_MỤC, file:MẪU_TÊN_TỆP (ví dụ file:/tmp/trang/*.png)"
)
A4_MM = (210.0, 297.0)


@dataclass(frozen=True)
class ScanSettings:
    """What the clerk asked for. Adapters pick the nearest value the device supports."""

    resolution: int = 300
    mode: ScanMode = "color"
    source: SourceKind = "flatbed"
    duplex: bool = False
    max_pages: int | None = None  # None: until the feeder is empty
    page_mm: tuple[float, float] | None = A4_MM  # scan area (width, height); None: the device's whole area

    def __post_init__(self) -> None:
        if self.resolution <= 0:
            raise ValueError(f"resolution must be positive, got {self.resolution}")
        if self.mode not in ("color", "gray", "bw"):
            raise ValueError(f"unknown mode {self.mode!r}")
        if self.source not in ("flatbed", "feeder", "camera"):
            raise ValueError(f"unknown source {self.source!r}")
        if self.max_pages is not None and self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, got {self.max_pages}")


@dataclass(frozen=True)
class SourceInfo:
    """What a device is and can do, for the settings screen. Empty tuples: not known until opened."""

    uri: str
    name: str
    kind: SourceKind
    resolutions: tuple[int, ...] = ()
    modes: tuple[ScanMode, ...] = ()
    sources: tuple[SourceKind, ...] = ()
    duplex: bool = False


class ScannerError(RuntimeError):
    """A scanner problem the clerk can act on; `message` and `hint` are Vietnamese.

    `code` is for the program: jammed, no_docs, cover_open, busy, io, disconnected, timeout,
    not_found, unsupported, bad_uri, no_frame, error.
    """

    def __init__(self, message_vi: str, hint_vi: str = "", code: str = "error") -> None:
        super().__init__(f"{message_vi} {hint_vi}".strip())
        self.message = message_vi
        self.hint = hint_vi
        self.code = code

    def for_people(self) -> str:
        return f"{self.message} {self.hint}".strip()


@runtime_checkable
class ScanSource(Protocol):
    def info(self) -> SourceInfo: ...

    def scan(self, settings: ScanSettings) -> Iterator[RawPage]:
        """Pages as they arrive; raises ScannerError mid-job when the device fails."""
        ...

    def close(self) -> None: ...


class ClosingSource:
    """Context-manager plumbing shared by the adapters (the protocol itself asks only for close())."""

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def decode_image(data: bytes) -> Image | None:
    """PNG/JPEG/BMP/TIFF bytes as uint8 gray (H×W) or BGR (H×W×3); None if undecodable."""
    import cv2  # lazily: cv2 costs ~0.1 s to import

    buffer = np.frombuffer(data, dtype=np.uint8)
    if buffer.size == 0:
        return None
    image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
    if image is None:
        return None
    return normalise_image(image)


def normalise_image(image: np.ndarray) -> Image:
    """Any decoded array as uint8 gray or BGR: drops alpha, scales 16-bit down, squeezes 1-channel."""
    import cv2

    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype == np.bool_:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(image, dtype=np.uint8)


def open_source(uri: str, *, kind: SourceKind | None = None) -> ScanSource:
    """The adapter a URI names. `kind` overrides the page kind of a file: source ("flatbed" by default)."""
    text = uri.strip()
    scheme, _, rest = text.partition(":")
    scheme = scheme.lower()
    if not rest:
        raise ScannerError(
            f"Không hiểu địa chỉ máy quét {text!r}.", f"Dùng một trong các dạng: {URI_FORMS}.", "bad_uri"
        )
    if scheme == "sane":
        from app.devices.scanners.sane_source import SaneSource

        return SaneSource(rest)
    if scheme == "escl":
        from app.devices.scanners.escl import EsclSource

        return EsclSource(rest)
    if scheme == "wia":
        if sys.platform != "win32":
            raise ScannerError(
                "WIA chỉ có trên Windows, máy này không dùng được máy quét WIA.",
                "Trên Linux hãy dùng sane:… hoặc escl:http://…/eSCL.",
                "unsupported",
            )
        from app.devices.scanners.wia import WiaSource

        return WiaSource(rest)
    if scheme == "camera":
        from app.devices.scanners.camera_source import CameraSource

        return CameraSource(rest)
    if scheme == "file":
        from app.devices.scanners.file_source import FileSource

        return FileSource(rest, kind=kind or "flatbed")
    raise ScannerError(f"Không hiểu địa chỉ máy quét {text!r}.", f"Dùng một trong các dạng: {URI_FORMS}.", "bad_uri")


def list_sources(timeout: float = 2.0) -> list[SourceInfo]:
    """Scanners attached or on the LAN: SANE devices, eSCL by mDNS, WIA on Windows. Cameras are the caller's.

    A kind of device that cannot be searched here (no python-sane, no comtypes) is skipped, not an error.
    """
    found: list[SourceInfo] = []
    if sys.platform.startswith("linux"):
        from app.devices.scanners.sane_source import list_sane

        found += list_sane()
    if sys.platform == "win32":
        from app.devices.scanners.wia import list_wia

        found += list_wia()
    from app.devices.scanners.escl import discover_escl

    found += discover_escl(timeout)
    return found
