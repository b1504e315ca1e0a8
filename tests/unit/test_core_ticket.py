"""Ticket transitions: every move closes the open interval and opens the next one."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.errors import Conflict
from app.core.ticket import Channel, Interval, Outcome, State, Ticket

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def new_ticket(**kw: object) -> Ticket:
    args: dict = {"id": 7, "day": date(2026, 11, 23), "group": "HT", "number": 3, "display": "A003", "now": T0}
    args.update(kw)
    return Ticket.issue(**args)


def called(**kw: object) -> Ticket:
    ticket = new_ticket(**kw)
    ticket.call(counter=2, clerk="lan", now=at(5))
    return ticket


def serving() -> Ticket:
    ticket = called()
    ticket.start(now=at(6))
    return ticket


def assert_chain_is_contiguous(ticket: Ticket) -> None:
    """Each interval ends where the next begins; only the last may be open."""
    for before, after in zip(ticket.intervals, ticket.intervals[1:], strict=False):
        assert before.end is not None
        assert before.end == after.start
    if ticket.state is State.DONE:
        assert ticket.intervals[-1].end is not None
    else:
        assert ticket.intervals[-1].end is None
        assert ticket.intervals[-1].state is ticket.state


# --- issue ----------------------------------------------------------------------------------------


def test_issue_opens_one_waiting_interval() -> None:
    ticket = new_ticket(channel=Channel.BOOKING)
    assert ticket.state is State.WAITING
    assert ticket.outcome is None
    assert ticket.call_count == 0
    assert ticket.counter is None
    assert ticket.channel is Channel.BOOKING
    assert ticket.issued_at == T0
    assert ticket.intervals == [Interval(State.WAITING, "HT", T0)]
    assert not ticket.is_priority


def test_priority_keeps_who_granted_it() -> None:
    ticket = new_ticket(priority="elderly", granted_by="kiosk-1")
    assert ticket.is_priority
    assert ticket.priority_granted_by == "kiosk-1"


def test_granted_by_is_dropped_without_a_priority() -> None:
    ticket = new_ticket(priority=None, granted_by="kiosk-1")
    assert not ticket.is_priority
    assert ticket.priority_granted_by is None


# --- call, recall, no-show ------------------------------------------------------------------------


def test_call_closes_waiting_and_opens_called_at_the_counter() -> None:
    ticket = called()
    assert ticket.state is State.CALLED
    assert ticket.call_count == 1
    assert ticket.counter == 2
    waiting, call = ticket.intervals
    assert waiting.state is State.WAITING
    assert waiting.end == at(5)
    assert call == Interval(State.CALLED, "HT", at(5), None, counter=2, clerk="lan")
    assert_chain_is_contiguous(ticket)


def test_recall_opens_a_new_called_interval_with_the_same_counter_and_clerk() -> None:
    ticket = called()
    assert ticket.recall(call_count_max=3, now=at(6)) is True
    assert ticket.state is State.CALLED
    assert ticket.call_count == 2
    assert [i.state for i in ticket.intervals] == [State.WAITING, State.CALLED, State.CALLED]
    first, second = ticket.intervals[1:]
    assert first.end == at(6)
    assert (second.start, second.counter, second.clerk) == (at(6), 2, "lan")
    assert_chain_is_contiguous(ticket)


@pytest.mark.parametrize("call_count_max", [1, 2, 3, 5])
def test_recall_up_to_the_limit_then_no_show(call_count_max: int) -> None:
    ticket = called()
    for n in range(2, call_count_max + 1):
        assert ticket.recall(call_count_max=call_count_max, now=at(5 + n)) is True
        assert ticket.call_count == n
    assert ticket.call_count == call_count_max
    assert ticket.recall(call_count_max=call_count_max, now=at(30)) is False
    assert ticket.state is State.DONE
    assert ticket.outcome is Outcome.NO_SHOW
    assert ticket.call_count == call_count_max
    called_intervals = [i for i in ticket.intervals if i.state is State.CALLED]
    assert len(called_intervals) == call_count_max
    assert ticket.intervals[-1].end == at(30)
    assert_chain_is_contiguous(ticket)


def test_no_show_closes_the_called_interval() -> None:
    ticket = called()
    ticket.no_show(now=at(9))
    assert ticket.state is State.DONE
    assert ticket.outcome is Outcome.NO_SHOW
    assert ticket.intervals[-1].state is State.CALLED
    assert ticket.intervals[-1].end == at(9)
    assert len(ticket.intervals) == 2


# --- start, finish ---------------------------------------------------------------------------------


def test_start_opens_serving_at_the_calling_counter() -> None:
    ticket = serving()
    assert ticket.state is State.SERVING
    last = ticket.intervals[-1]
    assert (last.state, last.start, last.end, last.counter, last.clerk) == (State.SERVING, at(6), None, 2, "lan")
    assert ticket.intervals[-2].end == at(6)
    assert_chain_is_contiguous(ticket)


def test_finish_closes_serving_with_outcome_served() -> None:
    ticket = serving()
    ticket.finish(now=at(16))
    assert ticket.state is State.DONE
    assert ticket.outcome is Outcome.SERVED
    assert [i.state for i in ticket.intervals] == [State.WAITING, State.CALLED, State.SERVING]
    assert ticket.intervals[-1].seconds(at(999)) == 600
    assert_chain_is_contiguous(ticket)


def test_open_interval_seconds_run_until_now() -> None:
    ticket = serving()
    assert ticket.intervals[-1].seconds(at(8)) == 120
    assert ticket.intervals[0].seconds(at(8)) == 300  # closed: `until` is ignored


# --- transfer --------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [called, serving], ids=["from_called", "from_serving"])
def test_transfer_keeps_issue_time_and_resets_the_call(make: Callable[[], Ticket]) -> None:
    ticket = make()
    if ticket.state is State.CALLED:
        ticket.recall(call_count_max=3, now=at(5.5))
    ticket.transfer(group="CT", now=at(20))
    assert ticket.state is State.WAITING
    assert ticket.group == "CT"
    assert ticket.issued_at == T0
    assert ticket.call_count == 0
    assert ticket.counter is None
    assert ticket.transfers == 1
    assert ticket.outcome is None
    last = ticket.intervals[-1]
    assert (last.state, last.group, last.start, last.end, last.counter, last.clerk) == (
        State.WAITING,
        "CT",
        at(20),
        None,
        None,
        None,
    )
    assert ticket.intervals[-2].group == "HT"  # history stays in the old group
    assert ticket.intervals[-2].end == at(20)
    assert_chain_is_contiguous(ticket)


def test_transferred_ticket_can_be_called_again_and_counts_transfers() -> None:
    ticket = serving()
    ticket.transfer(group="CT", now=at(20))
    ticket.call(counter=3, clerk="minh", now=at(25))
    assert ticket.call_count == 1
    assert ticket.counter == 3
    ticket.transfer(group="DD", now=at(26))
    assert ticket.transfers == 2
    assert ticket.group == "DD"
    assert ticket.issued_at == T0


def test_transfer_to_the_same_group_is_refused() -> None:
    ticket = called()
    with pytest.raises(Conflict) as info:
        ticket.transfer(group="HT", now=at(6))
    assert info.value.code == "same_group"
    assert "A003" in info.value.message
    assert "đã ở nhóm này" in info.value.message
    assert ticket.state is State.CALLED
    assert ticket.transfers == 0


@pytest.mark.parametrize("state", ["waiting", "done"])
def test_transfer_needs_a_called_or_serving_ticket(state: str) -> None:
    ticket = new_ticket()
    if state == "done":
        ticket.cancel(now=at(1))
    before = copy.deepcopy(ticket.intervals)
    with pytest.raises(Conflict) as info:
        ticket.transfer(group="CT", now=at(6))
    assert info.value.code == "bad_state"
    assert "không chuyển được" in info.value.message
    assert ticket.group == "HT"
    assert ticket.intervals == before


# --- cancel, close_day -----------------------------------------------------------------------------


def test_cancel_a_waiting_ticket_means_left() -> None:
    ticket = new_ticket()
    ticket.cancel(now=at(3))
    assert ticket.state is State.DONE
    assert ticket.outcome is Outcome.LEFT
    assert ticket.intervals == [Interval(State.WAITING, "HT", T0, at(3))]


@pytest.mark.parametrize("make", [new_ticket, called, serving], ids=["waiting", "called", "serving"])
def test_close_day_removes_every_open_ticket(make: Callable[[], Ticket]) -> None:
    ticket = make()
    ticket.close_day(now=at(600))
    assert ticket.state is State.DONE
    assert ticket.outcome is Outcome.REMOVED_AT_CLOSE
    assert ticket.intervals[-1].end == at(600)
    assert_chain_is_contiguous(ticket)


def test_close_day_leaves_a_finished_ticket_alone() -> None:
    ticket = serving()
    ticket.finish(now=at(10))
    ticket.close_day(now=at(600))
    assert ticket.outcome is Outcome.SERVED
    assert ticket.intervals[-1].end == at(10)


# --- refused transitions ---------------------------------------------------------------------------


def _done() -> Ticket:
    ticket = new_ticket()
    ticket.cancel(now=at(1))
    return ticket


REFUSED = [
    (new_ticket, "recall", "gọi lại", "đang chờ"),
    (new_ticket, "start", "bắt đầu phục vụ", "đang chờ"),
    (new_ticket, "finish", "hoàn thành", "đang chờ"),
    (new_ticket, "no_show", "đánh dấu vắng mặt", "đang chờ"),
    (called, "call", "gọi", "đã được gọi"),
    (called, "finish", "hoàn thành", "đã được gọi"),
    (called, "cancel", "hủy", "đã được gọi"),
    (serving, "call", "gọi", "đang được phục vụ"),
    (serving, "recall", "gọi lại", "đang được phục vụ"),
    (serving, "start", "bắt đầu phục vụ", "đang được phục vụ"),
    (serving, "no_show", "đánh dấu vắng mặt", "đang được phục vụ"),
    (serving, "cancel", "hủy", "đang được phục vụ"),
    (_done, "call", "gọi", "đã kết thúc"),
    (_done, "cancel", "hủy", "đã kết thúc"),
    (_done, "start", "bắt đầu phục vụ", "đã kết thúc"),
]


def _attempt(ticket: Ticket, action: str) -> None:
    now = at(50)
    if action == "call":
        ticket.call(counter=1, clerk=None, now=now)
    elif action == "recall":
        ticket.recall(call_count_max=3, now=now)
    else:
        getattr(ticket, action)(now=now)


@pytest.mark.parametrize(("make", "action", "verb", "state_name"), REFUSED)
def test_bad_transition_raises_conflict_in_vietnamese(
    make: Callable[[], Ticket], action: str, verb: str, state_name: str
) -> None:
    ticket = make()
    before = (ticket.state, ticket.outcome, ticket.call_count, ticket.counter, copy.deepcopy(ticket.intervals))
    with pytest.raises(Conflict) as info:
        _attempt(ticket, action)
    error = info.value
    assert error.code == "bad_state"
    assert error.message == f"Không thể {verb} số A003: số này {state_name}."
    assert str(error) == error.message
    # a refused transition changes nothing
    assert (ticket.state, ticket.outcome, ticket.call_count, ticket.counter, ticket.intervals) == before
