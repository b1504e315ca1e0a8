"""`python -m app dashboard`: the director's screen.

python -m app dashboard --service https://10.0.0.2:8710 --ca-file ca.pem --token-file director.token
python -m app dashboard --demo                          # a simulated centre with two weeks of history
python -m app dashboard --screenshot DIR [--size WxH]   # every tab with demo data, as PNG (default: 1366x768 and
                                                        # 1920x1080)
python -m app dashboard --smoke-test --service URL --token-file F   # connect, fetch today's figures, quit 0 or 1

The token is a director's or the admin's: a device token made for the dashboard PC (role "director"), or a
director's session token. Kiosk, counter and display tokens are refused by the service (403). Without --token-file
the director signs in with a username and PIN (app/dashboard/signin.py); that session lives in memory only and is
signed out when the window closes. A PC paired as the director's (`pair`, the wizard) signs its director in too:
its device token only shows that the PC is still paired, and changes to settings and devices are the director's
own, audited under their name (app/core/access.py, check_personal). A director device token given with
--token-file reads everything and changes nothing of those.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from app.child_process import shown_command
from app.client.api import QueueApi
from app.client.paired import endpoint, paired_client  # --token-file, else this PC's pairing, else sign-in
from app.client.queue_client import ServiceError
from app.dashboard.controller import DashboardController
from app.dashboard.window import DashboardWindow
from app.qtbridge.apps import (
    add_common_arguments,
    application,
    first_run,
    parse_size,
    present,
    second_start,
    start_failure,
)
from app.qtbridge.events import StreamFactory

DEFAULT_SIZE = "1366x768"
MISSING_KEY_FILE = (
    "cần --token-file: tệp chứa mã của lãnh đạo (thiết bị vai trò director do quản trị tạo, hoặc mã quản trị) khi "
    "chạy --smoke-test hoặc không có màn hình. Trên máy có màn hình, không có --token-file thì đăng nhập bằng tên và "
    "mã PIN; --demo để xem dữ liệu mô phỏng."
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=shown_command("app", "dashboard"),
                                description="Màn hình lãnh đạo: sảnh trực tiếp, số liệu theo kỳ, cài đặt")  # fmt: skip
    p.add_argument("--token-file", type=Path,
                   help="tệp chứa mã của lãnh đạo hoặc quản trị (không có: đăng nhập bằng tên và mã PIN)")  # fmt: skip
    p.add_argument("--user", default="", help="tên đăng nhập điền sẵn khi đăng nhập bằng mã PIN")
    add_common_arguments(p, default_size=DEFAULT_SIZE)
    p.set_defaults(size=None)  # --screenshot without --size: both desk sizes
    return p.parse_args(argv)


def make_client(args: argparse.Namespace) -> QueueApi:
    if args.demo:
        from app.client.dashboard_demo import dashboard_demo

        return dashboard_demo()
    found = endpoint(args)  # the token file, or this PC's pairing (read once here: keyring or file)
    if found.token is None and (args.smoke_test or not can_ask()):
        raise ValueError(MISSING_KEY_FILE)
    from app.client.sessions import SessionClient  # a QueueClient that can also sign a person in

    client = paired_client(SessionClient, args, request_timeout=20.0, found=found)
    if found.paired and not args.smoke_test and can_ask():
        still_paired(client)  # a lost PC the director unpaired says so instead of asking for a PIN
        client.set_token(None)  # the director signs in: what they change is theirs, not the PC's
    return client


def still_paired(client: QueueApi) -> None:
    """ValueError with the unpaired message when this PC's device token was revoked; an unreachable service is left
    to the sign-in dialog, which says so and lets the director try again."""
    try:
        client.stats_today()
    except ServiceError as exc:
        if exc.code == "device_unpaired":
            raise ValueError(exc.message) from None


def can_ask() -> bool:
    """Whether a sign-in dialog can be shown and answered (not on the offscreen or minimal platform)."""
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.platformName() not in ("offscreen", "minimal")


def sign_in(client: QueueApi, username: str = "") -> str | None:
    """Without a token: ask for a director's username and PIN until signed in (who: the username, or `username` when
    no one needed to sign in) or the dialog is closed (None)."""
    from app.client.sessions import SessionClient
    from app.dashboard.signin import SignInDialog

    if not isinstance(client, SessionClient) or client.token:
        return username
    dialog = SignInDialog(client, username=username)
    if dialog.exec() != SignInDialog.DialogCode.Accepted:
        return None
    return str((dialog.user or {}).get("username") or username)


def sign_out(client: QueueApi) -> None:
    """The session from the sign-in dialog ends with the window (best effort)."""
    from app.client.sessions import SessionClient

    if isinstance(client, SessionClient) and client.token:
        with contextlib.suppress(Exception):  # the service is gone: the session expires by itself
            client.revoke(client.token)


def build(client: QueueApi, *, stream_factory: StreamFactory | None = None, **kw: object) -> DashboardWindow:
    controller = DashboardController(client, stream_factory=stream_factory)
    window = DashboardWindow(controller, **kw)  # type: ignore[arg-type]
    controller.setParent(window)
    return window


def main(argv: list[str] | None = None) -> int:
    args = first_run(parse_args, argv, "director")
    app = application(offscreen=bool(args.screenshot or args.smoke_test), point_size=11)
    if (code := second_start(args, "dashboard", "Màn hình lãnh đạo")) is not None:
        return code  # this app already runs here: its window came to the front
    try:
        size = parse_size(args.size or DEFAULT_SIZE)
        if args.screenshot:
            from app.dashboard.screenshots import DEFAULT_SIZES, take_screenshots

            for path in take_screenshots(args.screenshot, sizes=(size,) if args.size else DEFAULT_SIZES):
                print(path)
            return 0
        client = make_client(args)
        session = not args.demo and not getattr(client, "token", None)  # a director signs in here; token in memory
    except Exception as exc:
        return start_failure(exc)
    try:
        who = sign_in(client, args.user) if session else args.user
        if who is None:
            return 0  # the director closed the sign-in dialog
        window = build(client)
        window.session.username = who  # asked again with it filled in when the session ends
        if args.smoke_test:
            return smoke_test(window)
        if args.demo:
            _simulate(window, client)
        window.ctl.start()
        present(window, windowed=args.windowed, size=args.size or DEFAULT_SIZE, full="maximized")
        return int(app.exec())
    finally:
        if session:
            sign_out(client)
        client.close()


def smoke_test(window: DashboardWindow) -> int:
    """Connect, wait for today's figures (or a refusal), report, quit."""
    ctl = window.ctl
    failures: list[str] = []
    ctl.figures_failed.connect(failures.append)
    loop = QEventLoop()
    ctl.figures_changed.connect(loop.quit)
    ctl.figures_failed.connect(loop.quit)
    QTimer.singleShot(15_000, loop.quit)
    ctl.start()
    loop.exec()
    figures = ctl.figures
    ctl.stop()
    window.close()
    if figures is None:
        print(f"Lỗi: {failures[0] if failures else 'không lấy được số liệu của Trung tâm.'}", file=sys.stderr)
        return 1
    t = figures.report.queue.total
    print(f"dashboard ok: {figures.report.centre_name}, {t.tickets} lượt lấy số, {t.served} đã phục vụ")
    return 0


def _simulate(window: DashboardWindow, client: QueueApi) -> None:
    """--demo: every 5 s the hall moves on a minute: someone takes a number, counter 1 or 2 calls the next citizen or
    starts serving the one it called."""
    turn = [0]
    advance = getattr(getattr(client, "clock", None), "advance", lambda _s: None)

    def step() -> None:
        advance(60)
        counter = (1, 2)[turn[0] % 2]
        turn[0] += 1
        try:
            client.issue(("HT", "CT", "DD")[turn[0] % 3])
            row = next((c for c in client.counters() if c["id"] == counter), {})
            current = row.get("current") or {}
            if current.get("state") == "called":
                client.start(counter)  # the citizen called last time reaches the counter
            else:
                client.call_next(counter)  # ends the visit being served, calls the next
        except ServiceError as exc:  # a demo keeps going
            print(f"demo: {exc.message}", file=sys.stderr)

    timer = QTimer(window, interval=5000)
    timer.timeout.connect(step)
    timer.start()
