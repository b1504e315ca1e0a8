"""The wizard's "try it" buttons without Qt: a test ticket, one scanned page, one camera frame, the province's login.

Each returns what to show or raises CheckFailed with a Vietnamese sentence that says what to do; the pages run them
on a worker thread (app.qtbridge.tasks) so a dead printer or a slow gateway never freezes the window.
"""

from __future__ import annotations

from typing import Any

SCAN_DPI = 75  # a preview: fast on any scanner, enough to see that a page came through


class CheckFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def print_test_ticket(spec: str, width: int) -> str:
    """Print the sample ticket (`python -m app print-test`); the printer's state in words."""
    from printing.commands import print_sample
    from printing.errors import PrintError

    try:
        status = print_sample(spec, width)
    except PrintError as exc:
        raise CheckFailed(exc.for_people()) from None
    return f"Đã gửi phiếu thử tới máy in. {status.describe()} Hãy xem phiếu có in rõ chữ tiếng Việt không."


def scan_one_page(source: str) -> Any:
    """One page from the scanner at preview resolution, as a BGR or gray numpy image."""
    from app.devices.scanners import ScannerError, ScanSettings, open_source

    try:
        scanner = open_source(source)
        try:
            page = next(iter(scanner.scan(ScanSettings(resolution=SCAN_DPI, mode="gray", max_pages=1))), None)
        finally:
            scanner.close()
    except ScannerError as exc:
        raise CheckFailed(exc.for_people()) from None
    except Exception as exc:  # a driver's own error: still say it in a sentence
        raise CheckFailed(f"Máy quét báo lỗi: {exc}. Kiểm tra máy quét đã bật, đã cắm cáp và có giấy.") from None
    if page is None:
        raise CheckFailed("Máy quét không trả về trang nào. Đặt giấy lên mặt kính (hoặc khay nạp) rồi thử lại.")
    return page.image


def camera_frame(spec: str) -> Any:
    """One frame from the camera `spec` (0, 1, rtsp://…, file:…), BGR."""
    from app.devices.camera import CameraError, open_camera

    try:
        with open_camera(spec) as camera:
            for _ in range(30):  # a webcam's first frames may be empty while it adjusts
                frame = camera.read()
                if frame is not None:
                    return frame
    except CameraError as exc:
        raise CheckFailed(str(exc)) from None  # the message and its hint
    raise CheckFailed("Camera không gửi hình. Kiểm tra cáp USB, đóng phần mềm khác đang dùng camera rồi thử lại.")


def gateway_login(url: str, unit_code: str, username: str, password: str) -> str:
    """Log in to the provincial gateway exactly as a sync would (a real HTTP request); what happened, in words."""
    from app.sync.gateway import ProvincialSink
    from app.sync.gateway_config import GatewayConfig
    from app.sync.sink import SyncError

    if not url.startswith(("https://", "http://")):
        raise CheckFailed("Địa chỉ hệ thống của tỉnh phải bắt đầu bằng https://, ví dụ https://motcua.tinh.gov.vn.")
    if not username or not password:
        raise CheckFailed("Cần tên đăng nhập và mật khẩu kết nối do tỉnh cấp.")
    config = GatewayConfig(base_url=url, username=username, password=password, unit_code=unit_code or "-",
                           connect_timeout=5.0, read_timeout=10.0)  # fmt: skip
    sink = ProvincialSink(config)
    try:
        sink._login()  # the sink's own login: the same request and the same verdicts as a real sync
    except SyncError as exc:
        raise CheckFailed(_plain(exc.message)) from None
    finally:
        sink.close()
    return "Kết nối được hệ thống một cửa của tỉnh: đăng nhập thành công."


def _plain(message: str) -> str:
    """The sink's sentence without its promise about dossiers (there are none yet during setup)."""
    for tail in (" Hồ sơ vẫn được lưu ở quầy và sẽ tự gửi lại sau.", " Hồ sơ sẽ tự gửi lại sau.",
                 "; hồ sơ sẽ tự gửi lại sau."):  # fmt: skip
        message = message.replace(tail, "." if tail.startswith(";") else "")
    return message + " Kiểm tra địa chỉ, mạng tới tỉnh, tên đăng nhập và mật khẩu."
