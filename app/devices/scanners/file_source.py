"""Image files as a scanner: `file:GLOB` (or a folder) read in name order, for tests, demos and support.

Each file is one page. The dpi comes from the file's metadata (what a scanner wrote into it), else 300.
Pages are delivered as stored: the settings' mode is not applied, the pipeline does that.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path

from app.devices.scanners.base import ClosingSource, ScannerError, ScanSettings, SourceInfo, decode_image
from app.imaging.types import RawPage, SourceKind

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
DEFAULT_DPI = 300.0
HINT = "Dùng file:THƯ_MỤC hoặc file:MẪU_TÊN_TỆP, ví dụ file:/tmp/trang/*.png."


def image_dpi(path: Path) -> float | None:
    """The horizontal dpi a file records (PNG pHYs, JPEG JFIF/EXIF, TIFF), None if it records none."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(path) as image:
            dpi = image.info.get("dpi")
    except OSError:
        return None
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return round(value, 2) if value >= 1 else None  # Pillow reports (0, 0) or rounding noise for "unset"


def matching_files(pattern: str) -> list[Path]:
    """Image files a pattern names, sorted by name; a folder means every image in it."""
    path = Path(pattern).expanduser()
    # glob.glob, not Path.glob: the pattern is the user's, absolute, with * and ? anywhere.
    candidates = list(path.iterdir()) if path.is_dir() else [Path(p) for p in glob.glob(str(path))]
    return sorted((p for p in candidates if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES), key=lambda p: p.name)


class FileSource(ClosingSource):
    def __init__(self, pattern: str, *, kind: SourceKind = "flatbed") -> None:
        if not pattern.strip():
            raise ScannerError("Thiếu đường dẫn sau file:.", HINT, "bad_uri")
        self.pattern = pattern
        self.kind: SourceKind = kind

    def info(self) -> SourceInfo:
        return SourceInfo(f"file:{self.pattern}", f"Tệp ảnh {self.pattern}", self.kind, (), ("color", "gray", "bw"),
                          (self.kind,), False)  # fmt: skip

    def scan(self, settings: ScanSettings) -> Iterator[RawPage]:
        files = matching_files(self.pattern)
        if not files:
            raise ScannerError(f"Không có tệp ảnh nào khớp {self.pattern}.", HINT, "no_docs")
        for index, path in enumerate(files):
            if settings.max_pages is not None and index >= settings.max_pages:
                return
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ScannerError(
                    f"Không đọc được tệp {path.name}.", "Kiểm tra tệp còn đó và có quyền đọc.", "io"
                ) from exc
            image = decode_image(data)  # from bytes: cv2.imread cannot open non-ASCII paths on Windows
            if image is None:
                raise ScannerError(f"Tệp {path.name} không phải ảnh đọc được.", "Dùng ảnh .png, .jpg hoặc .tif.", "io")
            dpi = image_dpi(path) or DEFAULT_DPI
            yield RawPage(image, dpi, self.kind, index, {"device": f"file:{self.pattern}", "path": str(path)})
