"""`python -m app bench scan`: clean-up time per page, PDF bytes per page and detection rates.

The set is app.imaging.synthetic's bench set: 300 dpi A4 scans (text, forms, seals, photos, blank backs,
blurred and crooked sheets on a dark lid) and phone/webcam shots on a desk. Each page is generated
from (seed, i), so the set is identical on every machine. Generation is not timed; only
`process_page` is. Progress goes to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import img2pdf
import numpy as np
from PIL import Image as PILImage

from app.imaging.pipeline import process_page
from app.imaging.synthetic import DEFAULT_SEED, SyntheticPage, bench_page
from app.imaging.types import MIN_DPI, Image, ProcessedPage, RawPage

CAMERA_GUESS_DPI = 96.0  # what a capture backend would claim; the pipeline replaces it


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0


def _g4(image: Image, dpi: float) -> bytes:
    buf = io.BytesIO()
    d = round(dpi)
    PILImage.fromarray(image).convert("1").save(buf, format="TIFF", compression="group4", dpi=(d, d))
    return buf.getvalue()


def _jpeg(image: Image, dpi: float) -> bytes:
    buf = io.BytesIO()
    pil = PILImage.fromarray(image if image.ndim == 2 else np.ascontiguousarray(image[..., ::-1]))  # BGR → RGB
    d = round(dpi)
    pil.save(buf, format="JPEG", quality=75, dpi=(d, d))
    return buf.getvalue()


def _pdf_kb_per_page(encoded: list[bytes]) -> float | None:
    if not encoded:
        return None
    pdf = img2pdf.convert(encoded)
    return round(len(pdf) / 1024 / len(encoded), 1)


@dataclass(frozen=True)
class Outcome:
    """What the bench keeps of a page: its truth, the verdicts, the time and the encoded bytes."""

    page: SyntheticPage
    out: ProcessedPage
    ms: float
    encoded: bytes


def _outcome(page: SyntheticPage, index: int) -> Outcome:
    raw = RawPage(page.image, CAMERA_GUESS_DPI if page.kind == "camera" else page.dpi, page.kind, index=index)
    t0 = time.perf_counter()
    out = process_page(raw)
    ms = (time.perf_counter() - t0) * 1000
    encoded = b"" if out.refused else (_g4(out.image, out.dpi) if out.mode == "bw" else _jpeg(out.image, out.dpi))
    # Keep the bytes, not the pixels: 60 full pages would hold ≈ 1.5 GB.
    out = replace(out, image=np.zeros((1, 1), np.uint8))
    return Outcome(replace(page, image=np.zeros((1, 1), np.uint8)), out, ms, encoded)


def measure(pages: Iterable[SyntheticPage]) -> dict[str, Any]:
    results: list[Outcome] = []
    for i, page in enumerate(pages):
        if i == 0:
            process_page(RawPage(page.image, page.dpi, page.kind))  # warm-up: OpenCV loads its kernels
        r = _outcome(page, i)
        results.append(r)
        o = r.out
        print(
            f"trang {i + 1} {page.kind}/{page.content}: {r.ms:.0f} ms, {o.mode} (cần {page.mode}), "
            f"lệch {o.skew_deg:+.2f}° (thật {-page.angle:+.2f}°), trắng {o.blank}, mờ {o.blurry}",
            file=sys.stderr,
            flush=True,
        )
    times = [r.ms for r in results]
    by_mode: dict[str, list[bytes]] = {"bw": [], "gray": [], "color": []}
    for r in results:
        if r.encoded:
            by_mode[r.out.mode].append(r.encoded)
    scans = [r for r in results if r.page.kind != "camera"]
    n = len(results)
    return {
        "pages": n,
        "post_ms_per_page_p50": round(statistics.median(times), 1),
        "post_ms_per_page_p95": _percentile(times, 0.95),
        "post_ms_per_page_max": round(max(times), 1),
        "pdf_kb_per_page_bw": _pdf_kb_per_page(by_mode["bw"]),
        "pdf_kb_per_page_gray": _pdf_kb_per_page(by_mode["gray"]),
        "pdf_kb_per_page_color": _pdf_kb_per_page(by_mode["color"]),
        "blank_detect_accuracy": round(sum(r.page.blank == r.out.blank for r in results) / n, 3),
        "deskew_error_deg_max": round(max((abs(r.out.skew_deg + r.page.angle) for r in scans), default=0.0), 2),
        "mode_accuracy": round(sum(r.page.mode == r.out.mode for r in results) / n, 3),
        "blur_detect_accuracy": round(sum(r.page.blurry == r.out.blurry for r in results) / n, 3),
        "camera_refusal_accuracy": _camera_refusals(results),
        "mode_errors": [f"{r.page.kind}/{r.page.content}: {r.out.mode}" for r in results if r.page.mode != r.out.mode],
    }


def _camera_refusals(results: Sequence[Outcome]) -> float | None:
    shots = [r for r in results if r.page.kind == "camera"]
    if not shots:
        return None
    return round(sum((r.page.dpi < MIN_DPI) == bool(r.out.refused) for r in shots) / len(shots), 3)


def run_scan_bench(pages: int = 60, seed: int = DEFAULT_SEED) -> int:
    if pages < 1:
        raise ValueError("pages must be at least 1")
    t0 = time.perf_counter()
    # Pages are generated one at a time (not timed) and dropped once measured.
    result = measure(bench_page(i, seed) for i in range(pages))
    print(f"xong {pages} trang trong {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    result["seed"] = seed
    result["load_average_1min"] = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0
