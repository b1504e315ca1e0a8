"""The per-page entry point: a device's raw page in, a page ready to keep (or refused, with why) out.

Searches (page outline, skew, colour mode, blur) run on small copies; the full-resolution page is
resampled once (warp or rotate+crop) and thresholded once. Mode is chosen before the full warp so a
black-and-white page never pays for warping three colour channels.
"""

from __future__ import annotations

import numpy as np

from app.imaging import colour, geometry, quality
from app.imaging.types import MIN_DPI, ColourMode, Image, ProcessedPage, RawPage

BAD_IMAGE = "Ảnh hỏng hoặc không đọc được."
NO_PAGE_EDGE = "Không tìm thấy mép trang: giữ nguyên ảnh chụp."
BLANK = "Trang trắng"
BLURRY = "Ảnh bị mờ, nên chụp/quét lại"
MODES = ("auto", "bw", "gray", "color")
WORK_SIDE = 900  # px, the small copy every search works on (≈ ¼ of a 300 dpi A4 page)


def camera_refusal(dpi: float, min_dpi: float) -> str:
    return (
        f"Ảnh chụp chỉ đạt khoảng {round(dpi)} dpi, dưới mức {round(min_dpi)} dpi bắt buộc. "
        "Đưa camera lại gần trang giấy hoặc dùng máy quét."
    )


def scanner_refusal(dpi: float, min_dpi: float) -> str:
    return (
        f"Bản quét chỉ đạt {round(dpi)} dpi, dưới mức {round(min_dpi)} dpi bắt buộc. "
        "Chọn độ phân giải từ 200 dpi trở lên (nên dùng 300 dpi) rồi quét lại."
    )


def validated(image: object) -> Image:
    """A contiguous uint8 H×W or H×W×3 (BGR) array, or ValueError for what no clean-up can use."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        raise ValueError(BAD_IMAGE)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    elif image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]  # BGRA from some capture backends: alpha carries nothing on paper
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(BAD_IMAGE)
    return np.ascontiguousarray(image)


def process_page(raw: RawPage, *, mode: str = "auto", min_dpi: float = MIN_DPI) -> ProcessedPage:
    """Clean one page: find/straighten/crop it, check blank and blur, convert to the right colour mode."""
    if mode not in MODES:
        raise ValueError(f"Chế độ màu không hợp lệ: {mode!r} (chọn auto, bw, gray hoặc color).")
    image = validated(raw.image)
    small, scale = geometry.shrink(image, WORK_SIDE)
    warnings: list[str] = []
    skew = 0.0
    camera = raw.kind == "camera"

    if camera:
        quad = geometry.find_page_quad(image)
        if quad is None:
            warnings.append(NO_PAGE_EDGE)
            dpi = float(raw.dpi)

            def full_page(img: Image) -> Image:
                return img

            page_small = small
        else:
            dpi, portrait = geometry.quad_dpi(quad)

            def full_page(img: Image) -> Image:
                return geometry.warp_quad(img, quad, dpi, portrait)

            page_small = geometry.warp_quad(small, quad * scale, dpi * scale, portrait)
        refused = camera_refusal(dpi, min_dpi) if dpi < min_dpi else ""
    else:
        small_gray = geometry.as_gray(small)
        paper = geometry.find_paper(small_gray)
        skew = geometry.estimate_skew(small_gray, paper.mask)

        def full_page(img: Image) -> Image:
            return geometry.rotate_and_crop(img, skew, paper.corners, scale)

        page_small = geometry.rotate_and_crop(small, skew, paper.corners, 1.0)
        dpi = float(raw.dpi)
        refused = scanner_refusal(dpi, min_dpi) if dpi < min_dpi else ""

    chosen: ColourMode = colour.choose_mode(page_small) if mode == "auto" else mode  # type: ignore[assignment]
    page_colour: Image | None = None
    if chosen == "color" and image.ndim == 3:
        page_colour = colour_page = full_page(image)
        gray = geometry.as_gray(colour_page)
    else:
        gray = full_page(geometry.as_gray(image))

    bg = colour.background(gray)
    flat = colour.flatten(gray, bg)
    blank = quality.is_blank(flat)
    score = quality.blur_score(gray)
    blurry = not blank and quality.is_blurry(score)
    if blank:
        warnings.append(BLANK)
        if mode == "auto":
            chosen = "bw"  # nothing on it worth colour bytes
    if blurry:
        warnings.append(BLURRY)

    out = _render(chosen, gray, flat, bg, page_colour, camera=camera)
    return ProcessedPage(
        image=out,
        dpi=round(dpi, 1),
        mode=chosen,
        blank=blank,
        blurry=blurry,
        blur_score=score,
        skew_deg=skew,
        warnings=tuple(warnings),
        refused=refused,
    )


def _render(mode: ColourMode, gray: Image, flat: Image, bg: Image, page_colour: Image | None, *, camera: bool) -> Image:
    if mode == "bw":
        return colour.binarise(flat)
    # Pictures must keep their own shading: a camera page gets only a gentle, bounded lighting correction
    # (a dark photo is not "shadow"), a scanner page (even light) only a white point.
    small, _ = geometry.shrink(gray, WORK_SIDE)
    paper = max(1.0, float(np.percentile(small, 95)))
    if camera:
        soft = np.maximum(bg, np.uint8(min(255, round(0.7 * paper))))
    else:
        soft = np.full_like(gray, np.uint8(min(255, round(paper))))
    if mode == "gray":
        return colour.flatten(gray, soft)
    source = page_colour if page_colour is not None else np.stack([gray] * 3, axis=-1)
    return colour.flatten_colour(source, soft)
