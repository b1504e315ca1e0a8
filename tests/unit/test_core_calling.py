"""Call next: priority with a fairness cap, then the counter's group level, then FIFO by issue time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.calling import Heads, choose_next, heads_to_load, line_to_call
from app.core.calling import people_ahead as ahead_from_counts
from app.core.centre import CounterConfig, QueuePolicy
from app.core.ticket import State, Ticket

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
POLICY = QueuePolicy(fairness_cap=3)
COUNTER = CounterConfig(id=1, name="Quầy 1", groups={"HT": 1, "CT": 2})


def ticket(tid: int, group: str = "HT", *, minute: float | None = None, priority: str | None = None) -> Ticket:
    issued = T0 + timedelta(minutes=tid if minute is None else minute)
    return Ticket.issue(
        id=tid,
        day=date(2026, 11, 23),
        group=group,
        number=tid,
        display=f"X{tid:03d}",
        now=issued,
        priority=priority,
    )


def pick(waiting: list[Ticket], streak: int = 0, counter: CounterConfig = COUNTER) -> tuple[int, int]:
    choice = choose_next(waiting, counter, streak, POLICY)
    assert choice is not None
    return choice.ticket.id, choice.priority_streak


# --- basics ----------------------------------------------------------------------------------------


def test_nothing_waiting_means_no_choice() -> None:
    assert choose_next([], COUNTER, 0, POLICY) is None


def test_groups_the_counter_does_not_serve_are_ignored() -> None:
    others = [ticket(1, "DD"), ticket(2, "KD", priority="elderly")]
    assert choose_next(others, COUNTER, 0, POLICY) is None
    assert pick([*others, ticket(3, "CT")]) == (3, 0)


def test_tickets_that_are_not_waiting_are_ignored() -> None:
    first, second = ticket(1), ticket(2)
    first.call(counter=2, clerk=None, now=T0 + timedelta(minutes=5))
    done = ticket(3, priority="elderly")
    done.cancel(now=T0 + timedelta(minutes=6))
    assert pick([first, second, done]) == (2, 0)
    second.call(counter=3, clerk=None, now=T0 + timedelta(minutes=7))
    assert choose_next([first, second, done], COUNTER, 0, POLICY) is None


def test_fifo_by_issue_time_not_by_list_order_or_id() -> None:
    early = ticket(9, minute=1)
    late = ticket(2, minute=5)
    assert pick([late, early]) == (9, 0)


def test_same_issue_time_falls_back_to_id() -> None:
    assert pick([ticket(5, minute=1), ticket(4, minute=1)]) == (4, 0)


def test_counter_group_level_goes_before_issue_time() -> None:
    old_level2 = ticket(1, "CT", minute=0)
    new_level1 = ticket(2, "HT", minute=30)
    assert pick([old_level2, new_level1]) == (2, 0)
    other_counter = CounterConfig(id=2, name="Quầy 2", groups={"HT": 2, "CT": 1})
    assert pick([old_level2, new_level1], counter=other_counter) == (1, 0)


def test_equal_levels_share_one_fifo() -> None:
    flat = CounterConfig(id=3, name="Quầy 3", groups={"HT": 1, "CT": 1})
    assert pick([ticket(1, "HT", minute=9), ticket(2, "CT", minute=3)], counter=flat) == (2, 0)


def test_transferred_ticket_keeps_its_original_place() -> None:
    moved = ticket(1, "CT", minute=0)
    moved.call(counter=5, clerk=None, now=T0 + timedelta(minutes=40))
    moved.transfer(group="HT", now=T0 + timedelta(minutes=45))
    newcomer = ticket(2, "HT", minute=20)
    assert moved.issued_at < newcomer.issued_at
    assert pick([newcomer, moved]) == (1, 0)


# --- priority and fairness -------------------------------------------------------------------------


def test_priority_goes_first_even_if_later_and_at_a_lower_level() -> None:
    normal = ticket(1, "HT", minute=0)
    elderly = ticket(2, "CT", minute=30, priority="elderly")
    assert pick([normal, elderly], streak=0) == (2, 1)


def test_among_priority_tickets_level_then_fifo() -> None:
    a = ticket(1, "CT", minute=0, priority="elderly")
    b = ticket(2, "HT", minute=10, priority="pregnant")
    c = ticket(3, "HT", minute=5, priority="disabled")
    assert pick([a, b, c]) == (3, 1)


def test_fairness_cap_lets_a_normal_ticket_go_then_resets_the_streak() -> None:
    normal = ticket(1, minute=0)
    priorities = [ticket(10 + i, minute=10 + i, priority="elderly") for i in range(5)]
    waiting = [normal, *priorities]
    streak = 0
    order = []
    while True:
        choice = choose_next(waiting, COUNTER, streak, POLICY)
        if choice is None:
            break
        order.append(choice.ticket.id)
        streak = choice.priority_streak
        choice.ticket.call(counter=1, clerk=None, now=T0 + timedelta(hours=1))
    # three priority calls in a row, then the waiting normal citizen, then the rest
    assert order == [10, 11, 12, 1, 13, 14]


def test_streak_counts_up_and_resets() -> None:
    normal = ticket(1)
    elderly = ticket(2, priority="elderly")
    assert pick([normal, elderly], streak=0) == (2, 1)
    assert pick([normal, elderly], streak=2) == (2, 3)
    assert pick([normal, elderly], streak=3) == (1, 0)
    assert pick([normal, elderly], streak=7) == (1, 0)


def test_fairness_cap_does_not_block_priority_when_no_normal_waits() -> None:
    elderly = ticket(2, priority="elderly")
    assert pick([elderly], streak=3) == (2, 4)
    assert pick([elderly], streak=100) == (2, 101)


def test_fairness_cap_only_counts_normals_the_counter_serves() -> None:
    elsewhere = ticket(1, "DD")
    elderly = ticket(2, priority="elderly")
    assert pick([elsewhere, elderly], streak=3) == (2, 4)


def test_fairness_cap_of_zero_means_normal_first() -> None:
    policy = QueuePolicy(fairness_cap=0)
    choice = choose_next([ticket(1, minute=9), ticket(2, minute=0, priority="elderly")], COUNTER, 0, policy)
    assert choice is not None
    assert (choice.ticket.id, choice.priority_streak) == (1, 0)


# --- people ahead ----------------------------------------------------------------------------------
def people_ahead(ticket: Ticket, waiting: list[Ticket]) -> int:
    """The counts the store keeps, taken from a list, through the production rule (core.calling.people_ahead)."""
    line = [t for t in waiting if t.state is State.WAITING and t.group == ticket.group and t.id != ticket.id]
    mine = (ticket.issued_at, ticket.id)
    return ahead_from_counts(
        is_priority=ticket.is_priority,
        priority_waiting=sum(1 for t in line if t.is_priority),
        same_line_before=sum(1 for t in line if t.is_priority == ticket.is_priority and (t.issued_at, t.id) < mine),
    )


def test_people_ahead_counts_same_group_waiting_before_me() -> None:
    t1, t2, t3 = ticket(1), ticket(2), ticket(3)
    other_group = ticket(4, "CT", minute=0)
    assert people_ahead(t1, [t1, t2, t3, other_group]) == 0
    assert people_ahead(t3, [t1, t2, t3, other_group]) == 2
    t1.call(counter=1, clerk=None, now=T0 + timedelta(minutes=10))
    assert people_ahead(t3, [t1, t2, t3, other_group]) == 1


def test_people_ahead_puts_priority_first() -> None:
    normal = ticket(1, minute=0)
    elderly = ticket(2, minute=10, priority="elderly")
    later = ticket(3, minute=20)
    waiting = [normal, elderly, later]
    assert people_ahead(elderly, waiting) == 0
    assert people_ahead(normal, waiting) == 1
    assert people_ahead(later, waiting) == 2


def test_people_ahead_of_a_newly_issued_ticket_not_yet_in_the_list() -> None:
    waiting = [ticket(1), ticket(2)]
    assert people_ahead(ticket(3), waiting) == 2


# --- properties ------------------------------------------------------------------------------------

GROUPS = ("HT", "CT", "DD")


@st.composite
def queues(draw: st.DrawFn) -> list[Ticket]:
    count = draw(st.integers(min_value=0, max_value=25))
    tickets = []
    for tid in range(1, count + 1):
        t = ticket(
            tid,
            draw(st.sampled_from(GROUPS)),
            minute=draw(st.integers(min_value=0, max_value=30)),  # ties in issue time happen
            priority=draw(st.sampled_from([None, None, "elderly"])),
        )
        fate = draw(st.sampled_from(["waiting", "waiting", "called", "left"]))
        if fate == "called":
            t.call(counter=9, clerk=None, now=T0 + timedelta(hours=1))
        elif fate == "left":
            t.cancel(now=T0 + timedelta(hours=1))
        tickets.append(t)
    return tickets


counters = st.dictionaries(st.sampled_from(GROUPS), st.integers(min_value=1, max_value=3), min_size=1).map(
    lambda levels: CounterConfig(id=1, name="Quầy", groups=levels)
)


def _key(counter: CounterConfig, t: Ticket) -> tuple[int, datetime, int]:
    return (counter.groups[t.group], t.issued_at, t.id)


@settings(max_examples=300, deadline=None)
@given(queue=queues(), counter=counters, streak=st.integers(min_value=0, max_value=6))
def test_choice_is_a_waiting_ticket_of_the_counter_and_respects_the_policy(
    queue: list[Ticket], counter: CounterConfig, streak: int
) -> None:
    eligible = [t for t in queue if t.state is State.WAITING and t.group in counter.groups]
    choice = choose_next(queue, counter, streak, POLICY)
    if not eligible:
        assert choice is None
        return
    assert choice is not None
    chosen = choice.ticket
    assert chosen.state is State.WAITING
    assert chosen.group in counter.groups
    priority = [t for t in eligible if t.is_priority]
    normal = [t for t in eligible if not t.is_priority]
    if chosen.is_priority:
        assert choice.priority_streak == streak + 1
        assert not normal or streak < POLICY.fairness_cap
        assert _key(counter, chosen) == min(_key(counter, t) for t in priority)
    else:
        assert choice.priority_streak == 0
        assert not priority or streak >= POLICY.fairness_cap
        assert _key(counter, chosen) == min(_key(counter, t) for t in normal)


@settings(max_examples=300, deadline=None)
@given(queue=queues(), counter=counters, streak=st.integers(min_value=0, max_value=6))
def test_without_priority_the_choice_is_the_minimal_level_and_issue_time(
    queue: list[Ticket], counter: CounterConfig, streak: int
) -> None:
    for t in queue:
        t.priority = None
    eligible = [t for t in queue if t.state is State.WAITING and t.group in counter.groups]
    choice = choose_next(queue, counter, streak, POLICY)
    if not eligible:
        assert choice is None
        return
    assert choice is not None
    assert choice.priority_streak == 0
    best = min(eligible, key=lambda t: _key(counter, t))
    assert choice.ticket is best


@settings(max_examples=200, deadline=None)
@given(queue=queues(), counter=counters, streak=st.integers(min_value=0, max_value=6))
def test_choosing_among_queue_heads_equals_choosing_among_all(
    queue: list[Ticket], counter: CounterConfig, streak: int
) -> None:
    """The store only loads the first priority and first normal ticket of each group."""
    heads = []
    for group in counter.groups:
        for is_priority in (True, False):
            line = [t for t in queue if t.state is State.WAITING and t.group == group and t.is_priority == is_priority]
            if line:
                heads.append(min(line, key=lambda t: (t.issued_at, t.id)))
    full = choose_next(queue, counter, streak, POLICY)
    partial = choose_next(heads, counter, streak, POLICY)
    assert (full is None) == (partial is None)
    if full is not None and partial is not None:
        assert full.ticket is partial.ticket
        assert full.priority_streak == partial.priority_streak


@settings(max_examples=300, deadline=None)
@given(queue=queues(), counter=counters, streak=st.integers(min_value=0, max_value=6))
def test_choosing_among_the_heads_the_counts_name_equals_choosing_among_all(
    queue: list[Ticket], counter: CounterConfig, streak: int
) -> None:
    """What the store does: counts per group and line name the heads (heads_to_load), only those are loaded."""
    waiting = [t for t in queue if t.state is State.WAITING]
    counts: dict[tuple[str, bool], int] = {}
    for t in waiting:
        counts[t.group, t.is_priority] = counts.get((t.group, t.is_priority), 0) + 1
    heads = heads_to_load(counter, counts, streak, POLICY)
    full = choose_next(queue, counter, streak, POLICY)
    if heads is None:
        assert full is None
        return
    loaded = []
    for group in heads.groups:
        line = [t for t in waiting if t.group == group and t.is_priority is heads.priority]
        loaded.append(min(line, key=lambda t: (t.issued_at, t.id)))  # never empty: counted
    partial = choose_next(loaded, counter, streak, POLICY)
    assert full is not None
    assert partial is not None
    assert (partial.ticket, partial.priority_streak) == (full.ticket, full.priority_streak)
    assert len(heads.groups) <= len(counter.groups)


def test_the_line_to_call() -> None:
    assert line_to_call(priority_waiting=0, normal_waiting=0, priority_streak=0, policy=POLICY) is None
    assert line_to_call(priority_waiting=2, normal_waiting=5, priority_streak=2, policy=POLICY) is True
    assert line_to_call(priority_waiting=2, normal_waiting=5, priority_streak=3, policy=POLICY) is False  # the cap
    assert line_to_call(priority_waiting=2, normal_waiting=0, priority_streak=9, policy=POLICY) is True
    assert line_to_call(priority_waiting=0, normal_waiting=1, priority_streak=0, policy=POLICY) is False


def test_the_heads_to_load_are_the_lines_groups_at_the_counters_best_level() -> None:
    counter = CounterConfig(id=1, name="Quầy 1", groups={"HT": 1, "CT": 2, "DD": 1})
    counts = {("HT", False): 0, ("CT", False): 4, ("DD", False): 2, ("CT", True): 1, ("KD", True): 9}
    assert heads_to_load(counter, counts, 0, POLICY) == Heads(True, ("CT",))  # KD: not this counter's group
    assert heads_to_load(counter, counts, 3, POLICY) == Heads(False, ("DD",))  # the cap; HT's line is empty
    assert heads_to_load(counter, {("KD", True): 9}, 0, POLICY) is None


@settings(max_examples=200, deadline=None)
@given(queue=queues(), counter=counters)
def test_calling_until_empty_never_exceeds_the_cap_while_a_normal_waits(
    queue: list[Ticket], counter: CounterConfig
) -> None:
    streak = 0
    in_a_row = 0
    later = T0 + timedelta(hours=2)
    eligible = {t.id for t in queue if t.state is State.WAITING and t.group in counter.groups}
    called: list[int] = []
    while (choice := choose_next(queue, counter, streak, POLICY)) is not None:
        normal_waiting = any(
            t.state is State.WAITING and t.group in counter.groups and not t.is_priority for t in queue
        )
        in_a_row = in_a_row + 1 if choice.ticket.is_priority else 0
        if normal_waiting:
            assert in_a_row <= POLICY.fairness_cap
        streak = choice.priority_streak
        choice.ticket.call(counter=counter.id, clerk=None, now=later)
        called.append(choice.ticket.id)
    assert sorted(called) == sorted(eligible)  # everyone is called exactly once


@settings(max_examples=200, deadline=None)
@given(queue=queues())
def test_people_ahead_is_the_rank_in_the_group_line(queue: list[Ticket]) -> None:
    for t in queue:
        if t.state is not State.WAITING:
            continue
        line = sorted(
            (u for u in queue if u.state is State.WAITING and u.group == t.group),
            key=lambda u: (not u.is_priority, u.issued_at, u.id),
        )
        assert people_ahead(t, queue) == line.index(t)


@pytest.mark.parametrize("streak", [0, 1, 2])
def test_below_the_cap_priority_wins(streak: int) -> None:
    assert pick([ticket(1), ticket(2, priority="merit")], streak=streak) == (2, streak + 1)
