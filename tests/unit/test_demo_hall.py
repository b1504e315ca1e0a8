"""The demo's simulated hall: arrivals that build a queue in the morning peak, on a compressed clock."""

from __future__ import annotations

import random

from app.demo_hall import BALK_FROM, PEAK_RATE, HallClock, arrival_rate, balk_chance, next_arrival


def test_the_arrival_rate_peaks_in_the_morning_and_stays_under_the_thinning_bound() -> None:
    hours = [h / 10 for h in range(70, 175)]
    rates = [arrival_rate(h) for h in hours]
    assert max(rates) <= PEAK_RATE
    assert 8.6 <= hours[rates.index(max(rates))] <= 8.9  # about 8:45
    assert arrival_rate(8.75) > 2 * arrival_rate(7.5)  # quiet at opening
    assert arrival_rate(14.5) > arrival_rate(16.9)  # a smaller afternoon peak


def test_arrivals_follow_the_rate() -> None:
    rng = random.Random(1)
    clock = HallClock(speed=1.0)
    clock.started -= (8.75 - 8.25) * 3600  # 08:45, the peak
    gaps = [next_arrival(rng, clock) for _ in range(4000)]
    per_hour = 3600 / (sum(gaps) / len(gaps))
    assert abs(per_hour - arrival_rate(8.75)) < 0.1 * arrival_rate(8.75)


def test_the_clock_starts_at_the_morning_peak_skips_lunch_and_wraps() -> None:
    clock = HallClock(speed=60.0)
    assert clock.label() == "08:15"
    assert clock.label(3 * 3600) == "11:15"
    assert clock.label(3.5 * 3600) == "13:45"  # 11:30–13:30 is lunch
    assert clock.label(6.75 * 3600) == "07:30"  # after 17:00, the next morning
    assert clock.real(60) == 1.0


def test_newcomers_leave_only_when_the_queue_is_long() -> None:
    assert balk_chance(0) == balk_chance(BALK_FROM - 1) == 0.0
    assert 0 < balk_chance(BALK_FROM) < balk_chance(BALK_FROM + 4) <= 0.9
    assert balk_chance(100) == 0.9
