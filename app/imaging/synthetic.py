"""Generated test pages with their ground truth: 300 dpi A4 scans and phone/webcam shots of a page.

Drawn with OpenCV only (Hershey fonts, no font files): lines of pseudo-text, ruled form tables, a red
circular seal, gray or colour "photos", blank sheets with scanner noise and a faint edge shadow, blurred
and skewed scans on a dark lid, and perspective shots on a desk at 12 MP and 1080p. Page i of a set
depends only on (seed, i), so benches and tests see the same pixels on every machine.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from app.imaging.geometry import quad_dpi
from app.imaging.types import ColourMode, Image, SourceKind

A4_300 = (2480, 3508)  # width, height in px
DEFAULT_SEED = 20260610
CONTENTS = ("text", "form", "stamp", "photo_gray", "photo_color", "light_text", "blank")
EXPECTED_MODE: dict[str, ColourMode] = {
    "text": "bw",
    "form": "bw",
    "stamp": "color",
    "photo_gray": "gray",
    "photo_color": "color",
    "light_text": "bw",
    "blank": "bw",
}
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEGHIKLMNOPQRSTUVXY0123456789"


@dataclass(frozen=True)
class SyntheticPage:
    """A page as a device would deliver it, and what a correct pipeline must find on it."""

    image: Image = field(repr=False)
    kind: SourceKind
    content: str
    dpi: float  # true effective dpi of the page (scanner setting, or the page's resolution in the frame)
    angle: float = 0.0  # skew applied, degrees, OpenCV sense (counter-clockwise); the fix is -angle
    border: bool = False  # a dark scanner lid around the paper
    blank: bool = False
    blurry: bool = False
    mode: ColourMode = "bw"
    page_size: tuple[int, int] = A4_300  # (w, h) of the paper in the image before any skew


# --- page content -------------------------------------------------------------------------------------


def _paper(rng: np.random.Generator, size: tuple[int, int] = A4_300) -> Image:
    w, h = size
    tone = np.array([rng.uniform(228, 240), rng.uniform(234, 245), rng.uniform(238, 250)])  # slightly warm
    return np.ascontiguousarray(np.broadcast_to(tone.astype(np.uint8), (h, w, 3)))


def _word(rng: np.random.Generator) -> str:
    return "".join(rng.choice(list(LETTERS), int(rng.integers(2, 9))))


def _text_lines(img: Image, rng: np.random.Generator, y0: int, y1: int, *, ink: int, x0: int = 180) -> None:
    w = img.shape[1]
    y = y0
    scale = float(rng.uniform(1.3, 1.7))  # ≈ 11–13 pt at 300 dpi
    step = int(42 * scale) + int(rng.integers(10, 25))
    while y < y1:
        words, line = [], ""
        limit = int(rng.uniform(0.55, 1.0) * (w - 2 * x0))
        while True:
            nxt = (line + " " + _word(rng)).strip()
            (tw, _), _ = cv2.getTextSize(nxt, cv2.FONT_HERSHEY_SIMPLEX, scale, 3)
            if tw > limit:
                break
            line = nxt
            words.append(nxt)
        colour = (ink, ink, ink)
        cv2.putText(img, line, (x0, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 3, cv2.LINE_AA)
        y += step if rng.random() > 0.12 else 2 * step  # paragraph breaks


def _heading(img: Image, rng: np.random.Generator, ink: int) -> None:
    w = img.shape[1]
    for i, text in enumerate(("CONG HOA XA HOI CHU NGHIA VIET NAM", "Doc lap - Tu do - Hanh phuc")):
        scale = 1.9 if i == 0 else 1.6
        (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_DUPLEX, scale, 4)
        cv2.putText(img, text, ((w - tw) // 2, 260 + 90 * i), cv2.FONT_HERSHEY_DUPLEX, scale, (ink,) * 3, 4)
    title = "DON " + " ".join(_word(rng).upper() for _ in range(3))
    (tw, _), _ = cv2.getTextSize(title, cv2.FONT_HERSHEY_DUPLEX, 2.4, 5)
    cv2.putText(img, title, ((w - tw) // 2, 560), cv2.FONT_HERSHEY_DUPLEX, 2.4, (ink,) * 3, 5)


def _form_table(img: Image, rng: np.random.Generator, y0: int, ink: int) -> int:
    w = img.shape[1]
    cols = [180, 380, 1300, 1700, 2100, w - 180]
    rows = int(rng.integers(8, 14))
    row_h = 110
    for r in range(rows + 1):
        cv2.line(img, (cols[0], y0 + r * row_h), (cols[-1], y0 + r * row_h), (ink,) * 3, 4 if r in (0, 1) else 3)
    for c in cols:
        cv2.line(img, (c, y0), (c, y0 + rows * row_h), (ink,) * 3, 3)
    for r in range(rows):
        for a, b in itertools.pairwise(cols):
            text = _word(rng) if b - a < 500 else " ".join(_word(rng) for _ in range(3))
            cv2.putText(img, text, (a + 20, y0 + r * row_h + 75), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (ink,) * 3, 3)
    return y0 + rows * row_h


def _stamp(img: Image, rng: np.random.Generator) -> None:
    """A red round seal (≈ 3.6 cm) over the signature block, as on every commune certificate."""
    h, w = img.shape[:2]
    cx, cy = int(w * rng.uniform(0.62, 0.75)), int(h * rng.uniform(0.78, 0.86))
    r = int(rng.uniform(200, 230))
    red = (int(rng.uniform(30, 60)), int(rng.uniform(30, 60)), int(rng.uniform(190, 225)))  # BGR
    layer = img.copy()
    cv2.circle(layer, (cx, cy), r, red, 14, cv2.LINE_AA)
    cv2.circle(layer, (cx, cy), r - 45, red, 6, cv2.LINE_AA)
    star = [
        (
            cx + int(60 * math.cos(math.pi / 2 + k * 4 * math.pi / 5)),
            cy - int(60 * math.sin(math.pi / 2 + k * 4 * math.pi / 5)),
        )
        for k in range(5)
    ]
    cv2.fillPoly(layer, [np.array(star, np.int32)], red)
    for k in range(14):  # letters around the ring
        a = -math.pi / 2 + (k - 6.5) * 0.32
        pos = (cx + int((r - 25) * math.cos(a)) - 12, cy + int((r - 25) * math.sin(a)) + 12)
        cv2.putText(layer, LETTERS[int(rng.integers(0, 26))].upper(), pos, cv2.FONT_HERSHEY_SIMPLEX, 1.1, red, 3)
    cv2.addWeighted(layer, 0.85, img, 0.15, 0, dst=img)  # seal ink is a little transparent


def _photo(img: Image, rng: np.random.Generator, *, colour: bool) -> None:
    """A portrait-photo-like block: smooth gradients, a few blobs, film grain."""
    h, w = img.shape[:2]
    bw, bh = int(w * rng.uniform(0.35, 0.5)), int(h * rng.uniform(0.2, 0.28))
    x, y = int(rng.uniform(180, w - 180 - bw)), int(h * rng.uniform(0.3, 0.45))
    yy, xx = np.mgrid[0:bh, 0:bw].astype(np.float32)
    base = 60 + 120 * (xx / bw) * 0.6 + 80 * (yy / bh) * 0.4
    block = (
        np.stack([base * rng.uniform(0.6, 1.1) for _ in range(3)], axis=-1) if colour else base[..., None] * [1, 1, 1]
    )
    for _ in range(6):
        bx, by, br = rng.uniform(0, bw), rng.uniform(0, bh), rng.uniform(0.08, 0.25) * bw
        blob = np.exp(-((xx - bx) ** 2 + (yy - by) ** 2) / (2 * br**2))[..., None]
        tint = rng.uniform(-90, 90, 3) if colour else np.full(3, rng.uniform(-80, 80))
        block = block + blob * tint
    block = block + rng.normal(0, 6, block.shape[:2])[..., None]
    img[y : y + bh, x : x + bw] = np.clip(block, 0, 255).astype(np.uint8)


def draw_content(content: str, rng: np.random.Generator) -> Image:
    """A clean 300 dpi A4 page (BGR) of the given content kind."""
    img = _paper(rng)
    h = img.shape[0]
    ink = int(rng.uniform(15, 50))
    if content == "blank":
        return img
    if content == "light_text":
        _text_lines(img, rng, 600, int(rng.uniform(900, 1200)), ink=int(rng.uniform(140, 165)))
        return img
    _heading(img, rng, ink)
    if content == "form":
        end = _form_table(img, rng, 700, ink)
        _text_lines(img, rng, end + 120, h - 300, ink=ink)
    elif content in ("photo_gray", "photo_color"):
        _text_lines(img, rng, 700, 1000, ink=ink)
        _photo(img, rng, colour=content == "photo_color")
        _text_lines(img, rng, int(h * 0.75), h - 300, ink=ink)
    else:
        _text_lines(img, rng, 700, h - 300, ink=ink)
    if content == "stamp":
        _stamp(img, rng)
    return img


# --- how a device sees it ------------------------------------------------------------------------------


def _noise(img: Image, rng: np.random.Generator, sigma: float) -> Image:
    noise = rng.standard_normal(img.shape[:2], dtype=np.float32) * sigma
    out = img.astype(np.float32) + (noise[..., None] if img.ndim == 3 else noise)
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


def _edge_shadow(img: Image, rng: np.random.Generator) -> Image:
    """A faint shadow along one side where the lid does not press the sheet flat (≈ 1.5 % of the width)."""
    _h, w = img.shape[:2]
    width = int(w * rng.uniform(0.01, 0.02))
    ramp = np.ones(w, np.float32)
    ramp[:width] = 1 - rng.uniform(0.08, 0.14) * (1 - np.arange(width, dtype=np.float32) / width)
    if rng.random() < 0.5:
        ramp = ramp[::-1]
    return np.asarray(np.clip(img.astype(np.float32) * ramp[None, :, None], 0, 255), dtype=np.uint8)


def scanned(
    content: str, seed: int, *, angle: float = 0.0, border: bool = False, blur: float = 0.0, dpi: float = 300.0
) -> SyntheticPage:
    """A flatbed/feeder scan: the page, maybe rotated by `angle` on a dark lid, blurred, with sensor noise."""
    rng = np.random.default_rng(seed)
    img = draw_content(content, rng)
    if blur:
        img = np.asarray(cv2.GaussianBlur(img, (0, 0), blur), dtype=np.uint8)
    if content == "blank":
        img = _edge_shadow(img, rng)
    h, w = img.shape[:2]
    if border or angle:
        t = math.radians(abs(angle))
        pad = int(rng.uniform(40, 90)) if border else 0
        cw = int(w * math.cos(t) + h * math.sin(t)) + 2 * pad if border else w
        ch = int(h * math.cos(t) + w * math.sin(t)) + 2 * pad if border else h
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        m[:, 2] += ((cw - w) / 2, (ch - h) / 2)
        lid = tuple(float(v) for v in rng.uniform(20, 45, 3)) if border else (240.0, 240.0, 240.0)
        img = np.asarray(cv2.warpAffine(img, m, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=lid), dtype=np.uint8)
    img = _noise(img, rng, float(rng.uniform(1.5, 3.0)))
    if dpi != 300.0:
        f = dpi / 300.0
        img = np.asarray(cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    kind: SourceKind = "feeder" if seed % 2 else "flatbed"
    return SyntheticPage(
        image=img,
        kind=kind,
        content=content,
        dpi=dpi,
        angle=angle,
        border=border,
        blank=content == "blank",
        blurry=blur >= 2.0,
        mode=EXPECTED_MODE[content],
        page_size=(round(w * dpi / 300), round(h * dpi / 300)),
    )


def _desk(rng: np.random.Generator, size: tuple[int, int]) -> Image:
    """A wooden desk: a dark warm gradient with grain stripes (drawn at ¼ size, then enlarged)."""
    w, h = size
    sw, sh = w // 4, h // 4
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    base = rng.uniform(60, 110) + 30 * xx / sw + 12 * np.sin(yy / rng.uniform(3, 9) + 3 * np.sin(xx / 40))
    colour = np.stack([base * 0.55, base * 0.75, base * 1.0], axis=-1)
    small = np.clip(colour, 0, 255).astype(np.uint8)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def photographed(content: str, seed: int, *, frame: tuple[int, int] = (4032, 3024), fill: float = 0.9) -> SyntheticPage:
    """A phone/webcam shot: the page on a desk, in perspective, lit unevenly, slightly soft and noisy.

    `frame` is (w, h); `fill` the share of the frame's height the page's long side covers.
    """
    rng = np.random.default_rng(seed)
    page = draw_content(content, rng)
    fw, fh = frame
    ph, pw = page.shape[:2]
    k = fill * fh / ph  # frame px per page px
    cx, cy = fw / 2 + rng.uniform(-0.04, 0.04) * fw, fh / 2 + rng.uniform(-0.02, 0.02) * fh
    half = np.array([pw * k / 2, ph * k / 2])
    base = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=np.float64) * half
    # Perspective: the far edge a little narrower, each corner jittered, a small roll.
    taper = rng.uniform(0.0, 0.08)
    base[:2, 0] *= 1 - taper
    base += rng.uniform(-0.02, 0.02, (4, 2)) * half
    roll = math.radians(rng.uniform(-6, 6))
    rot = np.array([[math.cos(roll), -math.sin(roll)], [math.sin(roll), math.cos(roll)]])
    quad = (base @ rot.T + [cx, cy]).astype(np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    soft = cv2.GaussianBlur(page, (0, 0), max(0.5, 0.5 / k))  # no aliasing when shrinking
    warped = cv2.warpPerspective(soft, m, (fw, fh), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (fw, fh), flags=cv2.INTER_LINEAR)
    desk = _desk(rng, (fw, fh))
    a = (mask.astype(np.float32) / 255)[..., None]
    img = desk * (1 - a) + warped * a
    # Light: a falloff across the frame and a soft shadow of the phone/hand over one corner.
    yy, xx = np.mgrid[0:fh:8, 0:fw:8].astype(np.float32)
    light = 1 - 0.25 * (xx / fw) * rng.uniform(0.5, 1)
    sx, sy = rng.uniform(0, fw), rng.uniform(0, fh)
    light -= 0.18 * np.exp(-((xx - sx) ** 2 + (yy - sy) ** 2) / (2 * (0.2 * fw) ** 2))
    light_full = cv2.resize(light, (fw, fh), interpolation=cv2.INTER_LINEAR)
    img = cv2.GaussianBlur((img * light_full[..., None]).astype(np.float32), (0, 0), 0.7)
    out = _noise(np.clip(img, 0, 255).astype(np.uint8), rng, 3.0)
    dpi, _ = quad_dpi(quad)
    return SyntheticPage(
        image=out,
        kind="camera",
        content=content,
        dpi=dpi,
        angle=0.0,
        mode=EXPECTED_MODE[content],
        page_size=(round(dpi * 210 / 25.4), round(dpi * 297 / 25.4)),
    )


# --- the bench set -------------------------------------------------------------------------------------

# One cycle of the set; the shares follow a commune centre's day: mostly text and forms, some seals,
# a few photos, blank backs from the feeder, an occasional blurred or crooked sheet, phone shots.
CYCLE = (
    ("scan", "text"),
    ("scan", "form"),
    ("skew", "text"),
    ("scan", "stamp"),
    ("scan", "blank"),
    ("skew", "form"),
    ("scan", "photo_gray"),
    ("blur", "text"),
    ("scan", "light_text"),
    ("skew", "stamp"),
    ("camera12", "text"),
    ("scan", "photo_color"),
    ("scan", "blank"),
    ("blur", "form"),
    ("skew", "text"),
    ("camera1080", "form"),
)


def bench_page(i: int, seed: int = DEFAULT_SEED) -> SyntheticPage:
    """Page i of the bench set: the i-th entry of CYCLE, its random details drawn from (seed, i)."""
    how, content = CYCLE[i % len(CYCLE)]
    rng = np.random.default_rng([seed, i])
    sub = int(rng.integers(0, 2**31))
    if how == "skew":
        angle = round(float(rng.uniform(-8, 8)), 2) if i % 3 else float(rng.choice([-8.0, 8.0]))
        return scanned(content, sub, angle=angle, border=True)
    if how == "blur":
        return scanned(content, sub, blur=float(rng.uniform(3.0, 4.5)))
    if how == "camera12":
        return photographed(content, sub, frame=(4032, 3024), fill=float(rng.uniform(0.88, 0.95)))
    if how == "camera1080":
        return photographed(content, sub, frame=(1920, 1080), fill=float(rng.uniform(0.75, 0.9)))
    return scanned(content, sub, border=bool(rng.random() < 0.3))
