"""Is the page worth keeping: blank detection (NAPS2's coverage rule) and blur detection (Laplacian)."""

from __future__ import annotations

import cv2
import numpy as np

from app.imaging.geometry import shrink
from app.imaging.types import Image

# NAPS2 (BlankDetectionImageOp.cs): "white threshold 70 %" → luma ≥ 179 is white; "coverage 15" → a
# page is blank when fewer than 0.15 % of its pixels are dark; 1 % of each edge is ignored (scanner
# shadows, punch holes). We apply the rule to the shadow-flattened page, where paper is ≈ 255 whatever
# the lighting, and count faint ink too (≥ 40 levels under the paper) so light pencil pages are kept.
WHITE_LUMA = 179
FAINT_INK_LUMA = 215  # on the flattened page: 40 levels under white paper
BLANK_COVERAGE = 0.0015
EDGE_IGNORE = 0.01

BLUR_WORK_WIDTH = 1000  # px across the page, ≈ 120 dpi for A4: a fixed scale, so one threshold fits all dpi
BLUR_TILE = 40
BLUR_THRESHOLD = 400.0  # see blur_score; sharp print scores ≥ 1000, Gaussian σ ≥ 3 at 300 dpi ≤ 150 (bench set)


def dark_coverage(flat_gray: Image, *, dark_below: int = FAINT_INK_LUMA, edge: float = EDGE_IGNORE) -> float:
    """Share of dark pixels on a flattened gray page, ignoring `edge` of each side."""
    h, w = flat_gray.shape[:2]
    dy, dx = int(h * edge), int(w * edge)
    inner = flat_gray[dy : h - dy or h, dx : w - dx or w]
    if inner.size == 0:
        return 0.0
    # Speckles of scanner noise are single pixels; ink strokes are not. A 2×-downscaled copy averages
    # the first away and keeps the second, and costs a quarter of a full-size count.
    half, _ = shrink(inner, max(1, max(inner.shape[:2]) // 2))
    _, dark = cv2.threshold(half, dark_below - 1, 255, cv2.THRESH_BINARY_INV)
    return cv2.countNonZero(dark) / dark.size


def is_blank(flat_gray: Image) -> bool:
    return dark_coverage(flat_gray) < BLANK_COVERAGE


def blur_score(gray: Image) -> float:
    """Sharpness of the page's content, independent of resolution, contrast and how much text there is.

    The page is reduced to BLUR_WORK_WIDTH px across; in 40 px tiles that hold content (contrast), the
    variance of the Laplacian (Pech-Pacheco 2000) is divided by the tile's own intensity variance so
    faint and bold print score alike; the score is 100 × the 80th percentile over content tiles.
    0 means "no content to judge" (a blank page is never called blurry).
    """
    h, w = gray.shape[:2]
    if h < 8 or w < 8:
        return 0.0
    # Never enlarge: a low-resolution page is judged against its own pixel grid (it is refused for its
    # dpi anyway), and interpolation would make every such page look soft.
    work_img, _ = shrink(gray, max(1, round(BLUR_WORK_WIDTH * max(h, w) / w)))
    work = work_img.astype(np.float32)
    lap = cv2.Laplacian(work, cv2.CV_32F, ksize=3)
    t = BLUR_TILE
    ty, tx = work.shape[0] // t, work.shape[1] // t
    if ty == 0 or tx == 0:
        return 0.0
    tiles = work[: ty * t, : tx * t].reshape(ty, t, tx, t)
    lap_tiles = lap[: ty * t, : tx * t].reshape(ty, t, tx, t)
    var_i = tiles.var(axis=(1, 3))
    var_l = lap_tiles.var(axis=(1, 3))
    content = var_i > 150.0  # std > 12 levels: print, not paper grain
    if int(content.sum()) < 3:
        return 0.0
    ratio = var_l[content] / var_i[content]
    return round(100.0 * float(np.percentile(ratio, 80)), 1)


def is_blurry(score: float) -> bool:
    return 0.0 < score < BLUR_THRESHOLD
