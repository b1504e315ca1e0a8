"""Opening the counter's dossier desk from the command line options: data folder, printers, camera."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.client.api import QueueApi
from app.core.clock import Clock, SystemClock
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from counter.dossier.controller import DossierController
from counter.dossier.desk import COMMUNE_KEY, DossierDesk, open_desk
from printing.dossier_prints import CentreHeader

if TYPE_CHECKING:
    from counter.controller import CounterController
    from counter.session import CounterClient


def add_dossier_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, help="thư mục dữ liệu hồ sơ của quầy (mặc định: thư mục người dùng)")
    p.add_argument("--printer", help="máy in phiếu nhiệt cho Mẫu 01 khổ 80 mm, ví dụ usb:0416:5011, tcp:IP:9100")
    p.add_argument("--width", type=int, default=576, choices=[384, 576], help="384 (58 mm) hoặc 576 (80 mm)")
    p.add_argument("--a4-printer", help='tên máy in A4 của hệ thống, hoặc "pdf:THƯ_MỤC" để lưu PDF')
    p.add_argument("--camera", default="0", help="camera đọc CCCD: 0, 1, rtsp://… hoặc file:THƯ_MỤC")
    p.add_argument(
        "--scanner",
        action="append",
        default=[],
        help="máy quét: sane:test, sane:TÊN, escl:http://IP/eSCL, "
        "wia:TÊN, file:THƯ_MỤC/*.png (lặp lại được; camera --camera luôn có)",
    )
    p.add_argument("--provincial-config", type=Path, help="tệp cấu hình cổng dữ liệu của tỉnh (JSON)")
    p.add_argument("--provincial", help="địa chỉ hệ thống một cửa của tỉnh (dùng cấu hình mặc định, ví dụ bộ mô phỏng)")
    p.add_argument("--doc-camera", help="camera tài liệu để số hóa (mặc định: camera --camera)")
    p.add_argument("--agency", help='tên cơ quan in trên các mẫu phiếu, ví dụ "UBND xã Đông Hưng" (được ghi nhớ)')
    p.add_argument("--place", help='địa danh ở dòng ngày tháng, ví dụ "Đông Hưng" (được ghi nhớ)')
    p.add_argument("--hotline", help="số điện thoại đường dây nóng in trên phiếu (được ghi nhớ)")
    key = p.add_mutually_exclusive_group()
    key.add_argument("--pkcs11", metavar="LIB", help="thư viện PKCS#11 của thiết bị ký số (.dll/.so; được ghi nhớ)")
    key.add_argument("--pfx", type=Path, help="tệp chữ ký số .p12/.pfx khi không có USB token (được ghi nhớ)")
    p.add_argument("--slot", type=int, help="khe của thiết bị ký số khi cắm nhiều thiết bị (từ 0; được ghi nhớ)")
    key.add_argument(
        "--test-token", type=Path, metavar="DIR",
        help="chạy thử: ký bằng thiết bị ký số THỬ (SoftHSM2) tạo trong DIR, không có giá trị pháp lý",
    )  # fmt: skip
    p.add_argument("--tsa", metavar="URL", help='máy chủ cấp dấu thời gian khi ký (PAdES B-T; "" để bỏ; được ghi nhớ)')


def data_folder(args: argparse.Namespace) -> Path:
    if args.data:
        return Path(args.data)
    if args.demo or args.screenshot:  # simulated halls never write into the clerk's real folder
        return Path(tempfile.mkdtemp(prefix="motcua-counter-"))
    from platformdirs import user_data_dir

    return Path(user_data_dir("MotCua", appauthor=False)) / "counter"


def open_counter_desk(args: argparse.Namespace, clock: Clock | None = None) -> DossierDesk:
    catalog = load_catalog_file(default_catalog_path())
    desk = open_desk(data_folder(args), catalog, clock or SystemClock(), CentreHeader(),
                     roll_url=args.printer, roll_width=args.width, a4_printer=args.a4_printer)  # fmt: skip
    for key in ("agency", "place", "hotline"):  # given once by the installer, kept in the counter's settings
        value = getattr(args, key, None)
        if value:
            desk.store.set_setting(f"header.{key}", " ".join(value.split()))
    desk.header = desk.saved_header()  # the centre's name as last learned from the service (learn_from_service)
    desk.signing = signing_setup(args, desk)
    return desk


def signing_setup(args: argparse.Namespace, desk: DossierDesk) -> Any:
    """The key this counter signs with: --pkcs11/--pfx (remembered in the counter's settings), else what was
    remembered, else in --demo a test token; None: signing is not set up (the buttons stay hidden)."""
    from app.signing.keys import PfxKey, Pkcs11Key
    from counter.scan.signing import SigningSetup, demo_setup

    store = desk.store
    given = {"signing.pkcs11": getattr(args, "pkcs11", None), "signing.pfx": getattr(args, "pfx", None)}
    if any(given.values()):  # one key place at a time: the other is forgotten
        for name, value in given.items():
            store.set_setting(name, str(value or ""))
    for name in ("slot", "tsa"):
        value = getattr(args, name, None)
        if value is not None:
            store.set_setting(f"signing.{name}", str(value))
    commune = store.setting(COMMUNE_KEY) or store.setting("header.place")
    tsa = store.setting("signing.tsa") or None
    if getattr(args, "test_token", None):  # `python -m app demo`: a test token, never remembered
        return demo_setup(Path(args.test_token), commune or "Đông Hưng")
    slot = store.setting("signing.slot")
    if store.setting("signing.pkcs11"):
        source: Any = Pkcs11Key(store.setting("signing.pkcs11"), int(slot) if slot.isdigit() else None)
        return SigningSetup(source, tsa_url=tsa, commune=commune)
    if store.setting("signing.pfx"):
        return SigningSetup(PfxKey(Path(store.setting("signing.pfx"))), tsa_url=tsa, commune=commune)
    if getattr(args, "demo", False):
        return demo_setup(store.folder / "demo-token", commune or "Đông Hưng")
    return None


def dossier_controller(desk: DossierDesk, ctl: CounterController, client: QueueApi) -> DossierController:
    """The clerk is whoever is signed in at the counter; numbers come from the service through `client`."""

    def who() -> tuple[str, str, int]:
        return ctl.username or "", ctl.display_name, int(ctl.counter_id or 0)

    return DossierController(desk, who, client.dossier_codes, client=client)


def provincial_config(args: argparse.Namespace, unit_code: str) -> Any:
    """The province's gateway from --provincial-config, or a default one at --provincial URL; None: no province."""
    from app.sync.gateway_config import config_for_url, load_gateway_config

    if getattr(args, "provincial_config", None):
        return load_gateway_config(args.provincial_config)
    if getattr(args, "provincial", None):
        return config_for_url(args.provincial, unit_code)
    return provincial_from_config_file(unit_code)


def provincial_from_config_file(unit_code: str) -> Any:
    """config.toml's [province] (the first-run wizard's), its password from where the wizard kept it; None: none."""
    from app.config import load, province_password
    from app.sync.gateway_config import GatewayConfig

    config = load()
    url = str(config.get("province", "gateway_url")) if config is not None else ""
    if config is None or not url:
        return None
    username = str(config.get("province", "username"))
    return GatewayConfig(base_url=url, username=username, password=province_password(username) or "",
                         unit_code=str(config.get("province", "unit_code") or unit_code))  # fmt: skip


def sync_service(args: argparse.Namespace, desk: DossierDesk, centre: CounterClient | None) -> Any:
    """Workers for the centre (`centre`: the service over HTTP; None in the demo) and the province (when
    configured)."""
    from app.sync.centre_sink import CentreSink
    from app.sync.gateway import ProvincialSink
    from counter.sync.service import SyncService, working_seconds_of

    sinks: list[Any] = []
    if centre is not None:  # with the clerk's token, pinning the centre's CA under https
        sinks.append(CentreSink(centre.base_url, lambda: centre.token, ca_file=centre.ca_file))
    config = provincial_config(args, desk.unit_code)
    if config is not None:
        sinks.append(ProvincialSink(config))
    return SyncService(desk.store, sinks, desk.clock, working_seconds_of(desk.calendar)) if sinks else None
