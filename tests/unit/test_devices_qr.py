"""QR decoding on degraded 720p frames from the bench's generator: exact texts, fallbacks, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import segno

from app.bench.qr import FRAME_H, FRAME_W, Degradation, clutter_frame, frame_of_kind, make_frame
from app.devices.qr import Box, QrDecoder, guide_box, texture_spots

CODE = "1.001193"
LINK = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=187805"
DOSSIER = "000.00.12.H48-261123-0007"
NEWER_DOSSIER = "G09.20-20260609-0092637"
CCCD = "034189001234|151234567|Nguyễn Thị Hồng Nhung|15031989|Nữ|Thôn Đông, Xã Đông Hưng, Tỉnh Hưng Yên|20042021"


@pytest.fixture(scope="module")
def decoder() -> QrDecoder:
    # No time limit: what a frame yields must not depend on how busy the test machine is.
    return QrDecoder(time_limit_ms=None)


# (kind, payload, index into that kind's seeded frames) — each frame checked to be really degraded below.
CASES = [
    ("rotated", LINK, 0),  # roll 23°, pitch −32°: a version-6 portal link seen at a slant
    ("blurred", DOSSIER, 1),  # 9 px motion streak
    ("small", DOSSIER, 2),  # 82 px symbol, ≈ 3.3 px per module
    ("low_contrast", LINK, 1),  # 59 grey levels apart, half of it in an arm's shadow
    ("noisy", CODE, 2),  # σ 15 noise then JPEG quality 26
    ("mixed", NEWER_DOSSIER, 0),  # everything at once, 94 px
]


@pytest.mark.parametrize(("kind", "payload", "index"), CASES, ids=[c[0] for c in CASES])
def test_degraded_frame_reads_back_exactly(decoder: QrDecoder, kind: str, payload: str, index: int) -> None:
    frame = frame_of_kind(kind, payload, index)
    d = frame.degradation
    assert frame.image.shape == (FRAME_H, FRAME_W, 3)
    assert frame.image.dtype == np.uint8
    degraded = {
        "rotated": abs(d.roll) > 15 or abs(d.pitch) > 15 or abs(d.yaw) > 15,
        "blurred": d.blur_sigma >= 1.6 or d.motion_px >= 6,
        "small": d.qr_px <= 110,
        "low_contrast": d.paper - d.ink <= 60,
        "noisy": d.noise_sigma >= 12 and d.jpeg_quality <= 35,
        "mixed": d.qr_px <= 220 and d.blur_sigma >= 1.2,
    }[kind]
    assert degraded, d
    assert decoder.decode(frame.image) == [payload]


def test_fallbacks_rescue_frames_the_direct_pass_misses(decoder: QrDecoder) -> None:
    faint = frame_of_kind("low_contrast", LINK, 1)
    tiny = frame_of_kind("small", LINK, 3)  # a 41-module link at 96 px: 2.3 px per module
    for frame, step in ((faint, "enhanced"), (tiny, "symbol 0")):
        assert QrDecoder(fallbacks=False).decode(frame.image) == []
        assert decoder.decode(frame.image) == [frame.payload]
        assert decoder.last_step == step


# Frames that neither the single zxing pass nor the fallbacks before the texture spots read: zxing
# does not even locate their finder patterns.
SPOT_CASES = [
    ("small", 20, "spot 1 sharpened"),  # 94 px link, 2.3 px per module; the code is the second spot
    ("blurred", 20, "spot 0 sharpened"),  # σ 1.65 soft focus at 3 px per module
]


@pytest.mark.parametrize(("kind", "index", "step"), SPOT_CASES, ids=[f"{c[0]}-{c[1]}" for c in SPOT_CASES])
def test_texture_spots_read_codes_too_small_or_soft_for_the_finder_search(
    decoder: QrDecoder, kind: str, index: int, step: str
) -> None:
    frame = frame_of_kind(kind, LINK, index)
    assert QrDecoder(fallbacks=False).decode(frame.image) == []
    assert decoder.decode(frame.image) == [LINK]
    assert decoder.last_step == step


def test_texture_spots_prefer_a_code_to_stripes_and_walls() -> None:
    frame = clutter_frame(4)
    for y in range(40, 200, 4):  # a striped shirt: dense edges, but all in one direction
        frame[y : y + 2, 900:1100] = 20
    _paste_code(frame, DOSSIER, 300, 420, scale=2)  # 25 modules + quiet zone: 66 px
    spots = texture_spots(frame[:, :, 1].copy())
    assert len(spots) == 3
    first = spots[0]  # holds the whole symbol (its quiet zone is 8 px each side)
    assert first.x <= 300 + 8
    assert first.x + first.width >= 300 + 58
    assert first.y <= 420 + 8
    assert first.y + first.height >= 420 + 58
    assert all(b.x + b.width <= FRAME_W and b.y + b.height <= FRAME_H for b in spots)


def _decoys() -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W]
    checks = np.where((xx // 3 + yy // 3) % 2 == 0, 30, 220).astype(np.uint8)
    stripes = np.where((xx + yy) // 4 % 2 == 0, 30, 220).astype(np.uint8)
    # The texture of a QR symbol without its finder patterns: the spot finder picks it, zxing must not.
    modules = np.kron(rng.random((33, 33)) < 0.5, np.ones((3, 3), bool))
    fake = np.full((FRAME_H, FRAME_W), 220, np.uint8)
    fake[300:399, 600:699] = np.where(modules, 30, 220)
    return [checks, stripes, fake, clutter_frame(9)[:21, :21], clutter_frame(9)[:, :21], clutter_frame(9)[:21, :]]


@pytest.mark.parametrize("image", _decoys(), ids=["checks", "stripes", "fake-modules", "21x21", "tall", "wide"])
def test_textures_that_are_not_a_code_give_nothing_without_error(decoder: QrDecoder, image: np.ndarray) -> None:
    assert decoder.decode(image) == []
    assert decoder.last_step == ""


def test_time_limit_skips_fallbacks_but_never_the_direct_pass() -> None:
    limited = QrDecoder(time_limit_ms=0.0)
    assert limited.decode(frame_of_kind("low_contrast", LINK, 1).image) == []
    assert limited.decode(frame_of_kind("rotated", LINK, 0).image) == [LINK]


def test_cccd_vietnamese_text_is_exact_utf8(decoder: QrDecoder) -> None:
    pose = Degradation(
        kind="rotated",
        qr_px=300,
        roll=20,
        pitch=10,
        yaw=-15,
        ink=40,
        paper=220,
        blur_sigma=0.8,
        motion_px=0,
        noise_sigma=4,
        jpeg_quality=75,
        light_min=0.8,
        shadow=0,
    )
    assert decoder.decode(make_frame(CCCD, pose, seed=7).image) == [CCCD]


def test_frames_without_a_code_give_nothing(decoder: QrDecoder) -> None:
    assert decoder.decode(clutter_frame(1)) == []
    assert decoder.decode(np.zeros((FRAME_H, FRAME_W, 3), np.uint8)) == []
    assert decoder.decode(np.full((FRAME_H, FRAME_W), 255, np.uint8)) == []
    noise = np.random.default_rng(3).integers(0, 256, (FRAME_H, FRAME_W), dtype=np.uint8)
    assert decoder.decode(noise) == []


def _paste_code(frame: np.ndarray, text: str, x: int, y: int, scale: int = 6) -> None:
    matrix = np.array([list(row) for row in segno.make(text, error="m", micro=False).matrix], dtype=bool)
    symbol = np.where(np.kron(matrix, np.ones((scale, scale), dtype=bool)), 30, 230).astype(np.uint8)
    symbol = np.pad(symbol, 4 * scale, constant_values=230)
    frame[y : y + symbol.shape[0], x : x + symbol.shape[1]] = symbol[..., None]


def test_every_code_in_a_frame_is_read_once(decoder: QrDecoder) -> None:
    two = clutter_frame(2)
    _paste_code(two, CODE, 100, 200)
    _paste_code(two, DOSSIER, 800, 200)
    assert sorted(decoder.decode(two)) == sorted([CODE, DOSSIER])
    same = clutter_frame(2)
    _paste_code(same, CODE, 100, 200)
    _paste_code(same, CODE, 800, 200)
    assert decoder.decode(same) == [CODE]


def test_grey_bgra_and_strided_views_are_accepted(decoder: QrDecoder) -> None:
    image = frame_of_kind("rotated", CODE, 1).image
    gray = image[:, :, 1]  # a non-contiguous view
    bgra = np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])
    assert decoder.decode(gray) == [CODE]
    assert decoder.decode(bgra) == [CODE]
    assert decoder.decode(gray[:, :, None]) == [CODE]


@pytest.mark.parametrize(
    "frame",
    [np.empty((0, 0, 3), np.uint8), np.empty((0,), np.uint8), np.zeros((10, 10), np.uint8)],
    ids=["empty", "empty-1d", "tiny"],
)
def test_empty_or_tiny_frames_give_nothing(decoder: QrDecoder, frame: np.ndarray) -> None:
    assert decoder.decode(frame) == []


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (np.zeros((100, 100, 3), np.float32), ValueError),
        (np.zeros((100, 100, 2), np.uint8), ValueError),
        (np.zeros((4, 100, 100, 3), np.uint8), ValueError),
        ([[0, 255], [255, 0]], TypeError),
    ],
    ids=["float", "two-channels", "4d", "list"],
)
def test_what_is_not_an_image_is_a_clear_error(decoder: QrDecoder, frame: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="expected"):
        decoder.decode(frame)  # type: ignore[arg-type]


def test_guide_box_is_a_centred_square_inside_the_frame() -> None:
    assert guide_box(1280, 720) == Box(424, 144, 432, 432)
    for w, h in ((640, 480), (1920, 1080), (720, 1280), (1, 1)):
        box = guide_box(w, h)
        assert box.width == box.height > 0
        assert box.x >= 0
        assert box.y >= 0
        assert box.x + box.width <= w
        assert box.y + box.height <= h
        assert abs((box.x + box.width / 2) - w / 2) <= 1
    with pytest.raises(ValueError, match="positive"):
        guide_box(0, 720)
