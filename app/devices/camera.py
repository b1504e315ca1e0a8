"""Where camera frames come from: a USB webcam or IP camera through OpenCV, or files for tests and demos.

`open_camera(spec)` understands the `--camera` option: "0", "1" (device index), "file:PATH" (a video
or a folder of images, read in name order) and "rtsp://…", "http(s)://…" (IP cameras). Every source
returns BGR uint8 frames from `read()` and None only once it has ended (a file read without `loop`);
a live camera retries dropped frames and raises CameraError when it is gone. Sources are context
managers. No Qt here: the kiosk's worker thread wraps a source and a QrDecoder (app.qtbridge).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import cv2
import cv2.typing
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
URL_SCHEMES = ("rtsp", "rtsps", "http", "https")
NETWORK_TIMEOUT_MS = 5000  # an unreachable IP camera fails in seconds, not after FFmpeg's 30 s default
LOST_AFTER_FAILED_READS = 30  # a second of a 30 fps camera returning nothing: it is gone
LOST_AFTER_SECONDS = 2.0

CAMERA_HINT = (
    "Kiểm tra cáp USB của camera, đóng các phần mềm khác đang dùng camera (Zalo, Zoom, Teams…) "
    "hoặc chọn camera khác, ví dụ --camera 1."
)
NETWORK_HINT = "Kiểm tra địa chỉ, tên đăng nhập, mật khẩu và kết nối mạng tới camera IP."
SPEC_HINT = "Dùng số thứ tự camera (0, 1…), file:ĐƯỜNG_DẪN (video hoặc thư mục ảnh) hoặc rtsp://… / http://…"


class CameraError(RuntimeError):
    """A camera that cannot be used; `message` and `hint` are Vietnamese, ready for the screen."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(f"{message} {hint}".strip())
        self.message = message
        self.hint = hint


@runtime_checkable
class FrameSource(Protocol):
    def read(self) -> Frame | None:
        """The next BGR frame; None only once the source has ended (a file read without `loop`).

        A live camera retries dropped frames itself and raises CameraError when it is lost.
        """
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class _Source:
    """Context-manager plumbing shared by the sources."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def redact_url(url: str) -> str:
    """The URL with its password replaced, for messages and logs ("rtsp://admin:***@10.0.0.9/…")."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}{port}"))
    except ValueError:
        return "<địa chỉ camera>"


def _backends_for(source: int | str) -> list[int]:
    if isinstance(source, str):
        return [cv2.CAP_FFMPEG]  # IP cameras: FFmpeg is the backend bundled in every opencv wheel
    if sys.platform == "win32":
        # MSMF takes seconds to open and once returned upscaled 640×480 (opencv #17687, #12822): DirectShow first.
        return [cv2.CAP_DSHOW, cv2.CAP_MSMF]
    if sys.platform.startswith("linux"):
        return [cv2.CAP_V4L2]
    return [cv2.CAP_ANY]


class OpenCvCamera(_Source):
    """A live camera: a device index (USB webcam) or a stream URL (IP camera), through cv2.VideoCapture."""

    def __init__(self, index_or_url: int | str, width: int = 1280, height: int = 720) -> None:
        self.source = index_or_url
        self.name = f"camera {index_or_url}" if isinstance(index_or_url, int) else redact_url(index_or_url)
        if sys.platform == "win32":
            # Read when MSMF initialises; without it MSMF's hardware transforms slow opening down.
            os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")
        self._capture = self._open(index_or_url)
        if isinstance(index_or_url, int):
            # MJPG lets a USB 2 webcam deliver 720p at 30 fps instead of ~10 fps raw YUYV; ignored if unsupported.
            self._capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not one from a second ago

    def _open(self, source: int | str) -> cv2.VideoCapture:
        for backend in _backends_for(source):
            if isinstance(source, str):
                params = [
                    cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                    NETWORK_TIMEOUT_MS,
                    cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                    NETWORK_TIMEOUT_MS,
                ]
                capture = cv2.VideoCapture(source, backend, params)
            else:
                capture = cv2.VideoCapture(source, backend)
            if capture.isOpened():
                return capture
            capture.release()
        if isinstance(source, str):
            raise CameraError(f"Không kết nối được camera IP {self.name}.", NETWORK_HINT)
        raise CameraError(f"Không mở được camera số {source}.", CAMERA_HINT)

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) the camera actually delivers; drivers may ignore the size asked for."""
        return int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def read(self) -> Frame | None:
        # A live camera never ends: a dropped frame is retried here, so None never reaches a caller
        # that treats it as the end; a camera silent for ~1 s (unplugged, stream closed) is an error.
        deadline = time.monotonic() + LOST_AFTER_SECONDS
        for _ in range(LOST_AFTER_FAILED_READS):
            ok, frame = self._capture.read()
            if ok and frame is not None:
                return _as_bgr(frame)
            if time.monotonic() > deadline:  # an IP camera's read can block for NETWORK_TIMEOUT_MS
                break
        raise CameraError(f"Mất tín hiệu từ {self.name}.", CAMERA_HINT)

    def close(self) -> None:
        self._capture.release()


class FileCamera(_Source):
    """Frames from a video file, an image file, or a folder of images read in sorted name order.

    `loop` starts again at the end instead of returning None; `fps` paces `read()` like a live camera
    (without it, reading never sleeps: tests and benches run at full speed).
    """

    def __init__(self, path: Path | str, *, loop: bool = False, fps: float | None = None) -> None:
        self.path = Path(path)
        self.loop = loop
        if fps is not None and fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._period = 1.0 / fps if fps else None
        self._next_due: float | None = None
        self._images: list[Path] = []
        self._position = 0
        self._video: cv2.VideoCapture | None = None
        if not self.path.exists():
            raise CameraError(f"Không tìm thấy {self.path}.", SPEC_HINT)
        if self.path.is_dir():
            self._images = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not self._images:
                raise CameraError(f"Thư mục {self.path} không có ảnh nào (.png, .jpg…).", SPEC_HINT)
        elif self.path.suffix.lower() in IMAGE_SUFFIXES:
            self._images = [self.path]
        else:
            self._video = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
            if not self._video.isOpened():
                self._video.release()
                raise CameraError(f"Không đọc được tệp video {self.path.name}.", "Dùng tệp .avi, .mp4 hoặc .mkv.")

    def read(self) -> Frame | None:
        self._pace()
        return self._read_video() if self._video is not None else self._read_image()

    def _pace(self) -> None:
        if self._period is None:
            return
        now = time.monotonic()
        if self._next_due is not None and now < self._next_due:
            time.sleep(self._next_due - now)
            now = self._next_due
        self._next_due = now + self._period

    def _read_video(self) -> Frame | None:
        assert self._video is not None
        ok, frame = self._video.read()
        if not ok and self.loop:
            self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._video.read()
        return _as_bgr(frame) if ok and frame is not None else None

    def _read_image(self) -> Frame | None:
        # Skip unreadable files, but look at each one at most once per call so a folder of broken
        # images cannot spin forever in loop mode.
        for _ in range(len(self._images)):
            if self._position >= len(self._images):
                if not self.loop:
                    return None
                self._position = 0
            path = self._images[self._position]
            self._position += 1
            frame = _imread(path)
            if frame is not None:
                return frame
        return None

    def close(self) -> None:
        if self._video is not None:
            self._video.release()


def _imread(path: Path) -> Frame | None:
    # imdecode from bytes, not imread: OpenCV's imread cannot open non-ASCII paths on Windows
    # ("C:\Users\Nguyễn\…").
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return _as_bgr(image) if image is not None else None


def _as_bgr(frame: cv2.typing.MatLike) -> Frame:
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    elif frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(frame, dtype=np.uint8)


def open_camera(spec: str, *, loop: bool = False, fps: float | None = None) -> FrameSource:
    """The source a `--camera` value names; `loop` and `fps` apply to file sources only."""
    text = spec.strip()
    if text.isascii() and text.isdigit():
        return OpenCvCamera(int(text))
    if text.lower().startswith("file:"):
        path = text[len("file:") :]
        if not path:
            raise CameraError("Thiếu đường dẫn sau file:.", SPEC_HINT)
        return FileCamera(Path(path).expanduser(), loop=loop, fps=fps)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in URL_SCHEMES:
        return OpenCvCamera(text)
    raise CameraError(f"Không hiểu cấu hình camera {redact_url(text)!r}.", SPEC_HINT)
