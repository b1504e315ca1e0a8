"""The pieces under process_page, the generated set's truth, arbitrary small arrays, and the scan bench."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from app.bench.scan import run_scan_bench
from app.imaging import colour, geometry, quality
from app.imaging.pipeline import process_page
from app.imaging.synthetic import CYCLE, bench_page, draw_content
from app.imaging.types import RawPage


def test_quad_dpi_of_an_upright_a4_rectangle_is_exact() -> None:
    w, h = 1654, 1654 * math.sqrt(2)  # A4 at 200 dpi
    quad = np.array([[10, 20], [10 + w, 20], [10 + w, 20 + h], [10, 20 + h]], dtype=np.float32)
    dpi, portrait = geometry.quad_dpi(quad)
    assert dpi == pytest.approx(200, rel=0.005)
    assert portrait
    dpi, portrait = geometry.quad_dpi(geometry.order_corners(quad[:, ::-1]))  # the same page lying down
    assert dpi == pytest.approx(200, rel=0.005)
    assert not portrait


def test_order_corners_is_independent_of_input_order() -> None:
    quad = np.array([[100, 50], [400, 60], [390, 500], [90, 480]], dtype=np.float32)
    for shift in range(4):
        assert np.array_equal(geometry.order_corners(np.roll(quad, shift, axis=0)), quad)


def test_estimate_skew_reads_a_rotated_page_at_small_scale() -> None:
    page = cv2.cvtColor(draw_content("text", np.random.default_rng(3)), cv2.COLOR_BGR2GRAY)
    small, _ = geometry.shrink(page, 900)
    h, w = small.shape
    rotated = cv2.warpAffine(small, cv2.getRotationMatrix2D((w / 2, h / 2), 4.0, 1.0), (w, h), borderValue=240)
    assert geometry.estimate_skew(rotated) == pytest.approx(-4.0, abs=0.3)
    assert geometry.estimate_skew(np.full((400, 300), 240, np.uint8)) == 0.0  # nothing to read


def test_find_paper_ignores_a_page_without_border() -> None:
    page = cv2.cvtColor(draw_content("form", np.random.default_rng(4)), cv2.COLOR_BGR2GRAY)
    small, _ = geometry.shrink(page, 900)
    assert geometry.find_paper(small).corners is None


def test_find_paper_finds_paper_on_a_grey_lid() -> None:
    bed = np.full((900, 700), 150, np.uint8)
    bed[100:800, 80:600] = 235
    paper = geometry.find_paper(bed)
    assert paper.corners is not None
    xs, ys = paper.corners[:, 0], paper.corners[:, 1]
    assert xs.min() == pytest.approx(80, abs=3)
    assert xs.max() == pytest.approx(600, abs=3)
    assert ys.min() == pytest.approx(100, abs=3)
    assert ys.max() == pytest.approx(800, abs=3)


def test_flatten_removes_a_lighting_gradient_and_keeps_ink() -> None:
    gray = np.tile(np.linspace(140, 245, 800, dtype=np.float32), (600, 1))
    gray[300:310, 100:700] *= 0.2  # a rule of ink across the gradient
    flat = colour.flatten(gray.astype(np.uint8))
    assert flat[100, 20] > 240
    assert flat[100, 780] > 240
    assert flat[305, 150] < 80
    assert flat[305, 650] < 80


def test_blank_rule_counts_faint_marks_only_above_the_coverage() -> None:
    page = np.full((1000, 1000), 255, np.uint8)
    assert quality.is_blank(page)
    page[500:520, 100:900] = 150  # 1.6 % of the page in light ink
    assert not quality.is_blank(page)
    page2 = np.full((1000, 1000), 255, np.uint8)
    page2[:, :8] = 0  # a dark strip inside the ignored 1 % edge
    assert quality.is_blank(page2)


def test_blur_score_is_zero_without_content() -> None:
    assert quality.blur_score(np.full((500, 400), 250, np.uint8)) == 0.0
    assert not quality.is_blurry(0.0)


def test_bench_pages_are_deterministic_with_truth() -> None:
    i = next(k for k, (how, _) in enumerate(CYCLE) if how == "camera1080")
    a, b = bench_page(i), bench_page(i)
    assert np.array_equal(a.image, b.image)
    assert a.kind == "camera"
    assert a.image.shape == (1080, 1920, 3)
    assert a.dpi < 100
    c = bench_page(i, seed=1)
    assert not np.array_equal(a.image, c.image)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    image=st.one_of(
        arrays(np.uint8, st.tuples(st.integers(1, 48), st.integers(1, 48))),
        arrays(np.uint8, st.tuples(st.integers(1, 48), st.integers(1, 48), st.just(3))),
    ),
    kind=st.sampled_from(["camera", "flatbed", "feeder"]),
    mode=st.sampled_from(["auto", "bw", "gray", "color"]),
)
def test_any_small_array_is_processed(image: np.ndarray, kind: str, mode: str) -> None:
    out = process_page(RawPage(image, 300.0, kind), mode=mode)  # type: ignore[arg-type]
    assert out.image.dtype == np.uint8
    assert out.image.size > 0
    assert out.mode in ("bw", "gray", "color")
    if mode != "auto":
        assert out.mode == mode
    if out.mode == "bw":
        assert out.image.ndim == 2
        assert set(np.unique(out.image).tolist()) <= {0, 255}
    elif out.mode == "color":
        assert out.image.ndim == 3
        assert out.image.shape[2] == 3


def test_scan_bench_prints_one_json_line_last(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_scan_bench(pages=2) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out.strip().splitlines()[-1])
    for key in (
        "post_ms_per_page_p50",
        "post_ms_per_page_p95",
        "pdf_kb_per_page_bw",
        "pdf_kb_per_page_gray",
        "blank_detect_accuracy",
        "deskew_error_deg_max",
        "mode_accuracy",
        "blur_detect_accuracy",
    ):
        assert key in result
    assert result["pages"] == 2
    assert result["pdf_kb_per_page_bw"] > 0  # both pages of the set's start are black-and-white text
    assert result["mode_accuracy"] == 1.0
    assert "trang 1" in captured.err
    with pytest.raises(ValueError, match="at least 1"):
        run_scan_bench(pages=0)
