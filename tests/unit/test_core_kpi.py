"""KPIs as sums over state intervals: wait, walk, service, no-shows, target share, breakdowns."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.core.clock import LOCAL_TZ
from app.core.kpi import compute_kpis, visit_times
from app.core.ticket import Outcome, Ticket

TARGET_S = 1800.0


def local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


def issue(tid: int, group: str, when: datetime) -> Ticket:
    return Ticket.issue(id=tid, day=date(2026, 11, 23), group=group, number=tid, display=f"A{tid:03d}", now=when)


# --- visit_times -----------------------------------------------------------------------------------


def test_served_visit_splits_into_wait_walk_and_service() -> None:
    t = issue(1, "HT", local(8, 0))
    t.call(counter=1, clerk="lan", now=local(8, 10))
    t.start(now=local(8, 12))
    t.finish(now=local(8, 22))
    times = visit_times(t, local(12, 0))
    assert (times.wait_s, times.walk_s, times.service_s) == (600, 120, 600)


def test_wait_counts_to_the_last_call_when_recalled() -> None:
    t = issue(1, "HT", local(8, 0))
    t.call(counter=1, clerk=None, now=local(8, 10))
    t.recall(call_count_max=3, now=local(8, 13))
    t.recall(call_count_max=3, now=local(8, 15))
    t.start(now=local(8, 16))
    times = visit_times(t, local(8, 20))
    assert times.wait_s == 15 * 60
    assert times.walk_s == 60  # from the call that brought the citizen, not the first one
    assert times.service_s == 4 * 60  # still serving: counted until now


def test_never_called_has_no_wait_or_walk() -> None:
    t = issue(1, "HT", local(8, 0))
    times = visit_times(t, local(9, 0))
    assert times.wait_s is None
    assert times.walk_s is None
    assert times.service_s == 0


def test_no_show_has_a_wait_but_no_walk_or_service() -> None:
    t = issue(1, "HT", local(8, 0))
    t.call(counter=1, clerk=None, now=local(8, 20))
    t.recall(call_count_max=2, now=local(8, 22))
    assert t.recall(call_count_max=2, now=local(8, 24)) is False
    assert t.outcome is Outcome.NO_SHOW
    times = visit_times(t, local(9, 0))
    assert times.wait_s == 22 * 60
    assert times.walk_s is None
    assert times.service_s == 0


def test_service_sums_every_serving_interval_across_a_transfer() -> None:
    t = issue(1, "HT", local(8, 0))
    t.call(counter=1, clerk="lan", now=local(8, 10))
    t.start(now=local(8, 12))
    t.transfer(group="CT", now=local(8, 20))
    t.call(counter=2, clerk="minh", now=local(8, 30))
    t.start(now=local(8, 31))
    t.finish(now=local(8, 41))
    times = visit_times(t, local(12, 0))
    assert times.service_s == 8 * 60 + 10 * 60
    assert times.wait_s == 600  # the first visit's wait: the citizen's time before first being served
    assert times.walk_s == 120


# --- compute_kpis ----------------------------------------------------------------------------------


@pytest.fixture
def day() -> list[Ticket]:
    served = issue(1, "HT", local(8, 0))
    served.call(counter=1, clerk="lan", now=local(8, 10))  # wait 600
    served.start(now=local(8, 12))  # walk 120
    served.finish(now=local(8, 22))  # service 600

    no_show = issue(2, "HT", local(8, 5))
    no_show.call(counter=1, clerk="lan", now=local(8, 45))
    no_show.recall(call_count_max=2, now=local(8, 46))  # wait 41 min > target
    no_show.recall(call_count_max=2, now=local(8, 47))

    waiting = issue(3, "CT", local(9, 30))

    left = issue(4, "CT", local(9, 40))
    left.cancel(now=local(9, 50))

    serving = issue(5, "CT", local(10, 0))
    serving.call(counter=2, clerk="minh", now=local(10, 5))  # wait 300
    serving.start(now=local(10, 6))  # walk 60, serving until now
    assert no_show.outcome is Outcome.NO_SHOW
    assert waiting.outcome is None
    return [served, no_show, waiting, left, serving]


NOW = local(10, 20)


def test_totals(day: list[Ticket]) -> None:
    k = compute_kpis(day, NOW, TARGET_S)
    assert k["issued"] == 5
    assert k["served"] == 1
    assert k["no_show"] == 1
    assert k["waiting_now"] == 1
    assert k["outcomes"] == {"served": 1, "no_show": 1, "left": 1, "removed_at_close": 0}
    assert k["wait_s"] == {"avg": 1120.0, "median": 600.0, "max": 2460.0}
    assert k["service_s"] == {"avg": 720.0, "median": 720.0, "max": 840.0}
    assert k["walk_s"] == {"avg": 90.0, "median": 90.0, "max": 120.0}
    assert k["wait_target_s"] == TARGET_S


def test_no_show_rate_and_over_target_share_are_over_called_tickets(day: list[Ticket]) -> None:
    k = compute_kpis(day, NOW, TARGET_S)
    # three tickets were called (served, no-show, serving): one no-show, one waited past 30 min
    assert k["no_show_rate"] == round(1 / 3, 4)
    assert k["over_target_share"] == round(1 / 3, 4)
    k = compute_kpis(day, NOW, 200.0)
    assert k["over_target_share"] == 1.0


def test_a_wait_equal_to_the_target_is_not_over_it() -> None:
    t = issue(1, "HT", local(8, 0))
    t.call(counter=1, clerk=None, now=local(8, 30))
    assert compute_kpis([t], NOW, 1800.0)["over_target_share"] == 0.0
    assert compute_kpis([t], NOW, 1799.0)["over_target_share"] == 1.0


def test_by_group(day: list[Ticket]) -> None:
    by_group = compute_kpis(day, NOW, TARGET_S)["by_group"]
    assert list(by_group) == ["CT", "HT"]
    assert (by_group["HT"]["issued"], by_group["HT"]["served"], by_group["HT"]["no_show"]) == (2, 1, 1)
    assert by_group["HT"]["wait_s"] == {"avg": 1530.0, "median": 1530.0, "max": 2460.0}
    assert (by_group["CT"]["issued"], by_group["CT"]["served"], by_group["CT"]["no_show"]) == (3, 0, 0)
    assert by_group["CT"]["wait_s"]["max"] == 300.0
    assert by_group["CT"]["service_s"]["max"] == 840.0


def test_by_counter_and_clerk_follow_the_serving_interval(day: list[Ticket]) -> None:
    k = compute_kpis(day, NOW, TARGET_S)
    assert set(k["by_counter"]) == {"1", "2"}
    assert k["by_counter"]["1"]["issued"] == 1  # the no-show never reached serving
    assert k["by_counter"]["1"]["service_s"]["avg"] == 600.0
    assert k["by_counter"]["2"]["service_s"]["avg"] == 840.0
    assert set(k["by_clerk"]) == {"lan", "minh"}
    assert k["by_clerk"]["lan"]["served"] == 1


def test_by_hour_uses_local_hours(day: list[Ticket]) -> None:
    by_hour = compute_kpis(day, NOW, TARGET_S)["by_hour"]
    assert list(by_hour) == ["08", "09", "10"]  # in UTC these would be 01, 02, 03
    assert [by_hour[h]["issued"] for h in by_hour] == [2, 2, 1]
    early = issue(9, "HT", datetime(2026, 11, 22, 23, 30, tzinfo=UTC))  # 06:30 local on the 23rd
    assert list(compute_kpis([early], NOW, TARGET_S)["by_hour"]) == ["06"]


def test_transferred_ticket_counts_in_its_current_group_and_last_counter() -> None:
    t = issue(1, "HT", local(8, 0))
    t.call(counter=1, clerk="lan", now=local(8, 10))
    t.start(now=local(8, 12))
    t.transfer(group="CT", now=local(8, 20))
    t.call(counter=2, clerk="minh", now=local(8, 30))
    t.start(now=local(8, 31))
    t.finish(now=local(8, 41))
    k = compute_kpis([t], NOW, TARGET_S)
    assert list(k["by_group"]) == ["CT"]
    assert list(k["by_counter"]) == ["2"]
    assert k["service_s"]["max"] == 1080.0


def test_empty_day() -> None:
    k = compute_kpis([], NOW, TARGET_S)
    assert k["issued"] == 0
    assert k["waiting_now"] == 0
    assert k["no_show_rate"] is None
    assert k["over_target_share"] is None
    assert k["wait_s"] == {"avg": None, "median": None, "max": None}
    assert k["by_group"] == k["by_counter"] == k["by_clerk"] == k["by_hour"] == {}
    assert k["outcomes"] == {"served": 0, "no_show": 0, "left": 0, "removed_at_close": 0}


def test_nobody_called_gives_no_rates() -> None:
    k = compute_kpis([issue(1, "HT", local(8)), issue(2, "HT", local(9))], NOW, TARGET_S)
    assert k["issued"] == 2
    assert k["waiting_now"] == 2
    assert k["no_show_rate"] is None
    assert k["over_target_share"] is None


def test_removed_at_close_is_an_outcome() -> None:
    t = issue(1, "HT", local(8))
    t.close_day(now=local(18))
    assert compute_kpis([t], local(18), TARGET_S)["outcomes"]["removed_at_close"] == 1


def test_kpis_accept_a_generator() -> None:
    k = compute_kpis((issue(i, "HT", local(8, i)) for i in range(1, 4)), NOW, TARGET_S)
    assert k["issued"] == 3
