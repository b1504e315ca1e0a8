"""Start-up pieces every Qt app shares: the application with its fonts, window sizes, showing the window,
and waiting on a signal without sleeping (smoke tests and screenshots)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from app.paths import icon_path
from app.qtbridge import single_instance
from app.qtbridge.about import install_about
from app.qtbridge.fonts import install_fonts
from app.version import AGENT_PREFIX, about_line, set_app_name, user_agent


def add_common_arguments(p: argparse.ArgumentParser, *, default_size: str) -> None:
    """The options every app has: where the service is, demo data, window, smoke test, screenshots, --version.
    The parser's last word names the app (`python -m kiosk` → kiosk) in its User-Agent (app/version.py)."""
    # `kiosk` from `python -m kiosk`, `motcua-kiosk` or `motcua-kiosk.exe` (the bundle's name, app.child_process)
    set_app_name(Path(p.prog.split()[-1]).stem.removeprefix("motcua-"))
    p.add_argument("--version", action="version", version=about_line(p.description or p.prog),
                   help="in phiên bản rồi thoát")  # fmt: skip
    p.add_argument("--service", help="địa chỉ dịch vụ trung tâm, ví dụ https://10.0.0.2:8710 (mặc định: tự tìm)")
    p.add_argument(
        "--ca-file", type=Path, metavar="CA.PEM",
        help="chứng chỉ gốc (CA) của Trung tâm, chép từ tls/ca.pem trong thư mục dữ liệu của máy chủ: cần khi "
        "máy chủ dùng https",
    )  # fmt: skip
    p.add_argument("--demo", action="store_true", help="dùng dữ liệu mô phỏng, không cần dịch vụ trung tâm")
    p.add_argument("--windowed", action="store_true", help="chạy trong cửa sổ thay vì toàn màn hình")
    p.add_argument(
        "--size", default=default_size,
        help=f"kích thước cửa sổ khi --windowed; ở kiosk cả kích thước ảnh --screenshot (mặc định {default_size})",
    )  # fmt: skip
    p.add_argument("--smoke-test", action="store_true", help="khởi động, kết nối rồi thoát (0 = được, 1 = không)")
    p.add_argument("--screenshot", type=Path, help="chụp mọi màn hình chính vào thư mục rồi thoát")


# Any of these on the command line says where to go already: no first-run wizard.
SETUP_NOT_NEEDED_WITH = ("service", "demo", "screenshot", "smoke_test", "token_file", "host_service")


def wants_setup(args: argparse.Namespace) -> bool:
    """Whether this start is a first run: no config.toml, nothing on the command line instead, and a screen a
    person can answer on (never on the offscreen platform of tests and screenshots)."""
    from app.config import config_path

    if any(getattr(args, name, None) for name in SETUP_NOT_NEEDED_WITH):
        return False
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal"):
        return False
    return not config_path().exists()


def first_run(parse: Callable[[list[str] | None], argparse.Namespace], argv: list[str] | None,
              role: str) -> argparse.Namespace:  # fmt: skip
    """`parse(argv)`, after the first-run wizard when this PC has no configuration yet (`wants_setup`). The wizard
    is `python -m app setup --role ROLE`, a process of its own: the apps sit beside app.setup, not above it. Once it
    has written config.toml the command line is read again, so the file's values become the defaults. Exits 1 when
    the person closed the wizard without finishing."""
    import subprocess

    from app.child_process import program

    args = parse(argv)
    if not wants_setup(args):
        return args
    subprocess.run([*program("app", "setup"), "--role", role], check=False)  # noqa: S603 - our own program
    if wants_setup(args):
        print("Máy này chưa được cài đặt nên chưa mở được. Chạy lại để mở trình cài đặt, hoặc dùng --service / "
              "--demo.", file=sys.stderr)  # fmt: skip
        raise SystemExit(1)
    return parse(argv)


def application(*, offscreen: bool = False, point_size: int = 14) -> QApplication:
    """The one QApplication, with the bundled fonts; `offscreen` when there is nothing to show (screenshots)."""
    if offscreen and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    install_fonts(app, point_size)
    app.setWindowIcon(QIcon(str(icon_path())))  # the title bar and the task bar
    start_logging()
    return app


def start_logging() -> Path:
    """This app's log file, config_dir()/logs/APP.log (app/logs.py: rotated, personal data redacted); stderr shows
    warnings as it did before, as bare messages."""
    from app.config import config_dir
    from app.logs import setup_logging

    name = user_agent().split("/")[0].removeprefix(AGENT_PREFIX)  # kiosk, counter, display… (set_app_name)
    return setup_logging(config_dir() / "logs", name, console_level=logging.WARNING, console_format="%(message)s")


def second_start(args: argparse.Namespace, name: str, title: str) -> int | None:
    """0 (and a line saying why) when app `name` already runs for this user: its window was brought to the front
    and this start ends (single_instance.py). None to go on: this process now holds the app's lock, or the run
    shows nothing to a person (--screenshot, --smoke-test), which never claims it."""
    if getattr(args, "screenshot", None) or getattr(args, "smoke_test", False):
        return None
    if single_instance.claim_instance(name) is not None:
        return None
    print(single_instance.ALREADY_RUNNING.format(app=title), file=sys.stderr)
    return 0


def start_failure(exc: Exception, bad_input: tuple[type[Exception], ...] = ()) -> int:
    """What a Qt app says when it cannot start, before its window, and its exit code: a bad option or file
    (ValueError, `bad_input`) 2, the token file (OSError) 2, the service not found or refusing (its Vietnamese
    message) 1."""
    if isinstance(exc, (ValueError, *bad_input)):
        text, code = str(exc), 2
    elif isinstance(exc, OSError):
        text, code = f"không đọc được tệp mã (--token-file): {exc}", 2
    else:  # ServiceError (no CA file for https), ServiceUnavailable from discovery
        text, code = str(getattr(exc, "message", exc)), 1
    print(f"Lỗi: {text}", file=sys.stderr)
    return code


def parse_size(text: str, *, minimum: tuple[int, int] = (320, 240)) -> tuple[int, int]:
    """`1920x1080` → (1920, 1080), with a Vietnamese error for anything else."""
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"Kích thước “{text}” không hợp lệ: cần dạng RỘNGxCAO, ví dụ 1920x1080.") from None
    if w < minimum[0] or h < minimum[1]:
        raise ValueError(f"Kích thước “{text}” quá nhỏ.")
    return w, h


def present(window: QWidget, *, windowed: bool, size: str, full: Literal["screen", "maximized"]) -> None:
    """A window for testing at a given size, else full screen (kiosk, TV) or maximised (a clerk's PC). With the
    version in a corner and a banner if the service no longer serves it (about.py): every app's window keeps its
    controller as `ctl`, whose `client` is the service."""
    install_about(window, getattr(getattr(window, "ctl", None), "client", None))
    single_instance.attach(window)  # a second start of this app brings this window forward
    if windowed:
        window.resize(*parse_size(size))
        window.show()
    elif full == "screen":
        window.showFullScreen()
        keep_screen_on(window)
    else:
        window.showMaximized()


_AWAKE: list[Any] = []  # held for the process's life: the desktop drops it when the process ends


def keep_screen_on(window: QWidget) -> None:
    """A citizen-facing screen shown full screen (kiosk, hall display, rating) keeps the PC's screen from blanking
    or sleeping while it runs (app/keep_awake.py; when nothing can hold it, the log says what to change)."""
    from app.keep_awake import KeepAwake

    _AWAKE.append(KeepAwake(window.windowTitle() or "Một Cửa", "Màn hình phục vụ công dân luôn sáng"))


def wait_for(signal: Any, timeout_ms: int = 10_000) -> None:
    """Run the event loop until `signal` fires or the time is up."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def settle() -> None:
    """Let freshly built widgets lay themselves out before a grab."""
    for _ in range(3):
        QApplication.processEvents()


def save_tour(window: QWidget, names: Iterable[str], out: Path, app: str, size: tuple[int, int],
              before_grab: Callable[[], None] | None = None) -> list[Path]:  # fmt: skip
    """Grab `window` at each screen a tour brings it to, as `out/APP-WxH-NAME.png` (every app's --screenshot)."""
    w, h = size
    saved: list[Path] = []
    for name in names:  # the tour sets each screen up as it is iterated
        if before_grab is not None:
            before_grab()
        settle()
        path = out / f"{app}-{w}x{h}-{name}.png"
        window.grab().save(str(path))
        saved.append(path)
    return saved
