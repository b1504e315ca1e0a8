"""The hall display window on the in-process fake: calls, blinking, voice, board, offline badge, type sizes.

Readable from 10 m: the glyphs are measured in the grabbed window, not taken from the code's font sizes.
The number label region (`Hero.number_rect`) and the board's value cells (`Board.value_rects`) are scanned for
text pixels (light on the dark background; dark on the yellow pill of a called number); the span of rows that have
any is the glyph height. Measured with the default centre (4 counters, 9 groups, the earlier calls under the
board), call "A001", counter 2 serving "B001":

    orientation   screen     number glyphs          board digits
    landscape     1920×1080  198 px = 18.3 %        64 px = 5.9 %
    portrait      1080×1920  310 px = 16.1 %        71 px = 3.7 %

Targets: ≥ 15 % and, for the board, ≥ 4 % of the screen height in landscape and ≥ 3.5 % in portrait. A portrait
screen is 1.78 times as tall as the same TV in landscape: 3.5 % of it is 6.2 % of the landscape height (≥ 3.3 cm
on a 43" TV, the 10 m rule of 1 cm per 3 m), while the earlier calls share the column with the board.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from PySide6.QtCore import QRect, QRectF, QThread
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.client.fake import FakeEventStream, FakeQueueClient
from app.core.speech import announcement
from app.display.announcer import Announcer, NullAudioSink
from app.display.chime import load_chime, with_chime
from app.display.controller import DisplayController
from app.display.voice import VoicePack, default_pack_dir, load_pack
from app.display.window import DisplayWindow
from app.qtbridge.events import EventBridge
from app.qtbridge.fonts import install_fonts


@pytest.fixture(scope="module")
def pack() -> VoicePack:
    return load_pack(default_pack_dir())


@dataclass
class Hall:
    fake: FakeQueueClient
    window: DisplayWindow
    stream: FakeEventStream
    sink: NullAudioSink
    announcer: Announcer
    started: list[tuple[str, str]]

    @property
    def ctl(self) -> DisplayController:
        return self.window.ctl


def open_hall(qtbot: QtBot, fake: FakeQueueClient, pack: VoicePack, size: tuple[int, int] = (1920, 1080),
              *, refresh_debounce_ms: int = 40) -> Hall:  # fmt: skip
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_fonts(app)
    sink = NullAudioSink()
    announcer = Announcer(sink, with_chime(pack), pause_ms=0)
    streams: list[FakeEventStream] = []

    def factory(bridge: EventBridge) -> FakeEventStream:
        streams.append(FakeEventStream(fake, **bridge.callbacks()))
        return streams[-1]

    ctl = DisplayController(fake, stream_factory=factory, announcer=announcer, refresh_debounce_ms=refresh_debounce_ms)
    window = DisplayWindow(ctl, blink_ms=20)
    announcer.setParent(ctl)
    ctl.setParent(window)  # as app.display.app.build does: one tree, deleted together
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    with qtbot.waitSignal(ctl.changed, timeout=5000):
        ctl.start()
    started: list[tuple[str, str]] = []
    announcer.started.connect(lambda number, counter, _text: started.append((number, counter)))
    return Hall(fake, window, streams[0], sink, announcer, started)


@pytest.fixture
def make_hall(qtbot: QtBot, pack: VoicePack) -> Iterator[Callable[..., Hall]]:
    """Halls on fresh fakes; each window is closed, its last callbacks delivered, then its fake closed."""
    halls: list[Hall] = []

    def make(size: tuple[int, int] = (1920, 1080), *, refresh_debounce_ms: int = 40) -> Hall:
        fake = FakeQueueClient()
        try:
            halls.append(open_hall(qtbot, fake, pack, size, refresh_debounce_ms=refresh_debounce_ms))
        except BaseException:
            fake.close()
            raise
        return halls[-1]

    yield make
    for h in halls:
        h.window.close()
        QApplication.processEvents()  # the sink's last "finished" reaches a live announcer
        h.fake.close()


@pytest.fixture
def hall(make_hall: Callable[..., Hall]) -> Hall:
    return make_hall()


def call(qtbot: QtBot, hall: Hall, counter: int, *, recall: bool = False) -> str:
    """Call (or recall) at ``counter`` and wait until the blink is over and the voice has started."""
    with qtbot.waitSignals([hall.window.blink_finished, hall.announcer.started], timeout=5000):
        ticket = hall.fake.recall(counter) if recall else hall.fake.call_next(counter)
        assert ticket is not None
        hall.stream.pump()
    return str(ticket["number"])


def test_a_call_shows_number_and_counter_blinks_three_times_and_is_announced(
    qtbot: QtBot, hall: Hall, pack: VoicePack
) -> None:
    hall.fake.issue("HT")
    shown: list[str] = []
    hall.window.number_shown.connect(lambda number, _at: shown.append(number))
    with qtbot.waitSignal(hall.window.blink_finished, timeout=5000) as blink:
        hall.fake.call_next(3)
        hall.stream.pump()
    assert blink.args == [3]
    assert hall.window.blink_log == [True, False, True, False, True, False]  # three on/off cycles
    assert not hall.window.hero.highlight
    assert shown == ["A001"]
    hero = hall.window.hero
    assert (hero.label_text, hero.number_text, hero.counter_text) == ("Mời số", "A001", "đến quầy 3")
    qtbot.waitUntil(lambda: not hall.announcer.busy, timeout=5000)
    assert hall.started == [("A001", "Quầy 3")]
    # One clip: the chime, a short silence, then "Mời công dân có số thứ tự A001 đến quầy số 3."
    speech = pack.render(announcement("A001", "Quầy 3").clips)
    chime = load_chime()
    assert chime
    assert hall.sink.plays[0][1] == len(chime) + 2 * 16_000 * 200 // 1000 + len(speech)
    assert len(hall.sink.plays) == 1


def test_a_recall_blinks_and_is_announced_again(qtbot: QtBot, hall: Hall) -> None:
    hall.fake.issue("CT")
    number = call(qtbot, hall, 2)
    qtbot.waitUntil(lambda: not hall.announcer.busy, timeout=5000)
    assert call(qtbot, hall, 2, recall=True) == number
    assert hall.window.hero.label_text == "Mời lại số"
    qtbot.waitUntil(lambda: not hall.announcer.busy, timeout=5000)
    assert hall.started == [(number, "Quầy 2"), (number, "Quầy 2")]


def test_the_call_is_shown_from_the_event_before_any_refetch(qtbot: QtBot, make_hall: Callable[..., Hall]) -> None:
    hall = make_hall(refresh_debounce_ms=60_000)  # no re-fetch during this test
    hall.fake.issue("HT")
    with qtbot.waitSignal(hall.window.number_shown, timeout=5000):
        hall.fake.call_next(1)
        hall.stream.pump()
    assert hall.window.hero.number_text == "A001"
    row = hall.window.board.rows[0]
    assert (row.name, row.value, row.status) == ("Quầy 1", "A001", "called")


def test_the_board_shows_serving_paused_idle_and_waiting_counts(qtbot: QtBot, hall: Hall) -> None:
    fake = hall.fake
    for group in ("HT", "HT", "CT", "DD", "DD", "DD"):
        fake.issue(group)
    fake.call_next(1)
    fake.start(1)
    fake.pause(3, "break")
    hall.stream.pump()
    expected = {g["prefix"]: g["waiting"] for g in fake.queue()["groups"]}

    def board_is_current() -> bool:
        rows = {r.name: (r.value, r.status) for r in hall.window.board.rows}
        chips = {c.prefix: c.count for c in hall.window.waiting.chips}
        return (
            rows.get("Quầy 1") == ("A001", "serving")
            and rows.get("Quầy 3") == ("Tạm nghỉ", "paused")
            and (chips == expected)
        )

    qtbot.waitUntil(board_is_current, timeout=5000)
    rows = {r.name: (r.value, r.status) for r in hall.window.board.rows}
    assert rows["Quầy 2"][0] == "—"
    assert rows["Quầy 4"][0] == "—"
    assert (expected["A"], expected["B"], expected["D"]) == (1, 1, 3)


def test_offline_badge_and_dimmed_board_while_disconnected(qtbot: QtBot, hall: Hall) -> None:
    window = hall.window
    assert not window.badge.isVisible()
    assert not window.offline
    with qtbot.waitSignal(hall.ctl.connection_changed, timeout=5000) as down:
        hall.fake.set_unavailable(True)
        hall.stream.pump()
    assert down.args == [False]
    assert window.badge.isVisible()
    assert window.dimmer.isVisible()
    assert window.offline
    with qtbot.waitSignal(hall.ctl.connection_changed, timeout=5000) as up:
        hall.fake.set_unavailable(False)
        hall.stream.pump()
    assert up.args == [True]
    assert not window.badge.isVisible()
    assert not window.dimmer.isVisible()


def test_events_from_another_thread_reach_widgets_on_the_gui_thread(qtbot: QtBot, hall: Hall) -> None:
    gui = QThread.currentThread()
    threads: list[bool] = []
    hall.ctl.called.connect(lambda _call: threads.append(QThread.currentThread() is gui))
    hall.fake.issue("HT")
    with qtbot.waitSignal(hall.window.number_shown, timeout=5000):
        # As EventStream does: the callbacks run on a thread of their own.
        worker = threading.Thread(target=lambda: (hall.fake.call_next(1), hall.stream.pump()))
        worker.start()
    worker.join()
    assert threads == [True]


def test_a_service_reset_onto_a_new_database_is_followed(qtbot: QtBot, hall: Hall) -> None:
    hall.fake.issue("HT")
    call(qtbot, hall, 1)
    assert hall.ctl.state.seq > 0
    with FakeQueueClient() as fresh:
        snapshot = fresh.queue()
    assert snapshot["seq"] == 0
    with qtbot.waitSignal(hall.ctl.changed, timeout=5000):
        hall.ctl.bridge.on_snapshot(snapshot)  # what the stream sends when `since` is past the newest event
    assert hall.ctl.state.seq == 0
    assert [r.value for r in hall.window.board.rows] == ["—", "—", "—", "—"]


def light_rows(image: QImage, rect: QRect | QRectF, *, dark: bool = False) -> int:
    """Height in px of the span of rows in ``rect`` holding light (text) pixels on the dark background, or dark ones
    on a light background (``dark``)."""
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    raw = np.frombuffer(img.constBits(), np.uint8, count=img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())
    pixels = raw[:, : img.width() * 3].reshape(img.height(), img.width(), 3).astype(np.float32)
    r = rect.toRect() if isinstance(rect, QRectF) else rect
    region = pixels[r.top() : r.bottom() + 1, r.left() : r.right() + 1]
    luma = region @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    rows = np.flatnonzero(((luma < 100) if dark else (luma > 128)).any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


@pytest.mark.parametrize(("size", "number_min", "board_min"), [((1920, 1080), 0.15, 0.04), ((1080, 1920), 0.15, 0.035)])
def test_glyphs_are_readable_from_ten_metres(
    qtbot: QtBot, make_hall: Callable[..., Hall], size: tuple[int, int], number_min: float, board_min: float
) -> None:
    hall = make_hall(size)
    fake = hall.fake
    fake.issue("HT")
    fake.issue("CT")
    fake.call_next(2)
    fake.start(2)  # counter 2 serving B001 (white), counter 1 about to be called (yellow)
    call(qtbot, hall, 1)
    qtbot.waitUntil(lambda: [r.value for r in hall.window.board.rows][:2] == ["A001", "B001"], timeout=5000)
    window = hall.window
    image = window.grab().toImage()
    assert (image.width(), image.height()) == size
    hero = window.hero
    number_rect = hero.number_rect().translated(hero.pos().toPointF())
    number_px = light_rows(image, number_rect)
    board = window.board
    assert [r.status for r in board.rows[:2]] == ["called", "serving"]
    called = board.value_rects[0].translated(board.pos().toPointF())
    px = board.fit.font_px  # inside the yellow pill, clear of its rounded corners
    pill = QRectF(called.left() + 0.2 * px, called.center().y() - 0.45 * px, called.width() - 0.4 * px, 0.9 * px)
    serving = board.value_rects[1].translated(board.pos().toPointF())
    board_px = min(light_rows(image, pill, dark=True), light_rows(image, serving))
    h = size[1]
    print(f"{size}: number {number_px} px = {number_px / h:.1%}, board {board_px} px = {board_px / h:.1%}")
    assert number_px >= number_min * h
    assert board_px >= board_min * h
    assert number_px < 0.3 * h  # the region held only the number, not the whole hero


def test_events_alone_keep_the_board_and_a_gap_fetches_the_queue_once(qtbot: QtBot, hall: Hall) -> None:
    fetched: list[int] = []
    real_queue = hall.fake.queue
    hall.fake.queue = lambda: (fetched.append(1), real_queue())[1]  # type: ignore[method-assign]
    hall.fake.issue("HT")
    call(qtbot, hall, 1)
    qtbot.wait(100)  # past the re-fetch debounce
    assert fetched == []  # the hall model kept the board from the events
    assert hall.window.board.rows[0].value == "A001"
    seq = hall.ctl.state.seq
    assert seq is not None
    with qtbot.waitSignal(hall.ctl.changed, timeout=5000):
        hall.ctl.bridge.on_event({"type": "event", "seq": seq + 5, "kind": "counter.opened",
                                  "payload": {"counter": 2, "status": "open", "reason": None}})  # fmt: skip
    qtbot.waitUntil(lambda: fetched == [1], timeout=5000)  # a gap: one snapshot to make it exact again
