"""`python -m app demo`: the suite on one machine, on a fresh data folder, with a simulated hall.

The centre service (named after a sample commune), the provincial simulator, a fake network scanner, a virtual
network printer that saves every ticket as a PNG, the simulated hall of app/demo_hall.py (citizens arriving at a
kiosk, clerks at the counters) and, on a machine with a screen, the Qt kiosk, hall display, counter 1, the director's
dashboard and counter 1's rating screen. It
ends (Ctrl+C or --minutes) with a summary of the session in Vietnamese.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from app.child_process import shown_command
from app.demo_apps import (
    DEMO_CLERK,
    DEMO_DIRECTOR,
    has_screen,
    start_counter,
    start_dashboard,
    start_display,
    start_kiosk,
    start_rating,
)
from app.demo_hall import DEMO_SPEED, HallClock, Tally, simulate_counter, simulate_kiosk
from app.service.launcher import ServerProcess, start_server
from printing.doc import ROLL_80_DOTS
from printing.ticket_printer import TicketPrinter
from printing.virtual_printer import VirtualPrinter

DEMO_COMMUNE = "Đông Hưng"  # a sample: "Trung tâm Phục vụ hành chính công xã Đông Hưng"


def _board_for_people(server: ServerProcess) -> str:
    """The plain-HTTP board and ticket pages: on this PC's LAN address when the service listens on the LAN."""
    from app.client.hosted_service import phone_reachable
    from app.service.launcher import local_address

    board = server.board_url
    if local_address(board) == board:  # bound to one address (loopback by default): as printed
        return board
    return phone_reachable(board) or local_address(board)


def run_demo(data: Path | None, port: int, minutes: float, printer_url: str | None = None,
             host: str = "127.0.0.1", *, commune: str = DEMO_COMMUNE, speed: float = DEMO_SPEED) -> int:  # fmt: skip
    folder = data or Path(tempfile.mkdtemp(prefix="motcua-demo-"))
    print(f"Thư mục dữ liệu: {folder}", flush=True)
    from app.sync.simulator import SimulatorProcess

    province = SimulatorProcess.start(folder / "province", latency_ms=50)
    print(f"Hệ thống một cửa của tỉnh (mô phỏng): {province.url} — hồ sơ đã nhận: {province.url}/sim/dossiers",
          flush=True)  # fmt: skip
    control = shown_command("app", "simulator-control")
    print(f"  thử mất mạng WAN: {control} --url {province.url} --down  (bật lại: --up)", flush=True)
    try:
        return _with_devices(folder, port, minutes, printer_url, province.url, host, commune, speed)
    finally:
        province.stop()


def _with_devices(folder: Path, port: int, minutes: float, printer_url: str | None, province_url: str,
                  host: str, commune: str, speed: float) -> int:  # fmt: skip
    from app.devices.scanners.escl_fake import FakeEsclServer

    with VirtualPrinter(out_dir=folder / "printed") as virtual, FakeEsclServer(pages=5) as scanner:
        url = printer_url or virtual.url
        if not printer_url:
            print(f"Máy in ảo: {virtual.url}, mỗi phiếu in ra được lưu thành ảnh PNG trong {folder / 'printed'}")
        print(f"Máy quét mạng giả lập (eSCL, khay nạp 5 trang): {scanner.url}", flush=True)
        server = start_server(folder, port=port, host=host, mdns=True, commune=commune)
        try:
            return _run(server, folder, minutes, TicketPrinter(url, ROLL_80_DOTS), url, scanner.url, province_url,
                        speed, printed=None if printer_url else folder / "printed")  # fmt: skip
        finally:
            server.stop()


def _run(server: ServerProcess, folder: Path, minutes: float, printer: TicketPrinter, printer_url: str,
         scanner_url: str, province_url: str, speed: float, printed: Path | None) -> int:  # fmt: skip
    api = server.local_url
    board = _board_for_people(server)
    centre = requests.get(f"{api}/api/health", timeout=10, verify=server.verify).json()["centre"]
    print(f"Dịch vụ trung tâm của {centre}: {api}  (OpenAPI: {api}/openapi.json)", flush=True)
    if server.ca_file is not None:
        print(f"  kết nối bảo mật (https): các ứng dụng dùng --ca-file {server.ca_file}", flush=True)
    apps = []
    simulated: tuple[int, ...]
    if has_screen():
        apps.append(start_kiosk(server, folder, printer_url))
        apps.append(start_display(server))
        apps.append(start_counter(server, 1, folder, printer_url, scanner_url, province_url))
        apps.append(start_dashboard(server))
        apps.append(start_rating(server, folder, 1))
        print("Đã mở kiosk (cửa sổ 720×1280; nút QUÉT MÃ QR dùng máy ảnh giả lập với một áp phích),", flush=True)
        print("màn hình sảnh (cửa sổ 1280×720, gọi số bằng giọng đọc)", flush=True)
        print(f"và phần mềm quầy 1: đăng nhập {DEMO_CLERK[0]}, mã PIN {DEMO_CLERK[2]} (quầy 2–4 mô phỏng).", flush=True)
        print(
            "Ở quầy 1: F1 gọi số, F8 tiếp nhận hồ sơ (F10 đọc thẻ CCCD mẫu bằng camera giả lập), Ctrl+S lưu và in "
            "Mẫu 01 ra máy in ảo; F9 tra cứu, trả kết quả; Ctrl+D số hóa (máy quét mạng giả lập, máy quét "
            "SANE test hoặc camera tài liệu giả lập).",
            flush=True,
        )
        print(
            f"Màn hình lãnh đạo (cửa sổ 1366×768): đăng nhập {DEMO_DIRECTOR[0]}, mã PIN {DEMO_DIRECTOR[2]}; sảnh, số "
            "liệu hôm nay và đánh giá thay đổi trực tiếp; tab Cài đặt đổi giới hạn, giờ cấp số, nhóm của quầy.",
            flush=True,
        )
        print(f"Màn hình đánh giá của quầy 1 (cửa sổ 1280×800, mã thiết bị {folder / 'rating1.token'}): hỏi công dân "
              "mỗi khi quầy 1 phục vụ xong một số (F1 gọi, bắt đầu, xong); công dân mô phỏng ở quầy 2–4 tự đánh giá "
              "qua dịch vụ, không hiện ở màn hình này.", flush=True)  # fmt: skip
        simulated = (2, 3, 4)
    else:
        simulated = (1, 2, 3, 4)
        print("Máy không có màn hình: chỉ chạy phần mô phỏng. Xem giao diện bằng --screenshot DIR của từng ứng dụng.")
    print(f"Hàng đợi hiện tại: {board}/api/queue   Thống kê: {api}/api/stats/today", flush=True)
    print(f"Bảng gọi số cho TV (trình duyệt, HTTP): {board}/display", flush=True)
    clock, tally, stop = HallClock(speed), Tally(), threading.Event()
    print(f"Mô phỏng từ {clock.label()}, nhanh gấp {speed:g} lần (1 phút thật = {speed:g} phút ở sảnh): công dân "
          f"đến lấy số, đông nhất khoảng 8:45; {len(simulated)} quầy gọi số. Nhấn Ctrl+C để dừng.",
          flush=True)  # fmt: skip
    rng = random.Random(2026)  # noqa: S311 - simulation, not security
    workers = [_worker(stop, "kiosk", simulate_kiosk, server, stop, clock, tally, printer, board, rng)]
    workers += [
        _worker(
            stop,
            f"quầy {c}",
            simulate_counter,
            server,
            c,
            stop,
            clock,
            tally,
            random.Random(c),  # noqa: S311
            rates=len(simulated) < 4,
        )  # with a screen the dashboard's ratings move too (counter 1 is the tester's)
        for c in simulated
    ]
    for w in workers:
        w.start()
    deadline = time.monotonic() + minutes * 60 if minutes else None
    code, figures, asked = 0, HallFigures(), 0.0
    try:
        while deadline is None or time.monotonic() < deadline:
            if server.proc.poll() is not None:
                print("Dịch vụ trung tâm đã dừng bất thường:\n" + "\n".join(server.output[-20:]), flush=True)
                code = 1
                break
            if time.monotonic() - asked > 2:  # kept for the summary: Ctrl+C stops the service too (same terminal)
                figures, asked = HallFigures.of(server) or figures, time.monotonic()
            stop.wait(0.5)
    except KeyboardInterrupt:
        print("\nĐang dừng…", flush=True)
    finally:
        stop.set()
        for w in workers:
            w.join(15)
        for app in apps:
            app.terminate()
            app.wait(10)
    if code == 0:
        figures = HallFigures.of(server) or figures
        print(summary(figures, clock, tally, folder=folder, printed=printed, board=board, api=api), flush=True)
    return code


def _worker(stop: threading.Event, who: str, target: Callable[..., None], *args: Any, **kw: Any) -> threading.Thread:
    """A simulated citizen or clerk on its own thread; a service that went away ends it with one line, not a
    traceback (Ctrl+C reaches the service as well as the demo)."""

    def run() -> None:
        try:
            target(*args, **kw)
        except (requests.RequestException, ValueError, KeyError) as exc:
            if not stop.is_set():
                print(f"  {who:<8}: dừng mô phỏng, không nói chuyện được với dịch vụ trung tâm ({exc})", flush=True)

    return threading.Thread(target=run, daemon=True, name=f"demo {who}")


@dataclass(frozen=True)
class HallFigures:
    """The service's own figures for today (GET /api/stats/today) and its counters."""

    stats: dict[str, Any] = field(default_factory=dict)
    counters: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, server: ServerProcess) -> HallFigures | None:
        try:
            with requests.Session() as s:
                s.trust_env, s.verify = False, server.verify
                s.headers["Authorization"] = f"Bearer {server.admin_token}"
                stats = s.get(f"{server.local_url}/api/stats/today", timeout=5).json()
                counters = s.get(f"{server.local_url}/api/counters", timeout=5).json()
        except (requests.RequestException, ValueError, OSError):
            return None
        return cls(stats, counters)


def summary(figures: HallFigures, clock: HallClock, tally: Tally, *, folder: Path, printed: Path | None,
            board: str, api: str) -> str:  # fmt: skip
    """What happened in the hall, in Vietnamese: the service's own figures for today, and where things are."""
    stats = figures.stats
    at_counters = sum(1 for c in figures.counters if c.get("current"))
    wait = (stats.get("wait_s") or {}).get("avg")
    real_minutes = (time.monotonic() - clock.started) / 60
    lines = [
        "",
        f"=== Tóm tắt buổi chạy thử: {real_minutes:.1f} phút thật, ở sảnh từ {clock.label(-clock.elapsed_s())} "
        f"đến {clock.label()} (nhanh gấp {clock.speed:g} lần) ===",
        f"  Số đã cấp: {stats.get('issued', tally.issued)}"
        + (f" (thêm {tally.balked} người thấy đông đã về, hẹn hôm khác)" if tally.balked else ""),
        f"  Đã phục vụ xong: {stats.get('served', tally.served)}   Vắng mặt (sau đủ số lần gọi): "
        f"{stats.get('no_show', tally.no_shows)}   Đang ở quầy: {at_counters}   "
        f"Còn chờ: {stats.get('waiting_now', '?')}",
        "  Thời gian chờ trung bình: " + (_duration(wait, clock.speed) if wait is not None else "chưa ai được gọi"),
    ]
    if printed is not None:
        pictures = len(list(printed.glob("*.png"))) if printed.exists() else 0
        lines.append(f"  Phiếu đã in (ảnh PNG giải mã từ lệnh ESC/POS): {printed} ({pictures} tệp)")
    else:
        lines.append(f"  Phiếu đã in ra máy in thật: {tally.printed}")
    lines += [
        f"  Thư mục dữ liệu: {folder} (cơ sở dữ liệu queue.db, mã quản trị admin.token)",
        f"  Bảng gọi số: {board}/display   Thống kê: {api}/api/stats/today",
        f"  Chạy lại trên cùng dữ liệu: python3 dev.py demo --data {folder}",
    ]
    return "\n".join(lines)


def _duration(seconds: float, speed: float) -> str:
    """ "42 giây (≈ 14 phút ở sảnh)": real time and the hall's simulated time."""
    hall = seconds * speed / 60
    hall_text = f"{hall:.0f} phút" if hall >= 1 else f"{seconds * speed:.0f} giây"
    return f"{seconds:.0f} giây thật (≈ {hall_text} ở sảnh)"
