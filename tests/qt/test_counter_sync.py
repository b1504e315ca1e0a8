"""The counter's sync as the clerk sees it, against the real provincial simulator (a subprocess on loopback):
the line at the bottom, the F12 screen, a province that goes down and comes back, a status the province moved."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.dossier import Status
from app.sync.simulator import SimulatorProcess
from counter.app import build, make_backend, parse_args
from counter.sync.pages import SyncPages
from tests.qt.test_counter_reception import WAIT, Counter, receive_sample


@pytest.fixture
def province(tmp_path: Path) -> Iterator[SimulatorProcess]:
    with SimulatorProcess.start(tmp_path / "province") as sim:
        yield sim


class SyncCounter(Counter):
    """The demo counter with the province configured (the in-process fake centre has no HTTP mirror)."""

    def __init__(self, qtbot: QtBot, data: Path, frames: Path, printer_url: str, province: str) -> None:
        self.qtbot = qtbot
        self.data = data
        self.frames = frames
        self.args = parse_args(["--demo", "--data", str(data), "--printer", printer_url, "--camera", f"file:{frames}",
                                "--provincial", province])  # fmt: skip
        self.backend = make_backend(self.args)
        self.window = build(self.args, self.backend)
        assert self.window.dossier_pages is not None
        self.pages = self.window.dossier_pages
        self.closed = False


@pytest.fixture
def counter(qtbot: QtBot, tmp_path: Path, province: SimulatorProcess) -> Iterator[SyncCounter]:
    before = set(threading.enumerate())
    frames = tmp_path / "camera"
    frames.mkdir()
    made = SyncCounter(qtbot, tmp_path / "counter", frames, "file:" + str(tmp_path / "slips.bin"), province.url)
    try:
        made.start()
        yield made
    finally:
        made.close()
        qtbot.waitUntil(lambda: not set(threading.enumerate()) - before, timeout=WAIT)


def sync_of(counter: SyncCounter) -> SyncPages:
    assert counter.pages.sync is not None
    return counter.pages.sync


def test_dossiers_reach_the_province_and_the_line_says_so(
    qtbot: QtBot, counter: SyncCounter, province: SimulatorProcess
) -> None:
    sync = sync_of(counter)
    dossier, _outcome = receive_sample(qtbot, counter)
    qtbot.waitUntil(lambda: "Hệ thống một cửa tỉnh: đã đồng bộ đủ" in sync.line.text(), timeout=WAIT)
    held = {d["MaHoSo"]: d for d in province.dossiers()}
    assert held[dossier.code]["revision"] == dossier.revision
    assert held[dossier.code]["steps"] == len(dossier.steps)


def test_a_province_that_is_down_shows_waiting_and_nothing_is_lost_when_it_returns(
    qtbot: QtBot, counter: SyncCounter, province: SimulatorProcess
) -> None:
    sync = sync_of(counter)
    province.control(down=True)
    dossier, _outcome = receive_sample(qtbot, counter)
    qtbot.waitUntil(lambda: "1 hồ sơ chờ đồng bộ" in sync.line.text(), timeout=WAIT)
    sync.open()  # F12
    assert counter.window.stack.currentWidget() is sync.screen
    qtbot.waitUntil(lambda: sync.screen.table.rowCount() == 1, timeout=WAIT)
    state = sync.screen.table.item(0, 4)
    assert state is not None
    assert "tỉnh" in state.text()
    assert dossier.code not in {d["MaHoSo"] for d in province.dossiers()}

    province.control(down=False)
    sync.screen.retry.emit("", "")  # Ctrl+Shift+R: "Thử lại tất cả"
    qtbot.waitUntil(lambda: "Hệ thống một cửa tỉnh: đã đồng bộ đủ" in sync.line.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: sync.screen.table.rowCount() == 0, timeout=WAIT)
    assert [d["MaHoSo"] for d in province.dossiers()].count(dossier.code) == 1


def test_a_dossier_waiting_too_long_raises_a_notice_once(
    qtbot: QtBot, counter: SyncCounter, province: SimulatorProcess
) -> None:
    sync = sync_of(counter)
    sync.service.notice_after_s = 0  # the 4 working hours of a real day, shortened
    province.control(down=True)
    dossier, _outcome = receive_sample(qtbot, counter)
    qtbot.waitUntil(lambda: dossier.code in counter.window.banner.text(), timeout=WAIT)
    assert "F12" in counter.window.banner.text()
    counter.window.banner.clear_message()
    sync.refresh()
    assert dossier.code not in counter.window.banner.text()  # said once, not at every refresh
    province.control(down=False)


def test_a_status_moved_in_the_province_comes_back_to_the_counter(
    qtbot: QtBot, counter: SyncCounter, province: SimulatorProcess
) -> None:
    sync = sync_of(counter)
    dossier, _outcome = receive_sample(qtbot, counter)
    qtbot.waitUntil(lambda: "Hệ thống một cửa tỉnh: đã đồng bộ đủ" in sync.line.text(), timeout=WAIT)
    province.set_status(dossier.code, int(Status.DONE))
    drain = next(w.drain for w in sync.service.workers if w.drain.dest == "province")
    assert drain.pull_statuses([dossier.code]) == 1
    moved = counter.desk.store.get(dossier.code)
    assert moved.status == Status.DONE
    assert moved.steps[-1].content == "Cập nhật từ hệ thống một cửa của tỉnh"
    sync.service.wake()  # the new revision goes back up, once
    qtbot.waitUntil(
        lambda: {d["MaHoSo"]: d for d in province.dossiers()}[dossier.code]["revision"] == moved.revision,
        timeout=WAIT,
    )
