"""Light and colour: shadow flattening, the colour-mode choice and black-and-white binarisation."""

from __future__ import annotations

import cv2
import numpy as np

from app.imaging.geometry import shrink
from app.imaging.types import ColourMode, Image

# Mode choice, measured on a 600 px wide copy of the page. A red seal of 3.5 cm covers ≈ 0.3 % of an A4
# page; scanner colour fringes on black text are thin and vanish on the small copy.
COLOUR_SATURATION = 70  # HSV S on 0–255: paper tint ≈ 10–30, seal ink and photos far above
COLOUR_MIN_SHARE = 0.0012
PHOTO_MIN_SHARE = 0.02  # solid mid-tone areas (not text strokes) covering 2 % of the page → gray
MODE_WIDTH = 600
MODE_MARGIN = 0.025


def background(gray: Image, *, kernel_frac: float = 0.012) -> Image:
    """The paper's brightness under the ink, at full size: max-filter the ink away, then median-smooth.

    Computed on a ⅛-size copy and stretched back: light varies slowly, and this is 5× cheaper than the
    full-size dilate + median.
    """
    h, w = gray.shape[:2]
    small, scale = shrink(gray, max(16, max(h, w) // 8))
    k = max(3, int(kernel_frac * max(h, w) * scale) | 1)  # ≈ 40 px at 300 dpi: wider than any stroke
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.medianBlur(bg, 2 * k + 1 if 2 * k + 1 <= 255 else 255)
    return np.asarray(cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def flatten(gray: Image, bg: Image | None = None) -> Image:
    """gray ÷ background: paper becomes ≈ 255 everywhere, shadows and lighting gradients go away."""
    if bg is None:
        bg = background(gray)
    bg = np.maximum(bg, 1)  # an all-black page would divide by zero
    return np.asarray(cv2.divide(gray, bg, scale=255), dtype=np.uint8)


def flatten_colour(bgr: Image, bg: Image) -> Image:
    """The same correction for a colour page: every channel divided by the (gray) paper brightness."""
    bg = np.maximum(bg, 1)
    return np.asarray(cv2.divide(bgr, cv2.merge([bg, bg, bg]), scale=255), dtype=np.uint8)


def binarise(flat_gray: Image) -> Image:
    """1-bit page (0 = ink, 255 = paper) from a flattened gray page.

    After flattening one global threshold fits the whole page; Otsu picks it between ink and paper,
    clamped so a blank page's noise (Otsu would split it) stays white and light print stays black.
    """
    small, _ = shrink(flat_gray, 800)
    otsu, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    t = float(np.clip(otsu, 150, 215))
    _, bw = cv2.threshold(flat_gray, t, 255, cv2.THRESH_BINARY)
    return np.asarray(bw, dtype=np.uint8)


def colour_share(bgr_small: Image) -> float:
    """Share of the page in clearly coloured ink or pictures (seals, signatures in blue, colour photos)."""
    if bgr_small.ndim != 3:
        return 0.0
    hsv = cv2.cvtColor(bgr_small, cv2.COLOR_BGR2HSV)
    sat, val = hsv[..., 1], hsv[..., 2]
    coloured = ((sat > COLOUR_SATURATION) & (val > 50)).astype(np.uint8)
    solid = cv2.morphologyEx(coloured, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # lone fringe pixels go
    return cv2.countNonZero(solid) / max(1, coloured.size)


def photo_share(gray_small: Image) -> float:
    """Share of the page in solid mid-tones: pictures and shading, which black-and-white would destroy."""
    if min(gray_small.shape[:2]) < 16:
        return 0.0
    flat = flatten(gray_small, background(gray_small, kernel_frac=0.05))
    mid = ((flat > 40) & (flat < 200)).astype(np.uint8)
    # An opening ≈ 6 mm wide erases text lines, even blurred or bold ones, and keeps picture areas.
    k = max(3, round(gray_small.shape[1] / 35))
    areas = cv2.morphologyEx(mid, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    return cv2.countNonZero(areas) / max(1, mid.size)


def choose_mode(page_small: Image) -> ColourMode:
    """bw for text and forms, color when a seal/colour picture matters, gray for monochrome pictures.

    Judged on a copy MODE_WIDTH px wide whatever the source, without a thin margin where a camera
    page may still show a sliver of desk.
    """
    h, w = page_small.shape[:2]
    dy, dx = int(h * MODE_MARGIN), int(w * MODE_MARGIN)
    page = page_small[dy : h - dy or h, dx : w - dx or w]
    if page.size == 0:
        return "bw"
    ph, pw = page.shape[:2]
    size = (MODE_WIDTH, max(1, round(ph * MODE_WIDTH / pw)))
    interp = cv2.INTER_AREA if pw > MODE_WIDTH else cv2.INTER_LINEAR
    page = np.asarray(cv2.resize(page, size, interpolation=interp), dtype=np.uint8)
    if colour_share(page) >= COLOUR_MIN_SHARE:
        return "color"
    gray = page if page.ndim == 2 else np.asarray(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    if photo_share(gray) >= PHOTO_MIN_SHARE:
        return "gray"
    return "bw"
