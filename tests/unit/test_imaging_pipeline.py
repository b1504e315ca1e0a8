"""process_page on generated pages with known truth: geometry, blank/blur, colour mode, camera, odd input."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from app.imaging.pipeline import BAD_IMAGE, BLANK, BLURRY, NO_PAGE_EDGE, process_page
from app.imaging.synthetic import SyntheticPage, photographed, scanned
from app.imaging.types import ProcessedPage, RawPage


@cache
def scan(content: str, seed: int = 1, angle: float = 0.0, border: bool = False, blur: float = 0.0) -> SyntheticPage:
    return scanned(content, seed, angle=angle, border=border, blur=blur)


@cache
def shot(content: str, seed: int, frame: tuple[int, int], fill: float) -> SyntheticPage:
    return photographed(content, seed, frame=frame, fill=fill)


def run(page: SyntheticPage, **kwargs: object) -> ProcessedPage:
    dpi = 96.0 if page.kind == "camera" else page.dpi
    return process_page(RawPage(page.image, dpi, page.kind), **kwargs)  # type: ignore[arg-type]


def dark_share_of_frame(image: np.ndarray, width: int = 12) -> float:
    """Share of dark pixels in the outer `width` px of an output page: a surviving scanner lid shows here."""
    gray = image if image.ndim == 2 else image.mean(axis=2)
    frame = np.concatenate(
        [gray[:width].ravel(), gray[-width:].ravel(), gray[:, :width].ravel(), gray[:, -width:].ravel()]
    )
    return float((frame < 128).mean())


# --- geometry -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("angle", [-8.0, -3.7, 0.0, 1.2, 5.5, 8.0])
def test_skewed_scan_is_straightened_within_half_a_degree(angle: float) -> None:
    page = scan("text", seed=11, angle=angle, border=True)
    out = run(page)
    assert abs(out.skew_deg + angle) <= 0.5, (out.skew_deg, angle)


def test_skewed_form_with_a_seal_is_straightened() -> None:
    out = run(scan("stamp", seed=12, angle=-6.3, border=True))
    assert abs(out.skew_deg - 6.3) <= 0.5
    assert out.mode == "color"


@pytest.mark.parametrize("angle", [0.0, 7.0])
def test_dark_scanner_border_is_cropped_to_the_page(angle: float) -> None:
    page = scan("form", seed=13, angle=angle, border=True)
    out = run(page)
    h, w = out.image.shape[:2]
    pw, ph = page.page_size
    assert page.image.shape[0] > ph + 60  # the input really has a border
    assert abs(w - pw) / pw < 0.03, w
    assert abs(h - ph) / ph < 0.03, h
    assert dark_share_of_frame(out.image) < 0.05


def test_straight_scan_without_border_keeps_its_size_and_angle() -> None:
    page = scan("text", seed=14)
    out = run(page)
    assert out.image.shape[:2] == page.image.shape[:2]
    assert abs(out.skew_deg) <= 0.3


# --- blank and blur -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "border"), [(21, False), (22, True), (23, False)])
def test_blank_pages_are_detected(seed: int, border: bool) -> None:
    out = run(scan("blank", seed=seed, border=border))
    assert out.blank
    assert BLANK in out.warnings
    assert not out.blurry  # nothing to judge on a blank page


@pytest.mark.parametrize("content", ["light_text", "text", "form"])
def test_pages_with_content_are_not_blank(content: str) -> None:
    out = run(scan(content, seed=24))
    assert not out.blank
    assert BLANK not in out.warnings


def test_blurred_page_is_flagged_and_sharp_one_is_not() -> None:
    sharp = run(scan("text", seed=31))
    blurred = run(scan("text", seed=31, blur=3.0))
    assert blurred.blurry
    assert BLURRY in blurred.warnings
    assert not sharp.blurry
    assert BLURRY not in sharp.warnings
    assert sharp.blur_score > 3 * blurred.blur_score > 0


def test_blur_score_does_not_depend_on_resolution() -> None:
    at_300 = run(scan("form", seed=32))
    at_200 = process_page(RawPage(scanned("form", 32, dpi=200.0).image, 200.0, "flatbed"))
    assert not at_200.blurry
    assert at_200.blur_score == pytest.approx(at_300.blur_score, rel=0.35)


# --- colour mode --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "mode"),
    [
        ("text", "bw"),
        ("form", "bw"),
        ("light_text", "bw"),
        ("stamp", "color"),
        ("photo_color", "color"),
        ("photo_gray", "gray"),
    ],
)
def test_auto_mode_matches_the_content(content: str, mode: str) -> None:
    out = run(scan(content, seed=41))
    assert out.mode == mode
    expected_ndim = 3 if mode == "color" else 2
    assert out.image.ndim == expected_ndim


def test_bw_output_is_strictly_two_levels() -> None:
    out = run(scan("text", seed=42, angle=3.0, border=True))
    assert out.mode == "bw"
    assert out.image.dtype == np.uint8
    assert out.image.ndim == 2
    assert set(np.unique(out.image).tolist()) == {0, 255}
    assert 0.01 < float((out.image == 0).mean()) < 0.3  # text survived, paper is white


def test_explicit_mode_is_obeyed() -> None:
    stamp = scan("stamp", seed=43)
    bw = run(stamp, mode="bw")
    assert bw.mode == "bw"
    assert bw.image.ndim == 2
    assert set(np.unique(bw.image).tolist()) <= {0, 255}
    gray = run(scan("text", seed=43), mode="gray")
    assert gray.mode == "gray"
    assert gray.image.ndim == 2
    assert len(np.unique(gray.image)) > 2
    colour = run(scan("text", seed=43), mode="color")
    assert colour.mode == "color"
    assert colour.image.ndim == 3
    assert colour.image.shape[2] == 3


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="Chế độ màu"):
        process_page(RawPage(np.full((50, 50), 255, np.uint8), 300, "flatbed"), mode="sepia")


def test_seal_stays_red_in_colour_output() -> None:
    out = run(scan("stamp", seed=44))
    b, g, r = (out.image[..., i].astype(int) for i in range(3))
    red = (r > 150) & (r - g > 80) & (r - b > 80)
    assert red.mean() > 0.001


# --- camera ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [51, 52])
def test_camera_page_is_found_and_rectified(seed: int) -> None:
    page = shot("text", seed, (4032, 3024), 0.92)
    out = run(page)
    assert NO_PAGE_EDGE not in out.warnings
    h, w = out.image.shape[:2]
    assert h / w == pytest.approx(math.sqrt(2), rel=0.02)
    assert out.dpi == pytest.approx(page.dpi, rel=0.10)
    assert page.dpi >= 200
    assert not out.refused
    assert out.mode == "bw"
    assert dark_share_of_frame(out.image) < 0.05


def test_1080p_camera_shot_is_refused_under_200_dpi() -> None:
    page = shot("form", 53, (1920, 1080), 0.85)
    out = run(page)
    assert out.dpi == pytest.approx(page.dpi, rel=0.10)
    assert out.dpi < 120
    assert out.refused == (
        f"Ảnh chụp chỉ đạt khoảng {round(out.dpi)} dpi, dưới mức 200 dpi bắt buộc. "
        "Đưa camera lại gần trang giấy hoặc dùng máy quét."
    )


def test_camera_frame_without_a_page_is_kept_whole_with_a_warning() -> None:
    rng = np.random.default_rng(5)
    frame = np.asarray(rng.integers(90, 110, (1080, 1920, 3)), dtype=np.uint8)  # an empty desk
    out = process_page(RawPage(frame, 250.0, "camera"))
    assert NO_PAGE_EDGE in out.warnings
    assert out.image.shape[:2] == frame.shape[:2]
    assert out.dpi == 250.0
    assert not out.refused


def test_low_dpi_scan_is_refused_with_the_scanner_message() -> None:
    out = process_page(RawPage(scanned("text", 61, dpi=150.0).image, 150.0, "feeder"))
    assert out.refused.startswith("Bản quét chỉ đạt 150 dpi, dưới mức 200 dpi bắt buộc.")
    assert process_page(RawPage(scan("text", 61).image, 300.0, "feeder")).refused == ""


# --- odd input ------------------------------------------------------------------------------------------


def odd_images() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    big = np.asarray(rng.integers(0, 256, (300, 400, 3)), dtype=np.uint8)
    return [
        np.zeros((600, 400), np.uint8),
        np.full((600, 400, 3), 255, np.uint8),
        np.zeros((10, 10, 3), np.uint8),
        np.full((10, 10), 255, np.uint8),
        np.full((1, 1), 128, np.uint8),
        np.zeros((3, 500), np.uint8),
        big[::2, ::3],  # non-contiguous view
        big.transpose(1, 0, 2),  # Fortran-ordered
        big[..., :1],  # H×W×1
        np.dstack([big, np.full(big.shape[:2], 255, np.uint8)]),  # BGRA
        np.asarray(rng.integers(0, 256, (64, 64)), dtype=np.uint8),
    ]


@pytest.mark.parametrize("kind", ["camera", "flatbed", "feeder"])
@pytest.mark.parametrize("index", range(11))
def test_odd_input_never_crashes(kind: str, index: int) -> None:
    image = odd_images()[index]
    out = process_page(RawPage(image, 300.0, kind))  # type: ignore[arg-type]
    assert out.image.dtype == np.uint8
    assert out.image.size > 0
    if out.mode == "bw":
        assert out.image.ndim == 2
        assert set(np.unique(out.image).tolist()) <= {0, 255}


def test_all_white_page_is_blank_and_all_black_is_not() -> None:
    white = process_page(RawPage(np.full((3508, 2480), 250, np.uint8), 300, "flatbed"))
    black = process_page(RawPage(np.zeros((3508, 2480), np.uint8), 300, "flatbed"))
    assert white.blank
    assert white.mode == "bw"
    assert not black.blank


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((0, 10), np.uint8),
        np.zeros((10, 10), np.float32),
        np.zeros((10, 10), np.uint16),
        np.zeros((10, 10, 2), np.uint8),
        np.zeros((2, 10, 10, 3), np.uint8),
        np.zeros(10, np.uint8),
        "not an image",
    ],
    ids=["empty", "float", "uint16", "two-channel", "4-d", "1-d", "str"],
)
def test_unusable_input_raises_a_vietnamese_value_error(image: object) -> None:
    with pytest.raises(ValueError, match=BAD_IMAGE):
        process_page(RawPage(image, 300.0, "flatbed"))  # type: ignore[arg-type]
