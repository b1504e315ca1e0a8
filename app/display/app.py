"""`python -m app display`: the hall TV.

python -m app display --service http://10.0.0.2:8710        # full screen; without --service: found by mDNS
python -m app display --windowed --size 1080x1920 --digits  # a portrait window, numbers read digit by digit
python -m app display --screenshot DIR [--size WxH]        # every screen with demo data at that size, as PNG
                                                            # (without --size: 1920x1080 and 1080x1920)
python -m app display --smoke-test --service URL            # start, connect, quit 0 (1 when it cannot)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer

from app.child_process import shown_command
from app.client.api import QueueApi
from app.client.queue_client import ServiceError
from app.display.announcer import Announcer, AudioSink, NullAudioSink
from app.display.chime import with_chime
from app.display.controller import DisplayController, StreamFactory
from app.display.voice import VoicePackError, default_pack_dir, load_pack
from app.display.window import DisplayWindow
from app.qtbridge.apps import (
    add_common_arguments,
    application,
    first_run,
    parse_size,
    present,
    second_start,
    start_failure,
)

DEFAULT_SIZE = "1920x1080"
OFFLINE_MESSAGE = "Lỗi: không kết nối được dịch vụ trung tâm{where}. Kiểm tra máy chủ đã bật và địa chỉ đúng."


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog=shown_command("app", "display"), description="Màn hình sảnh: gọi số, bảng quầy, đọc loa"
    )
    p.add_argument("--token-file", type=Path, help="tệp chứa mã thiết bị (không bắt buộc: màn hình chỉ đọc)")
    p.add_argument("--voice", type=Path, help="thư mục bộ giọng đọc (mặc định: resources/voice/default)")
    p.add_argument("--tts", action="store_true", help="đọc bằng giọng tiếng Việt của hệ điều hành nếu có")
    p.add_argument("--digits", action="store_true", help="đọc số thứ tự từng chữ số (A015: a không một năm)")
    p.add_argument("--mute", action="store_true", help="không phát chuông và giọng đọc")
    add_common_arguments(p, default_size=DEFAULT_SIZE)
    p.set_defaults(size=None)  # --screenshot without --size: both orientations
    return p.parse_args(argv)


def make_client(args: argparse.Namespace) -> QueueApi:
    if args.demo:
        from app.client.fake import demo_fake

        return demo_fake()
    from app.client.paired import paired_client  # --service/--token-file, else this PC's pairing, else mDNS
    from app.client.queue_client import QueueClient

    return paired_client(QueueClient, args)


def make_announcer(args: argparse.Namespace, sink: AudioSink | None = None, parent: QObject | None = None) -> Announcer:
    """Raises VoicePackError (a Vietnamese message) when the voice pack is unusable."""
    pack = with_chime(load_pack(args.voice or default_pack_dir()))
    if sink is None:
        if args.mute:
            sink = NullAudioSink(realtime=True)  # silent, but the queue keeps the hall's rhythm
        elif getattr(args, "tts", False):
            sink = tts_or_clips(parent)
        else:
            from app.display.announcer import QtAudioSink

            sink = QtAudioSink(parent)
    return Announcer(sink, pack, digit_mode=args.digits, parent=parent)


def tts_or_clips(parent: QObject | None) -> AudioSink:
    """The system's Vietnamese text-to-speech voice if there is one; otherwise the clip pack, saying why."""
    from app.display.announcer import QtAudioSink
    from app.display.tts import TtsSink, TtsUnavailable

    try:
        return TtsSink(parent=parent)
    except TtsUnavailable as exc:
        print(f"{exc} Dùng bộ giọng đọc ghi sẵn.", file=sys.stderr)
        return QtAudioSink(parent)


def build(args: argparse.Namespace, client: QueueApi, *, sink: AudioSink | None = None,
          stream_factory: StreamFactory | None = None, blink_ms: int | None = None) -> DisplayWindow:  # fmt: skip
    announcer = make_announcer(args, sink)
    controller = DisplayController(client, announcer=announcer, stream_factory=stream_factory)
    announcer.setParent(controller)
    window = DisplayWindow(controller, **({"blink_ms": blink_ms} if blink_ms else {}))
    controller.setParent(window)
    return window


def main(argv: list[str] | None = None) -> int:
    args = first_run(parse_args, argv, "display")
    app = application(offscreen=bool(args.screenshot or args.smoke_test))
    if (code := second_start(args, "display", "Màn hình sảnh")) is not None:
        return code  # this app already runs here: its window came to the front
    try:
        size = parse_size(args.size or DEFAULT_SIZE)
        if args.screenshot:
            from app.display.screenshots import DEFAULT_SIZES, take_screenshots

            sizes = (size,) if args.size else DEFAULT_SIZES
            for path in take_screenshots(args.screenshot, voice=args.voice, sizes=sizes):
                print(path)
            return 0
        load_pack(args.voice or default_pack_dir())  # a broken voice pack stops here, before connecting
        client = make_client(args)
    except Exception as exc:
        return start_failure(exc, (VoicePackError,))  # a broken voice pack is a bad option too
    try:
        window = build(args, client)
        if args.demo:
            _simulate(window, client)
        if args.smoke_test:
            window.resize(*size)
            window.show()
            return smoke_test(window)
        window.ctl.start()
        if not args.windowed:
            window.setCursor(Qt.CursorShape.BlankCursor)  # a TV has no mouse; a stray pointer would sit on it
        # the version in a corner, a second start brings it forward, full screen kept on (the TV must not blank)
        present(window, windowed=args.windowed, size=args.size or DEFAULT_SIZE, full="screen")
        return int(app.exec())
    finally:
        client.close()


def smoke_test(window: DisplayWindow) -> int:
    """Connect once, wait for the first snapshot, report, quit."""
    ctl = window.ctl
    loop = QEventLoop()
    ctl.changed.connect(loop.quit)
    ctl.connection_changed.connect(lambda online: None if online else loop.quit())
    QTimer.singleShot(15_000, loop.quit)
    ctl.start()
    loop.exec()
    online, queue = ctl.online, (ctl.state.snapshot() if ctl.state.loaded else None)
    window.close()
    if not online or queue is None:
        url = ctl.client.base_url
        print(OFFLINE_MESSAGE.format(where=f" tại {url}" if url else ""), file=sys.stderr)
        return 1
    print(f"display ok: {len(queue.get('counters', []))} quầy, {len(queue.get('groups', []))} nhóm, seq {queue['seq']}")
    return 0


def _simulate(window: DisplayWindow, client: QueueApi) -> None:
    """--demo: every 8 s one counter calls the next citizen (and a new one takes a number)."""
    turn = [0]

    def step() -> None:
        counters = [c for c in client.counters() if c["id"] != 3]
        counter = counters[turn[0] % len(counters)]["id"]
        turn[0] += 1
        try:
            client.issue("HT")
            client.call_next(counter)
            client.start(counter)
        except ServiceError as exc:  # a demo keeps going
            print(f"demo: {exc.message}", file=sys.stderr)

    timer = QTimer(window, interval=8000)
    timer.timeout.connect(step)
    timer.start()
