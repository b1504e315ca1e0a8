"""`python -m counter`: the clerk's app at a counter.

python -m counter --service http://10.0.0.2:8710 --counter 3   # or without --service: found by mDNS
python -m counter --demo --windowed                           # a simulated hall, any name and PIN
python -m counter --screenshot DIR                            # every main screen as PNG, then exit
python -m counter --smoke-test --service URL                  # start, connect, exit 0 (1 when it cannot)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from app.child_process import shown_command
from app.client.api import QueueApi
from app.client.paired import paired_client
from app.client.queue_client import ServiceError
from app.config import parser_defaults
from app.core.clock import Clock
from app.qtbridge.apps import add_common_arguments, application, first_run, present, second_start
from app.qtbridge.events import StreamFactory, default_stream_factory
from counter.controller import CounterController
from counter.dossier.centre_calendar import CentreCalendar
from counter.dossier.setup import add_dossier_arguments, dossier_controller, open_counter_desk, sync_service
from counter.offline import OfflineSessions
from counter.session import CounterClient, SessionApi
from counter.window import CounterWindow


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=shown_command("counter"), description="Phần mềm quầy: gọi số, phục vụ công dân")
    p.add_argument("--counter", type=int, help="quầy của máy này, chọn sẵn khi đăng nhập")
    p.add_argument("--user", default="", help="tên đăng nhập điền sẵn")
    add_common_arguments(p, default_size="1366x768")
    add_dossier_arguments(p)
    parser_defaults(p, "counter")  # config.toml: counter number, printer, scanner, camera
    return p.parse_args(argv)


@dataclass
class Backend:
    client: QueueApi  # a CounterClient, or the FakeQueueClient of --demo/--screenshot
    sessions: SessionApi
    stream: StreamFactory
    clock: Clock | None = None
    centre: CounterClient | None = None  # the service over HTTP, where the centre sink sends dossiers; None: a demo


def make_backend(args: argparse.Namespace) -> Backend:
    if args.demo or args.screenshot:
        # The fake has no accounts: a stub signs anyone in. Never used with a real service.
        from app.client.fake import demo_fake
        from app.core.clock import ManualClock, SystemClock
        from counter.demo import DemoSessions

        fake = demo_fake(ManualClock() if args.screenshot else SystemClock())
        return Backend(fake, DemoSessions(fake), default_stream_factory(fake), fake.clock)
    # clerks sign in: the pairing gives the address and the centre's CA, never a token here
    client = paired_client(CounterClient, args, with_token=False)
    # the clerk's token: priority categories are shown at the counter, never on the public board
    stream = default_stream_factory(client, token=lambda: client.token, reconnect_delay=(0.2, 3.0))
    return Backend(client, client, stream, centre=client)


def build(args: argparse.Namespace, backend: Backend, **kw: Any) -> CounterWindow:
    desk = open_counter_desk(args, backend.clock)
    sessions = OfflineSessions(backend.sessions, desk.store, desk.clock)  # sign-in survives a LAN outage
    ctl = CounterController(backend.client, sessions, backend.stream, clock=backend.clock, **kw)
    dossiers = dossier_controller(desk, ctl, backend.client)
    CentreCalendar(desk, ctl, backend.client)  # the centre's holiday overrides for due dates (owned by ctl)
    sync = sync_service(args, desk, backend.centre)
    return CounterWindow(ctl, username=args.user, counter=args.counter, dossiers=dossiers, camera=args.camera,
                         scanners=args.scanner, doc_camera=args.doc_camera or args.camera, sync=sync)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = first_run(parse_args, argv, "counter")
    app = application(offscreen=bool(args.screenshot), point_size=12)
    if (code := second_start(args, "counter", "Phần mềm Quầy")) is not None:
        return code  # this app already runs here: its window came to the front
    try:
        backend = make_backend(args)
    except ServiceError as exc:  # not found on the LAN, a malformed address
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 2
    try:
        if args.screenshot:
            from counter.screenshots import take_screenshots

            return take_screenshots(args, backend)
        window = build(args, backend)
        if args.smoke_test:
            return smoke_test(window)
        window.ctl.start()
        present(window, windowed=args.windowed, size=args.size, full="maximized")
        return int(app.exec())
    finally:
        backend.client.close()


def smoke_test(window: CounterWindow) -> int:
    """Build the real window, connect once, report, quit."""
    from PySide6.QtCore import QEventLoop, QTimer

    ctl = window.ctl
    loop = QEventLoop()

    def check() -> None:
        if ctl.online is False or (ctl.online and ctl.model.loaded and ctl.centre_name):
            loop.quit()

    ctl.connection_changed.connect(check)
    ctl.model_changed.connect(check)
    ctl.meta_loaded.connect(check)
    QTimer.singleShot(15_000, loop.quit)
    ctl.start()
    loop.exec()
    ok = bool(ctl.online and ctl.model.loaded)
    counters = len(ctl.model.counters)
    window.close()
    if not ok:
        print("Lỗi: không kết nối được dịch vụ trung tâm.", file=sys.stderr)
        return 1
    print(f"counter ok: {ctl.centre_name or 'dịch vụ trung tâm'}, {counters} quầy, màn hình đăng nhập sẵn sàng")
    return 0
