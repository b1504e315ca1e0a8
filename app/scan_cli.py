"""`python -m app scan`: scan from any supported source into one PDF, for installers and support staff.

python -m app scan --source sane:test --out trang.pdf --pages 3
python -m app scan --source escl:http://192.168.1.20/eSCL --feeder --out ho-so.pdf
python -m app scan --source camera:0 --out anh.pdf          # one frame from the camera
python -m app scan --source "file:anh/*.jpg" --out anh.pdf
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path


def run_scan(source: str, out: Path, *, pages: int | None, mode: str, dpi: int, feeder: bool, duplex: bool) -> int:
    from app.devices.scanners.base import ScannerError, ScanSettings, device_mode, open_source
    from app.imaging.pipeline import process_page
    from app.imaging.types import ProcessedPage
    from app.store.component_pdf import PdfMeta, write_component_pdf

    settings = ScanSettings(resolution=dpi, mode=device_mode(mode),
                            source="feeder" if feeder or duplex else "flatbed", duplex=duplex,
                            max_pages=pages)  # fmt: skip
    kept: list[ProcessedPage] = []
    error = ""
    try:
        device = open_source(source)
    except ScannerError as exc:
        print(f"Lỗi: {exc.for_people()}", file=sys.stderr)
        return 2
    try:
        for number, raw in enumerate(device.scan(settings), 1):
            page = process_page(raw, mode=mode)
            notes = "; ".join(page.warnings)
            if page.refused:
                print(f"Trang {number}: bỏ — {page.refused}")
            elif page.blank and raw.kind == "feeder":
                print(f"Trang {number}: trang trắng từ khay nạp, bỏ qua.")
            else:
                kept.append(page)
                shape = "×".join(str(x) for x in page.image.shape[:2][::-1])
                print(
                    f"Trang {number}: {shape} điểm ảnh, {page.dpi:.0f} dpi, {page.mode}"
                    + (f" — {notes}" if notes else "")
                )
            if pages is not None and number >= pages:
                break
    except ScannerError as exc:
        error = exc.for_people()
    finally:
        device.close()
    if not kept:
        print(f"Lỗi: {error or 'không có trang nào dùng được.'}", file=sys.stderr)
        return 1
    made = write_component_pdf(kept, out, PdfMeta("", "Bản quét", "", datetime.now(UTC)))
    if error:
        print(f"Cảnh báo: {error} Đã lưu {len(kept)} trang quét được.", file=sys.stderr)
    print(f"Đã ghi {made.pages} trang ({made.bytes / 1024:.0f} KB) vào {made.path}, SHA-256 {made.sha256}.")
    return 0 if not error else 1
