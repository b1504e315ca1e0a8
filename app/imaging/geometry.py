"""Where the page is and how it sits: camera page outline + perspective, scanner border crop, deskew.

Everything that *searches* works on a small copy (≈ 500–900 px); only the final warp touches the full
resolution, once, so a 300 dpi A4 page costs one warpAffine/warpPerspective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from app.imaging.types import Image

A4_MM = (210.0, 297.0)
MM_PER_INCH = 25.4
Quad = npt.NDArray[np.float32]  # 4×2 corners, ordered top-left, top-right, bottom-right, bottom-left


def as_gray(image: Image) -> Image:
    return image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)


def shrink(image: Image, max_side: int) -> tuple[Image, float]:
    """A copy whose longer side is at most `max_side` (INTER_AREA: averages, no aliasing) and its scale."""
    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8), scale


# --- camera: page outline and perspective ------------------------------------------------------------


def order_corners(points: npt.NDArray[np.floating]) -> Quad:
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    s, d = pts.sum(axis=1), pts[:, 1] - pts[:, 0]
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)


def _quad_from_mask(mask: Image, min_area: float) -> Quad | None:
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:6]:
        if cv2.contourArea(c) < min_area:
            break
        hull = cv2.convexHull(c)
        peri = cv2.arcLength(hull, True)
        for eps in (0.02, 0.03, 0.045):  # a page corner hidden by a finger needs a looser fit
            approx = cv2.approxPolyDP(hull, eps * peri, True)
            if len(approx) == 4 and cv2.isContourConvex(approx) and cv2.contourArea(approx) >= min_area:
                return order_corners(approx.reshape(4, 2).astype(np.float32))
    return None


def find_page_quad(image: Image, *, min_share: float = 0.2) -> Quad | None:
    """The page's 4 corners in `image` coordinates, or None when no convex 4-corner outline covers enough."""
    small, scale = shrink(image, 500)
    gray = cv2.GaussianBlur(as_gray(small), (5, 5), 0)
    min_area = min_share * gray.shape[0] * gray.shape[1]
    # First edges (works on any desk), then brightness (paper on a darker desk, edges broken by shadows).
    edges = cv2.dilate(cv2.Canny(gray, 40, 120), np.ones((3, 3), np.uint8))
    quad = _quad_from_mask(np.asarray(edges, dtype=np.uint8), min_area)
    if quad is None:
        _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
        quad = _quad_from_mask(np.asarray(bright, dtype=np.uint8), min_area)
    if quad is None:
        return None
    # The outline from 500 px is off by a pixel or two there (8–16 px on a 12 MP frame: a visible strip
    # of desk). Re-locate each side on a 1200 px copy and intersect the fitted lines.
    mid, mid_scale = shrink(image, 1200)
    refined = refine_quad(as_gray(mid), quad * (mid_scale / scale))
    return np.asarray(refined / mid_scale, dtype=np.float32)


def refine_quad(gray: Image, quad: Quad, *, reach: int = 7, samples: int = 48) -> Quad:
    """Snap each side of `quad` to the strongest brightness step within `reach` px across it."""
    lines = []
    t = np.linspace(0.1, 0.9, samples, dtype=np.float32)[:, None]
    offsets = np.arange(-reach, reach + 1, dtype=np.float32)[None, :]
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        length = float(np.hypot(*d))
        if length < 4 * reach:
            return quad
        normal = np.array([-d[1], d[0]], dtype=np.float32) / length
        base = a + t * d  # samples × 2
        xs = (base[:, 0:1] + offsets * normal[0]).astype(np.float32)
        ys = (base[:, 1:2] + offsets * normal[1]).astype(np.float32)
        profile = cv2.remap(gray, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        grad = np.abs(np.diff(cv2.GaussianBlur(profile, (1, 5), 0), axis=1))  # samples × 2·reach
        k = np.argmax(grad, axis=1)
        strong = grad[np.arange(samples), k] > 6.0
        # Sub-pixel: the peak of a parabola through the best step and its neighbours.
        kk = np.clip(k, 1, grad.shape[1] - 2)
        g0, g1, g2 = (grad[np.arange(samples), kk + j] for j in (-1, 0, 1))
        denom = g0 - 2 * g1 + g2
        frac = np.where(np.abs(denom) > 1e-6, 0.5 * (g0 - g2) / np.where(denom == 0, 1, denom), 0.0)
        pos = kk + frac + 0.5 - reach  # diff sits between samples
        pts = base + pos[:, None] * normal
        pts = pts[strong]
        if len(pts) < samples // 3:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    corners = []
    for i in range(4):  # corner i joins side i-1 and side i
        (p1, v1), (p2, v2) = lines[i - 1], lines[i]
        m = np.array([v1, -v2]).T
        if abs(np.linalg.det(m)) < 1e-6:
            return quad
        s1, _ = np.linalg.solve(m, p2 - p1)
        corners.append(p1 + s1 * v1)
    out = np.asarray(corners, dtype=np.float32)
    if float(np.max(np.abs(out - quad))) > 3 * reach:
        return quad  # the fit ran off to something else: trust the coarse outline
    return out


def quad_dpi(quad: Quad) -> tuple[float, bool]:
    """Effective dpi of an A4 page seen as `quad` (from its area, which averages perspective) and portrait?"""
    tl, tr, br, bl = quad.astype(np.float64)
    widths = np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)
    heights = np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)
    portrait = bool(heights >= widths)
    area_px = abs(float(cv2.contourArea(quad.reshape(-1, 1, 2))))
    area_in2 = (A4_MM[0] / MM_PER_INCH) * (A4_MM[1] / MM_PER_INCH)
    return math.sqrt(area_px / area_in2), portrait


def warp_quad(image: Image, quad: Quad, dpi: float, portrait: bool, *, inset: float = 0.004) -> Image:
    """The page flattened to A4 proportions at `dpi`, a thin `inset` trimmed so no desk shows at the edges."""
    w_mm, h_mm = A4_MM if portrait else A4_MM[::-1]
    w = max(1, round(dpi * w_mm / MM_PER_INCH))
    h = max(1, round(dpi * h_mm / MM_PER_INCH))
    mx, my = inset * w, inset * h
    dst = np.array([[-mx, -my], [w - 1 + mx, -my], [w - 1 + mx, h - 1 + my], [-mx, h - 1 + my]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad, dst)
    warped = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(warped, dtype=np.uint8)


# --- scanner: paper outline, skew, one warp -----------------------------------------------------------


@dataclass(frozen=True)
class PaperBox:
    """The paper inside a scan, on the small copy: its corners (None = the whole image) and a mask of it."""

    corners: npt.NDArray[np.float32] | None
    mask: Image


def find_paper(gray_small: Image) -> PaperBox:
    """The paper against a scanner border: a dark lid/feeder background or a plain margin of another tone."""
    h, w = gray_small.shape
    whole = PaperBox(None, np.full((h, w), 255, np.uint8))
    if min(h, w) < 24:
        return whole
    paper_level = float(np.percentile(gray_small, 90))
    _, bright = cv2.threshold(gray_small, 0.6 * paper_level, 255, cv2.THRESH_BINARY)
    # Bright paper on a dark border: the outline of the largest bright region (text holes inside are fine).
    corners = _paper_corners(np.asarray(bright, dtype=np.uint8), filled=True)
    if corners is None:
        # A plain margin of another tone (grey lid, off-white paper on a white lid): the paper is a large,
        # solid region whose tone differs from the outer ring's and matches the page's dominant tone.
        ring = np.concatenate([gray_small[:2].ravel(), gray_small[-2:].ravel(), gray_small[:, :2].ravel()])
        bg = float(np.median(ring))
        if float(np.std(ring)) < 10:
            diff = cv2.absdiff(cv2.medianBlur(gray_small, 5), np.full_like(gray_small, round(bg)))
            _, other = cv2.threshold(diff, 12, 255, cv2.THRESH_BINARY)
            corners = _paper_corners(np.asarray(other, dtype=np.uint8), filled=False)
            if corners is not None:
                inside = np.zeros((h, w), np.uint8)
                cv2.fillConvexPoly(inside, corners.astype(np.int32), 255)
                if abs(float(np.median(gray_small[inside > 0])) - float(np.median(gray_small))) > 15:
                    corners = None  # a picture block on the page, not the paper
    if corners is None:
        return whole
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, corners.astype(np.int32), 255)
    return PaperBox(corners, mask)


def _paper_corners(mask: Image, *, filled: bool) -> npt.NDArray[np.float32] | None:
    total = mask.shape[0] * mask.shape[1]
    if cv2.countNonZero(mask) > 0.985 * total:
        return None  # paper everywhere: nothing to crop
    closed = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)), dtype=np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    if n < 2:
        return None
    label = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    component = np.asarray(labels == label, dtype=np.uint8)
    contours, _ = cv2.findContours(component, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    c = max(contours, key=cv2.contourArea)
    # filled: holes (text, pictures) count as paper; otherwise only solid pixels do (a ruled table is hollow).
    area = cv2.contourArea(c) if filled else float(stats[label, cv2.CC_STAT_AREA])
    rect = cv2.minAreaRect(c)
    rect_area = rect[1][0] * rect[1][1]
    # A solid, nearly rectangular region covering a good part of the bed: paper, not a photo or text block.
    if area < 0.25 * total or rect_area <= 0 or area / rect_area < 0.93 or rect_area > 0.985 * total:
        return None
    return np.asarray(cv2.boxPoints(rect), dtype=np.float32)


def estimate_skew(gray_small: Image, mask: Image | None = None, *, max_deg: float = 8.0) -> float:
    """The rotation (degrees, OpenCV sense: positive = counter-clockwise) that makes text lines level.

    Projection profiles (Postl): ink points are projected on the vertical axis for each candidate angle;
    level lines give the sharpest histogram. Coarse 0.25° steps over ±max_deg, then 0.02° around the best.
    Returns 0 when the page has too little ink or no angle clearly beats the others (photos, blank).
    """
    h, w = gray_small.shape
    if min(h, w) < 32:
        return 0.0
    # Ink: clearly darker than the local paper; the border and the paper's own edge are masked out.
    local = cv2.blur(gray_small, (31, 31))
    ink = (gray_small.astype(np.int16) < local.astype(np.int16) - 25).astype(np.uint8)
    if mask is not None:
        ink &= cv2.erode(mask, np.ones((15, 15), np.uint8)) > 0
    ys, xs = np.nonzero(ink)
    if len(ys) < 200:
        return 0.0
    if len(ys) > 60_000:  # enough for a stable profile; keeps the search ≈ 10 ms
        pick = np.random.default_rng(0).choice(len(ys), 60_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    x = xs.astype(np.float32) - w / 2
    y = ys.astype(np.float32) - h / 2
    span = int(math.hypot(h, w)) + 4

    def score(deg: float) -> float:
        t = math.radians(deg)
        proj = -math.sin(t) * x + math.cos(t) * y + span / 2
        hist = np.bincount(proj.astype(np.int32), minlength=span).astype(np.float64)
        return float(np.sum(np.diff(hist) ** 2))

    coarse = np.arange(-max_deg, max_deg + 1e-6, 0.25)
    scores = np.array([score(float(a)) for a in coarse])
    best = float(coarse[int(np.argmax(scores))])
    if scores.max() < 1.15 * np.median(scores):
        return 0.0  # no dominant direction: pictures or noise, leave the page as it is
    fine = np.arange(best - 0.3, best + 0.3 + 1e-6, 0.02)
    fine_scores = [score(float(a)) for a in fine]
    return round(float(fine[int(np.argmax(fine_scores))]), 2)


def rotate_and_crop(image: Image, angle: float, corners: npt.NDArray[np.float32] | None, scale: float) -> Image:
    """One warpAffine at full resolution: rotate by `angle` and cut to the paper (corners on the small copy).

    The crop is the *inner* box of the rotated paper so no dark wedge of scanner lid survives.
    """
    h, w = image.shape[:2]
    m = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), dtype=np.float64)
    if corners is None:
        if abs(angle) < 0.05:
            return image
        x0, y0, x1, y1 = 0.0, 0.0, float(w), float(h)
    else:
        full = corners.astype(np.float64) / scale
        pts = full @ m[:, :2].T + m[:, 2]
        xs, ys = np.sort(pts[:, 0]), np.sort(pts[:, 1])
        margin = 1.5 / scale + 0.002 * max(h, w)  # one small-copy pixel of uncertainty, plus a hair
        x0, x1 = xs[1] + margin, xs[2] - margin
        y0, y1 = ys[1] + margin, ys[2] - margin
        if x1 - x0 < 8 or y1 - y0 < 8:
            return image
        if abs(angle) < 0.05:  # straight already: a crop is a slice, no resampling
            r0, r1 = max(0, math.ceil(y0)), min(h, int(y1))
            c0, c1 = max(0, math.ceil(x0)), min(w, int(x1))
            return np.ascontiguousarray(image[r0:r1, c0:c1])
    m[:, 2] -= np.array([x0, y0])
    size = (max(1, round(x1 - x0)), max(1, round(y1 - y0)))
    white = (255, 255, 255) if image.ndim == 3 else 255
    out = cv2.warpAffine(image, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=white)
    return np.asarray(out, dtype=np.uint8)
