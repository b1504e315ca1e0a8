"""Reading QR codes from camera frames with zxing-cpp, plus the guide square the kiosk preview draws.

One zxing pass over the grey frame reads most codes in 1–3 ms. When it reads nothing, fallbacks aimed
at what a webcam at arm's length gets wrong run while the frame's time limit allows, in order of
rescues per millisecond on the bench's degraded set:
1. the symbol zxing located but could not decode, cropped, enlarged 2× and sharpened (too few pixels
   per module, blur);
2. the whole frame denoised (median 3×3) with its local contrast doubled (faint print, shadows, noise,
   soft focus);
3. the guide square enlarged 2× with local contrast boosted (small codes held where the screen asks);
4. the frame denoised and equalised with CLAHE (strong uneven light).
`python -m app bench qr` measures the rate and time per frame.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import cv2
import cv2.typing
import numpy as np
import numpy.typing as npt
import zxingcpp

Gray = npt.NDArray[np.uint8]
MatLike = cv2.typing.MatLike  # what OpenCV's stubs say its functions return

GUIDE_FRACTION = 0.6  # side of the guide square as a share of the frame's shorter side
DEFAULT_TIME_LIMIT_MS = 15.0  # DESIGN §7: ≤ 15 ms per 720p frame
_MIN_SIDE = 21  # a version-1 QR symbol has 21 modules: smaller frames cannot hold one
_ROI_MAX_SIDE = 900  # an enlarged crop never exceeds this, so a big unreadable symbol stays cheap


class Box(NamedTuple):
    x: int
    y: int
    width: int
    height: int


def guide_box(width: int, height: int) -> Box:
    """The centred square the kiosk preview outlines and asks citizens to hold the code in."""
    if width <= 0 or height <= 0:
        raise ValueError(f"frame size must be positive, got {width}×{height}")
    side = max(1, round(min(width, height) * GUIDE_FRACTION))
    return Box((width - side) // 2, (height - side) // 2, side, side)


class QrDecoder:
    """Decode every QR code in a BGR, BGRA or grey uint8 frame; texts come back de-duplicated, in order.

    `time_limit_ms` bounds a frame: a fallback starts only when the time spent so far plus what that
    step has recently cost (median) still fits, so a slow kiosk PC drops the last fallbacks instead of
    lagging the preview. None runs every fallback, which tests use so that results do not depend on
    the machine's speed. One decoder per thread: it keeps per-step timings.
    """

    def __init__(self, *, fallbacks: bool = True, time_limit_ms: float | None = DEFAULT_TIME_LIMIT_MS) -> None:
        self.fallbacks = fallbacks
        self.time_limit_ms = time_limit_ms
        # 4.0 × 16×16 tiles (80×45 px at 720p): lifts faint print without drowning it in noise.
        self._clahe = cv2.createCLAHE(clipLimit=4.0, tileGridSize=(16, 16))
        # Recent durations per fallback kind; the median shrugs off one frame the OS preempted.
        self._costs_ms: dict[str, deque[float]] = {}
        self.last_step = ""  # which step read the code: "direct", a fallback's name, or "" (none)

    def decode(self, frame: npt.NDArray[Any]) -> list[str]:
        start = time.perf_counter()
        self.last_step = ""
        gray = to_gray(frame)
        if gray is None:
            return []
        # Full resolution only: the downscaled passes cost ~1 ms and what they rescue (noise) the
        # denoised fallback reads too.
        texts, unreadable = _read(gray, downscale=False, with_errors=True)
        if texts or not self.fallbacks:
            self.last_step = "direct" if texts else ""
            return texts
        for name, attempt in self._fallbacks(gray, unreadable):
            kind = name.split()[0]
            costs = self._costs_ms.setdefault(kind, deque(maxlen=9))
            t0 = time.perf_counter()
            if self.time_limit_ms is not None:
                expected = statistics.median(costs) if costs else 0.0
                if (t0 - start) * 1000 + expected > self.time_limit_ms:
                    # Forget one old timing per skip: a step priced out while the PC was busy gets
                    # tried again after a few frames instead of never.
                    if costs:
                        costs.popleft()
                    continue
            texts = attempt()
            costs.append((time.perf_counter() - t0) * 1000)
            if texts:
                self.last_step = name
                return texts
        return []

    def _fallbacks(self, gray: Gray, unreadable: list[Box]) -> list[tuple[str, Callable[[], list[str]]]]:
        # Most rescues per millisecond first. Deferred with partial so nothing runs before the time check.
        symbols = [(f"symbol {i}", partial(_enlarged_symbol, gray, box)) for i, box in enumerate(unreadable[:2])]
        return [
            *symbols[:1],
            ("enhanced", partial(_enhanced, gray)),
            *symbols[1:],  # a second located symbol is often clutter (a checked shirt, a grille)
            ("guide enlarged", partial(_enlarged_guide, gray)),
            ("equalised", partial(self._equalised, gray)),
        ]

    def _equalised(self, gray: Gray) -> list[str]:
        # The median first: CLAHE would otherwise amplify sensor noise and JPEG ringing with the print.
        return _read(self._clahe.apply(cv2.medianBlur(gray, 3)))[0]


def to_gray(frame: npt.NDArray[Any]) -> Gray | None:
    """The frame as contiguous grey uint8; None when it is too small to hold a code; ValueError if not an image."""
    if not isinstance(frame, np.ndarray):
        raise TypeError(f"expected a numpy image, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise ValueError(f"expected an 8-bit image, got dtype {frame.dtype}")
    if frame.size == 0:  # what a failed capture hands over, whatever its shape
        return None
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (3, 4)):
        raise ValueError(f"expected a grey, BGR or BGRA image, got shape {frame.shape}")
    if min(frame.shape[:2]) < _MIN_SIDE:
        return None
    if frame.ndim == 3:
        code = cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return np.ascontiguousarray(cv2.cvtColor(frame, code), dtype=np.uint8)
    return np.ascontiguousarray(frame, dtype=np.uint8)


def _read(gray: MatLike, *, downscale: bool = True, with_errors: bool = False) -> tuple[list[str], list[Box]]:
    """Texts of the readable QR codes, and boxes around symbols zxing found but could not decode."""
    results = zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode),
        try_rotate=True,
        try_downscale=downscale,
        try_invert=False,  # printed codes are dark on light; the inverted pass would double the cost
        text_mode=zxingcpp.TextMode.Plain,  # the content as encoded (UTF-8 for CCCD names), unescaped
        return_errors=with_errors,
    )
    texts = list(dict.fromkeys(r.text for r in results if r.valid and r.text))
    boxes = [_bounding_box(r.position, gray.shape) for r in results if not r.valid] if with_errors else []
    return texts, [b for b in boxes if b is not None]


def _bounding_box(position: zxingcpp.Position, shape: tuple[int, ...]) -> Box | None:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs, ys = [p.x for p in points], [p.y for p in points]
    side = max(max(xs) - min(xs), max(ys) - min(ys))
    if side < 8:  # a failed read with no usable location (zxing reports zeros)
        return None
    # A generous margin: zxing often locates only part of a damaged symbol, and the detector needs the quiet zone.
    margin = side + 32
    x0, y0 = max(0, min(xs) - margin), max(0, min(ys) - margin)
    x1, y1 = min(shape[1], max(xs) + margin), min(shape[0], max(ys) + margin)
    return Box(x0, y0, x1 - x0, y1 - y0)


def _enlarged_symbol(gray: Gray, box: Box) -> list[str]:
    crop: MatLike = gray[box.y : box.y + box.height, box.x : box.x + box.width]
    scale = min(2.0, _ROI_MAX_SIDE / max(box.width, box.height))
    if scale > 1.2:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return _read(_sharpen(crop, 3.0, 0.8), downscale=False)[0]


def _enhanced(gray: Gray) -> list[str]:
    """Denoise, then double the difference from a 7×7 local mean: faint, shadowed and soft print alike."""
    smooth = cv2.medianBlur(gray, 3)
    boosted = cv2.addWeighted(smooth, 2.0, cv2.blur(smooth, (7, 7)), -1.0, 0)
    return _read(boosted)[0]


def _enlarged_guide(gray: Gray) -> list[str]:
    """The guide square at 2×, local contrast boosted: a small code held where the screen asks."""
    box = guide_box(gray.shape[1], gray.shape[0])
    crop = gray[box.y : box.y + box.height, box.x : box.x + box.width]
    large = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    # No median here: at 2-3 px per module it would erase modules; the 2× cubic already smooths noise.
    return _read(cv2.addWeighted(large, 2.0, cv2.blur(large, (13, 13)), -1.0, 0), downscale=False)[0]


def _sharpen(gray: MatLike, sigma: float, amount: float) -> MatLike:
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1 + amount, blurred, -amount, 0)
