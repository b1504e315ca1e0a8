"""Command line: `python -m app serve|demo|bench …`."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.child_process import shown_command, shown_program
from app.version import about_line


def main(argv: list[str] | None = None) -> int:
    from app.backup import add_backup_parsers, add_serve_backup_arguments, nightly_backup, run_backup_command

    # the name in usage and error lines: `python -m app` from source, the executable's own in the bundle
    parser = argparse.ArgumentParser(prog=shown_command("app"), description="Một Cửa")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="chạy dịch vụ trung tâm (hàng đợi)")
    serve.add_argument("--data", type=Path, help="thư mục dữ liệu (bắt buộc)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8710, help="0 = chọn cổng trống")
    serve.add_argument("--no-mdns", action="store_true", help="không quảng bá trên mạng LAN")
    serve.add_argument(
        "--commune", help='tên xã (phường) của Trung tâm, ví dụ "Đông Hưng" hoặc "phường Ba Đình": bắt buộc ở lần '
        "chạy đầu, được lưu trong thư mục dữ liệu; chạy lại với tên mới để đổi",
    )  # fmt: skip
    serve.add_argument(
        "--centre-name", help='tên đầy đủ riêng của Trung tâm (mặc định: "Trung tâm Phục vụ hành chính công xã …")'
    )
    serve.add_argument(
        "--tls", choices=["auto", "on", "off"], default="auto",
        help="HTTPS với CA riêng của Trung tâm: auto = bật khi nghe trên địa chỉ LAN (mặc định), on = luôn bật, "
        "off = tắt (không an toàn: mã PIN đi trên mạng không mã hóa)",
    )  # fmt: skip
    serve.add_argument(
        "--plain-port", type=int, default=None,
        help="cổng HTTP thường (chỉ đọc) cho bảng gọi số trên TV và trang theo dõi lượt trên điện thoại khi bật TLS "
        "(mặc định: --port + 1; 0 = cổng trống)",
    )  # fmt: skip
    add_serve_backup_arguments(serve)  # --backup-dir, --backup-at, --backup-keep: the nightly backup (app/backup.py)
    serve.add_argument(
        "--smoke-test", action="store_true",
        help="chạy thử trên thư mục dữ liệu tạm (https, cổng trống), hỏi /api/health rồi dừng (0 = được)",
    )  # fmt: skip

    demo = sub.add_parser("demo", help="chạy thử cả bộ trên một máy với thiết bị giả lập")
    demo.add_argument("--data", type=Path, help="thư mục dữ liệu (mặc định: thư mục mới)")
    demo.add_argument("--port", type=int, default=8710)
    demo.add_argument(
        "--host", default="0.0.0.0",  # noqa: S104 - phones in the hall must open the tickets' and posters' QR links
        help="địa chỉ nghe của dịch vụ (mặc định 0.0.0.0: cả mạng LAN, ứng dụng dùng https, mã QR trỏ địa chỉ LAN; "
        "127.0.0.1: chỉ máy này)",
    )  # fmt: skip
    demo.add_argument("--minutes", type=float, default=0, help="tự dừng sau N phút (0 = chạy đến Ctrl+C)")
    demo.add_argument("--printer", help="máy in phiếu thật (mặc định: máy in ảo lưu ảnh PNG)")
    demo.add_argument("--commune", default="Đông Hưng", help="tên xã (phường) mẫu của Trung tâm (mặc định: Đông Hưng)")
    demo.add_argument(
        "--speed", type=float, default=20.0, help="sảnh mô phỏng nhanh gấp N lần thời gian thật (mặc định 20)"
    )

    test = sub.add_parser("print-test", help="in một phiếu mẫu để kiểm tra máy in nhiệt")
    test.add_argument("--printer", required=True, help="usb:VID:PID | serial:/dev/ttyUSB0 | tcp:IP:9100 | …")
    test.add_argument("--width", type=int, default=576, help="384 (khổ 58 mm) hoặc 576 (khổ 80 mm)")
    test.add_argument("--out", type=Path, help="lưu thêm ảnh phiếu (PNG)")

    poster = sub.add_parser("posters", help="xuất áp phích mã QR cho mọi thủ tục ra PDF khổ A4")
    poster.add_argument("--out", type=Path, required=True)
    poster.add_argument("--catalog", type=Path, help="tệp danh mục JSON (mặc định: danh mục kèm theo)")
    poster.add_argument("--centre", default=None, help="tên trung tâm in trên áp phích")
    poster.add_argument("--labels", type=Path, help="xuất thêm tờ nhãn mã QR nhỏ (PDF)")
    poster.add_argument(
        "--page-url", help="địa chỉ bảng gọi số mà điện thoại trong sảnh mở được, ví dụ http://192.168.1.20:8711; "
        "không có: thủ tục chưa có trang trên cổng dịch vụ công chỉ quét được tại kiosk (áp phích ghi rõ)",
    )  # fmt: skip

    slip = sub.add_parser("slip", help="xuất Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01) mẫu")
    slip.add_argument("--sample", action="store_true", required=True, help="dùng dữ liệu mẫu")
    slip.add_argument("--out", type=Path, required=True, help=".pdf: khổ A4; .png: phiếu in nhiệt")
    slip.add_argument("--width", type=int, default=576, choices=[384, 576])

    vprinter = sub.add_parser("virtual-printer", help="máy in ảo TCP 9100, lưu mỗi phiếu nhận được thành PNG")
    vprinter.add_argument("--out", type=Path, required=True)
    vprinter.add_argument("--port", type=int, default=9100)

    bench = sub.add_parser("bench", help="đo hiệu năng, in JSON ở dòng cuối")
    bench.add_argument("target", choices=["queue", "print", "qr", "display", "scan", "sync", "report"])
    bench.add_argument("--dossiers", type=int, default=None,
                       help="sync: số hồ sơ gửi thử (10000); report: số hồ sơ cũ trong bản sao (50000)")  # fmt: skip
    bench.add_argument("--issues", type=int, default=3000)
    bench.add_argument("--calls", type=int, default=None, help="số lần gọi số (queue: 2000, display: 100)")
    bench.add_argument("--clients", type=int, default=8)
    bench.add_argument("--waiting", type=int, default=0, help="queue: số người đang chờ nạp sẵn trước khi đo")
    bench.add_argument("--tickets", type=int, default=200, help="print: số phiếu in thử")
    bench.add_argument("--frames", type=int, default=200, help="qr: số khung hình thử")
    bench.add_argument("--pages", type=int, default=60, help="scan: số trang A4 300 dpi tạo ra để đo")

    sync = sub.add_parser("sync", help="gửi hồ sơ của quầy lên máy chủ Trung tâm và hệ thống một cửa tỉnh")
    sync.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu hồ sơ của quầy")
    sync.add_argument("--provincial", help="địa chỉ hệ thống một cửa tỉnh (cấu hình mặc định)")
    sync.add_argument("--provincial-config", type=Path, help="tệp cấu hình cổng dữ liệu của tỉnh (JSON)")
    sync.add_argument("--centre", help="địa chỉ máy chủ Trung tâm, ví dụ http://10.0.0.2:8710")
    sync.add_argument("--token-file", type=Path, help="tệp chứa mã thiết bị (vai trò counter) cho --centre")
    sync.add_argument(
        "--ca-file", type=Path, help="chứng chỉ gốc (tls/ca.pem) của máy chủ Trung tâm cho --centre https"
    )
    how = sync.add_mutually_exclusive_group(required=True)
    how.add_argument("--once", action="store_true", help="gửi một lượt rồi thoát (0: hết hồ sơ chờ, 3: còn)")
    how.add_argument("--status", action="store_true", help="chỉ in các hồ sơ còn chờ và lý do")

    sim = sub.add_parser("simulator", help="bộ mô phỏng hệ thống một cửa của tỉnh (máy chủ HTTP thật)")
    sim.add_argument("--port", type=int, default=8720, help="0 = chọn cổng trống")
    sim.add_argument("--data", type=Path, required=True)
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--fail-rate", type=float, default=0.0, help="tỉ lệ yêu cầu bị lỗi giả lập, 0–1")
    sim.add_argument("--latency-ms", type=int, default=0, help="độ trễ thêm cho mỗi trả lời")

    simctl = sub.add_parser("simulator-control", help="bật/tắt bộ mô phỏng của tỉnh (thử mất kết nối WAN)")
    simctl.add_argument("--url", required=True, help="địa chỉ bộ mô phỏng, ví dụ http://127.0.0.1:8720")
    switch = simctl.add_mutually_exclusive_group(required=True)
    switch.add_argument("--down", action="store_true", help="mọi yêu cầu trả lỗi 503 như khi mất mạng")
    switch.add_argument("--up", action="store_true")
    simctl.add_argument("--fail-rate", type=float, help="tỉ lệ lỗi giả lập mới, 0–1")

    scan = sub.add_parser("scan", help="quét từ máy quét/camera/tệp ảnh ra một tệp PDF (kiểm tra thiết bị)")
    scan.add_argument(
        "--source", required=True, help="sane:test | sane:TÊN | escl:http://IP/eSCL | camera:0 | file:GLOB"
    )
    scan.add_argument("--out", type=Path, required=True, help="tệp .pdf")
    scan.add_argument("--pages", type=int, help="dừng sau N trang")
    scan.add_argument("--mode", choices=["auto", "bw", "gray", "color"], default="auto")
    scan.add_argument("--dpi", type=int, default=300)
    scan.add_argument("--feeder", action="store_true", help="dùng khay nạp giấy (ADF)")
    scan.add_argument("--duplex", action="store_true", help="quét hai mặt (khay nạp)")

    say = sub.add_parser("say", help="câu gọi số của màn hình sảnh: in câu, danh sách đoạn ghi âm, ghi WAV")
    say.add_argument("--number", required=True, help="số thứ tự như trên màn hình, ví dụ A015")
    say.add_argument("--counter", required=True, help='số quầy hoặc tên quầy, ví dụ 3 hoặc "Quầy 3"')
    say.add_argument("--digits", action="store_true", help="đọc từng chữ số (không một năm)")
    say.add_argument("--wav", type=Path, help="ghi âm thanh ra tệp WAV")
    say.add_argument("--voice", type=Path, help="thư mục bộ giọng đọc (mặc định: resources/voice/default)")

    due = sub.add_parser("due-date", help="tính ngày hẹn trả hồ sơ; dòng cuối là ngày giờ ISO")
    due.add_argument("--received", required=True, help='giờ tiếp nhận (giờ Việt Nam), ví dụ "2026-02-13 10:00"')
    due.add_argument("--procedure", help="mã thủ tục trong danh mục, ví dụ 2.000815")
    due.add_argument("--days", type=float, help="số ngày (khi không dùng --procedure hoặc danh mục chưa có)")
    due.add_argument("--unit", choices=["working_days", "days", "same_day"], help="ngày làm việc | ngày | trong ngày")
    due.add_argument("--catalog", type=Path, help="tệp danh mục JSON (mặc định: danh mục kèm theo)")
    due.add_argument("--data", type=Path, help="thư mục dữ liệu của quầy: dùng thêm các ngày điều chỉnh của lịch")

    book = sub.add_parser("tracking-book", help="xuất Sổ theo dõi hồ sơ (Mẫu 07) ra tệp Excel")
    book.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu hồ sơ của quầy")
    book.add_argument("--from", dest="first", type=date.fromisoformat, required=True, help="từ ngày YYYY-MM-DD")
    book.add_argument("--to", dest="last", type=date.fromisoformat, required=True, help="đến ngày YYYY-MM-DD")
    book.add_argument("--out", type=Path, required=True, help="tệp .xlsx")
    book.add_argument("--centre", default="Trung tâm Phục vụ hành chính công", help="tên đơn vị in trên sổ")

    load = sub.add_parser("dossier-load", help="tạo N hồ sơ mẫu (dữ liệu giả) để thử đồng bộ và đo hiệu năng")
    load.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu hồ sơ của quầy")
    load.add_argument("--count", type=int, required=True)
    load.add_argument("--seed", type=int, default=1)
    load.add_argument("--counter", type=int, default=1, help="số quầy (quyết định dải số hồ sơ dự phòng)")
    load.add_argument("--unit-code", default="000.00.00.X00", help="mã đơn vị trong mã hồ sơ")

    cal = sub.add_parser("calendar", help="ngày nghỉ, ngày làm bù do lãnh đạo điều chỉnh (dùng để tính ngày hẹn trả)")
    cal.add_argument("action", choices=["list", "set", "remove"])
    cal.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu hồ sơ của quầy")
    cal.add_argument("--day", type=date.fromisoformat, help="ngày YYYY-MM-DD")
    cal.add_argument("--working", action="store_true", help="ngày này làm việc (mặc định: nghỉ)")
    cal.add_argument("--source", default="", help='văn bản căn cứ, ví dụ "TB 9441/TB-BNV"')
    cal.add_argument("--effective", type=date.fromisoformat, help="ngày văn bản có hiệu lực")
    cal.add_argument("--note", default="")

    user = sub.add_parser("user", help="tài khoản cán bộ (cán bộ quầy, lãnh đạo, quản trị)")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    user_add = user_sub.add_parser("add", help="thêm một tài khoản; hỏi mã PIN hoặc mật khẩu")
    user_add.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu của dịch vụ trung tâm")
    user_add.add_argument("--username", required=True, help="tên đăng nhập, ví dụ lan.nguyen")
    user_add.add_argument("--name", required=True, help='họ tên, ví dụ "Nguyễn Thị Lan"')
    user_add.add_argument("--role", choices=["clerk", "director", "admin"], default="clerk")
    user_add.add_argument("--secret-stdin", action="store_true", help="đọc mã PIN/mật khẩu từ một dòng stdin")

    from app.catalog_cli import add_catalog_parser, run_catalog
    from app.report_cli import add_report_parser, run_report

    add_catalog_parser(sub)
    add_report_parser(sub)
    add_backup_parsers(sub)  # backup, restore
    extra = command_modules()
    for module in extra:
        module.add_parsers(sub)
    version = about_line("Dòng lệnh")
    parser.add_argument("--version", action="version", version=version, help="in phiên bản rồi thoát")
    for each in list(sub.choices.values()):
        each.add_argument("--version", action="version", version=version, help="in phiên bản rồi thoát")

    sub.add_parser("display", help="màn hình sảnh (TV): số vừa gọi, bảng quầy, đọc loa (xem display --help)",
                   add_help=False)  # fmt: skip
    sub.add_parser("dashboard", help="màn hình lãnh đạo: sảnh trực tiếp, số liệu, cài đặt (xem dashboard --help)",
                   add_help=False)  # fmt: skip
    raw = sys.argv[1:] if argv is None else argv
    if raw[:1] == ["display"]:  # its own options: app/display/app.py
        from app.display.app import main as display_main

        return display_main(raw[1:])
    if raw[:1] == ["dashboard"]:  # its own options: app/dashboard/app.py
        from app.dashboard.app import main as dashboard_main

        return dashboard_main(raw[1:])
    sub.add_parser("rating", help="màn hình đánh giá mức độ hài lòng tại quầy (xem rating --help)", add_help=False)
    if raw[:1] == ["rating"]:  # its own options: app/rating/app.py
        from app.rating.app import main as rating_main

        return rating_main(raw[1:])

    args = parser.parse_args(argv)
    for module in extra:
        done = module.run(args)
        if done is not None:
            return int(done)
    if args.command == "user":
        return run_user_add(args)
    if args.command == "catalog":
        return run_catalog(args)
    if args.command == "report":
        return run_report(args)
    if args.command in ("backup", "restore"):
        return run_backup_command(args)
    if args.command == "due-date":
        from app.due_date_cli import run_due_date

        overrides = _overrides(args.data) if args.data else ()
        return run_due_date(
            args.received,
            procedure=args.procedure,
            days=args.days,
            unit=args.unit,
            catalog_path=args.catalog,
            overrides=overrides,
        )
    if args.command in ("tracking-book", "dossier-load", "calendar"):
        return run_dossier_command(args)
    if args.command == "say":
        from app.display.say import run_say

        return run_say(args.number, args.counter, digits=args.digits, wav=args.wav, voice=args.voice)
    if args.command == "serve" and args.smoke_test:
        from app.service.smoke import run_smoke_test

        return run_smoke_test()
    if args.command == "serve":
        from app.config import load as load_config
        from app.config import parser_defaults, seed_layout
        from app.service.server import serve as run_serve

        parser_defaults(serve, "serve")  # config.toml's data_dir, commune, port; the command line still wins
        args = parser.parse_args(argv)
        if args.data is None:
            serve.error("cần --data THƯ_MỤC: thư mục dữ liệu của dịch vụ trung tâm")
        return run_serve(args.data, args.host, args.port, mdns=not args.no_mdns, tls=args.tls,
                         plain_port=args.plain_port, commune=args.commune, centre_name=args.centre_name,
                         command=[*shown_program("app"), *raw], backup=nightly_backup(args),
                         layout=seed_layout(load_config()))  # fmt: skip
    if args.command == "demo":
        from app.demo import run_demo

        return run_demo(args.data, args.port, args.minutes, args.printer, host=args.host, commune=args.commune,
                        speed=args.speed)  # fmt: skip
    if args.command in ("print-test", "posters", "slip", "virtual-printer"):
        return run_printing(args)
    if args.command == "bench" and args.target == "print":
        from app.bench.printing import run_print_bench

        return run_print_bench(args.tickets)
    if args.command == "bench" and args.target == "qr":
        from app.bench.qr import run_qr_bench

        return run_qr_bench(args.frames)
    if args.command == "bench" and args.target == "scan":
        from app.bench.scan import run_scan_bench

        return run_scan_bench(args.pages)
    if args.command == "sync":
        from app.sync_cli import run_sync

        return run_sync(args.data, provincial=args.provincial, config_file=args.provincial_config,
                        centre=args.centre, token_file=args.token_file, once=args.once, status=args.status,
                        ca_file=args.ca_file)  # fmt: skip
    if args.command == "simulator-control":
        return run_simulator_control(args.url, down=args.down, fail_rate=args.fail_rate)
    if args.command == "bench" and args.target == "sync":
        from app.bench.sync import run_sync_bench

        return run_sync_bench(args.dossiers or 10_000)
    if args.command == "bench" and args.target == "report":
        from app.bench.report import run_report_bench

        return run_report_bench(args.dossiers or 50_000)
    if args.command == "simulator":
        from app.sync.simulator import run_simulator

        return run_simulator(args.port, args.data, args.fail_rate, args.latency_ms, host=args.host)
    if args.command == "scan":
        from app.scan_cli import run_scan

        return run_scan(args.source, args.out, pages=args.pages, mode=args.mode, dpi=args.dpi, feeder=args.feeder,
                        duplex=args.duplex)  # fmt: skip
    if args.command == "bench" and args.target == "display":
        from app.bench.display import run_display_bench

        return run_display_bench(calls=args.calls or 100)
    if args.command == "bench":
        from app.bench.queue import run_queue_bench

        return run_queue_bench(issues=args.issues, calls=args.calls or 2000, clients=args.clients, waiting=args.waiting)
    return 2


# Commands that live beside their feature: each module has add_parsers(sub) (light: heavy imports wait for run)
# and run(args) -> exit code, or None when the command is not one of its own.
COMMAND_MODULES = ("app.signing.cli", "app.pairing_cli", "app.unattended_cli", "app.setup_cli")


def command_modules() -> list[Any]:
    import importlib

    return [importlib.import_module(name) for name in COMMAND_MODULES]


def _overrides(data: Path) -> list[Any]:
    from app.core.clock import SystemClock
    from app.store.dossier_store import DossierStore

    store = DossierStore(data, SystemClock())
    try:
        return list(store.overrides())
    finally:
        store.close()


def run_dossier_command(args: argparse.Namespace) -> int:
    from app import dossier_cli

    if args.command == "tracking-book":
        return dossier_cli.run_tracking_book(args.data, args.first, args.last, args.out, args.centre)
    if args.command == "dossier-load":
        return dossier_cli.run_dossier_load(args.data, args.count, args.seed, args.counter, args.unit_code)
    return dossier_cli.run_calendar(args.data, args.action, args.day, args.working, args.source, args.effective,
                                    args.note)  # fmt: skip


def run_simulator_control(url: str, *, down: bool, fail_rate: float | None) -> int:
    import requests

    body: dict[str, Any] = {"down": down}
    if fail_rate is not None:
        body["fail_rate"] = fail_rate
    try:
        answer = requests.post(f"{url.rstrip('/')}/sim/control", json=body, timeout=5)
        answer.raise_for_status()
    except requests.RequestException as exc:
        print(f"Lỗi: không điều khiển được bộ mô phỏng tại {url}: {exc}", file=sys.stderr)
        return 2
    print("Bộ mô phỏng của tỉnh: " + ("đã TẮT (mọi yêu cầu trả lỗi 503)." if down else "đã BẬT lại."))
    return 0


USER_EXISTS = 3  # `user add`'s exit code when the username is taken: the wizard's Hoàn tất says "already there"


def run_user_add(args: argparse.Namespace) -> int:
    """Write an account straight into the data folder (works on a fresh one, and beside a running service)."""
    import getpass

    from app.core.errors import DomainError
    from app.service.server import open_store
    from app.store.users import ROLE_NAMES, UserStore, check_secret

    if args.secret_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = getpass.getpass("Mã PIN hoặc mật khẩu: ")
        if getpass.getpass("Nhập lại để xác nhận: ") != secret:
            print("Lỗi: hai lần nhập không giống nhau. Chưa tạo tài khoản.", file=sys.stderr)
            return 2
    try:
        check_secret(secret)
        store, _devices = open_store(args.data, **_seed_from_config(args.data))
        try:
            made = UserStore(store.writer, store.clock).create(args.username, args.name, args.role, secret)
        finally:
            store.close()
    except DomainError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return USER_EXISTS if exc.code == "user_exists" else 2
    except ValueError as exc:  # a blank commune in config.toml (open_store names the centre from it)
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Lỗi: không ghi được vào thư mục dữ liệu {args.data}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Đã tạo tài khoản {made['username']} ({ROLE_NAMES[made['role']]}): {made['display_name']}.")
    return 0


def _seed_from_config(data: Path) -> dict[str, Any]:
    """open_store's commune, centre name and seed as `serve` takes them from config.toml, when `data` is the
    service data folder named there: the wizard's Hoàn tất creates the accounts before the service first runs,
    and the fresh folder must get the counters, groups and unit code chosen in the wizard, not the catalogue's
    defaults. Any other folder (or no config, or a broken one: `serve` says what is wrong) opens as it is."""
    from app.config import ConfigError, seed_layout
    from app.config import load as load_config

    try:
        config = load_config()
    except ConfigError:
        return {}
    if config is None or config.role != "service-kiosk":
        return {}
    if config.data_dir().expanduser().resolve() != data.expanduser().resolve():
        return {}
    commune = str(config.get("centre", "commune")).strip()
    name = str(config.get("centre", "name")).strip()
    return {"commune": commune or None, "centre_name": name or None, "layout": seed_layout(config)}


def run_printing(args: argparse.Namespace) -> int:
    from printing import commands
    from printing.samples import SAMPLE_CENTRE

    if args.command == "print-test":
        return commands.print_test(args.printer, args.width, args.out)
    if args.command == "posters":
        return commands.write_posters(args.out, args.catalog, args.centre or SAMPLE_CENTRE, args.labels, args.page_url)
    if args.command == "slip":
        return commands.write_slip(args.out, args.width)
    from printing.virtual_printer import serve_virtual_printer

    serve_virtual_printer(args.out, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
