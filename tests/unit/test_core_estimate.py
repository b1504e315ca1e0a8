"""Wait estimate: people ahead × recent median service time ÷ open counters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.estimate import estimate_wait_s


def test_uses_the_median_not_the_mean() -> None:
    # mean would be 1400 / 3; one very long service must not swing the estimate
    assert estimate_wait_s(3, [100.0, 200.0, 1100.0], 1, 999.0) == 600.0


def test_median_of_an_even_history_is_the_midpoint() -> None:
    assert estimate_wait_s(2, [100.0, 400.0, 200.0, 300.0], 1, 999.0) == 500.0


def test_default_service_time_without_history() -> None:
    assert estimate_wait_s(3, [], 1, 300.0) == 900.0


def test_divided_by_open_counters() -> None:
    assert estimate_wait_s(4, [300.0], 2, 999.0) == 600.0
    assert estimate_wait_s(4, [300.0], 3, 999.0) == 400.0


@pytest.mark.parametrize("open_counters", [0, -1])
def test_no_open_counter_counts_as_one(open_counters: int) -> None:
    assert estimate_wait_s(4, [300.0], open_counters, 999.0) == 1200.0


def test_nobody_ahead_means_no_wait() -> None:
    assert estimate_wait_s(0, [300.0], 1, 999.0) == 0.0
    assert estimate_wait_s(0, [], 4, 300.0) == 0.0


def test_accepts_any_sequence() -> None:
    assert estimate_wait_s(1, (120.0, 60.0, 90.0), 1, 0.0) == 90.0


@settings(max_examples=200, deadline=None)
@given(
    ahead=st.integers(min_value=0, max_value=200),
    history=st.lists(st.floats(min_value=1, max_value=3600), max_size=20),
    counters=st.integers(min_value=1, max_value=10),
)
def test_estimate_grows_with_people_ahead_and_shrinks_with_counters(
    ahead: int, history: list[float], counters: int
) -> None:
    here = estimate_wait_s(ahead, history, counters, 300.0)
    assert here >= 0
    assert estimate_wait_s(ahead + 1, history, counters, 300.0) >= here
    assert estimate_wait_s(ahead, history, counters + 1, 300.0) <= here
