"""`python -m app rating --counter N`: the citizen-facing rating screen of one counter (a tablet or a second monitor).

python -m app rating --counter 1 --service https://10.0.0.2:8710 --ca-file ca.pem --token-file rating1.token
python -m app rating --counter 1 --demo --windowed          # with a simulated counter finishing a visit every 40 s
python -m app rating --counter 1 --screenshot DIR [--size WxH]   # every page as PNG (default: four sizes)
python -m app rating --counter 1 --smoke-test --service URL --token-file F   # connect, ask once, quit 0 (1: cannot)

The token is a device token of role `rating` made for that counter (POST /api/devices {"name", "role": "rating",
"counter": N}); the screen rates only the visits that counter finishes, for a few minutes after each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer

from app.child_process import shown_command
from app.client.api import QueueApi
from app.config import parser_defaults
from app.qtbridge.apps import (
    add_common_arguments,
    application,
    first_run,
    parse_size,
    present,
    second_start,
    start_failure,
    wants_setup,
)
from app.rating.controller import RatingController
from app.rating.window import RatingWindow

DEFAULT_SIZE = "1280x800"
DEMO_VISIT_MS = 40_000
OFFLINE_MESSAGE = "Lỗi: không kết nối được dịch vụ trung tâm{where}. Kiểm tra máy chủ đã bật, địa chỉ và mã thiết bị."


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog=shown_command("app", "rating"), description="Màn hình đánh giá mức độ hài lòng tại quầy"
    )
    p.add_argument("--counter", type=int, help="số quầy mà màn hình này đặt trước mặt công dân (mặc định: config.toml)")
    p.add_argument("--token-file", type=Path, help="tệp chứa mã thiết bị vai trò rating của quầy này")
    add_common_arguments(p, default_size=DEFAULT_SIZE)
    p.set_defaults(size=None)  # --screenshot without --size: the four usual sizes
    parser_defaults(p, "rating")  # config.toml's [rating] counter
    args = p.parse_args(argv)
    if (args.counter or 0) < 1 and not wants_setup(args):  # a first run asks for it in the wizard
        p.error("--counter phải là số quầy từ 1 trở lên")
    return args


def make_client(args: argparse.Namespace) -> QueueApi:
    if args.demo:
        from app.client.rating_demo import rating_demo_fake

        return rating_demo_fake(args.counter, finished=False)
    from app.client.paired import has_token, paired_client  # --token-file, else this PC's pairing
    from app.client.queue_client import QueueClient

    if not has_token(args):
        raise ValueError(
            f"Cần --token-file hoặc ghép máy này vai trò rating ({shown_command('app', 'pair')}), hoặc --demo để chạy "
            "thử."
        )
    return paired_client(QueueClient, args)


def main(argv: list[str] | None = None) -> int:
    args = first_run(parse_args, argv, "rating")
    app = application(offscreen=bool(args.screenshot or args.smoke_test))
    if (code := second_start(args, f"rating-{args.counter}", f"Màn hình đánh giá của quầy {args.counter}")) is not None:
        return code  # this app already runs here: its window came to the front
    try:
        size = parse_size(args.size or DEFAULT_SIZE)
        if args.screenshot:
            from app.rating.screenshots import DEFAULT_SIZES, take_screenshots

            for path in take_screenshots(args.screenshot, (size,) if args.size else DEFAULT_SIZES, args.counter):
                print(path)
            return 0
        client = make_client(args)
    except Exception as exc:
        return start_failure(exc)
    try:
        ctl = RatingController(client, args.counter)
        window = RatingWindow(ctl)
        if args.smoke_test:
            window.resize(*size)
            window.show()
            return smoke_test(ctl)
        if args.demo:
            _simulate(window, client, args.counter)
        ctl.start()
        if not args.windowed:
            window.setCursor(Qt.CursorShape.BlankCursor)  # a touch screen: no stray pointer on it
        present(window, windowed=args.windowed, size=args.size or DEFAULT_SIZE, full="screen")
        return int(app.exec())
    finally:
        client.close()


def smoke_test(ctl: RatingController) -> int:
    """Connect, ask the service what to rate once (the token's role and counter are checked there), quit."""
    loop = QEventLoop()
    answers: list[object] = []

    def answered(answer: object) -> None:
        answers.append(answer)
        loop.quit()

    def asked() -> None:
        ctl.runner.run(lambda: ctl.client.rating_prompt(ctl.counter), answered, answered)

    ctl.connection_changed.connect(lambda online: asked() if online else loop.quit())
    QTimer.singleShot(15_000, loop.quit)
    ctl.start()
    loop.exec()
    ctl.stop()
    answer = answers[0] if answers else None
    if not isinstance(answer, dict):
        url = ctl.client.base_url
        reason = getattr(answer, "message", None)  # a refusal says why; no answer: the service is unreachable
        offline = OFFLINE_MESSAGE.format(where=f" tại {url}" if url else "")
        print(f"Lỗi: {reason}" if reason else offline, file=sys.stderr)
        return 1
    levels = len(answer["scale"]["labels"])
    print(f"rating ok: quầy {ctl.counter}, thang {levels} mức, {len(answer['reasons'])} lý do")
    return 0


def _simulate(window: RatingWindow, client: QueueApi, counter: int) -> None:
    """--demo: a visit ends at the counter now and then every DEMO_VISIT_MS. The hall's clock starts on a working
    morning (the groups issue at any hour of the real day) and runs at the real pace, so the 5-minute window holds."""
    from app.client.fake import FakeQueueClient
    from app.client.rating_demo import finish_visit
    from app.core.clock import ManualClock

    assert isinstance(client, FakeQueueClient)
    clock = client.clock
    if isinstance(clock, ManualClock):
        ticking = QTimer(window, interval=1000)
        ticking.timeout.connect(lambda: clock.advance(1))
        ticking.start()
    timer = QTimer(window, interval=DEMO_VISIT_MS)
    timer.timeout.connect(lambda: finish_visit(client, counter))
    timer.start()
    QTimer.singleShot(1500, lambda: finish_visit(client, counter))
