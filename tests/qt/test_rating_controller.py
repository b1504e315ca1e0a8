"""The rating screen's phases against the fake client: timeouts, the first tap only, a visit asked once, a reason
left unchosen, the next citizen arriving while the last one still chooses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.client.fake import FakeQueueClient
from app.client.rating_demo import finish_visit, rating_demo_fake
from app.rating.controller import Phase, RatingController


@pytest.fixture
def fake() -> Iterator[FakeQueueClient]:
    client = rating_demo_fake(1, finished=False)
    yield client
    client.close()


@pytest.fixture
def ctl(qtbot: QtBot, fake: FakeQueueClient) -> Iterator[RatingController]:
    controller = RatingController(fake, 1, ask_timeout_ms=300, thanks_ms=200)
    controller.start()
    qtbot.waitUntil(lambda: controller.online is True, timeout=5_000)
    yield controller
    controller.stop()


def kept(fake: FakeQueueClient) -> list[tuple[int, int, str | None]]:
    rows = fake.store.reader().execute("SELECT ticket_id, level, reason FROM ratings ORDER BY id").fetchall()
    return [(int(t), int(lv), r) for t, lv, r in rows]


def test_unanswered_the_screen_goes_back_to_idle_and_does_not_ask_again(qtbot: QtBot, fake: FakeQueueClient,
                                                                         ctl: RatingController) -> None:  # fmt: skip
    finish_visit(fake, 1)
    qtbot.waitUntil(lambda: ctl.phase is Phase.ASK, timeout=5_000)
    qtbot.waitUntil(lambda: ctl.phase is Phase.IDLE, timeout=5_000)  # nobody tapped
    ctl.fetch_prompt()  # a reconnection asks the service again: the same visit, still open, is not asked twice
    ctl.runner.wait()
    qtbot.wait(50)
    assert ctl.phase is Phase.IDLE
    assert kept(fake) == []


def test_only_the_first_tap_counts(qtbot: QtBot, fake: FakeQueueClient, ctl: RatingController) -> None:
    ticket = finish_visit(fake, 1)
    qtbot.waitUntil(lambda: ctl.phase is Phase.ASK, timeout=5_000)
    with qtbot.waitSignal(ctl.rated, timeout=5_000):
        assert ctl.choose(3) is True
    assert ctl.choose(1) is False
    assert ctl.choose_reason("Chờ lâu") is False
    qtbot.waitUntil(lambda: ctl.phase is Phase.IDLE, timeout=5_000)  # thanks, then idle
    assert kept(fake) == [(ticket, 3, None)]


def test_a_low_rating_without_a_reason_counts_when_the_time_is_up(qtbot: QtBot, fake: FakeQueueClient,
                                                                  ctl: RatingController) -> None:  # fmt: skip
    ticket = finish_visit(fake, 1)
    qtbot.waitUntil(lambda: ctl.phase is Phase.ASK, timeout=5_000)
    ctl.choose(1)
    assert ctl.phase is Phase.REASON
    with qtbot.waitSignal(ctl.rated, timeout=5_000):
        pass  # no reason tapped: the level is sent without one
    assert kept(fake) == [(ticket, 1, None)]


def test_the_next_citizen_replaces_one_still_choosing_a_reason(qtbot: QtBot, fake: FakeQueueClient) -> None:
    ctl = RatingController(fake, 1)  # no timeouts in the way
    ctl.start()
    try:
        first = finish_visit(fake, 1)
        qtbot.waitUntil(lambda: ctl.phase is Phase.ASK, timeout=5_000)
        ctl.choose(1)
        second = finish_visit(fake, 1)
        qtbot.waitUntil(lambda: ctl.visit is not None and ctl.visit["ticket_id"] == second, timeout=5_000)
        assert ctl.phase is Phase.ASK
        qtbot.waitUntil(lambda: kept(fake) == [(first, 1, None)], timeout=5_000)
    finally:
        ctl.stop()


def test_another_counters_visit_is_not_asked(qtbot: QtBot, fake: FakeQueueClient, ctl: RatingController) -> None:
    finish_visit(fake, 2)
    qtbot.wait(300)
    ctl.runner.wait()
    assert ctl.phase is Phase.IDLE
