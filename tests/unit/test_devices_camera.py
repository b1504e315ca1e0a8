"""Frame sources: the live camera's error path (this machine has none), file sources, and file → QR end to end."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

import app.devices.camera as camera_module
from app.bench.qr import frame_of_kind
from app.core.scan_payload import ProcedureScan, ReceiptScan, classify
from app.devices.camera import CameraError, FileCamera, FrameSource, OpenCvCamera, open_camera, redact_url
from app.devices.qr import QrDecoder
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file

LINK = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=187805"
DOSSIER = "000.00.12.H48-261123-0007"


def _solid(value: int, size: tuple[int, int] = (48, 64)) -> np.ndarray:
    return np.full((*size, 3), value, np.uint8)


def _write_images(folder: Path, values: dict[str, int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in values.items():
        ok, data = cv2.imencode(Path(name).suffix, _solid(value))
        assert ok
        (folder / name).write_bytes(data.tobytes())
    return folder


def _write_video(path: Path, frames: list[np.ndarray], fps: float = 10) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened(), "this OpenCV build has no MJPG writer"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def _read_all(source: FrameSource, limit: int = 100) -> list[np.ndarray]:
    frames: list[np.ndarray] = []
    while len(frames) < limit and (frame := source.read()) is not None:
        frames.append(frame)
    return frames


def test_a_camera_that_does_not_exist_is_a_clear_error() -> None:
    with pytest.raises(CameraError) as caught:
        OpenCvCamera(99)
    assert caught.value.message == "Không mở được camera số 99."
    assert "--camera 1" in caught.value.hint
    with pytest.raises(CameraError, match="camera số 99"):
        open_camera("99")


def test_an_unreachable_ip_camera_is_an_error_that_hides_the_password() -> None:
    with pytest.raises(CameraError) as caught:
        open_camera("rtsp://admin:bimat123@127.0.0.1:1/stream")  # port 1: refused at once
    assert "bimat123" not in str(caught.value)
    assert "rtsp://admin:***@127.0.0.1:1/stream" in caught.value.message


def test_redact_url() -> None:
    assert redact_url("http://user:pw@10.0.0.9:8080/v.mjpg") == "http://user:***@10.0.0.9:8080/v.mjpg"
    assert redact_url("rtsp://10.0.0.9/s") == "rtsp://10.0.0.9/s"


@pytest.mark.parametrize("spec", ["", "camera", "-1", "usb:0", "ftp://x/y", "file:"])
def test_specs_we_do_not_understand(spec: str) -> None:
    with pytest.raises(CameraError) as caught:
        open_camera(spec)
    assert caught.value.hint


def test_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="Không tìm thấy"):
        open_camera(f"file:{tmp_path / 'nope'}")
    (tmp_path / "notes.txt").write_text("không phải ảnh", encoding="utf-8")
    with pytest.raises(CameraError, match="không có ảnh"):
        FileCamera(tmp_path)
    with pytest.raises(CameraError, match="video"):
        FileCamera(tmp_path / "notes.txt")


def test_image_folder_is_read_in_name_order_skipping_what_is_not_an_image(tmp_path: Path) -> None:
    folder = _write_images(tmp_path / "ảnh Nguyễn", {"b.png": 20, "a.png": 10, "c.jpg": 30, "d.bmp": 40})
    (folder / "readme.txt").write_text("x", encoding="utf-8")
    (folder / "broken.png").write_bytes(b"not a png")  # sorts before c.jpg
    with open_camera(f"file:{folder}") as source:
        assert isinstance(source, FrameSource)
        frames = _read_all(source)
    assert [int(f.mean().round()) for f in frames] == [10, 20, 30, 40]
    assert all(f.shape == (48, 64, 3) and f.dtype == np.uint8 and f.flags.c_contiguous for f in frames)


def test_loop_starts_again_and_a_single_image_works(tmp_path: Path) -> None:
    folder = _write_images(tmp_path / "imgs", {"0.png": 10, "1.png": 20})
    with FileCamera(folder, loop=True) as source:
        values = [int(source.read().mean().round()) for _ in range(5)]  # type: ignore[union-attr]
    assert values == [10, 20, 10, 20, 10]
    with FileCamera(folder / "1.png", loop=True) as still:
        assert all(still.read() is not None for _ in range(3))
    with FileCamera(folder / "1.png") as once:
        assert once.read() is not None
        assert once.read() is None


def test_loop_over_only_broken_images_returns_none_instead_of_spinning(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "x.png").write_bytes(b"")
    (folder / "y.jpg").write_bytes(b"\xff\xd8garbage")
    with FileCamera(folder, loop=True) as source:
        assert source.read() is None


def test_video_file_frames_in_order_then_none_or_loop(tmp_path: Path) -> None:
    video = _write_video(tmp_path / "clip.avi", [_solid(v, (120, 160)) for v in (0, 60, 120, 180, 240)])
    with open_camera(f"file:{video}") as source:
        frames = _read_all(source)
    assert len(frames) == 5
    means = [float(f.mean()) for f in frames]
    assert means == pytest.approx([0, 60, 120, 180, 240], abs=6)  # MJPG is lossy: compare coarsely
    with FileCamera(video, loop=True) as looping:
        assert len(_read_all(looping, limit=12)) == 12


class _FakeClock:
    """Stands in for the time module inside camera.py: sleeping advances the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_reading_sleeps_only_when_fps_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write_images(tmp_path / "imgs", {"0.png": 10, "1.png": 20})
    clock = _FakeClock()
    monkeypatch.setattr(camera_module, "time", clock)
    with FileCamera(folder, loop=True) as fast:
        for _ in range(20):
            fast.read()
    assert clock.sleeps == []
    with FileCamera(folder, loop=True, fps=25) as paced:
        for _ in range(5):
            paced.read()
            clock.now += 0.01  # the caller's own work between reads counts towards the period
    assert clock.sleeps == pytest.approx([0.03] * 4)
    with pytest.raises(ValueError, match="fps"):
        FileCamera(folder, fps=0)


def test_file_camera_frames_through_the_decoder_to_a_scan(tmp_path: Path) -> None:
    catalog = load_catalog_file(default_catalog_path())
    shots = [frame_of_kind("rotated", LINK, 0), frame_of_kind("blurred", DOSSIER, 1)]
    folder = tmp_path / "camera"
    folder.mkdir()
    for i, shot in enumerate(shots):
        cv2.imwrite(str(folder / f"{i:03d}.png"), shot.image)
    decoder = QrDecoder(time_limit_ms=None)
    with open_camera(f"file:{folder}") as source:
        scans = [classify(text, catalog) for frame in _read_all(source) for text in decoder.decode(frame)]
    birth = next(p for p in catalog.procedures if p.code == "1.001193")
    assert scans == [ProcedureScan(birth), ReceiptScan(DOSSIER)]


def test_a_video_of_a_code_decodes_after_mjpg_recompression(tmp_path: Path) -> None:
    shot = frame_of_kind("rotated", DOSSIER, 0).image
    video = _write_video(tmp_path / "kiosk.avi", [shot] * 3)
    decoder = QrDecoder(time_limit_ms=None)
    with FileCamera(video) as source:
        texts = [decoder.decode(frame) for frame in _read_all(source)]
    assert texts == [[DOSSIER]] * 3


def test_a_live_source_that_stops_delivering_is_lost_not_ended(tmp_path: Path) -> None:
    # OpenCvCamera on a file stands in for a stream that closes: frames first, then a clear error, never None.
    video = _write_video(tmp_path / "stream.avi", [_solid(v, (120, 160)) for v in (50, 100)])
    with OpenCvCamera(str(video)) as live:
        assert live.read() is not None
        assert live.read() is not None
        with pytest.raises(CameraError, match="Mất tín hiệu"):
            live.read()
