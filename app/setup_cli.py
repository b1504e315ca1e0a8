"""`python -m app setup`: the first-run wizard and config.toml.

python -m app setup                          # the wizard, maximised; 0 when config.toml was written, 1 if closed
python -m app setup --role counter --windowed --size 1366x768
python -m app setup --screenshot DIR [--size 1366x768]   # every page as DIR/setup-WxH-NN-NAME.png, offscreen
python -m app setup --smoke-test             # build every page, quit 0
python -m app setup --autostart-dry-run      # Hoàn tất only prints the autostart it would install
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

DEFAULT_SIZE = "1366x768"
ROLES = ("service-kiosk", "counter", "display", "director", "rating")  # app.config.ROLES, without importing it here


def add_parsers(sub: Any) -> None:
    """Adds `setup` to `python -m app` (light: Qt is imported by `run` only)."""
    p = sub.add_parser("setup", help="trình cài đặt máy này (vai trò, Trung tâm, máy in, máy quét, kết nối tỉnh)")
    p.add_argument("--role", choices=ROLES, help="vai trò chọn sẵn")
    p.add_argument("--service", default="", help="địa chỉ máy chủ Trung tâm điền sẵn ở trang ghép nối")
    p.add_argument("--windowed", action="store_true", help="chạy trong cửa sổ --size thay vì phóng to")
    p.add_argument("--size", default=DEFAULT_SIZE, help=f"kích thước cửa sổ và ảnh chụp (mặc định {DEFAULT_SIZE})")
    p.add_argument("--screenshot", type=Path, metavar="DIR", help="chụp mọi trang vào thư mục rồi thoát")
    p.add_argument("--smoke-test", action="store_true", help="dựng mọi trang rồi thoát (0 = được)")
    p.add_argument("--scan-network", metavar="CIDR", help="mạng tìm máy in (mặc định: mạng /24 của máy này)")
    p.add_argument("--scan-port", type=int, default=9100, help="cổng máy in mạng (mặc định 9100)")
    p.add_argument("--data", default="", help="thư mục dữ liệu của Trung tâm điền sẵn (máy chủ)")
    p.add_argument("--commune", default="", help="tên xã (phường) điền sẵn (máy chủ)")
    p.add_argument("--autostart-dry-run", action="store_true",
                   help="Hoàn tất chỉ in phần tự chạy sẽ cài, không cài (như MOTCUA_AUTOSTART=dry-run)")  # fmt: skip
    p.add_argument("--service-registered", action="store_true",
                   help="trình cài đặt đã cho dịch vụ trung tâm tự chạy khi bật máy: không đăng ký lại")  # fmt: skip


def run(args: argparse.Namespace) -> int | None:
    """Runs `setup`; None for any other command."""
    if args.command != "setup":
        return None
    from app.client.catalog_source import starting_catalog
    from app.qtbridge import single_instance
    from app.qtbridge.apps import application, parse_size, second_start
    from app.setup.wizard import Options, SetupWizard
    from app.version import set_app_name

    set_app_name("setup")  # its log file and User-Agent
    app = application(offscreen=bool(args.screenshot or args.smoke_test))
    if (code := second_start(args, "setup", "Cài đặt ban đầu")) is not None:
        return code  # one wizard at a time writes config.toml: the open one came to the front
    try:
        size = parse_size(args.size)
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    tour = bool(args.screenshot or args.smoke_test)
    options = Options(role=args.role or "", service_url=args.service, scan_network=args.scan_network,
                      scan_port=args.scan_port, discover=not tour, fresh=tour, data_dir=args.data,
                      commune=args.commune, service_registered=args.service_registered,
                      **({"autostart_dry_run": True} if args.autostart_dry_run else {}))  # fmt: skip
    wizard = SetupWizard(starting_catalog(), options)
    if args.screenshot:
        args.screenshot.mkdir(parents=True, exist_ok=True)
        for path in screenshots(wizard, args.screenshot, size):
            print(path)
        return 0
    if args.smoke_test:
        wizard.resize(*size)
        wizard.show()
        names = [name for name in _tour(wizard)]
        wizard.close()
        print(f"setup ok: {len(names)} trang")
        return 0
    single_instance.attach(wizard)
    if args.windowed:
        wizard.resize(*size)
        wizard.show()
    else:
        wizard.showMaximized()
    app.exec()
    for outcome in wizard.summary_page.outcomes or ():  # what a dry run would install, for the terminal
        print(outcome.output, end="")
    return 0 if wizard.saved_to is not None else 1


def screenshots(wizard: Any, out: Path, size: tuple[int, int]) -> list[Path]:
    from app.qtbridge.apps import save_tour

    wizard.resize(*size)
    wizard.show()
    try:
        return save_tour(wizard, _tour(wizard, try_scanner=True), out, "setup", size)
    finally:
        wizard.close()


def _tour(wizard: Any, *, try_scanner: bool = False) -> Iterator[str]:
    """Walk the service PC's pages with sample answers, then a counter PC's pairing and devices pages."""
    from PySide6.QtCore import QTimer

    from app.setup.wizard import PAGE_NAMES

    wizard.restart()
    wizard.role_page.buttons["service-kiosk"].setChecked(True)
    wizard.role_page.name.setText("Kiosk sảnh")
    page = 1
    yield f"{page:02d}-{PAGE_NAMES[wizard.currentId()]}"
    wizard.centre_page.commune.setText("Đông Hưng")
    wizard.centre_page.unit_code.setText("000.00.12.H48")
    samples: dict[str, Callable[[], object]] = {
        "accounts": lambda: _sample_accounts(wizard.accounts_page),
        "printer": lambda: _settle(wizard, lambda: wizard.printer_page.spec.setText("tcp:192.168.1.50:9100")),
        "province": lambda: (wizard.province_page.url.setText("https://motcua.tinh.gov.vn"),
                             wizard.province_page.username.setText("xa_dong_hung")),
    }  # fmt: skip
    while wizard.nextId() != -1:
        wizard.next()
        page += 1
        name = PAGE_NAMES[wizard.currentId()]
        if name in samples:
            samples[name]()
        yield f"{page:02d}-{name}"
    wizard.restart()
    wizard.role_page.buttons["counter"].setChecked(True)
    wizard.role_page.name.setText("Quầy 2")
    wizard.next()  # the pairing page
    page += 1
    wizard.pair_page.address.setText("https://192.168.1.20:8710")
    yield f"{page:02d}-{PAGE_NAMES[wizard.currentId()]}-counter"
    wizard.pair_page.paired = object()  # a tour only: let Next through without a service
    wizard.next()
    wizard.next()  # the devices page with the scanner
    page += 1
    wizard.devices_page.scanner.setText("sane:test")
    if try_scanner and _sane_available():  # the screenshot shows a real page from SANE's test device
        from app.qtbridge.apps import wait_for

        QTimer.singleShot(0, wizard.devices_page.scan_button.click)
        wait_for(wizard.devices_page.answered, 60_000)
    yield f"{page:02d}-{PAGE_NAMES[wizard.currentId()]}-counter"
    wizard.pair_page.paired = None


def _sample_accounts(page: Any) -> None:
    """The director and two clerks, PINs masked as a person sees them once typed (samples, not anyone's)."""
    page.username.setText("lanh.dao")
    page.full_name.setText("Nguyễn Văn An")
    page.pin.setText("582914")
    page.pin_again.setText("582914")
    if not page.clerk_rows:
        page.add_clerk("lan.nguyen", "Nguyễn Thị Lan", "736215")
        page.add_clerk("binh.tran", "Trần Văn Bình", "419637")
    page.username.setFocus()  # not a clerk's PIN box: that one shows its digits while it has the focus


def _settle(wizard: Any, then: Callable[[], object]) -> None:
    """Let the page's background look-up (the USB printers) finish and show its answer, then fill the sample."""
    from PySide6.QtCore import QCoreApplication

    wizard.runner.wait(10_000)
    QCoreApplication.processEvents()
    then()


def _sane_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("sane") is not None
