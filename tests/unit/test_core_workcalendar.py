"""Appointment dates (ngày hẹn trả) on Vietnam's 2026 public-sector calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.clock import LOCAL_TZ
from app.core.vn_holidays import HOLIDAYS_VERSION, vn_calendar
from app.core.workcalendar import (
    NO_TIME_LIMIT,
    DayOverride,
    WorkCalendar,
    WorkingHours,
    due_date,
    time_limit_text,
    working_seconds_between,
)

CAL = vn_calendar()


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def wd(received: datetime, days: float, cal: WorkCalendar = CAL, pauses=()) -> datetime:
    return due_date(received, days, "working_days", cal, pauses)


# --- the 2026 calendar -------------------------------------------------------------------------


def test_tet_2026_civil_service_break() -> None:
    # TB 9441/TB-BNV: off 14–22/02/2026; Friday 10:00 has 5 h left that day, 3 h more on Monday.
    assert wd(at(2026, 2, 13, 10), 1) == at(2026, 2, 23, 10)
    for day in range(14, 23):
        assert not CAL.is_working_day(date(2026, 2, day)), day
    assert CAL.is_working_day(date(2026, 2, 23))
    assert CAL.day_note(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert CAL.day_note(date(2026, 2, 14)) == "Thứ Bảy"
    assert CAL.day_note(date(2026, 2, 23)) == ""


def test_hung_kings_and_30_4_1_5_2026() -> None:
    assert not CAL.is_working_day(date(2026, 4, 27))  # Giỗ Tổ fell on Sunday 26/04, off Monday 27/04
    assert CAL.day_note(date(2026, 4, 26)) == "Ngày Giỗ Tổ Hùng Vương (Chủ nhật)"
    assert not CAL.is_working_day(date(2026, 4, 30))
    assert not CAL.is_working_day(date(2026, 5, 1))
    assert CAL.is_working_day(date(2026, 4, 29))
    # CV 3383/BNV-CVL: no swap, so Wed 14:00 + 1 working day → Mon 04/05 14:00.
    assert wd(at(2026, 4, 29, 14), 1) == at(2026, 5, 4, 14)


def test_national_day_2026_with_the_august_swap() -> None:
    assert CAL.is_working_day(date(2026, 8, 22))  # Saturday worked to take Monday 31/08 off
    for day in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)):
        assert not CAL.is_working_day(day), day
    assert CAL.day_note(date(2026, 8, 31)) == "Ngày nghỉ (thay cho ngày 22/08/2026)"
    assert wd(at(2026, 8, 21, 14), 1) == at(2026, 8, 22, 14)
    assert wd(at(2026, 8, 28, 14), 1) == at(2026, 9, 3, 14)
    assert CAL.next_working_day(date(2026, 8, 28)) == date(2026, 9, 3)


def test_vietnamese_culture_day_24_11_2026() -> None:
    assert CAL.day_note(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert wd(at(2026, 11, 23, 14), 1) == at(2026, 11, 25, 14)


def test_any_year_is_covered_lazily() -> None:
    assert not CAL.is_working_day(date(2031, 9, 2))
    assert CAL.is_working_day(date(2014, 12, 27))  # Saturday worked for 02/01/2015, listed in the 2015 data
    assert CAL.is_working_day(date(2025, 4, 26))
    assert not CAL.is_working_day(date(2025, 5, 2))


def test_version_names_the_data_and_the_overrides() -> None:
    assert CAL.version == f"{HOLIDAYS_VERSION} + 0 ngày điều chỉnh"
    assert HOLIDAYS_VERSION.startswith("holidays 0.108")
    one = vn_calendar([DayOverride(date(2026, 3, 7), True, "QĐ 1/QĐ-UBND", date(2026, 3, 1))])
    other = vn_calendar([DayOverride(date(2026, 3, 14), True, "QĐ 1/QĐ-UBND", date(2026, 3, 1))])
    assert one.version.startswith(f"{HOLIDAYS_VERSION} + 1 ngày điều chỉnh (")
    assert one.version != other.version


# --- receipt time ------------------------------------------------------------------------------


def test_afternoon_receipt_is_due_same_time_next_working_day() -> None:
    assert wd(at(2026, 3, 2, 14), 1) == at(2026, 3, 3, 14)
    assert wd(at(2026, 3, 6, 14), 1) == at(2026, 3, 9, 14)  # Friday → Monday


def test_lunch_break_receipt_counts_from_13_30() -> None:
    # 13:30 + 3.5 h = 17:00, 4.5 h more = 11:30 next day: the count ends at the session end, not 13:30.
    assert wd(at(2026, 3, 2, 12), 1) == at(2026, 3, 3, 11, 30)
    assert wd(at(2026, 3, 2, 11, 30), 1) == at(2026, 3, 3, 11, 30)


def test_after_closing_and_before_opening() -> None:
    assert wd(at(2026, 3, 2, 17, 30), 1) == at(2026, 3, 3, 17)
    assert wd(at(2026, 3, 2, 17), 1) == at(2026, 3, 3, 17)
    assert wd(at(2026, 3, 2, 6), 1) == at(2026, 3, 2, 17)  # 8 h from 07:00 ends at 17:00 the same day
    assert wd(at(2026, 3, 7, 10), 1) == at(2026, 3, 9, 17)  # Saturday → from Monday 07:00


def test_end_of_session_convention() -> None:
    assert wd(at(2026, 3, 2, 7), 4.5 / 8) == at(2026, 3, 2, 11, 30)
    assert wd(at(2026, 3, 2, 7), 2) == at(2026, 3, 3, 17)
    assert wd(at(2026, 3, 2, 13, 30), 3.5 / 8) == at(2026, 3, 2, 17)


def test_fractional_working_days() -> None:
    assert wd(at(2026, 3, 2, 7), 0.5) == at(2026, 3, 2, 11)
    assert wd(at(2026, 3, 2, 10), 0.5) == at(2026, 3, 2, 16)  # 1.5 h morning + 2.5 h from 13:30
    assert wd(at(2026, 3, 2, 16), 1.5) == at(2026, 3, 4, 7, 0) + timedelta(hours=3)
    assert wd(at(2026, 3, 2, 10), 0) == at(2026, 3, 2, 10)


def test_received_in_another_zone_is_read_as_local_time() -> None:
    due = wd(datetime(2026, 3, 2, 7, tzinfo=UTC), 1)  # 14:00 in Hà Nội
    assert due == at(2026, 3, 3, 14)
    assert due.tzinfo == LOCAL_TZ


# --- same-day procedures -----------------------------------------------------------------------


def test_same_day_cutoff_at_15_00() -> None:
    assert due_date(at(2026, 3, 5, 14, 59), 0, "same_day", CAL) == at(2026, 3, 5, 17)
    assert due_date(at(2026, 3, 5, 15, 0), 0, "same_day", CAL) == at(2026, 3, 6, 17)
    assert due_date(at(2026, 3, 6, 15, 30), 0, "same_day", CAL) == at(2026, 3, 9, 17)  # Friday → Monday
    assert due_date(at(2026, 3, 5, 6, 30), None, "same_day", CAL) == at(2026, 3, 5, 17)  # before opening
    assert due_date(at(2026, 3, 7, 9), 0, "same_day", CAL) == at(2026, 3, 9, 17)  # Saturday
    assert due_date(at(2026, 2, 13, 15, 1), 0, "same_day", CAL) == at(2026, 2, 23, 17)  # before Tết


def test_same_day_pause_reapplies_the_cutoff_at_its_end() -> None:
    received = at(2026, 3, 5, 9)
    early = [(at(2026, 3, 5, 10), at(2026, 3, 5, 14))]
    late = [(at(2026, 3, 5, 10), at(2026, 3, 5, 16))]
    assert due_date(received, 0, "same_day", CAL, early) == at(2026, 3, 5, 17)
    assert due_date(received, 0, "same_day", CAL, late) == at(2026, 3, 6, 17)
    after_due = [(at(2026, 3, 5, 17, 30), at(2026, 3, 9, 10))]
    assert due_date(received, 0, "same_day", CAL, after_due) == at(2026, 3, 5, 17)


# --- calendar days -----------------------------------------------------------------------------


def test_calendar_days_landing_on_sunday_move_to_monday() -> None:
    assert due_date(at(2026, 3, 4, 10), 4, "days", CAL) == at(2026, 3, 9, 10)
    assert due_date(at(2026, 3, 4, 10), 2, "days", CAL) == at(2026, 3, 6, 10)
    assert due_date(at(2026, 4, 27, 10), 3, "days", CAL) == at(2026, 5, 4, 10)  # 30/4 → 1/5 → weekend


def test_calendar_days_time_of_day_is_moved_into_office_hours() -> None:
    assert due_date(at(2026, 3, 2, 17, 30), 2, "days", CAL) == at(2026, 3, 4, 17)
    assert due_date(at(2026, 3, 2, 6), 2, "days", CAL) == at(2026, 3, 4, 7)
    assert due_date(at(2026, 3, 2, 12), 2, "days", CAL) == at(2026, 3, 4, 13, 30)
    assert due_date(at(2026, 3, 2, 10), 1.5, "days", CAL) == at(2026, 3, 4, 10)  # part of a day counts whole
    assert due_date(at(2026, 3, 6, 17, 30), 0, "days", CAL) == at(2026, 3, 9, 7)  # never before the receipt


def test_calendar_days_pause_pushes_by_whole_days() -> None:
    received = at(2026, 3, 2, 10)
    assert due_date(received, 2, "days", CAL, [(at(2026, 3, 3, 8), at(2026, 3, 3, 12))]) == at(2026, 3, 5, 10)
    two = [(at(2026, 3, 3, 8), at(2026, 3, 4, 12))]  # 28 h → 2 days
    assert due_date(received, 2, "days", CAL, two) == at(2026, 3, 6, 10)
    overlapping = [(at(2026, 3, 3, 8), at(2026, 3, 3, 12)), (at(2026, 3, 3, 10), at(2026, 3, 3, 14))]
    assert due_date(received, 2, "days", CAL, overlapping) == at(2026, 3, 5, 10)  # joined: 6 h → 1 day
    assert due_date(received, 2, "days", CAL, [(at(2026, 3, 5, 8), at(2026, 3, 5, 12))]) == at(2026, 3, 4, 10)


# --- pauses ------------------------------------------------------------------------------------


def test_pause_across_the_april_holidays() -> None:
    received = at(2026, 4, 28, 9)
    assert wd(received, 3) == at(2026, 5, 5, 9)
    pause = [(at(2026, 4, 29, 9), at(2026, 5, 4, 9))]
    # Office time inside the pause: rest of 29/04 (6 h) + 04/05 07:00–09:00 (2 h) = one working day.
    assert wd(received, 3, pauses=pause) == at(2026, 5, 6, 9)
    assert working_seconds_between(pause[0][0], pause[0][1], CAL) == 8 * 3600


def test_pause_before_receipt_and_bad_pauses() -> None:
    received = at(2026, 3, 2, 14)
    assert wd(received, 1, pauses=[(at(2026, 2, 1), at(2026, 3, 2, 9))]) == at(2026, 3, 3, 14)
    with pytest.raises(ValueError, match="trước khi bắt đầu"):
        wd(received, 1, pauses=[(at(2026, 3, 3), at(2026, 3, 2))])
    with pytest.raises(ValueError, match="múi giờ"):
        wd(received, 1, pauses=[(datetime(2026, 3, 3, 8), at(2026, 3, 3, 9))])


def test_long_pause_is_skipped_not_walked() -> None:
    received = at(2026, 3, 2, 14)
    due = wd(received, 1, pauses=[(at(2026, 3, 2, 15), at(2126, 3, 2, 15))])
    assert due.year == 2126


# --- overrides ---------------------------------------------------------------------------------


def test_override_makes_a_saturday_working() -> None:
    cal = vn_calendar([DayOverride(date(2026, 3, 7), True, "QĐ 12/QĐ-UBND", date(2026, 3, 1), "Làm bù")])
    assert cal.is_working_day(date(2026, 3, 7))
    assert wd(at(2026, 3, 6, 14), 1, cal) == at(2026, 3, 7, 14)
    assert wd(at(2026, 3, 6, 14), 1) == at(2026, 3, 9, 14)  # the shared calendar is untouched


def test_override_makes_a_weekday_off_and_beats_a_holiday() -> None:
    cal = vn_calendar(
        [
            DayOverride(date(2026, 3, 9), False, "CV 5/UBND", date(2026, 3, 1), "Nghỉ bầu cử"),
            DayOverride(date(2026, 11, 24), True, "TB 1/TB-BNV", date(2026, 10, 1)),
        ]
    )
    assert cal.day_note(date(2026, 3, 9)) == "Nghỉ bầu cử (theo CV 5/UBND)"
    assert wd(at(2026, 3, 6, 14), 1, cal) == at(2026, 3, 10, 14)
    assert wd(at(2026, 11, 23, 14), 1, cal) == at(2026, 11, 24, 14)


def test_later_decision_wins_for_the_same_day() -> None:
    first = DayOverride(date(2026, 3, 9), False, "CV 5/UBND", date(2026, 3, 1))
    revoked = DayOverride(date(2026, 3, 9), True, "CV 7/UBND", date(2026, 3, 5))
    assert vn_calendar([revoked, first]).is_working_day(date(2026, 3, 9))
    with pytest.raises(ValueError, match="văn bản"):
        DayOverride(date(2026, 3, 9), False, " ", date(2026, 3, 1))


def test_static_calendar_without_provider() -> None:
    cal = WorkCalendar({date(2026, 3, 3): "Nghỉ"}, weekend_workdays={date(2026, 3, 7)})
    assert not cal.is_working_day(date(2026, 3, 3))
    assert cal.is_working_day(date(2026, 3, 7))
    assert cal.is_working_day(date(2026, 2, 17))  # no provider: Tết unknown
    assert cal.version == "lịch nhập tay + 0 ngày điều chỉnh"


# --- errors and configuration ------------------------------------------------------------------


def test_missing_time_limit_asks_the_clerk() -> None:
    with pytest.raises(ValueError, match="nhập số ngày") as caught:
        due_date(at(2026, 3, 2, 9), None, "working_days", CAL)
    assert str(caught.value) == NO_TIME_LIMIT
    with pytest.raises(ValueError, match="nhập số ngày"):
        due_date(at(2026, 3, 2, 9), 3, None, CAL)
    with pytest.raises(ValueError, match="không âm"):
        due_date(at(2026, 3, 2, 9), -1, "days", CAL)
    with pytest.raises(ValueError, match="Đơn vị"):
        due_date(at(2026, 3, 2, 9), 1, "weeks", CAL)


def test_naive_receipt_is_rejected() -> None:
    with pytest.raises(ValueError, match="múi giờ"):
        due_date(datetime(2026, 3, 2, 9), 1, "working_days", CAL)


def test_working_hours_validation() -> None:
    with pytest.raises(ValueError, match="buổi sáng"):
        WorkingHours(morning=(time(11, 30), time(7, 0)))
    with pytest.raises(ValueError, match="trước khi buổi chiều"):
        WorkingHours(morning=(time(7, 0), time(14, 0)))
    with pytest.raises(ValueError, match="chốt"):
        WorkingHours(same_day_cutoff=time(18, 0))
    with pytest.raises(ValueError, match="lớn hơn 0"):
        WorkingHours(hours_per_day=0)


def test_configured_hours() -> None:
    hours = WorkingHours(morning=(time(7, 30), time(11, 30)), afternoon=(time(13, 0), time(17, 0)))
    cal = vn_calendar(hours=hours)
    assert wd(at(2026, 3, 2, 12), 1, cal) == at(2026, 3, 3, 11, 30)  # 13:00–17:00, then 07:30–11:30
    assert due_date(at(2026, 3, 2, 14), 0, "same_day", cal) == at(2026, 3, 2, 17)


def test_working_seconds_between() -> None:
    assert working_seconds_between(at(2026, 2, 13, 10), at(2026, 2, 23, 10), CAL) == 8 * 3600
    assert working_seconds_between(at(2026, 2, 23, 10), at(2026, 2, 13, 10), CAL) == -8 * 3600
    assert working_seconds_between(at(2026, 3, 2, 12), at(2026, 3, 2, 13), CAL) == 0


def test_time_limit_text() -> None:
    assert time_limit_text(3.0, "working_days") == "3 ngày làm việc"
    assert time_limit_text(0.5, "working_days") == "0,5 ngày làm việc"
    assert time_limit_text(30.0, "days") == "30 ngày"
    assert time_limit_text(0.0, "same_day").startswith("Trong ngày")
    assert time_limit_text(None, "working_days") == "chưa có trong danh mục"


def test_off_days_lists_what_was_skipped() -> None:
    skipped = CAL.off_days(date(2026, 8, 28), date(2026, 9, 3))
    assert [d for d, _ in skipped] == [date(2026, 8, 29), date(2026, 8, 30), date(2026, 8, 31), date(2026, 9, 1),
                                       date(2026, 9, 2)]  # fmt: skip
    assert skipped[3][1] == "Quốc khánh"


# --- properties --------------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=LOCAL_TZ)
)
units = st.sampled_from(["working_days", "days", "same_day"])
values = st.integers(min_value=0, max_value=120).map(lambda q: q / 4)  # 0 … 30 days in quarters


@settings(max_examples=150, deadline=None)
@given(received=instants, value=values, unit=units, offset_h=st.floats(-48, 24 * 40), length_h=st.floats(0, 24 * 20))
def test_pause_never_makes_the_due_date_earlier(
    received: datetime, value: float, unit: str, offset_h: float, length_h: float
) -> None:
    plain = due_date(received, value, unit, CAL)
    assert plain >= received
    assert plain.tzinfo == LOCAL_TZ
    assert CAL.is_working_day(plain.date())
    start = received + timedelta(hours=offset_h)
    paused = due_date(received, value, unit, CAL, [(start, start + timedelta(hours=length_h))])
    assert paused >= plain


@settings(max_examples=100, deadline=None)
@given(received=instants, value=values)
def test_working_days_count_exactly_the_office_time(received: datetime, value: float) -> None:
    due = due_date(received, value, "working_days", CAL)
    assert working_seconds_between(received, due, CAL) == pytest.approx(value * 8 * 3600)
