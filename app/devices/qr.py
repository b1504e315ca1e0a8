"""Reading QR codes from camera frames with zxing-cpp, plus the guide square the kiosk preview draws.

One zxing pass over the grey frame reads most codes in 1–3 ms. When it reads nothing, fallbacks aimed
at what a webcam at arm's length gets wrong run while the frame's time limit allows, in order of
rescues per millisecond on the bench's degraded set:
1. the symbol zxing located but could not decode, cropped, enlarged 2× and sharpened (too few pixels
   per module, blur);
2. the whole frame denoised (median 3×3) with its local contrast doubled (faint print, shadows, noise,
   soft focus);
3. for codes so small or soft that zxing does not even find their finder patterns: up to three spots
   whose texture looks like a QR symbol (`texture_spots`), each sharpened and enlarged 3×;
4. the guide square enlarged 2× with local contrast boosted (small codes held where the screen asks);
5. the frame denoised and equalised with CLAHE (strong uneven light).
None of this runs when the direct pass reads the code, so the common case costs what it always did.
What is left unread on the bench is mostly beyond any reading: long links (version 9, 53 modules)
printed so small that a module covers under 2 px, or smeared over 2–3 modules by motion or soft focus.
`python -m app bench qr` measures the rate and time per frame.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable, Iterator
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
_SPOTS = 3  # texture spots tried when zxing located nothing
_SPOT_FRACTION = 0.31  # side of a spot's crop as a share of the frame's shorter side (224 px at 720p)


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
            # Costs are kept per kind of step: "spot 1 sharpened" is priced like "spot 0 sharpened".
            kind = " ".join(word for word in name.split() if not word.isdigit())
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

    def _fallbacks(self, gray: Gray, unreadable: list[Box]) -> Iterator[tuple[str, Callable[[], list[str]]]]:
        # Most rescues per millisecond first. Deferred with partial so nothing runs before the time check;
        # a generator, so the spot steps are only listed once the "locate" step (if it ran) found spots.
        symbols = [(f"symbol {i}", partial(_enlarged_symbol, gray, box)) for i, box in enumerate(unreadable[:2])]
        yield from symbols[:1]
        yield "enhanced", partial(_enhanced, gray)
        spots: list[Box] = []
        yield "locate", partial(_locate_into, spots, gray)
        for i, box in enumerate(spots):
            yield f"spot {i} sharpened", partial(_spot_sharpened, gray, box)
        yield from symbols[1:]  # a second located symbol is often clutter (a checked shirt, a grille)
        yield "guide enlarged", partial(_enlarged_guide, gray)
        yield "equalised", partial(self._equalised, gray)

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


def _locate_into(spots: list[Box], gray: Gray) -> list[str]:
    """The "locate" step: fills `spots` for the steps after it and reads nothing itself."""
    spots.extend(texture_spots(gray))
    return []


def texture_spots(gray: Gray, count: int = _SPOTS) -> list[Box]:
    """Up to `count` squares where the frame looks most like a QR symbol, best first.

    For codes too small or too soft for zxing's finder-pattern search to notice at all. A symbol is a
    patch of dense edges in every direction; a striped shirt or a grille has dense edges in one
    direction only, a wall or a sign has few. The score is the edge energy of a window about the size of
    a small symbol (structure tensor, half resolution), times (1 − coherence)², which drops the stripes.
    """
    height, width = gray.shape
    side = max(_MIN_SIDE, round(min(height, width) * _SPOT_FRACTION))
    half = cv2.resize(gray, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(half, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(half, cv2.CV_32F, 0, 1, ksize=3)
    cell = max(1, round(min(height, width) / 180))  # 4 half-resolution px per cell at 720p
    grid = (max(1, half.shape[1] // cell), max(1, half.shape[0] // cell))
    win = (12, 12)  # cells: 96 px of the frame at 720p, about the smallest symbol zxing can still read
    jxx, jyy, jxy = (
        cv2.boxFilter(cv2.resize(cv2.multiply(a, b), grid, interpolation=cv2.INTER_AREA), -1, win)
        for a, b in ((gx, gx), (gy, gy), (gx, gy))
    )
    trace = jxx + jyy + 1e-3
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / trace
    score = np.sqrt(trace) * (1 - coherence) ** 2
    to_frame = 2 * cell
    spots: list[Box] = []
    for _ in range(count):
        cy, cx = np.unravel_index(int(np.argmax(score)), score.shape)
        if score[cy, cx] < 0:  # every window already taken by a better spot
            break
        x = min(max(0, round((cx + 0.5) * to_frame - side / 2)), max(0, width - side))
        y = min(max(0, round((cy + 0.5) * to_frame - side / 2)), max(0, height - side))
        spots.append(Box(x, y, min(side, width), min(side, height)))
        score[max(0, cy - win[1]) : cy + win[1] + 1, max(0, cx - win[0]) : cx + win[0] + 1] = -1
    return spots


def _spot_sharpened(gray: Gray, box: Box) -> list[str]:
    """A spot unsharp-masked hard, then at 3×: modules 1.5–2.5 px wide come back apart.

    Sharpening before enlarging costs a ninth of sharpening after, for the same rescues on the bench.
    """
    crop = gray[box.y : box.y + box.height, box.x : box.x + box.width]
    large = cv2.resize(_sharpen(crop, 1.0, 3.0), None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
    return _read(large, downscale=False)[0]


def _sharpen(gray: MatLike, sigma: float, amount: float) -> MatLike:
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1 + amount, blurred, -amount, 0)
