"""Issuing: numbers per group per local day, caps, ranges and issuing windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.core.centre import IssueWindow, ServiceGroup
from app.core.clock import LOCAL_TZ, from_iso, local_day, to_iso
from app.core.errors import IssueClosed
from app.core.issuing import group_status, next_number


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant given in Hà Nội wall-clock time (November 2026), returned in UTC."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=LOCAL_TZ).astimezone(UTC)


LAND = ServiceGroup(
    code="DD",
    name="Đất đai",
    prefix="D",
    windows=(IssueWindow(time(7, 0), time(11, 30)), IssueWindow(time(13, 30), time(16, 0))),
)
CIVIL = ServiceGroup(code="HT", name="Hộ tịch", prefix="A")


# --- the local day ---------------------------------------------------------------------------------


def test_local_midnight_is_17_00_utc() -> None:
    before = datetime(2026, 11, 23, 16, 59, 59, 999999, tzinfo=UTC)
    after = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert local_day(before) == date(2026, 11, 23)
    assert local_day(after) == date(2026, 11, 24)
    assert before.date() == after.date()  # the UTC day has not changed: a UTC reset would be wrong here


def test_utc_midnight_is_not_a_local_day_boundary() -> None:
    assert local_day(datetime(2026, 11, 23, 23, 59, tzinfo=UTC)) == date(2026, 11, 24)
    assert local_day(datetime(2026, 11, 24, 0, 1, tzinfo=UTC)) == date(2026, 11, 24)


def test_local_day_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_day(datetime(2026, 11, 23, 10, 0))


def test_iso_round_trip_is_utc() -> None:
    instant = local(23, 8, 15)
    text = to_iso(instant)
    assert text == "2026-11-23T01:15:00.000000+00:00"
    assert from_iso(text) == instant
    with pytest.raises(ValueError, match="naive"):
        from_iso("2026-11-23T01:15:00")


# --- numbers ---------------------------------------------------------------------------------------


def test_first_number_of_the_day_is_number_start() -> None:
    assert next_number(CIVIL, local(23, 9), 0, None) == 1
    later = ServiceGroup(code="X", name="X", prefix="X", number_start=50, number_end=99)
    assert next_number(later, local(23, 9), 0, None) == 50


def test_next_number_follows_the_last_one() -> None:
    assert next_number(CIVIL, local(23, 9), 1, 1) == 2
    assert next_number(CIVIL, local(23, 9), 41, 41) == 42
    started = ServiceGroup(code="X", name="X", prefix="X", number_start=50, number_end=99)
    assert next_number(started, local(23, 9), 3, 52) == 53


def test_last_number_of_the_range_is_issued_then_the_range_is_exhausted() -> None:
    small = ServiceGroup(code="X", name="Thử", prefix="X", number_start=1, number_end=3)
    assert next_number(small, local(23, 9), 2, 2) == 3
    with pytest.raises(IssueClosed) as info:
        next_number(small, local(23, 9), 3, 3)
    error = info.value
    assert error.code == "group_closed"
    assert error.details["reason"] == "range"
    assert error.message == "Thử: đã hết số thứ tự trong ngày. Mời quay lại ngày làm việc tiếp theo."
    reopens = datetime.fromisoformat(error.details["reopens_at"])
    assert reopens == datetime(2026, 11, 24, 7, 0, tzinfo=LOCAL_TZ)


def test_display_number_pads_to_the_range_width() -> None:
    assert CIVIL.display_number(7) == "A007"
    assert CIVIL.display_number(999) == "A999"
    wide = ServiceGroup(code="X", name="X", prefix="B", number_end=9999)
    assert wide.display_number(42) == "B0042"
    narrow = ServiceGroup(code="X", name="X", prefix="C", number_end=50)
    assert narrow.display_number(5) == "C005"


# --- daily caps ------------------------------------------------------------------------------------


def test_daily_cap_allows_up_to_the_cap() -> None:
    capped = ServiceGroup(code="DD", name="Đất đai", prefix="D", daily_cap=2)
    assert next_number(capped, local(23, 9), 1, 1) == 2
    status = group_status(capped, local(23, 9), 1, 1)
    assert status.open
    assert status.reason is None


def test_daily_cap_reached_closes_until_the_next_day() -> None:
    capped = ServiceGroup(
        code="DD", name="Đất đai", prefix="D", daily_cap=2, windows=(IssueWindow(time(7, 30), time(16, 0)),)
    )
    status = group_status(capped, local(23, 9), 2, 2)
    assert not status.open
    assert status.reason == "cap"
    assert status.message == "Đất đai: hôm nay đã cấp đủ 2 số. Mời quay lại ngày làm việc tiếp theo."
    assert status.reopens_at == datetime(2026, 11, 24, 7, 30, tzinfo=LOCAL_TZ)
    with pytest.raises(IssueClosed) as info:
        next_number(capped, local(23, 9), 2, 2)
    assert info.value.details == {"reason": "cap", "reopens_at": status.reopens_at.isoformat()}
    assert info.value.message == status.message


def test_cap_counts_issued_tickets_not_numbers() -> None:
    capped = ServiceGroup(code="X", name="X", prefix="X", number_start=100, daily_cap=3)
    assert group_status(capped, local(23, 9), 2, 101).open
    assert group_status(capped, local(23, 9), 3, 102).reason == "cap"


def test_cap_without_windows_reopens_at_seven_next_local_day() -> None:
    capped = ServiceGroup(code="X", name="X", prefix="X", daily_cap=1)
    # 23:30 local on the 23rd is still the 23rd locally (16:30 UTC): reopen on the 24th
    status = group_status(capped, local(23, 23, 30), 1, 1)
    assert status.reopens_at == datetime(2026, 11, 24, 7, 0, tzinfo=LOCAL_TZ)
    # 00:30 local on the 24th is 17:30 UTC on the 23rd: the next local day is the 25th
    status = group_status(capped, local(24, 0, 30), 1, 1)
    assert status.reopens_at == datetime(2026, 11, 25, 7, 0, tzinfo=LOCAL_TZ)


# --- issuing windows -------------------------------------------------------------------------------


def test_no_windows_means_always_open() -> None:
    for hour in (0, 6, 12, 23):
        status = group_status(CIVIL, local(23, hour), 0, None)
        assert status.open
        assert status.message == ""
        assert status.reopens_at is None


@pytest.mark.parametrize(
    "moment", [(7, 0), (9, 15), (11, 29), (13, 30), (15, 59)], ids=["start", "morning", "late", "pm", "last"]
)
def test_inside_a_window_is_open(moment: tuple[int, int]) -> None:
    status = group_status(LAND, local(23, *moment), 0, None)
    assert status.open
    assert next_number(LAND, local(23, *moment), 0, None) == 1


def test_window_end_is_exclusive() -> None:
    assert not group_status(LAND, local(23, 11, 30), 0, None).open
    assert not group_status(LAND, local(23, 16, 0), 0, None).open


def test_between_windows_reopens_this_afternoon() -> None:
    status = group_status(LAND, local(23, 12, 0), 0, None)
    assert not status.open
    assert status.reason == "window"
    assert status.reopens_at == datetime(2026, 11, 23, 13, 30, tzinfo=LOCAL_TZ)
    assert status.message == ("Đất đai: chỉ cấp số trong giờ 07:00–11:30, 13:30–16:00. Mời quay lại lúc 13:30 hôm nay.")


def test_before_the_first_window_reopens_today_by_the_local_date() -> None:
    # 06:00 local on the 24th is 23:00 UTC on the 23rd: "today" is the local 24th
    now = local(24, 6, 0)
    assert now.date() == date(2026, 11, 23)
    status = group_status(LAND, now, 0, None)
    assert not status.open
    assert status.reason == "window"
    assert status.reopens_at == datetime(2026, 11, 24, 7, 0, tzinfo=LOCAL_TZ)
    assert status.message.endswith("Mời quay lại lúc 07:00 hôm nay.")


def test_after_the_last_window_reopens_next_day() -> None:
    status = group_status(LAND, local(23, 16, 30), 0, None)
    assert not status.open
    assert status.reason == "window"
    assert status.reopens_at == datetime(2026, 11, 24, 7, 0, tzinfo=LOCAL_TZ)
    assert status.message == (
        "Đất đai: chỉ cấp số trong giờ 07:00–11:30, 13:30–16:00. Mời quay lại lúc 07:00 ngày làm việc tiếp theo."
    )


def test_reopen_uses_the_earliest_window_even_if_listed_last() -> None:
    shuffled = ServiceGroup(
        code="DD",
        name="Đất đai",
        prefix="D",
        windows=(IssueWindow(time(13, 30), time(16, 0)), IssueWindow(time(7, 0), time(11, 30))),
    )
    assert group_status(shuffled, local(23, 17), 0, None).reopens_at == datetime(2026, 11, 24, 7, 0, tzinfo=LOCAL_TZ)
    assert group_status(shuffled, local(23, 5), 0, None).reopens_at == datetime(2026, 11, 23, 7, 0, tzinfo=LOCAL_TZ)
    assert group_status(shuffled, local(23, 12), 0, None).reopens_at == datetime(2026, 11, 23, 13, 30, tzinfo=LOCAL_TZ)


def test_issue_closed_by_window_carries_reason_and_reopens_at() -> None:
    with pytest.raises(IssueClosed) as info:
        next_number(LAND, local(23, 16, 30), 0, None)
    error = info.value
    assert error.code == "group_closed"
    assert error.details["reason"] == "window"
    reopens = datetime.fromisoformat(error.details["reopens_at"])
    assert reopens.tzinfo is not None
    assert reopens == datetime(2026, 11, 24, 7, 0, tzinfo=LOCAL_TZ)
    assert reopens - local(23, 16, 30) == timedelta(hours=14, minutes=30)
    assert "Đất đai" in error.message


def test_cap_is_checked_before_the_window() -> None:
    capped = ServiceGroup(
        code="DD", name="Đất đai", prefix="D", daily_cap=1, windows=(IssueWindow(time(7, 0), time(16, 0)),)
    )
    assert group_status(capped, local(23, 17), 1, 1).reason == "cap"
    assert group_status(capped, local(23, 17), 0, None).reason == "window"


def test_windows_follow_local_time_not_utc() -> None:
    # 09:00 UTC is 16:00 local: closed; 02:00 UTC is 09:00 local: open
    assert not group_status(LAND, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), 0, None).open
    assert group_status(LAND, datetime(2026, 11, 23, 2, 0, tzinfo=UTC), 0, None).open
