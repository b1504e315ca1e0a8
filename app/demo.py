"""`python -m app demo`: the suite on one machine, on a fresh data folder, with a simulated hall.

Today that is the centre service, a virtual network printer that saves every ticket as a PNG, and
simulated citizens (a kiosk issuing and printing tickets) and clerks at the four counters; the Qt
kiosk, counter and hall display join here as they are built.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from pathlib import Path

import requests

from app.demo_apps import DEMO_CLERK, has_screen, start_counter, start_display, start_kiosk
from app.service.launcher import ServerProcess, start_server
from printing.doc import ROLL_80_DOTS
from printing.ticket_printer import TicketPrinter
from printing.tickets import ticket_print
from printing.virtual_printer import VirtualPrinter


def _simulate_kiosk(server: ServerProcess, stop: threading.Event, rng: random.Random, printer: TicketPrinter,
                    follow_base: str) -> None:  # fmt: skip
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    api = server.local_url
    group_list = requests.get(f"{api}/api/groups", timeout=10, verify=server.verify).json()
    counters = requests.get(f"{api}/api/counters", timeout=10, verify=server.verify).json()
    centre = requests.get(f"{api}/api/health", timeout=10, verify=server.verify).json()["centre"]
    groups = [g["code"] for g in group_list]
    with requests.Session() as s:
        s.trust_env = False  # else REQUESTS_CA_BUNDLE would win over the pinned CA (and a proxy could sit between)
        s.verify = server.verify
        while not stop.wait(rng.uniform(1.0, 4.0)):
            body: dict[str, str] = {"group": rng.choice(groups[:5])}
            if rng.random() < 0.15:
                body["priority"] = "elderly"
            r = s.post(f"{api}/api/tickets", json=body, headers=auth, timeout=10)
            if r.status_code == 201:
                t = r.json()
                print(
                    f"  kiosk   : cấp số {t['number']} ({t['group']}), {t['people_ahead']} người chờ trước", flush=True
                )
                data = ticket_print(t, centre_name=centre, groups=group_list, counters=counters, base_url=follow_base)
                print(f"  máy in  : {printer.print_ticket(data).message}", flush=True)
            else:
                print(f"  kiosk   : {r.json()['message']}", flush=True)


def _board_for_people(server: ServerProcess) -> str:
    """The plain-HTTP board and ticket pages: on this PC's LAN address when the service listens on the LAN."""
    from app.client.hosted_service import phone_reachable
    from app.service.launcher import local_address

    board = server.board_url
    if local_address(board) == board:  # bound to one address (loopback by default): as printed
        return board
    return phone_reachable(board) or local_address(board)


def _simulate_counter(server: ServerProcess, counter: int, stop: threading.Event, rng: random.Random) -> None:
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    base = f"{server.local_url}/api/counters/{counter}"
    with requests.Session() as s:
        s.trust_env = False
        s.verify = server.verify
        while not stop.wait(rng.uniform(2.0, 6.0)):
            r = s.post(f"{base}/call-next", json={"clerk": f"canbo{counter}"}, headers=auth, timeout=10)
            if r.status_code != 200:
                continue
            number = r.json()["number"]
            print(f"  quầy {counter}  : mời công dân số {number}", flush=True)
            if rng.random() < 0.1:
                s.post(f"{base}/no-show", headers=auth, timeout=10)
                print(f"  quầy {counter}  : số {number} vắng mặt", flush=True)
                continue
            s.post(f"{base}/start", headers=auth, timeout=10)
            if stop.wait(rng.uniform(3.0, 12.0)):
                return
            s.post(f"{base}/finish", headers=auth, timeout=10)


def run_demo(data: Path | None, port: int, minutes: float, printer_url: str | None = None,
             host: str = "127.0.0.1") -> int:  # fmt: skip
    folder = data or Path(tempfile.mkdtemp(prefix="motcua-demo-"))
    print(f"Thư mục dữ liệu: {folder}", flush=True)
    from app.sync.simulator import SimulatorProcess

    province = SimulatorProcess.start(folder / "province", latency_ms=50)
    print(f"Hệ thống một cửa của tỉnh (mô phỏng): {province.url} — hồ sơ đã nhận: {province.url}/sim/dossiers",
          flush=True)  # fmt: skip
    print(f"  thử mất mạng WAN: python -m app simulator-control --url {province.url} --down  (bật lại: --up)",
          flush=True)  # fmt: skip
    try:
        return _with_devices(folder, port, minutes, printer_url, province.url, host)
    finally:
        province.stop()


def _with_devices(folder: Path, port: int, minutes: float, printer_url: str | None, province_url: str,
                  host: str) -> int:  # fmt: skip
    from app.devices.scanners.escl_fake import FakeEsclServer

    with VirtualPrinter(out_dir=folder / "printed") as virtual, FakeEsclServer(pages=5) as scanner:
        url = printer_url or virtual.url
        if not printer_url:
            print(f"Máy in ảo: {virtual.url}, mỗi phiếu in ra được lưu thành ảnh PNG trong {folder / 'printed'}")
        print(f"Máy quét mạng giả lập (eSCL, khay nạp 5 trang): {scanner.url}", flush=True)
        return _run(folder, port, minutes, TicketPrinter(url, ROLL_80_DOTS), url, scanner.url, province_url, host)


def _run(folder: Path, port: int, minutes: float, printer: TicketPrinter, printer_url: str, scanner_url: str,
         province_url: str, host: str) -> int:  # fmt: skip
    server = start_server(folder, port=port, host=host, mdns=True)
    api = server.local_url
    board = _board_for_people(server)
    print(f"Dịch vụ trung tâm: {api}  (OpenAPI: {api}/openapi.json)", flush=True)
    if server.ca_file is not None:
        print(f"  kết nối bảo mật (https): các ứng dụng dùng --ca-file {server.ca_file}", flush=True)
    apps = []
    simulated: tuple[int, ...]
    if has_screen():
        apps.append(start_kiosk(server, folder, printer_url))
        apps.append(start_display(server))
        apps.append(start_counter(server, 1, folder, printer_url, scanner_url, province_url))
        print("Đã mở kiosk (cửa sổ 720×1280; nút QUÉT MÃ QR dùng máy ảnh giả lập với một áp phích),", flush=True)
        print("màn hình sảnh (cửa sổ 1280×720, gọi số bằng giọng đọc)", flush=True)
        print(f"và phần mềm quầy 1: đăng nhập {DEMO_CLERK[0]}, mã PIN {DEMO_CLERK[2]} (quầy 2–4 mô phỏng).", flush=True)
        print(
            "Ở quầy 1: F1 gọi số, F8 tiếp nhận hồ sơ (F10 đọc thẻ CCCD mẫu bằng camera giả lập), Ctrl+S lưu và in "
            "Mẫu 01 ra máy in ảo; F9 tra cứu, trả kết quả; Ctrl+D số hóa (máy quét mạng giả lập, máy quét "
            "SANE test hoặc camera tài liệu giả lập).",
            flush=True,
        )
        simulated = (2, 3, 4)
    else:
        simulated = (1, 2, 3, 4)
        print("Máy không có màn hình: chỉ chạy phần mô phỏng. Xem giao diện bằng --screenshot DIR của từng ứng dụng.")
    print(f"Hàng đợi hiện tại: {board}/api/queue   Thống kê: {api}/api/stats/today", flush=True)
    print(f"Bảng gọi số cho TV (trình duyệt, HTTP): {board}/display", flush=True)
    print(f"Mô phỏng: kiosk cấp số, {len(simulated)} quầy gọi số. Nhấn Ctrl+C để dừng.", flush=True)
    stop = threading.Event()
    rng = random.Random(2026)  # noqa: S311 - simulation, not security
    workers = [threading.Thread(target=_simulate_kiosk, args=(server, stop, rng, printer, board), daemon=True)]
    workers += [
        threading.Thread(target=_simulate_counter, args=(server, c, stop, random.Random(c)), daemon=True)  # noqa: S311
        for c in simulated
    ]
    for w in workers:
        w.start()
    deadline = time.monotonic() + minutes * 60 if minutes else None
    try:
        while deadline is None or time.monotonic() < deadline:
            if server.proc.poll() is not None:
                print("Dịch vụ trung tâm đã dừng bất thường:\n" + "\n".join(server.output[-20:]), flush=True)
                return 1
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
        server.stop()
    return 0
