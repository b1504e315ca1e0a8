"""A hall for the rating screen's `--demo` and screenshots: the in-process fake with a signed-up clerk at the
counter, acting as that counter's rating screen, and a way to finish one more visit there.

Visits are served on the fake's store directly (as a clerk at the counter would through the service): the fake
itself answers as the rating screen only, as the real service answers a rating token.
"""

from __future__ import annotations

from app.client.fake import FakeQueueClient
from app.core.actions import TicketAction
from app.core.clock import Clock, ManualClock
from app.store.users import UserStore

DEMO_CLERK = ("lan.nguyen", "Nguyễn Thị Lan")
DEMO_CENTRE = ("xã Đông Hưng", "Trung tâm Phục vụ hành chính công xã Đông Hưng")


def finish_visit(fake: FakeQueueClient, counter: int, group: str = "HT", clerk: str = DEMO_CLERK[0]) -> int:
    """A citizen takes a number, is called to `counter`, served and seen off by `clerk`; the ticket's id."""
    store = fake.store
    store.issue(group)
    called = store.call_next(counter, clerk=clerk)
    assert called is not None
    store.act(counter, TicketAction.START)
    return int(store.act(counter, TicketAction.FINISH)["id"])


def rating_demo_fake(counter: int = 1, clock: Clock | None = None, *, finished: bool = True) -> FakeQueueClient:
    """The fake as the rating screen of `counter`; `finished`: a visit there has just ended (the screen asks)."""
    fake = FakeQueueClient(clock=clock or ManualClock(), role="rating", counter=counter)
    fake.store.rename_centre(*DEMO_CENTRE)
    UserStore(fake.store.writer, fake.clock).create(DEMO_CLERK[0], DEMO_CLERK[1], "clerk", "246813")
    if finished:
        for _ in range(3):  # a few visits earlier: the number shown is not the day's first
            finish_visit(fake, counter)
    return fake


__all__ = ["DEMO_CENTRE", "DEMO_CLERK", "finish_visit", "rating_demo_fake"]
