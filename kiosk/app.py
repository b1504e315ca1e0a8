"""`python -m kiosk`: the citizen touch screen.

python -m kiosk --service http://10.0.0.2:8710 --token-file kiosk.token --printer usb:0416:5011
python -m kiosk --demo                      # a simulated hall, no service needed
python -m kiosk --demo --screenshot DIR [--size WxH]   # every screen at exactly that size, as PNG
python -m kiosk --smoke-test ...            # start, connect, quit 0 (non-zero when it cannot)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.child_process import shown_command
from app.client.api import QueueApi
from app.client.catalog_source import starting_catalog
from app.client.queue_client import ServiceError
from app.config import parser_defaults
from app.core.catalog import Catalog
from app.qtbridge.apps import add_common_arguments, application, first_run, present, second_start, wait_for
from kiosk.controller import KioskController
from kiosk.screens import Screen
from kiosk.window import KioskWindow
from printing.doc import ROLL_WIDTHS
from printing.errors import PrintError
from printing.ticket_printer import TicketPrinter


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=shown_command("kiosk"), description="Kiosk cấp số và tra cứu thủ tục")
    p.add_argument("--token-file", type=Path, help="tệp chứa mã thiết bị (vai trò kiosk)")
    p.add_argument("--printer", help="máy in phiếu: usb:VID:PID | serial:… | tcp:IP:9100 | win32:… | file:…")
    p.add_argument("--width", type=int, default=576, choices=ROLL_WIDTHS, help="khổ giấy: 384 (58 mm), 576 (80 mm)")
    p.add_argument("--camera", default="0", help="máy ảnh quét QR: 0, 1, rtsp://…, file:THƯ_MỤC_ẢNH_HOẶC_VIDEO")
    p.add_argument("--catalog", type=Path, help="danh mục thủ tục (mặc định: danh mục kèm theo)")
    p.add_argument(
        "--follow-url",
        help="địa chỉ trang theo dõi lượt in trên mã QR của phiếu (mặc định: cổng bảng gọi số HTTP của dịch vụ)",
    )
    p.add_argument(
        "--host-service", type=Path, metavar="DIR",
        help="kiosk này chạy luôn dịch vụ trung tâm (dữ liệu trong DIR), nên vẫn cấp số khi mạng LAN hỏng",
    )  # fmt: skip
    p.add_argument("--port", type=int, default=8710, help="cổng của dịch vụ khi dùng --host-service")
    p.add_argument(
        "--commune", help='với --host-service: tên xã (phường) của Trung tâm, ví dụ "Đông Hưng"; bắt buộc ở lần chạy '
        "đầu, sau đó dịch vụ nhớ tên trong DIR",
    )  # fmt: skip
    add_common_arguments(p, default_size="1080x1920")
    parser_defaults(p, "kiosk")  # config.toml: printer, width, camera, the hosted service (service PC)
    args = p.parse_args(argv)
    if args.service and args.host_service == p.get_default("host_service"):
        args.host_service = None  # --service names the centre service to use: the file's hosted one is not wanted
    return args


def make_client(args: argparse.Namespace) -> QueueApi:
    if args.demo or args.screenshot:
        from app.client.fake import demo_fake

        return demo_fake()
    from app.client.queue_client import QueueClient

    if args.host_service:
        from app.client.hosted_service import start_hosted_service

        # The service runs beside the kiosk on this PC (a child process, HTTPS on the LAN) and is announced by mDNS.
        args.hosted = start_hosted_service(args.host_service, port=args.port, commune=args.commune)
        return QueueClient(args.hosted.local_url, args.hosted.kiosk_token, ca_file=args.hosted.ca_file)
    from app.client.paired import paired_client  # --service/--token-file, else this PC's pairing, else mDNS

    return paired_client(QueueClient, args)


def make_printer(args: argparse.Namespace) -> TicketPrinter | None:
    return TicketPrinter(args.printer, args.width) if args.printer else None


def follow_base(args: argparse.Namespace, client: QueueApi) -> str | None:
    """Where a ticket's QR points phones: --follow-url, the hosted service's board port on this PC's LAN address,
    or a plain-HTTP service's own address; None when it must be asked of an https service (learn_follow_base)."""
    if args.follow_url:
        return str(args.follow_url)
    hosted = getattr(args, "hosted", None)
    if hosted is not None:
        hosted_follow: str | None = hosted.follow_url
        return hosted_follow
    return None if client.base_url.startswith("https:") else client.base_url


def learn_follow_base(ctl: KioskController) -> None:
    """Phones cannot trust the centre's CA: ask an https service, once it answers, for its plain board port."""
    from app.client.board import board_url_of

    def learned(url: str) -> None:
        if ctl.follow_base_url is None:  # the first answer (a reconnect may have asked twice)
            ctl.follow_base_url = url
            ctl.connection_changed.disconnect(ask)

    def ask(online: bool) -> None:
        if online and ctl.follow_base_url is None:
            ctl.runner.run(lambda: board_url_of(ctl.client), learned)

    ctl.connection_changed.connect(ask)


def build(args: argparse.Namespace, client: QueueApi, catalog: Catalog, printer: TicketPrinter | None) -> KioskWindow:
    follow = follow_base(args, client)
    ctl = KioskController(client, catalog, printer, follow_base_url=follow)
    if follow is None:
        learn_follow_base(ctl)
    extra: dict[str, Screen] = {}
    try:
        from kiosk.scan import ScanScreen

        extra["scan"] = ScanScreen(ctl, None, None, camera_spec=args.camera)
    except ImportError:  # the camera stack is optional on a kiosk without one
        pass
    window = KioskWindow(ctl, extra_screens=extra)
    for screen in extra.values():
        screen.t, screen.columns = window.t, window.columns
    return window


def main(argv: list[str] | None = None) -> int:
    args = first_run(parse_args, argv, "service-kiosk")
    app = application(offscreen=bool(args.screenshot))
    if (code := second_start(args, "kiosk", "Kiosk lấy số")) is not None:
        return code  # this app already runs here: its window came to the front
    try:
        catalog = starting_catalog(args.catalog)
        printer = make_printer(args)
        client = make_client(args)
    except (PrintError, OSError, ValueError) as exc:
        text = exc.for_people() if isinstance(exc, PrintError) else str(exc)
        print(f"Lỗi: {text}", file=sys.stderr)
        return 2
    except ServiceError as exc:  # not found on the LAN, a malformed address, an https one without its CA
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 2
    except Exception as exc:  # the hosted service did not start: its message says why, in Vietnamese
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    try:
        return run(args, app, client, catalog, printer)
    finally:
        hosted = getattr(args, "hosted", None)
        if hosted is not None:
            hosted.stop()


def run(args: argparse.Namespace, app: QApplication, client: QueueApi, catalog: Catalog,
        printer: TicketPrinter | None) -> int:  # fmt: skip
    if args.screenshot:
        from kiosk.screenshots import take_screenshots

        return take_screenshots(args, client, catalog)
    if args.smoke_test:
        return smoke_test(build(args, client, catalog, printer))
    window = build(args, client, catalog, printer)
    window.ctl.start()
    present(window, windowed=args.windowed, size=args.size, full="screen")
    return int(app.exec())


def smoke_test(window: KioskWindow) -> int:
    """Start the real window offscreen-capable, connect once, report, quit."""
    QTimer.singleShot(0, window.ctl.start)  # after the wait below is listening
    wait_for(window.ctl.connection_changed, 15_000)
    online = window.ctl.online
    window.close()
    if not online:
        print("Lỗi: không kết nối được dịch vụ trung tâm.", file=sys.stderr)
        return 1
    print(f"kiosk ok: {window.ctl.centre_name}, {len(window.ctl.snapshot.get('groups', []))} lĩnh vực")
    return 0
